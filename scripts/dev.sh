#!/usr/bin/env bash
# crossprobe's demo fleet on this machine: installs what is missing, builds, runs `crossprobe dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_apt nats-server nats-server
echo "crossprobe dev: building (tsc, under a minute)"
npm run --silent build
exec node dist/cli/main.js dev "$@"
