#!/usr/bin/env bash
# The whole crossprobe test suite, from a fresh clone: installs what is missing, type-checks and
# builds, then runs every test under test/ against real nats-server, nginx, HTTP(S) and DNS servers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_apt nats-server nats-server
ensure_apt nginx nginx
want_apt iptables iptables   # real connect timeouts and kernel path faults (root only)

rm -rf dist
npm run --silent build   # tsc: type-checking is part of the tests
# Node 20 does not expand globs and passes silently on zero files: name the compiled folder.
node --test --test-reporter=spec dist/test/
