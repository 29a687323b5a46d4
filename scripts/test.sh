#!/usr/bin/env bash
# The test command: every test of the workspace. Installs, locally into
# node_modules/ from npm, the TypeScript compiler (the tests type-check
# generated declarations with the real tsc) and the official MCP reference
# servers (the interop tests run them with node). They are installed in one
# command because `npm install --no-save` removes whatever it did not list.
set -euo pipefail
cd "$(dirname "$0")/.."
NPM_PACKAGES=(
  typescript@5
  @modelcontextprotocol/server-everything@2026.8.31
  @modelcontextprotocol/server-memory@2026.8.31
)
if [ ! -x node_modules/.bin/tsc ] \
  || [ ! -f node_modules/@modelcontextprotocol/server-everything/dist/index.js ] \
  || [ ! -f node_modules/@modelcontextprotocol/server-memory/dist/index.js ]; then
  npm install --no-save --no-audit --no-fund --silent "${NPM_PACKAGES[@]}"
fi
# The official MCP Python SDK, pinned, in a venv (Debian refuses system-wide
# pip): the interop tests drive `codemode serve` with
# tests/interop/mcp_client.py, which uses it. Needs `python3 -m venv` with
# ensurepip (Debian: the python3-venv package).
MCP_PYTHON_SDK=mcp==2.3.0
VENV="$PWD/target/interop-venv"
if ! "$VENV/bin/python" -c 'import sys; from importlib.metadata import version; sys.exit(version("mcp") != sys.argv[1])' "${MCP_PYTHON_SDK#mcp==}" 2>/dev/null; then
  python3 -m venv --clear "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$MCP_PYTHON_SDK"
fi
export CODEMODE_TEST_PYTHON="$VENV/bin/python"
# What the tests' codemode processes learn stays out of the user's state
# directory (each test that looks at learning uses a directory of its own).
export CODEMODE_STATE_DIR="$PWD/target/test-state"
rm -rf "$CODEMODE_STATE_DIR"
# The official JSON-Schema-Test-Suite (drafts 2020-12 and 7), which every
# generated declaration is type-checked against
# (host/src/declarations/tests/suite.rs). The Python `jsonschema` sdist on
# PyPI ships it under json/tests; pip builds the sdist's metadata first, so
# this takes a minute, once.
JSONSCHEMA_SDIST=jsonschema==4.26.0
SCHEMA_SUITE="$PWD/target/json-schema-test-suite"
if [ ! -d "$SCHEMA_SUITE/draft2020-12" ] || [ ! -d "$SCHEMA_SUITE/draft7" ]; then
  sdist=$(mktemp -d)
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$sdist" "$JSONSCHEMA_SDIST"
  rm -rf "$SCHEMA_SUITE" && mkdir -p "$SCHEMA_SUITE"
  tar -xzf "$sdist"/jsonschema-*.tar.gz -C "$SCHEMA_SUITE" --strip-components=3 --wildcards \
    '*/json/tests/draft2020-12' '*/json/tests/draft7'
  rm -rf "$sdist"
fi
# The guest only builds for wasm32 (scripts/build-guest.sh); its behaviour is
# tested through the host.
cargo test --workspace --exclude codemode-guest "$@"
