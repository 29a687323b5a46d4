//! The library's error type: what can go wrong setting up or driving the
//! sandbox itself. What a *program* does wrong is not an `Error`; it is part
//! of the [`crate::Envelope`].

use std::fmt;

/// An error from the executor itself (not from a program).
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    /// For `InvalidLimits`: the field that is out of range.
    limit: Option<&'static str>,
}

/// The kinds of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The engine or the guest component could not be set up (bad engine
    /// configuration, a corrupt or incompatible guest).
    Setup,
    /// A limit was given a value the executor cannot honour.
    InvalidLimits,
    /// Every sandbox slot is in use; retry when an execution finishes.
    Busy,
    /// The sandbox failed in a way no program can cause (a bug).
    Internal,
    /// A journal could not be read: not a journal, another version,
    /// truncated, or changed after it was recorded.
    Journal,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), limit: None }
    }

    /// An `InvalidLimits` error for `field`; `message` names the field and
    /// its valid range.
    pub(crate) fn invalid_limit(field: &'static str, message: String) -> Self {
        Self { kind: ErrorKind::InvalidLimits, message, limit: Some(field) }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// For [`ErrorKind::InvalidLimits`]: the Rust name of the field out of
    /// range, in [`crate::Limits`] (`"fuel"`, `"memory"`, `"timeout"`,
    /// `"max_concurrent_calls"`, `"output"`), [`crate::ExecutorBuilder`]
    /// (`"max_memory"`, `"max_sandboxes"`) or
    /// [`crate::server::ServeOptions`] (`"max_concurrent_executions"`,
    /// `"state_key"`, `"max_state_bytes"`, `"state_ttl"`), so
    /// that a caller can name its own flag or setting for it.
    pub fn limit(&self) -> Option<&'static str> {
        self.limit
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
