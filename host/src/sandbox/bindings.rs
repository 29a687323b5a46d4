//! Rust bindings of `wit/codemode.wit`, generated at compile time.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "sandbox",
    // `start` never waits (a call still pending moves to a task), so only
    // `wait` suspends the guest. Both trap when a replay diverges.
    imports: {
        "codemode:sandbox/tools.wait": async | trappable,
        "codemode:sandbox/tools.start": trappable,
    },
    exports: { default: async },
});
