#!/usr/bin/env bash
# Instructions per execution of the standard workloads, host and guest
# together, counted by callgrind. Wall time on a shared machine moves by
# tens of percent from one run to the next; this count moved by about a
# hundred instructions (in 280,000 for W0, four million for W4), so it shows
# a 1% change that p50 hides.
# It is a count, not a time: a cache miss or a syscall counts as little as
# an add, and a `rep movsb` copy counts once per byte, so the time
# targets (bench/README.md) are still checked by the `workloads` bench.
#
#   scripts/instructions.sh [W0 .. W5]...   (default: W0 W3 W4)
#
# Each workload runs twice under callgrind, with few and with more timed
# executions; the difference over the extra executions is what one costs,
# with the process's start-up (the engine, the guest loaded from the
# compiled-guest cache) cancelled out. Needs valgrind; W1, W2 and W5 take
# a few minutes each.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
workloads=("$@")
[[ ${#workloads[@]} -gt 0 ]] || workloads=(W0 W3 W4)
for workload in "${workloads[@]}"; do
  [[ "$workload" =~ ^W[0-5]$ ]] || { echo "unknown workload $workload; choose from W0 .. W5" >&2; exit 2; }
done

bench=$(cargo bench -q -p codemode --bench workloads --no-run --message-format=json | python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("executable") and message["target"]["name"] == "workloads":
        print(message["executable"])')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Runs valgrind "$@" (its options, then the bench) on $workload with $runs
# timed executions. Callgrind cannot reserve the default pool's address
# space (128 slots of 4 GiB), so every run uses a pool of 2.
under_valgrind() {
  if ! valgrind "$@" --runs "$runs" --sandboxes 2 "$workload" >"$out/log" 2>&1; then
    cat "$out/log" >&2
    exit 1
  fi
}
# The instructions of a whole run of $workload with $runs timed executions.
count() {
  under_valgrind --tool=callgrind --callgrind-out-file="$out/counted" "$bench"
  sed -n 's/^summary: //p' "$out/counted"
}

# Fill the compiled-guest cache first, under valgrind too (it shows the CPU
# with fewer features, which is another cache key), so that no counted run
# compiles the guest.
workload=W0 runs=1 under_valgrind --tool=none "$bench"

printf '%-9s %24s\n' workload "instructions/execution"
for workload in "${workloads[@]}"; do
  case "$workload" in
    W1 | W2 | W5) few=2 more=6 ;;
    *) few=20 more=120 ;;
  esac
  a=$(runs=$few count)
  b=$(runs=$more count)
  printf '%-9s %24d\n' "$workload" $(((b - a) / (more - few)))
done
