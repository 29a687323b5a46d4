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
//!   `namespace` with values, parameter properties, `import x = require()`,
//!   `export =`) is refused with a [`StripError`] asking for erasable TypeScript.
//!   Decorators are JavaScript syntax and are left for the engine to judge.
//! - A source with no TypeScript syntax comes back borrowed and byte-identical.
//! - The forms the guest runs are all accepted: an expression (`async () => {}`,
//!   `async function () {}`, an object literal), a script body with top-level
//!   `await` and `return`, and an ES module (`export default async function(){}`).
//!   Like the guest, it first tries the source as a parenthesized expression
//!   (sloppy script), then as a body (parsed as a module allowing top-level
//!   `return`, which gives `await`). The parser does almost none of the
//!   strict-mode early checks (those live in oxc's semantic pass, not used), so
//!   sloppy code such as `with` passes; HTML-like comments (`<!--`) are the one
//!   sloppy form a body cannot use. There is no JSX, so `<T>x` is always a cast.
//! - The source is read as TypeScript reads it, also where that differs from
//!   JavaScript: `f(a < b, c > (d))` is a generic call to TypeScript, so it
//!   becomes `f(a          (d))`, as tsc would emit.
//! - Parsing and walking recurse as deep as the program nests, so they run on a
//!   stack sized to the source, and sources over 1 MiB are refused: no input
//!   overflows the stack, and none panics.

mod blank;
mod visit;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use oxc_allocator::Allocator;
use oxc_ast_visit::Visit;
use oxc_diagnostics::Diagnostics;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

use blank::Blanker;

/// Why a program could not be turned into JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripError {
    /// What is wrong, as one sentence or two.
    pub message: String,
    /// 1-based line in the submitted source.
    pub line: u32,
    /// 1-based column in the submitted source, counted in UTF-8 bytes as the
    /// JavaScript engine counts its own locations.
    pub column: u32,
}

impl fmt::Display for StripError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for StripError {}

/// Returns `source` with its TypeScript types replaced by spaces, or an error
/// for a syntax error or for TypeScript that cannot be erased. See the module
/// documentation for what is blanked and what is refused.
///
/// It parses on the calling thread, on a stack of its own when the source
/// nests deeper than the caller's stack allows: well under a millisecond
/// for the programs models write.
pub fn strip_types(source: &str) -> Result<Cow<'_, str>, StripError> {
    if source.len() > MAX_SOURCE {
        return Err(StripError {
            message: format!(
                "the program is too large to parse: {} bytes, the limit is {MAX_SOURCE} bytes",
                source.len()
            ),
            line: 1,
            column: 1,
        });
    }
    // Brackets nest deepest per byte (up to ~1.8 KiB of stack each, measured on
    // `[[[[` in a type); any byte can open a shallower level (`!!!!`, `a=a=`, `x=>x=>`).
    let openers = source.bytes().filter(|b| matches!(b, b'(' | b'[' | b'{' | b'<')).count();
    let deepest = openers * STACK_PER_OPENER + source.len() * STACK_PER_BYTE;
    // In place when this thread's stack has room for the worst case (the
    // programs models write, on any thread of a runtime), else on a stack of
    // its own. A panic (a bug in the parser) is an internal error, not the
    // caller's.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stacker::maybe_grow(STACK_IN_PLACE + deepest, STACK_BASE + deepest, || strip(source))
    }))
    .map_err(|_| ());
    let internal = |message: &str| StripError { message: message.into(), line: 1, column: 1 };
    match outcome {
        Ok(Ok(None)) => Ok(Cow::Borrowed(source)),
        Ok(Ok(Some(stripped))) => Ok(Cow::Owned(stripped)),
        Ok(Err((offset, message))) => Err(error_at(source, offset, message)),
        Err(()) => Err(internal("internal error while stripping types")),
    }
}

/// Sources larger than this are refused before parsing: a megabyte of program
/// text is far beyond what a model writes, and it bounds the stack reserved below.
const MAX_SOURCE: usize = 1 << 20;
/// Stack the parser needs beyond what the source's nesting adds, for running
/// in place on the caller's stack.
const STACK_IN_PLACE: usize = 512 << 10;
/// Stack of the parser when it gets one of its own: reserved in full, but
/// only touched as used. Measured worst cases, with about twice that as
/// margin: 1.8 KiB per bracket, 300 bytes per other byte.
const STACK_BASE: usize = 8 << 20;
const STACK_PER_OPENER: usize = 4 << 10;
const STACK_PER_BYTE: usize = 512;

/// An offset into the parsed text, and a message.
type Failure = (u32, String);

/// The forms tried, in order: the guest runs a module if a line starts with
/// `import` or `export`, otherwise an expression if it parses as one, otherwise a
/// body.
#[derive(Clone, Copy)]
enum Form {
    /// `(\n{source}\n)` as a sloppy script.
    Expression,
    /// The source as a module that may `return` at top level.
    Body,
}

/// What the expression form puts before the source.
const EXPRESSION_PREFIX: &str = "(\n";

/// Strips `source` on the current thread: `None` if it has no TypeScript syntax.
fn strip(source: &str) -> Result<Option<String>, Failure> {
    let forms = if is_module(source) { [Form::Body, Form::Expression] } else { [Form::Expression, Form::Body] };
    let mut furthest: Option<Failure> = None;
    for form in forms {
        let allocator = Allocator::default();
        let (text, offset, source_type, options) = match form {
            Form::Expression => (
                Cow::Owned(format!("{EXPRESSION_PREFIX}{source}\n)")),
                EXPRESSION_PREFIX.len() as u32,
                SourceType::ts().with_script(true),
                ParseOptions::default(),
            ),
            Form::Body => (
                Cow::Borrowed(source),
                0,
                SourceType::ts().with_module(true),
                ParseOptions { allow_return_outside_function: true, ..ParseOptions::default() },
            ),
        };
        let parsed = Parser::new(&allocator, &text, source_type).with_options(options).parse();
        if let Some((at, message)) = first_error(&parsed.diagnostics) {
            let at = at.saturating_sub(offset).min(source.len() as u32);
            // The form that got further is most likely the one meant; on a tie, the body's.
            if furthest.as_ref().is_none_or(|(seen, _)| at > *seen || (at == *seen && matches!(form, Form::Body))) {
                furthest = Some((at, message));
            }
            continue;
        }
        let comments = parsed.program.comments.iter().map(|c| (c.span.start, c.span.end)).collect();
        let mut blanker = Blanker::new(&text, comments);
        blanker.visit_program(&parsed.program);
        let shift = |(at, message): Failure| (at.saturating_sub(offset).min(source.len() as u32), message);
        let Some(bytes) = blanker.finish().map_err(shift)? else { return Ok(None) };
        let bytes = &bytes[offset as usize..offset as usize + source.len()];
        // Only whole characters are overwritten, and only with ASCII, so this is UTF-8.
        return Ok(Some(
            String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ));
    }
    Err(furthest.unwrap_or_else(|| (0, "the program could not be parsed".into())))
}

/// The error earliest in the source (oxc lists the lexer's first), with the
/// label and help oxc gives it.
fn first_error(diagnostics: &Diagnostics) -> Option<Failure> {
    let described = diagnostics.errors().map(|d| {
        let label = d.labels.iter().find(|l| l.primary()).or_else(|| d.labels.first());
        let mut message = d.message.to_string();
        if let Some(text) = label.and_then(|l| l.label()).filter(|t| !message.contains(t)) {
            message = format!("{message} ({text})");
        }
        if let Some(help) = &d.help {
            message = format!("{message}. {help}");
        }
        (label.map_or(0, |l| l.offset()), message)
    });
    described.min_by_key(|(at, _)| *at)
}

/// The token `text` starts with, as far as a message needs it: a word, or
/// one other character; `None` at the end of the input.
fn token_at(text: &str) -> Option<&str> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let first = text.chars().next()?;
    let end = if is_word(first) {
        text.char_indices().find(|&(_, c)| !is_word(c)).map_or(text.len(), |(i, _)| i)
    } else {
        first.len_utf8()
    };
    Some(&text[..end])
}

/// The guest's own test: a line starting with `import` or `export`.
fn is_module(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        ["import ", "import{", "export ", "export{"].iter().any(|p| line.starts_with(p))
    })
}

/// Line and byte column (both 1-based) of a byte offset in `source`, and
/// the message, naming the token when oxc's does not.
fn error_at(source: &str, offset: u32, mut message: String) -> StripError {
    let mut offset = (offset as usize).min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    if message == "Unexpected token" {
        message = match token_at(&source[offset..]) {
            Some(token) => format!("Unexpected token {token:?}"),
            None => "Unexpected end of input".to_owned(),
        };
    }
    let (mut line, mut column, mut previous) = (1u32, 1u32, '\0');
    for c in source[..offset].chars() {
        match c {
            '\n' if previous == '\r' => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => (line, column) = (line + 1, 1),
            _ => column += c.len_utf8() as u32,
        }
        previous = c;
    }
    StripError { message, line, column }
}
