//! Parsing a submitted program once, in the form the guest will run it, for
//! everything that reads it before it runs (stripping types, checking calls).
//!
//! The forms are the guest's, told by the rule it uses too
//! ([`codemode_forms`]): a module if a line starts with `import` or
//! `export`, otherwise an expression (`async () => {}`, `async function
//! () {}`, an object literal) if the source parses as one (less a final `;`
//! and comments after it), otherwise a script body with top-level `await`
//! and `return`. The expression form is parsed as
//! `(\n{source}\n)` in a sloppy script, the body as a module that may
//! `return` at top level (which gives `await`). The parser does almost none
//! of the strict-mode early checks (those live in oxc's semantic pass), so
//! sloppy code such as `with` passes; HTML-like comments (`<!--`) are the one
//! sloppy form a body cannot use. There is no JSX, so `<T>x` is always a
//! cast, and the source is read as TypeScript reads it, also where that
//! differs from JavaScript (`f(a < b, c > (d))` is a generic call).
//!
//! Parsing and walking recurse as deep as the program nests, so they run on
//! a stack sized to the source (in place when the caller's has room), and
//! sources over [`MAX_SOURCE`] are refused: no input overflows the stack,
//! and none panics.

use std::fmt;

use oxc_allocator::Allocator;
use oxc_ast::ast::{Expression, Program, Statement};
use oxc_diagnostics::Diagnostics;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::GetSpan;
use oxc_span::SourceType;

use codemode_forms::{expression_sources, is_module};

use super::nesting::Refused;

/// Why a program could not be turned into JavaScript: it does not parse, or
/// uses TypeScript that cannot be erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong, as one sentence or two.
    pub message: String,
    /// 1-based line in the submitted source.
    pub line: u32,
    /// 1-based column in the submitted source, counted in UTF-8 bytes as the
    /// JavaScript engine counts its own locations.
    pub column: u32,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Sources larger than this are refused before parsing: a megabyte of program
/// text is far beyond what a model writes, and it bounds the stack reserved below.
pub const MAX_SOURCE: usize = 1 << 20;
/// Stack the parser needs beyond what the source's nesting adds, for running
/// in place on the caller's stack.
const STACK_IN_PLACE: usize = 512 << 10;
/// Stack of the parser when it gets one of its own: reserved in full, but
/// only touched as used. Measured worst cases, with about twice that as
/// margin: 1.8 KiB per bracket, 300 bytes per other byte.
const STACK_BASE: usize = 8 << 20;
const STACK_PER_OPENER: usize = 4 << 10;
const STACK_PER_BYTE: usize = 512;

/// What the expression form puts before the source.
const EXPRESSION_PREFIX: &str = "(\n";

/// The forms tried, in order (see the module docs).
#[derive(Clone, Copy)]
enum Form {
    /// `(\n{source}\n)` as a sloppy script.
    Expression,
    /// The source as a module that may `return` at top level.
    Body,
}

/// A program parsed in the form the guest will run it.
pub struct Parsed<'p, 's> {
    /// The AST.
    pub program: &'p Program<'p>,
    /// The parsed text: the source, or the source wrapped as an expression.
    pub text: &'p str,
    /// Where the source starts in `text`.
    pub offset: u32,
    /// How many of the source's bytes `text` holds from `offset` on: all,
    /// or, in the expression form, all but a final `;` and comments after
    /// the expression ([`codemode_forms::expression_sources`]).
    pub held: usize,
    /// The source as submitted.
    pub source: &'s str,
}

impl Parsed<'_, '_> {
    /// The error at `at`, an offset into `text`, in the source's lines and
    /// columns.
    pub fn error_at(&self, at: u32, message: String) -> SyntaxError {
        error_at(self.source, at.saturating_sub(self.offset), message)
    }
}

/// Parses `source` and hands the program to `f`, or says why it does not
/// parse. `f` runs on the parser's stack, so it may recurse as deep as the
/// program nests.
pub fn parse_with<'s, R>(source: &'s str, f: impl FnOnce(&Parsed<'_, 's>) -> R) -> Result<R, SyntaxError> {
    if source.len() > MAX_SOURCE {
        let message =
            format!("the program is too large to parse: {} bytes, the limit is {MAX_SOURCE} bytes", source.len());
        return Err(SyntaxError { message, line: 1, column: 1 });
    }
    if let Some(refused) = super::nesting::scan(source) {
        let (at, message) = match refused {
            Refused::TooDeep(at) => (
                at,
                format!(
                    "this opens more than {} parentheses and brackets at once, more than codemode parses (a parser \
                 must try each level both ways, as arrow parameters or types and as an expression): name \
                 intermediate values instead",
                    super::nesting::MAX_OPEN
                ),
            ),
            Refused::TooManyAngles(at) => (
                at,
                format!(
                    "this `<` is more than codemode parses at once (at most {} without a `;` between them, \
                     counting those in open parentheses, brackets and braces: a TypeScript parser must try each \
                     as the start of type arguments): end statements with `;`, split the expression, or name \
                     intermediate values",
                    super::nesting::MAX_OPEN_ANGLES
                ),
            ),
            Refused::AmbiguousSlash(at) => (
                at,
                "this `/` may divide or start a regular expression, and codemode cannot tell which before \
                 parsing (a quote follows on its line, which one reading takes for a string): put the regular \
                 expression in parentheses"
                    .to_owned(),
            ),
            Refused::StrayBackslash(at) => (
                at,
                "Invalid character `\\`: outside strings, comments, templates and regular expressions a \
                      backslash can only start a `\\u` escape"
                    .to_owned(),
            ),
        };
        return Err(error_at(source, u32::try_from(at).unwrap_or(u32::MAX), message));
    }
    // Brackets nest deepest per byte (up to ~1.8 KiB of stack each, measured on
    // `[[[[` in a type); any byte can open a shallower level (`!!!!`, `a=a=`, `x=>x=>`).
    let openers = source.bytes().filter(|b| matches!(b, b'(' | b'[' | b'{' | b'<')).count();
    let deepest = openers * STACK_PER_OPENER + source.len() * STACK_PER_BYTE;
    // In place when this thread's stack has room for the worst case (the
    // programs models write, on any thread of a runtime), else on a stack of
    // its own. A panic (a bug in the parser) is an internal error, not the
    // caller's.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stacker::maybe_grow(STACK_IN_PLACE + deepest, STACK_BASE + deepest, || parse_here(source, f))
    }))
    .unwrap_or_else(|_| {
        Err(SyntaxError { message: "internal error while parsing the program".into(), line: 1, column: 1 })
    })
}

/// [`parse_with`] on the current stack.
fn parse_here<'s, R>(source: &'s str, f: impl FnOnce(&Parsed<'_, 's>) -> R) -> Result<R, SyntaxError> {
    let expressions = expression_sources(source).into_iter().map(|held| (Form::Expression, held));
    let forms: Vec<(Form, &str)> = if is_module(source) {
        std::iter::once((Form::Body, source)).chain(expressions).collect()
    } else {
        expressions.chain(std::iter::once((Form::Body, source))).collect()
    };
    let mut furthest: Option<(u32, String)> = None;
    for (form, held) in forms {
        let allocator = Allocator::default();
        let (text, offset, source_type, options) = match form {
            Form::Expression => (
                std::borrow::Cow::Owned(format!("{EXPRESSION_PREFIX}{held}\n)")),
                EXPRESSION_PREFIX.len() as u32,
                SourceType::ts().with_script(true),
                ParseOptions::default(),
            ),
            Form::Body => (
                std::borrow::Cow::Borrowed(source),
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
        if matches!(form, Form::Expression) && !one_expression(&parsed.program, text.len()) {
            // The source closed the wrapper's parenthesis itself (`a), (b`):
            // not an expression, whatever else it parses as.
            continue;
        }
        return Ok(f(&Parsed { program: &parsed.program, text: &text, offset, held: held.len(), source }));
    }
    let (at, message) = furthest.unwrap_or_else(|| (0, "the program could not be parsed".into()));
    Err(error_at(source, at, message))
}

/// Whether `program`, parsed from `(\n{source}\n)` of `len` bytes, is that
/// one parenthesized expression and nothing else.
fn one_expression(program: &Program<'_>, len: usize) -> bool {
    match program.body.as_slice() {
        [Statement::ExpressionStatement(statement)] => {
            let span = statement.expression.span();
            matches!(statement.expression, Expression::ParenthesizedExpression(_))
                && span.start == 0
                && span.end as usize == len
        }
        _ => false,
    }
}

/// The error earliest in the source (oxc lists the lexer's first), with the
/// label and help oxc gives it.
fn first_error(diagnostics: &Diagnostics) -> Option<(u32, String)> {
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

/// The error at byte `offset` of `source`, naming the token when oxc's
/// message does not.
fn error_at(source: &str, offset: u32, mut message: String) -> SyntaxError {
    let (line, column, offset) = position(source, offset);
    if message == "Unexpected token" {
        message = match token_at(&source[offset..]) {
            Some(token) => format!("Unexpected token {token:?}"),
            None => "Unexpected end of input".to_owned(),
        };
    }
    SyntaxError { message, line, column }
}

/// Line and byte column (both 1-based) of byte `offset` in `source`, and the
/// offset moved back to a character boundary.
pub fn position(source: &str, offset: u32) -> (u32, u32, usize) {
    let mut offset = (offset as usize).min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
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
    (line, column, offset)
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
