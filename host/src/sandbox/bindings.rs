//! Rust bindings of `wit/codemode.wit`, generated at compile time.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "sandbox",
    imports: { default: async },
    exports: { default: async },
});
