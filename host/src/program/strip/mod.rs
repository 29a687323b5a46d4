//! TypeScript to JavaScript by blanking types, so that positions never move.
//!
//! [`strip_types`] parses the submitted source with oxc as TypeScript and
//! overwrites every type-only part with spaces: annotations, generics, `as` and
//! `satisfies` casts, `!` non-null marks, interfaces, type aliases, `declare`
//! statements, type-only imports and exports, overloads, `abstract` and access
//! modifiers, `implements` clauses and `this` parameters. Line breaks are kept
//! and every blanked byte becomes one space, so each remaining token stays at
//! the same line and byte offset: errors QuickJS reports about the output point
//! at the source as submitted, with no source map. (QuickJS counts columns in
//! UTF-8 bytes, so a multi-byte character inside a type becomes as many spaces as
//! it has bytes.) This is the approach of ts-blank-space and Node's
//! `--experimental-strip-types`.
//!
//! Edges:
//! - It never runs code, and never rewrites JavaScript: besides spaces it only
//!   writes, inside blanked regions, a `;` where blanking would otherwise join
//!   two statements or class members that TypeScript had kept apart, a `)` moved
//!   to the end of an arrow function's multi-line return type (`=>` may not start
//!   a line), and `0,` where a `return`/`throw` argument would otherwise start on
//!   a later line (`return <T>\n x`).
//! - Syntax that cannot be erased because it has runtime meaning (`enum`,
//!   `namespace` with values, parameter properties and decorators,
//!   `import x = require()`, `export =`) is refused with a [`SyntaxError`]
//!   asking for erasable TypeScript. Decorators of classes and their members
//!   are JavaScript syntax and are left for the engine to judge.
//! - A name exported twice (a second `export default`, say), which TypeScript
//!   leaves to its checker, is refused as the syntax error JavaScript makes
//!   it; a type sharing a value's name is not counted.
//! - A source with no TypeScript syntax comes back borrowed and byte-identical.
//! - Every form the guest runs is accepted; the source is parsed once, as
//!   [`super::parse`] says, and read as TypeScript reads it, also where that
//!   differs from JavaScript: `f(a < b, c > (d))` is a generic call to
//!   TypeScript, so it becomes `f(a          (d))`, as tsc would emit.

mod blank;
mod visit;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use oxc_ast_visit::Visit;

use super::parse::{Parsed, SyntaxError, parse_with};
use blank::Blanker;

/// An offset into the parsed text, and a message.
type Failure = (u32, String);

/// Returns `source` with its TypeScript types replaced by spaces, or an error
/// for a syntax error or for TypeScript that cannot be erased. See the module
/// documentation for what is blanked and what is refused.
///
/// It parses on the calling thread, on a stack of its own when the source
/// nests deeper than the caller's stack allows: well under a millisecond
/// for the programs models write.
pub fn strip_types(source: &str) -> Result<Cow<'_, str>, SyntaxError> {
    parse_with(source, blank)?
}

/// The parsed program's source with its types blanked: borrowed when it has
/// none.
pub(super) fn blank<'s>(parsed: &Parsed<'_, 's>) -> Result<Cow<'s, str>, SyntaxError> {
    let comments = parsed.program.comments.iter().map(|c| (c.span.start, c.span.end)).collect();
    let mut blanker = Blanker::new(parsed.text, comments);
    blanker.visit_program(parsed.program);
    let Some(bytes) = blanker.finish().map_err(|(at, message)| parsed.error_at(at, message))? else {
        return Ok(Cow::Borrowed(parsed.source));
    };
    let start = parsed.offset as usize;
    let mut bytes = bytes[start..start + parsed.held].to_vec();
    bytes.extend_from_slice(&parsed.source.as_bytes()[parsed.held..]);
    // Only whole characters are overwritten, and only with ASCII, so this is UTF-8.
    Ok(Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())))
}
