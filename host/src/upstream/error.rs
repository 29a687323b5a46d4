//! The upstream error: which server, what kind of failure, and a message
//! that is safe to show anywhere.
//!
//! Every message is redacted before it is stored here (see `redact`), so
//! `Display` and `Debug` can print it as is. This module never builds a
//! message from unredacted text: constructors are called with text that the
//! caller has already passed through the server's `Redactor`.

use std::error::Error;
use std::fmt;

use rmcp::transport::DynamicTransportError;

/// The longest JSON-RPC error message kept, in bytes: what a server says
/// reaches programs and logs, so a megabyte of it must not.
pub const MAX_RPC_MESSAGE: usize = 4096;

/// A failure talking to one upstream server. `Display` reads
/// `server "NAME": MESSAGE`; neither it nor `Debug` contains a configured
/// credential.
#[derive(Debug, Clone)]
pub struct UpstreamError {
    kind: UpstreamErrorKind,
    server: String,
    message: String,
    rpc_code: Option<i32>,
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpstreamErrorKind {
    /// The server's command could not be started (not found, not
    /// executable, bad `cwd`).
    Spawn,
    /// The server could not be reached or did not complete `initialize`
    /// (HTTP failure, process exited during startup, startup timed out).
    Connect,
    /// A tool call did not finish within the server's `callTimeout`; it was
    /// cancelled upstream with `notifications/cancelled`.
    Timeout,
    /// The server exited, or its connection failed, while the call was in
    /// flight. The next call restarts it.
    Crashed,
    /// The server is down and waiting out its restart backoff, or codemode
    /// is shutting down; the message says when it retries.
    Unavailable,
    /// The server broke the protocol: non-JSON on stdout, a line too long,
    /// a response of the wrong shape.
    Protocol,
    /// The server answered with a JSON-RPC error; see
    /// [`UpstreamError::rpc_code`] and [`UpstreamError::message`].
    Rpc,
}

impl UpstreamError {
    /// An error of `kind` for `server`; `message` must already be redacted.
    pub(super) fn new(kind: UpstreamErrorKind, server: &str, message: String) -> Self {
        UpstreamError { kind, server: server.to_owned(), message, rpc_code: None }
    }

    /// A JSON-RPC error response; `message` must already be redacted. A
    /// message longer than [`MAX_RPC_MESSAGE`] bytes is cut there.
    pub(super) fn rpc(server: &str, code: i32, mut message: String) -> Self {
        if message.len() > MAX_RPC_MESSAGE {
            let total = message.len();
            message.truncate(message.floor_char_boundary(MAX_RPC_MESSAGE));
            message.push_str(&format!("... (cut; {total} bytes in all)"));
        }
        UpstreamError { rpc_code: Some(code), ..UpstreamError::new(UpstreamErrorKind::Rpc, server, message) }
    }

    /// What went wrong.
    pub fn kind(&self) -> UpstreamErrorKind {
        self.kind
    }

    /// The name of the server, as in the config file.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The message without the server's name; for [`UpstreamErrorKind::Rpc`]
    /// the server's own error message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON-RPC error code, for [`UpstreamErrorKind::Rpc`].
    pub fn rpc_code(&self) -> Option<i32> {
        self.rpc_code
    }
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server {:?}: ", self.server)?;
        match self.rpc_code {
            Some(code) => write!(f, "JSON-RPC error {code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Error for UpstreamError {}

/// `err` and its sources, joined with `: `, for a message. The SDK's
/// transport wrapper is skipped (it names Rust types), and so is a source
/// whose text the previous part already includes.
pub(super) fn chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(err) = next {
        if !err.is::<DynamicTransportError>() {
            let text = err.to_string();
            if !parts.last().is_some_and(|last| last.contains(&text)) {
                parts.push(text);
            }
        }
        next = err.source();
    }
    parts.join(": ")
}
