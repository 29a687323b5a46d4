#!/usr/bin/env bash
# Builds the QuickJS-in-Wasm guest component, pre-initializes it with Wizer
# (snapshot/: the JavaScript engine is built once, here, not per execution),
# and refreshes the committed copy in guest/dist/ (codemode-guest.wasm plus
# inputs.sha256, the hash of every input that went into it).
#
#   scripts/build-guest.sh           rebuild and overwrite guest/dist/
#   scripts/build-guest.sh --check   rebuild into target/ and fail if the
#                                    committed guest is stale
#
# rquickjs-sys would download the WASI SDK; we use Debian's clang and
# wasi-libc instead (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

export RQUICKJS_SYS_NO_WASI_SDK=1
export CC_wasm32_wasip2="${CC_wasm32_wasip2:-clang-19}"
export AR_wasm32_wasip2="${AR_wasm32_wasip2:-llvm-ar-19}"
# QuickJS is C: let it use the Wasm features Wasmtime has (bulk memory for
# memcpy/memset, non-trapping float conversion, sign extension), and compile
# its internal assertions out (NDEBUG), as a release build of QuickJS does.
# Together they cut the fuel of a compute loop by about 15%.
export CFLAGS_wasm32_wasip2="${CFLAGS_wasm32_wasip2:---target=wasm32-wasi -mbulk-memory -mnontrapping-fptoint -msign-ext -DNDEBUG}"

cargo build -p codemode-guest --target wasm32-wasip2 --profile guest
cargo build -p codemode-snapshot
built=target/wasm32-wasip2/guest/codemode-guest.snapshot.wasm
target/debug/codemode-snapshot target/wasm32-wasip2/guest/codemode_guest.wasm "$built"

# The hash covers what determines the build: the guest's, the forms crate's
# and the snapshot tool's sources and manifests, the WIT, this script, the vendored QuickJS,
# the guest profile, the exact versions of the guest's own dependency tree
# and of the Wasmtime and Wizer that snapshot it (not all of Cargo.lock, so
# that a host-only dependency change does not make the guest stale). `cargo
# tree` suffixes like `(*)` and the checkout path of local packages are
# dropped, so the hash is the same in every clone.
inputs_hash() {
  {
    find guest/src guest/Cargo.toml guest/build.rs forms snapshot wit scripts/build-guest.sh \
      third_party/rquickjs-sys -type f -print0 \
      | LC_ALL=C sort -z | xargs -0 sha256sum
    sed -n '/^\[profile.guest\]/,/^$/p' Cargo.toml
    cargo tree -q -p codemode-guest --target wasm32-wasip2 -e normal,build --prefix none \
      | sed -E 's/( \([^)]*\))+$//' | LC_ALL=C sort -u
    cargo tree -q -p codemode-snapshot -e normal --prefix none \
      | sed -E 's/( \([^)]*\))+$//' | grep -E '^wasmtime(-wizer)? ' | LC_ALL=C sort -u
  } | sha256sum | cut -d' ' -f1
}
hash=$(inputs_hash)

if [[ "${1:-}" == "--check" ]]; then
  committed=$(cat guest/dist/inputs.sha256 2>/dev/null || echo none)
  if [[ "$committed" != "$hash" ]]; then
    echo "guest/dist is stale: inputs hash $hash, committed $committed" >&2
    echo "run scripts/build-guest.sh and commit guest/dist/" >&2
    exit 1
  fi
  # The tests run against what was just built from source.
  cp "$built" guest/dist/codemode-guest.wasm
  echo "guest/dist is up to date (inputs $hash); testing the fresh build"
  exit 0
fi

mkdir -p guest/dist
cp "$built" guest/dist/codemode-guest.wasm
echo "$hash" > guest/dist/inputs.sha256
echo "guest/dist/codemode-guest.wasm: $(stat -c %s guest/dist/codemode-guest.wasm) bytes, inputs $hash"
