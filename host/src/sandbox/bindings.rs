//! Rust bindings of `wit/codemode.wit`, generated at compile time.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "sandbox",
    // `start` never waits (a call still pending moves to a task), so only
    // `wait` suspends the guest.
    imports: { "codemode:sandbox/tools.wait": async },
    exports: { default: async },
});
