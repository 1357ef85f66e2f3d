#!/usr/bin/env bash
# The whole crossprobe test suite, from a fresh clone: installs what is missing, type-checks and
# builds, then runs every test under test/ against real nats-server, nginx, HTTP(S) and DNS servers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_apt nats-server nats-server
ensure_apt nginx nginx
want_apt iptables iptables   # real connect timeouts and kernel path faults (root only)
want_apt chromium chromium   # the browser tests (test/browser): a real headless Chromium (root only)
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CROSSPROBE_CHROMIUM:-}" ]; then
  echo "crossprobe test: chromium is not installed: the browser tests (test/browser) will be skipped. Install it with: sudo apt-get install -y chromium" >&2
fi

rm -rf dist
npm run --silent build   # tsc: type-checking is part of the tests
# Node 20 does not expand globs, runs every .js under a folder it is given (helpers too), and passes
# silently on zero files: name the compiled test files, and refuse an empty list.
mapfile -t tests < <(find dist/test -name '*.test.js' | sort)
[ "${#tests[@]}" -gt 0 ] || { echo "no compiled tests under dist/test" >&2; exit 1; }
node --test --test-reporter=spec "${tests[@]}"
