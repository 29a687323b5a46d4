#!/usr/bin/env bash
# Rebuilds third_party/rquickjs-sys/ (see third_party/README.md): the
# crates.io release of rquickjs-sys, checked against its published SHA-256,
# trimmed to what its build reads, with third_party/rquickjs-sys.patch applied.
#
#   scripts/vendor-rquickjs-sys.sh                 rewrite third_party/rquickjs-sys/
#   scripts/vendor-rquickjs-sys.sh --check         fail if the committed copy is not
#                                                  exactly release + patch
#   scripts/vendor-rquickjs-sys.sh --update-patch  rewrite the patch from edits made
#                                                  in third_party/rquickjs-sys/
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.14.0
# The `checksum` crates.io publishes (and Cargo.lock recorded before the patch).
sha256=cee271d0eeba64f0915b846cb7ae02e16faf3dfdffdca91731101d9d30fe3423
vendored=third_party/rquickjs-sys
patch_file=third_party/rquickjs-sys.patch

mode=${1:-write}
case "$mode" in
  write | --check | --update-patch) ;;
  *) echo "usage: $0 [--check | --update-patch]" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crate="$work/rquickjs-sys-$version.crate"
cached=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "rquickjs-sys-$version.crate" 2>/dev/null | head -n1 || true)
if [[ -n "$cached" ]]; then
  cp "$cached" "$crate"
else
  curl -fsSL --retry 3 -o "$crate" "https://static.crates.io/crates/rquickjs-sys/rquickjs-sys-$version.crate"
fi
if ! echo "$sha256  $crate" | sha256sum -c --quiet; then
  echo "rquickjs-sys-$version.crate does not have the published SHA-256 $sha256" >&2
  exit 1
fi
tar -xzf "$crate" -C "$work"

# What build.rs compiles and includes (its `source_files` and `header_files`),
# the Rust side, and the licence. Left out: QuickJS's tests, docs, tools and
# REPL, and the wasi-libc only wasm32-unknown-unknown builds use.
keep=(
  Cargo.toml README.md build.rs quickjs.bind.h src quickjs/LICENSE
  quickjs/{quickjs,libregexp,libunicode,dtoa}.c
  quickjs/{builtin-array-fromasync,builtin-iterator-zip-keyed,builtin-iterator-zip}.h
  quickjs/{cutils,dtoa,libregexp-opcode,libregexp,libunicode-table,libunicode,list}.h
  quickjs/{quickjs-atom,quickjs-opcode,quickjs-c-atomics,quickjs}.h
)
# Named a/ so that the patch's paths read a/... and b/...
pristine="$work/a"
mkdir "$pristine"
(cd "$work/rquickjs-sys-$version" && cp -r --parents "${keep[@]}" "$pristine")

if [[ "$mode" == "--update-patch" ]]; then
  # diff exits 1 when the trees differ, which is the point. Timestamps are
  # dropped so that the patch only changes when the edit does.
  cp -r "$vendored" "$work/b"
  (cd "$work" && diff -ruN a b || true) \
    | sed -E $'s#^(---|\\+\\+\\+) ([ab]/[^\t]*)\t.*#\\1 \\2#' > "$patch_file"
  echo "$patch_file: $(grep -c '^@@' "$patch_file") hunks"
  exit 0
fi

cp -r "$pristine" "$work/patched"
patch -d "$work/patched" -p1 --quiet --no-backup-if-mismatch < "$patch_file"

if [[ "$mode" == "--check" ]]; then
  if ! diff -r "$work/patched" "$vendored" >&2; then
    echo "$vendored is not rquickjs-sys $version with $patch_file applied" >&2
    echo "run scripts/vendor-rquickjs-sys.sh (or --update-patch after editing it)" >&2
    exit 1
  fi
  echo "$vendored is rquickjs-sys $version with $patch_file applied"
  exit 0
fi

rm -rf "$vendored"
cp -r "$work/patched" "$vendored"
echo "$vendored: rquickjs-sys $version, $(grep -c '^@@' "$patch_file") patched hunks"
