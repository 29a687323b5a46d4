#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) one after the
# other, SECONDS each (default 30), and prints each target's executions and
# coverage. With `--runs N` each target instead runs N inputs from a fixed
# random seed on a fresh corpus, so that a failure comes back with the same
# command (what `.ci/run` does; a timed campaign finds more, but never the
# same thing twice). Needs a nightly toolchain and cargo-fuzz (`.ci/run` installs
# both). New inputs go to a scratch corpus (target/fuzz-corpus/TARGET, kept
# between runs, never committed); the committed seeds in fuzz/seeds/TARGET
# are read too. A crash fails the run; its input is in
# fuzz/artifacts/TARGET/ (reproduce with `cargo +nightly fuzz run TARGET FILE`).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --runs N [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--runs" ]; then
  [ -n "${2:-}" ] || { echo "usage: scripts/fuzz.sh --runs N [TARGET...]" >&2; exit 2; }
  BUDGET=(-runs="$2" -seed=1)
  WHAT="$2 runs from seed 1"
  SCRATCH=target/fuzz-runs
  rm -rf "$SCRATCH"
  shift 2
else
  BUDGET=(-max_total_time="${1:-30}")
  WHAT="${1:-30} s"
  SCRATCH=target/fuzz-corpus
  shift || true
fi
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(strip config jsonrpc schema search guest_values)
fi
# Rust code needs no AddressSanitizer (codemode's only unsafe code maps its
# compile cache); coverage instrumentation is what finds the inputs.
FUZZ=(cargo +nightly fuzz)
"${FUZZ[@]}" build --sanitizer none
for target in "${TARGETS[@]}"; do
  corpus="$SCRATCH/$target"
  mkdir -p "$corpus"
  log="$SCRATCH/$target.log"
  echo "--- fuzz $target ($WHAT)"
  if ! "${FUZZ[@]}" run --sanitizer none "$target" "$corpus" "fuzz/seeds/$target" -- \
    "${BUDGET[@]}" -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $target: FAILED (input in fuzz/artifacts/$target/)"
    exit 1
  fi
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || echo '?')
  inputs=$(find "$corpus" -type f | wc -l)
  echo "fuzz $target: ok, $executions executions, $coverage, $inputs inputs in the corpus"
done
