//! A submitted program on its way to the sandbox: the source as the model
//! wrote it, JavaScript or TypeScript, becomes the JavaScript the guest
//! runs, with every line and column where it was ([`strip`]), or a `syntax`
//! error that says where and what to write instead.
//!
//! This module only reads the source; it never runs it (the sandbox does)
//! and never looks at tools.

pub mod strip;

use std::borrow::Cow;

use crate::envelope::{ProgramError, ProgramErrorKind};

pub use strip::{StripError, strip_types};

/// The JavaScript the guest runs for `source`, or why it has none (a
/// `syntax` error of the program, see the `From` impl below).
pub(crate) fn prepare(source: &str) -> Result<Cow<'_, str>, StripError> {
    strip_types(source)
}

impl From<StripError> for ProgramError {
    /// TypeScript that does not parse (or uses syntax that cannot simply be
    /// erased) is a syntax error of the program.
    fn from(error: StripError) -> Self {
        let mut failure = ProgramError::new(ProgramErrorKind::Syntax, error.message);
        failure.name = Some("SyntaxError".to_owned());
        (failure.line, failure.column) = (Some(error.line), Some(error.column));
        failure
    }
}
