# Routine tasks. `just` is optional: each recipe is one plain command.

# Rebuild the QuickJS-in-Wasm guest into guest/dist/ (commit the result).
guest:
    scripts/build-guest.sh

# Every test of the workspace (installs tsc locally if missing).
test:
    scripts/test.sh

# The W0-W5 workload benchmark; add `-- --quick` for a smoke run.
bench *ARGS:
    cargo bench -p codemode --bench workloads -- {{ARGS}}

# Everything CI checks: vendored QuickJS, fresh guest, formatting, lints, tests.
ready:
    scripts/vendor-rquickjs-sys.sh --check
    scripts/build-guest.sh --check
    cargo fmt --all --check
    cargo clippy --workspace --exclude codemode-guest --all-targets -- -D warnings
    cargo clippy -p codemode-guest --target wasm32-wasip2 -- -D warnings
    scripts/test.sh

# The bundled demo: a real MCP server, its TypeScript API, a program against it.
demo:
    cargo run --release -- demo
