//! The codemode guest: QuickJS compiled to a WebAssembly component that runs
//! exactly one program per instance.
//!
//! The host instantiates the component, calls `program.run` once and drops
//! the instance. The JavaScript engine itself is built before that, once, at
//! build time (see `engine`). Everything the program can reach is in
//! `wit/codemode.wit`: tool calls go out through `tools.start` and
//! `tools.wait`, and events (logs, then one final value or error) come
//! back as JSON lines on stdout. This crate owns the JavaScript side of that
//! contract; limits (fuel, memory, deadline, output) are enforced by the
//! host, which trusts nothing printed here.

mod bridge;
mod console;
mod driver;
mod engine;
mod failure;
mod globals;
mod inspect;
mod json;
mod libc;
mod output;
mod program;
mod promises;
mod random;
mod truncate;
mod values;

// The generated glue is one of the crate's FFI edges (the others: `libc`,
// `values`, `promises`, `bridge`'s `startCall`, `engine`'s job loop,
// `globals`' random bytes and `failure`'s limit check), each allowing
// `unsafe` only where it touches raw engine or C values.
#[allow(unsafe_code, missing_docs, clippy::all)]
mod bindings {
    wit_bindgen::generate!({ path: "../wit", world: "initializable" });
    use super::Sandbox;
    export!(Sandbox);
}

use bindings::exports::codemode::sandbox::program::{Guest, RunOptions};

struct Sandbox;

impl Guest for Sandbox {
    fn run(source: String, options: RunOptions) {
        driver::run(&source, &options);
    }
}

impl bindings::Guest for Sandbox {
    fn wizer_initialize() {
        engine::initialize();
    }
}
