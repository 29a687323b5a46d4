#![doc = include_str!("../../../docs/programs.md")]

mod check;
mod imports;
mod nesting;
mod parse;
pub mod strip;

use std::borrow::Cow;

use crate::envelope::{ProgramError, ProgramErrorKind};

pub use check::Api;
pub use codemode_forms::{expression_sources, is_module};
pub use parse::SyntaxError;
pub use strip::strip_types;

/// Why a program does not run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// It does not parse, or uses TypeScript that cannot be erased.
    Syntax(SyntaxError),
    /// Its calls do not fit the tools' types.
    Type(Box<ProgramError>),
}

/// The JavaScript the guest runs for `source`, whose calls fit `api`, or why
/// there is none: what [`crate::Executor::execute`] does before the sandbox
/// starts, for callers that want to check a program without running it.
pub fn prepare<'s>(source: &'s str, api: &Api) -> Result<Cow<'s, str>, Refusal> {
    let (javascript, findings) = parse::parse_with(source, |parsed| {
        let empty = parsed.program.body.is_empty() && parsed.program.directives.is_empty();
        let javascript = match imports::find(parsed, api) {
            Some(import) => Err(import),
            // Most likely a mistake of the caller's: null would hide it.
            None if empty => Err(parsed.error_at(
                0,
                "the program is empty: write code that returns its answer (`return …`, or one expression)".into(),
            )),
            None => strip::blank(parsed),
        };
        (javascript, check::check(parsed, api))
    })
    .map_err(Refusal::Syntax)?;
    let javascript = javascript.map_err(Refusal::Syntax)?;
    match check::error(source, &findings) {
        Some(error) => Err(Refusal::Type(Box::new(error))),
        None => Ok(javascript),
    }
}

impl From<Refusal> for ProgramError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Syntax(error) => error.into(),
            Refusal::Type(error) => *error,
        }
    }
}

impl From<SyntaxError> for ProgramError {
    /// TypeScript that does not parse (or uses syntax that cannot simply be
    /// erased) is a syntax error of the program.
    fn from(error: SyntaxError) -> Self {
        let mut failure = ProgramError::new(ProgramErrorKind::Syntax, error.message);
        failure.name = Some("SyntaxError".to_owned());
        (failure.line, failure.column) = (Some(error.line), Some(error.column));
        failure
    }
}
