#!/usr/bin/env bash
# Reproduces tests/fixtures/search/servers/*.json: installs each pinned MCP server of
# scripts/search-corpus/servers.json into a scratch directory, starts it over stdio with fake
# credentials, and dumps tools/list (all pages).
#
#   scripts/search-corpus/search-corpus.sh OUTDIR [--only a,b] [--workdir DIR] [--timeout S]
#
# OUTDIR = tests/fixtures/search/servers rewrites the committed lists.
#
# Needs: node + npm (Node >= 20), python3 >= 3.10 with venv, the npm registry and PyPI.
# The MCP client is the official Python SDK, mcp==2.3.0, in a venv (default:
# target/search-corpus-venv; override with SEARCH_EVAL_VENV). Exit status 2 means some server failed (the
# others are still written); details go to stderr.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [--only a,b] [--workdir DIR] [--timeout S]" >&2
  exit 64
fi
OUT=$1
shift

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=${SEARCH_EVAL_VENV:-$HERE/../../target/search-corpus-venv}
PY=${PYTHON:-python3}

command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }

if ! "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("mcp") != "2.3.0")' 2>/dev/null; then
  echo "creating $VENV with mcp==2.3.0" >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check mcp==2.3.0
fi

exec "$VENV/bin/python" "$HERE/dump_tools.py" "$OUT" "$@"
