#!/usr/bin/env bash
# crossprobe's tests, from a fresh clone: installs what is missing, type-checks and builds, then runs a
# tier of the compiled tests (scripts/tiers.mjs decides which files make up each tier):
#   scripts/test.sh        every test: the unit tier, then the e2e tier (npm test runs this, then
#                          scripts/test-node24.sh)
#   scripts/test.sh unit   in-process tests only: no NATS, nginx, browser, iptables, apt (npm run test:unit)
#   scripts/test.sh e2e    the rest, against real nats-server, nginx, HTTP(S) and DNS servers and a
#                          headless Chromium (npm run test:e2e)
set -euo pipefail
cd "$(dirname "$0")/.."
tier=${1:-all}
case "$tier" in all | unit | e2e) ;; *) echo "usage: scripts/test.sh [all|unit|e2e]" >&2; exit 2 ;; esac
source scripts/setup.sh
if [ "$tier" != unit ]; then
  ensure_apt nats-server nats-server
  ensure_apt nginx nginx
  want_apt iptables iptables   # real connect timeouts and kernel path faults (root only)
  want_apt chromium chromium   # the browser tests (test/browser): a real headless Chromium (root only)
  if ! command -v chromium >/dev/null 2>&1 && [ -z "${CROSSPROBE_CHROMIUM:-}" ]; then
    echo "crossprobe test: chromium is not installed: the browser tests (test/browser) will be skipped. Install it with: sudo apt-get install -y chromium" >&2
  fi
fi

rm -rf dist
npm run --silent build   # tsc: type-checking is part of the tests
source scripts/run-tests.sh
status=0
if [ "$tier" != e2e ]; then run_tier unit || status=1; fi
if [ "$tier" != unit ]; then run_tier e2e || status=1; fi
exit "$status"
