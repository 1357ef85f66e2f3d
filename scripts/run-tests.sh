# Sourced by scripts/test.sh and scripts/test-node24.sh, from the root of a built tree (dist/ present).
# run_tier TIER [FILE...]: runs the compiled test files of TIER (scripts/tiers.mjs), or only FILEs of it
# when given, with the `node` first on PATH. The unit tier runs with test/helpers/unit-tier.ts loaded
# into every node process, which refuses to start NATS, nginx, a browser, iptables, mounts or apt there.
run_tier() {
  local tier=$1; shift
  local -a tests
  # Node 20 does not expand globs, runs every .js under a folder it is given (helpers too), and passes
  # silently on zero files: name the compiled test files, and refuse an empty list.
  mapfile -t tests < <(node scripts/tiers.mjs "$tier")
  if [ "$#" -gt 0 ]; then
    local -a only=()
    for f in "$@"; do
      printf '%s\n' "${tests[@]}" | grep -qxF "$f" || { echo "crossprobe test: $f is not in the $tier tier" >&2; return 1; }
      only+=("$f")
    done
    tests=("${only[@]}")
  fi
  [ "${#tests[@]}" -gt 0 ] || { echo "crossprobe test: no compiled $tier tests under dist/test" >&2; return 1; }
  local opts=${NODE_OPTIONS:-}
  [ "$tier" = unit ] && opts="$opts --import=\"$PWD/dist/test/helpers/unit-tier.js\""
  echo "crossprobe test: $tier tier, ${#tests[@]} files, node $(node --version)"
  local start=$SECONDS
  NODE_OPTIONS=$opts node --test --test-reporter=spec "${tests[@]}" || { echo "crossprobe test: $tier tier failed after $((SECONDS - start)) s" >&2; return 1; }
  echo "crossprobe test: $tier tier passed in $((SECONDS - start)) s"
}
