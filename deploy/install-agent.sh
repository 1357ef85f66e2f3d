#!/bin/sh
# Installs (or updates) a crossprobe agent on a Debian/Ubuntu VPS, as root:
#
#   sh install-agent.sh --bundle https://example.net/crossprobe-agent.mjs --sha256 HEX \
#     --nats tls://hub-1.example.net:4222 --region eu-west --id fra-1 \
#     --nkey-file eu-west-fra-1.nkey --ca-file ca.pem [--control https://www.example.org/]
#
# What it does, each step safe to repeat (running it again updates the bundle and the settings):
#   1. Node.js >= 20.18: kept if present; else Debian's nodejs when the release has a new enough
#      one, else NodeSource's Node 22 LTS apt repository (signed; never a piped setup script).
#   2. the single-file agent bundle -> /opt/crossprobe/crossprobe-agent.mjs: a local file or an
#      https:// URL (plain http:// is refused), its SHA-256 checked against --sha256 before any of it runs
#   3. /etc/crossprobe/nats.nkey (0600), nats-ca.pem, agent.env (only the keys it manages are
#      rewritten: lines you add stay)
#   4. /etc/systemd/system/crossprobe-agent.service, enabled and (re)started
#
# --root DIR installs under DIR instead of / and --no-systemd skips systemctl (a dry run into a
# directory, used by the tests); --no-node-install fails instead of installing Node.js.
set -eu

usage() {
  cat <<'EOF'
Usage: install-agent.sh --bundle PATH|URL --sha256 HEX --nats URL --region R --id A [--nkey-file FILE] [--ca-file FILE]
                        [--control URL]... [--root DIR] [--no-systemd] [--no-node-install]
  --bundle     the agent bundle (npm run build:agent -> dist/crossprobe-agent.mjs), a file or an https:// URL
  --sha256     the bundle's SHA-256 (sha256sum crossprobe-agent.mjs), checked before any of it runs
  --nats       NATS URL(s) of the hub or of this region's leaf node, comma-separated (tls://host:4222)
  --region     this agent's region id, as enrolled (crossprobe enroll --region R --id A)
  --id         this agent's id, as enrolled
  --nkey-file  the agent's nkey seed file from crossprobe enroll (needed on the first install)
  --ca-file    the CA certificate the NATS server's certificate chains to (PEM)
  --control    a URL probed to check this agent's own network (repeatable)
EOF
}

die() {
  echo "install-agent.sh: $*" >&2
  exit 1
}
bad_usage() {
  echo "install-agent.sh: $*" >&2
  usage >&2
  exit 2
}
say() { echo "install-agent.sh: $*"; }

BUNDLE='' NATS='' REGION='' ID='' NKEY_FILE='' CA_FILE='' CONTROLS='' SHA256='' ROOT='' SYSTEMD=1 NODE_INSTALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle | --nats | --region | --id | --nkey-file | --ca-file | --control | --sha256 | --root)
      [ $# -ge 2 ] || bad_usage "$1 needs a value"
      case "$1" in
        --bundle) BUNDLE=$2 ;;
        --nats) NATS=$2 ;;
        --region) REGION=$2 ;;
        --id) ID=$2 ;;
        --nkey-file) NKEY_FILE=$2 ;;
        --ca-file) CA_FILE=$2 ;;
        --control) CONTROLS=${CONTROLS:+$CONTROLS,}$2 ;;
        --sha256) SHA256=$2 ;;
        --root) ROOT=${2%/} ;;
      esac
      shift 2
      ;;
    --no-systemd) SYSTEMD=0; shift ;;
    --no-node-install) NODE_INSTALL=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_usage "unknown option $1" ;;
  esac
done

[ -n "$BUNDLE" ] || bad_usage '--bundle is required'
[ -n "$SHA256" ] || bad_usage "--sha256 is required: the bundle's SHA-256 (sha256sum crossprobe-agent.mjs where you built it), checked before any of it runs"
SHA256=$(printf '%s' "$SHA256" | tr 'A-F' 'a-f')
printf '%s' "$SHA256" | grep -Eq '^[0-9a-f]{64}$' || bad_usage "--sha256 \"$SHA256\" must be 64 hexadecimal digits (the first word sha256sum prints)"
case "$BUNDLE" in
  https://*) ;;
  http://*) bad_usage "--bundle $BUNDLE is plain HTTP, which anyone on the way can alter: serve it over https://, or copy the file here and give its path" ;;
  *://*) bad_usage "--bundle $BUNDLE: only https:// URLs and local files are accepted" ;;
esac
[ -n "$NATS" ] || bad_usage '--nats is required'
[ -n "$REGION" ] || bad_usage '--region is required'
[ -n "$ID" ] || bad_usage '--id is required'
is_id() { printf '%s' "$1" | grep -Eq '^[a-z0-9-]{1,63}$'; }
is_id "$REGION" || bad_usage "--region \"$REGION\" must be 1-63 characters of a-z, 0-9 and -"
is_id "$ID" || bad_usage "--id \"$ID\" must be 1-63 characters of a-z, 0-9 and -"
case "$NATS" in *[[:space:]]*) bad_usage '--nats must not contain spaces' ;; esac
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then die 'run me as root (or with --root DIR for a dry run)'; fi

ETC="$ROOT/etc/crossprobe"
OPT="$ROOT/opt/crossprobe"
UNIT="$ROOT/etc/systemd/system/crossprobe-agent.service"
NODE=${NODE:-/usr/bin/node}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# --- the bundle, fetched and checked first: nothing runs before its hash matches --------------
case "$BUNDLE" in
  https://*)
    command -v curl >/dev/null 2>&1 || die 'curl is needed to download the bundle (apt-get install curl)'
    # https only, redirects included: a redirect to http:// is refused, not followed
    curl -fsSL --proto '=https' --proto-redir '=https' --retry 3 -o "$TMP/bundle.mjs" "$BUNDLE" || die "cannot download $BUNDLE"
    ;;
  *)
    [ -r "$BUNDLE" ] || die "cannot read the bundle $BUNDLE"
    cp "$BUNDLE" "$TMP/bundle.mjs"
    ;;
esac
# before anything of it runs (the version check below executes it)
got=$(sha256sum "$TMP/bundle.mjs" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "the bundle's SHA-256 is $got, not $SHA256: not installing it"

# --- 1. Node.js ------------------------------------------------------------------------------
# version_ge 20.19.2 20.18 -> true
version_ge() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, /[^0-9]+/); split(b, y, /[^0-9]+/)
    for (i = 1; i <= 3; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 }
    exit 0 }'
}
node_version() { "$NODE" --version 2>/dev/null | sed 's/^v//'; }
node_ok() {
  v=$(node_version) || return 1
  [ -n "$v" ] && version_ge "$v" 20.18
}
install_node() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ { print $2 }' | sed 's/^[0-9]*://')
  if [ -n "$candidate" ] && [ "$candidate" != '(none)' ] && version_ge "$candidate" 20.18; then
    say "installing Node.js $candidate from the distribution"
    apt-get install -y -q nodejs
  else
    say "the distribution's Node.js (${candidate:-none}) is older than 20.18: installing Node 22 LTS from NodeSource's apt repository"
    apt-get install -y -q ca-certificates curl gnupg
    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
    echo 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_22.x nodistro main' >/etc/apt/sources.list.d/nodesource.list
    apt-get update -q
    apt-get install -y -q nodejs
  fi
}
if node_ok; then
  say "Node.js $(node_version) at $NODE"
elif [ "$NODE_INSTALL" -eq 0 ] || [ -n "$ROOT" ]; then
  die "Node.js >= 20.18 is needed at $NODE (found: $(node_version || true)); install it, or run me without --no-node-install/--root"
else
  install_node
  node_ok || die "Node.js at $NODE is $(node_version || echo missing) after installing; >= 20.18 is needed"
  say "Node.js $(node_version) installed"
fi

# --- 2. the bundle ---------------------------------------------------------------------------
version=$("$NODE" "$TMP/bundle.mjs" version 2>/dev/null) || die "$BUNDLE is not a crossprobe agent bundle (node $BUNDLE version failed)"
install -d -m 0755 "$OPT"
install -m 0644 "$TMP/bundle.mjs" "$OPT/.crossprobe-agent.mjs.new"
mv -f "$OPT/.crossprobe-agent.mjs.new" "$OPT/crossprobe-agent.mjs"
say "bundle $version -> $OPT/crossprobe-agent.mjs"

# --- 3. secrets and settings -----------------------------------------------------------------
install -d -m 0755 "$ETC"
if [ -n "$NKEY_FILE" ]; then
  [ -r "$NKEY_FILE" ] || die "cannot read the nkey file $NKEY_FILE"
  grep -Eq '^SU[A-Z2-7]{56}$' "$NKEY_FILE" || die "$NKEY_FILE holds no NATS user nkey seed (a line of 58 characters starting with SU)"
  if [ "$(readlink -f "$NKEY_FILE")" != "$(readlink -f "$ETC/nats.nkey" 2>/dev/null || true)" ]; then
    install -m 0600 "$NKEY_FILE" "$ETC/.nats.nkey.new"
    mv -f "$ETC/.nats.nkey.new" "$ETC/nats.nkey"
  fi
  chmod 0600 "$ETC/nats.nkey"
  say "nkey seed -> $ETC/nats.nkey"
elif [ ! -s "$ETC/nats.nkey" ]; then
  die "--nkey-file is needed on the first install (crossprobe enroll --region $REGION --id $ID writes it)"
fi
if [ -n "$CA_FILE" ]; then
  grep -q 'BEGIN CERTIFICATE' "$CA_FILE" 2>/dev/null || die "$CA_FILE holds no PEM certificate"
  if [ "$(readlink -f "$CA_FILE")" != "$(readlink -f "$ETC/nats-ca.pem" 2>/dev/null || true)" ]; then
    install -m 0644 "$CA_FILE" "$ETC/nats-ca.pem"
  fi
  say "NATS CA -> $ETC/nats-ca.pem"
fi

ENV_FILE="$ETC/agent.env"
if [ ! -f "$ENV_FILE" ]; then
  cat >"$ENV_FILE" <<'EOF'
# crossprobe agent settings (CROSSPROBE_* variables: `node /opt/crossprobe/crossprobe-agent.mjs agent --help`).
# install-agent.sh rewrites the lines it manages (NATS, NATS_CA, REGION, ID, CONTROL); add your own below.
EOF
  chmod 0644 "$ENV_FILE"
fi
# set_env KEY VALUE: replaces the KEY= line, or appends one
set_env() {
  awk -v k="$1" -v v="$2" 'BEGIN { done = 0 }
    index($0, k "=") == 1 { if (!done) print k "=" v; done = 1; next }
    { print }
    END { if (!done) print k "=" v }' "$ENV_FILE" >"$TMP/env"
  cat "$TMP/env" >"$ENV_FILE"
}
set_env CROSSPROBE_NATS "$NATS"
set_env CROSSPROBE_REGION "$REGION"
set_env CROSSPROBE_ID "$ID"
if [ -n "$CA_FILE" ]; then set_env CROSSPROBE_NATS_CA /etc/crossprobe/nats-ca.pem; fi
if [ -n "$CONTROLS" ]; then set_env CROSSPROBE_CONTROL "$CONTROLS"; fi
say "settings -> $ENV_FILE"

# --- 4. the service --------------------------------------------------------------------------
install -d -m 0755 "$(dirname "$UNIT")"
# the same text as deploy/systemd/crossprobe-agent.service (a test keeps them identical)
cat >"$TMP/unit" <<'UNIT'
# crossprobe agent: probes HTTP(S) targets and publishes every result over NATS.
# Installed by deploy/install-agent.sh as /etc/systemd/system/crossprobe-agent.service.
# Settings: /etc/crossprobe/agent.env (CROSSPROBE_* variables; `crossprobe agent --help` lists them).
# Secrets: the agent's nkey seed /etc/crossprobe/nats.nkey (root, 0600), handed to the service
# through systemd credentials, so the unprivileged dynamic user can read it and nothing else can.

[Unit]
Description=crossprobe agent (multi-region HTTP(S) probes, results over NATS)
Documentation=file:///opt/crossprobe/README.md
Wants=network-online.target
After=network-online.target
# keep trying for ever: a VPS whose network comes back late must end up probing
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=/usr/bin/node --max-semi-space-size=1 --liftoff-only --max-old-space-size=144 /opt/crossprobe/crossprobe-agent.mjs agent
EnvironmentFile=/etc/crossprobe/agent.env
LoadCredential=nats.nkey:/etc/crossprobe/nats.nkey
Environment=CROSSPROBE_NATS_NKEY=%d/nats.nkey
Restart=always
RestartSec=5s
# SIGTERM: in-flight probes get --shutdown-timeout (10s) to finish, then publishing or spooling
# what is left gets as long again; only then would systemd SIGKILL.
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=45s

# Who it runs as: a fresh unprivileged user per start; the spool survives in its state directory
# (/var/lib/crossprobe-agent, given to the agent as $STATE_DIRECTORY: spool in
# ./crossprobe/<region>/<id>/spool, locked by the agent; a spool of an older version in ./spool moves there).
DynamicUser=yes
StateDirectory=crossprobe-agent
StateDirectoryMode=0700
UMask=0077
WorkingDirectory=/var/lib/crossprobe-agent

# What it may do: open sockets, write its state directory. Nothing else.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateUsers=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
# AF_NETLINK: getaddrinfo (resolving the NATS server's name) asks the kernel for the local addresses
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
# a refused system call fails with EPERM rather than killing the process
SystemCallErrorNumber=EPERM
# (no MemoryDenyWriteExecute: V8 compiles JavaScript to machine code at run time)

# Resources: a 1,000-target agent stays under 100 MB RSS (npm run bench:agent). The V8 heap is
# capped at 144 MiB (ExecStart), below MemoryMax with room for what lives outside it: buffers,
# among them the memory queue standing in for a refusing disk (--spool-memory-max, 32 MiB).
MemoryMax=256M
TasksMax=64
LimitNOFILE=16384

[Install]
WantedBy=multi-user.target
UNIT
install -m 0644 "$TMP/unit" "$UNIT"
say "unit -> $UNIT"

if [ "$SYSTEMD" -eq 1 ]; then
  systemctl daemon-reload
  systemctl enable crossprobe-agent.service
  # restart, not start: a second run must pick up the new bundle and settings
  systemctl restart crossprobe-agent.service
  say "crossprobe-agent is running; follow it with: journalctl -u crossprobe-agent -f"
else
  say "skipped systemctl (--no-systemd); start it with: systemctl daemon-reload && systemctl enable --now crossprobe-agent"
fi
