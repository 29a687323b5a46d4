//! The program forms models actually write, and how each is compiled:
//!
//! - a module (any line starting with `import` or `export`): evaluated as an
//!   ES module; its default export is the program (called if a function);
//! - an expression, typically `async () => { ... }` or `async function`:
//!   evaluated, and called if it is a function;
//! - a script body with top-level `await` and `return`: wrapped in an async
//!   arrow and called.
//!
//! Expression and body are told apart by trying the expression first (less
//! a final `;` and comments after it): a body with statements or `return`
//! is never a valid parenthesized expression.
//! Both wrappers put the source on its own lines, so columns are unchanged
//! and lines shift by `line_offset`.

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

/// The most texts the expression form tries after the first: how far it
/// looks behind comments at the end of a program.
const MAX_FINAL_COMMENTS: usize = 8;

/// The texts the expression form tries, in order (the host's
/// `program::expression_sources`, which must stay the same): the source
/// less a final `;`, which a model ends `async () => { ... };` with and
/// which would otherwise make it a body whose only statement builds a
/// function and drops it; then, while a comment may end it (`}; // done`),
/// the same cut before that comment too ([`final_comment_cuts`]).
fn expression_sources(source: &str) -> Vec<&str> {
    let mut sources = vec![without_semicolon(source)];
    let mut rest = source;
    while sources.len() <= MAX_FINAL_COMMENTS {
        let cuts = final_comment_cuts(rest);
        let Some(&first) = cuts.first() else { break };
        sources.extend(cuts.into_iter().map(without_semicolon));
        rest = first;
    }
    sources.truncate(MAX_FINAL_COMMENTS + 1);
    sources
}

fn without_semicolon(source: &str) -> &str {
    let trimmed = source.trim_end();
    trimmed.strip_suffix(';').unwrap_or(trimmed)
}

/// `source` less the comment it may end with: before a final `/* */`, or
/// before each `//` of its last line, leftmost first (one in a string
/// leaves a text that does not parse).
fn final_comment_cuts(source: &str) -> Vec<&str> {
    let trimmed = source.trim_end();
    if let Some(inside) = trimmed.strip_suffix("*/") {
        return inside.rfind("/*").map(|at| &trimmed[..at]).into_iter().collect();
    }
    let line = trimmed
        .rfind(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map_or(0, |at| at + trimmed[at..].chars().next().map_or(1, char::len_utf8));
    trimmed[line..].match_indices("//").map(|(at, _)| &trimmed[..line + at]).collect()
}

fn eval<'js>(ctx: &Ctx<'js>, code: String, filename: &str) -> Result<Value<'js>, Value<'js>> {
    let mut options = EvalOptions::default();
    options.strict = false;
    options.backtrace_barrier = true;
    options.filename = Some(filename.into());
    ctx.eval_with_options(code, options).map_err(|_| ctx.catch())
}

fn is_module(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        ["import ", "import{", "export ", "export{"].iter().any(|p| line.starts_with(p))
    })
}
