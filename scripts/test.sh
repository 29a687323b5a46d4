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
# The guest only builds for wasm32 (scripts/build-guest.sh); its behaviour is
# tested through the host.
cargo test --workspace --exclude codemode-guest "$@"
