//! The program forms models actually write, and how each is compiled:
//!
//! - a module (any line starting with `import` or `export`): evaluated as an
//!   ES module; its default export is the program (called if a function);
//! - an expression, typically `async () => { ... }` or `async function`:
//!   evaluated, and called if it is a function;
//! - a script body with top-level `await` and `return`: wrapped in an async
//!   arrow and called.
//!
//! The rule is the host's too ([`codemode_forms`]). Expression and body are
//! told apart by trying the expression first (less a final `;` and comments
//! after it): a body with statements or `return` is never a valid
//! parenthesized expression.
//! Both wrappers put the source on its own lines, so columns are unchanged
//! and lines shift by `line_offset`.

use codemode_forms::{expression_sources, is_module};

use crate::inspect::Intrinsics;
use rquickjs::context::EvalOptions;
use rquickjs::{Ctx, Module, Value};

/// A compiled program, not yet started.
pub enum Compiled<'js> {
    /// The value of an expression or body wrapper: a function to call, or
    /// the program's value itself.
    Value(Value<'js>),
    /// A declared module, to be evaluated.
    Module(Module<'js>),
    /// The expression parsed, ran, and threw: a runtime error, not a
    /// compile error.
    Threw(Value<'js>),
}

/// How the submitted source was wrapped.
pub struct Wrapping {
    /// Lines added above the submitted source.
    pub line_offset: u32,
}

/// Why compiling failed: the thrown value (usually a `SyntaxError`).
pub struct CompileError<'js>(pub Value<'js>);

/// Compiles `source` in one of the accepted forms, naming it `filename` in
/// stack traces.
pub fn compile<'js>(
    js: &Intrinsics<'js>,
    ctx: &Ctx<'js>,
    source: &str,
    filename: &str,
) -> (Result<Compiled<'js>, CompileError<'js>>, Wrapping) {
    if is_module(source) {
        let compiled =
            Module::declare(ctx.clone(), filename, source).map(Compiled::Module).map_err(|_| CompileError(ctx.catch()));
        return (compiled, Wrapping { line_offset: 0 });
    }
    let wrapping = Wrapping { line_offset: 1 };
    for expression in expression_sources(source) {
        match eval(ctx, format!("(\n{expression}\n)"), filename) {
            Ok(value) => return (Ok(Compiled::Value(value)), wrapping),
            Err(thrown) if js.own_string(&thrown, "name").as_deref() != Some("SyntaxError") => {
                return (Ok(Compiled::Threw(thrown)), wrapping);
            }
            Err(_) => {}
        }
    }
    let compiled =
        eval(ctx, format!("(async () => {{\n{source}\n}})"), filename).map(Compiled::Value).map_err(CompileError);
    (compiled, wrapping)
}

fn eval<'js>(ctx: &Ctx<'js>, code: String, filename: &str) -> Result<Value<'js>, Value<'js>> {
    let mut options = EvalOptions::default();
    options.strict = false;
    options.backtrace_barrier = true;
    options.filename = Some(filename.into());
    ctx.eval_with_options(code, options).map_err(|_| ctx.catch())
}
