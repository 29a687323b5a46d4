//! The guest's capability set, asserted from the built component itself: a
//! new import cannot slip in unnoticed.

use wasmparser::{Parser, Payload};

/// Every import of the guest component itself (not of the components and
/// modules nested in it, whose imports it satisfies internally).
fn imports() -> Vec<String> {
    let wasm = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../guest/dist/codemode-guest.wasm")).unwrap();
    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    names.push(import.unwrap().name.0.to_owned());
                }
            }
            _ => {}
        }
    }
    names.sort();
    names
}

#[test]
fn guest_imports_exactly_the_allowed_set() {
    let imports = imports();
    let unversioned: Vec<&str> = imports.iter().map(|n| n.split('@').next().unwrap()).collect();
    assert_eq!(
        unversioned,
        [
            "codemode:sandbox/tools",
            "wasi:cli/stderr",
            "wasi:cli/stdout",
            "wasi:clocks/monotonic-clock",
            "wasi:clocks/wall-clock",
            "wasi:io/error",
            "wasi:io/streams",
            "wasi:random/insecure-seed",
        ],
        "full list: {imports:?}"
    );
}
