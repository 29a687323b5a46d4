#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) one after the
# other, SECONDS each (default 30), and prints each target's executions and
# coverage. Needs a nightly toolchain and cargo-fuzz (`.ci/run` installs
# both). New inputs go to a scratch corpus (target/fuzz-corpus/TARGET, kept
# between runs, never committed); the committed seeds in fuzz/seeds/TARGET
# are read too. A crash fails the run; its input is in
# fuzz/artifacts/TARGET/ (reproduce with `cargo +nightly fuzz run TARGET FILE`).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-30}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(strip config jsonrpc schema search guest_values)
fi
# Rust code needs no AddressSanitizer (codemode's only unsafe code maps its
# compile cache); coverage instrumentation is what finds the inputs.
FUZZ=(cargo +nightly fuzz)
"${FUZZ[@]}" build --sanitizer none
for target in "${TARGETS[@]}"; do
  corpus="target/fuzz-corpus/$target"
  mkdir -p "$corpus"
  log="target/fuzz-corpus/$target.log"
  echo "--- fuzz $target (${SECONDS_EACH} s)"
  if ! "${FUZZ[@]}" run --sanitizer none "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $target: FAILED (input in fuzz/artifacts/$target/)"
    exit 1
  fi
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || echo '?')
  inputs=$(find "$corpus" -type f | wc -l)
  echo "fuzz $target: ok, $executions executions, $coverage, $inputs inputs in the corpus"
done
