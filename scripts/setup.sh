# Sourced by scripts/test.sh and scripts/dev.sh: installs what crossprobe needs and is missing.
# npm packages always; Debian packages (nats-server, nginx, ...) via apt-get when root, otherwise
# it stops with the command to run.

fail() { echo "crossprobe setup: $*" >&2; exit 1; }

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.stdout.write(String(a>20||(a===20&&b>=18)))' 2>/dev/null || echo false)
[ "$node_ok" = true ] || fail "Node.js 22 or 24 is required (found: $(node --version 2>/dev/null || echo none))."
case "$(node --version)" in v20.*) echo "crossprobe setup: Node $(node --version) is past its end of life; crossprobe supports Node 22 and 24 (20.18+ still runs it)" >&2 ;; esac

# better-sqlite3 compiles from source where no prebuilt binary can be fetched; it needs Node's headers.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "crossprobe setup: installing npm packages (npm ci; first run only, ~2 min: better-sqlite3 compiles)"
  npm ci --no-audit --no-fund >/dev/null || fail "npm ci failed"
fi

# ensure_apt COMMAND PACKAGE: installs PACKAGE when COMMAND is not found.
apt_updated=
ensure_apt() {
  local cmd=$1 pkg=$2
  if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    fail "$cmd is missing. Install it with: sudo apt-get install -y $pkg   (then run this command again)"
  fi
  command -v apt-get >/dev/null 2>&1 || fail "$cmd is missing and this is not a Debian/Ubuntu machine: install the $pkg package."
  echo "crossprobe setup: installing $pkg (apt-get, once)"
  if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null || fail "apt-get update failed"; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || fail "apt-get install $pkg failed"
}
# want_apt COMMAND PACKAGE: like ensure_apt, but only when root; others go on without it (the tests
# that need it, e.g. kernel-level network faults, say they were skipped and why).
want_apt() {
  if command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ "$(id -u)" != 0 ]; then return 0; fi
  ensure_apt "$1" "$2"
}
export PATH="$PATH:/usr/sbin:/sbin"
