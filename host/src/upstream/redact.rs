//! Keeping credentials out of everything codemode surfaces.
//!
//! A server's configured `env` values (stdio) and `headers` values (HTTP)
//! are its secrets. [`Redactor`] replaces each of them with `<redacted>` in
//! text (error messages, stderr excerpts, quoted stdout) and in JSON, and
//! [`Redacting`] applies it to every message the server sends before the MCP
//! client sees it — so tool lists, instructions, results, and the SDK's own
//! log lines never carry a secret either, even when the server echoes one.
//!
//! Rules, and why:
//!
//! - a value shorter than [`MIN_SECRET`] characters is not treated as a
//!   secret: no credential is that short, and masking every `1` or `yes`
//!   would garble exit codes and counts in every message;
//! - a value with whitespace also has each whitespace-separated word of at
//!   least [`MIN_WORD`] characters masked, so the token of
//!   `Authorization: Bearer TOKEN` is caught when a server echoes only the
//!   token;
//! - matching is exact and case-sensitive: an encoded form (URL-escaped,
//!   base64) of a secret is not recognized;
//! - an excerpt cut out of a longer text ([`Redactor::redact_excerpt`]) may
//!   begin with the end of a secret or end with its beginning; such edge
//!   fragments of at least [`MIN_SECRET`] characters are masked too.
//!
//! This module never logs and never stores what it masks anywhere else.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;

/// What replaces a secret.
const MASK: &str = "<redacted>";

/// The shortest value treated as a secret, in characters.
const MIN_SECRET: usize = 4;

/// The shortest word of a multi-word value treated as a secret on its own.
const MIN_WORD: usize = 8;

/// The secrets of one server, and the means to mask them.
#[derive(Default)]
pub(super) struct Redactor {
    /// Longest first, so a secret containing another is masked whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these configured values.
    pub(super) fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        for value in values {
            let words = value.split_whitespace().filter(|word| word.chars().count() >= MIN_WORD);
            let whole = std::iter::once(value).filter(|value| value.chars().count() >= MIN_SECRET);
            secrets.extend(whole.chain(words).map(str::to_owned));
        }
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every whole occurrence of a secret masked.
    pub(super) fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), MASK));
            }
        }
        text
    }

    /// [`redact`](Self::redact) for a piece cut out of a longer text: also
    /// masks a secret's tail at the start and a secret's head at the end.
    pub(super) fn redact_excerpt(&self, text: &str) -> String {
        let mut text = self.redact(text).into_owned();
        for secret in &self.secrets {
            if let Some(len) = leading_fragment(secret, &text) {
                text.replace_range(..len, MASK);
            }
            if let Some(len) = trailing_fragment(secret, &text) {
                let start = text.len() - len;
                text.replace_range(start.., MASK);
            }
        }
        text
    }

    /// Masks secrets in every string (and object key) of `value`; returns
    /// whether anything changed.
    pub(super) fn redact_json(&self, value: &mut Value) -> bool {
        match value {
            Value::String(text) => match self.redact(text) {
                Cow::Owned(redacted) => {
                    *text = redacted;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items.iter_mut().fold(false, |changed, item| self.redact_json(item) | changed),
            Value::Object(map) => {
                let mut changed = false;
                if map.keys().any(|key| matches!(self.redact(key), Cow::Owned(_))) {
                    let entries = std::mem::take(map);
                    *map = entries.into_iter().map(|(key, value)| (self.redact(&key).into_owned(), value)).collect();
                    changed = true;
                }
                map.values_mut().fold(changed, |changed, item| self.redact_json(item) | changed)
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }

    /// Whether there is nothing to mask.
    pub(super) fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

/// The length of the longest proper tail of `secret`, of at least
/// [`MIN_SECRET`] characters, that `text` starts with.
fn leading_fragment(secret: &str, text: &str) -> Option<usize> {
    (1..secret.len())
        .filter(|&at| secret.is_char_boundary(at))
        .map(|at| &secret[at..])
        .take_while(|tail| tail.chars().count() >= MIN_SECRET)
        .find(|tail| text.starts_with(tail))
        .map(str::len)
}

/// The length of the longest proper head of `secret`, of at least
/// [`MIN_SECRET`] characters, that `text` ends with.
fn trailing_fragment(secret: &str, text: &str) -> Option<usize> {
    (1..secret.len())
        .rev()
        .filter(|&at| secret.is_char_boundary(at))
        .map(|at| &secret[..at])
        .take_while(|head| head.chars().count() >= MIN_SECRET)
        .find(|head| text.ends_with(head))
        .map(str::len)
}

/// A transport that masks the server's secrets in every message it
/// receives, before the MCP client (and its logging) sees the message.
pub(super) struct Redacting<T> {
    inner: T,
    redactor: Arc<Redactor>,
    server: Arc<str>,
}

impl<T> Redacting<T> {
    /// Wraps `inner`, the transport to server `server`.
    pub(super) fn new(inner: T, redactor: Arc<Redactor>, server: Arc<str>) -> Self {
        Redacting { inner, redactor, server }
    }

    fn redact_message(&self, message: RxJsonRpcMessage<RoleClient>) -> Option<RxJsonRpcMessage<RoleClient>> {
        if self.redactor.is_empty() {
            return Some(message);
        }
        let Ok(mut value) = serde_json::to_value(&message) else {
            return Some(message);
        };
        if !self.redactor.redact_json(&mut value) {
            return Some(message);
        }
        // Masking can only fail to round-trip when a secret is also a
        // protocol keyword (a content `type`, a method name); dropping the
        // message then is the price of never delivering the secret.
        let redacted = serde_json::from_value(value).ok();
        if redacted.is_none() {
            tracing::warn!(
                server = %self.server,
                "dropped a message from the server: it contains a configured secret where masking breaks it"
            );
        }
        redacted
    }
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for Redacting<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            let message = self.inner.receive().await?;
            if let Some(message) = self.redact_message(message) {
                return Some(message);
            }
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_whole_values_and_long_words() {
        let redactor = Redactor::new(["s3cr3t-value", "Bearer tok_abcdefgh", "1"]);
        assert_eq!(redactor.redact("a s3cr3t-value b"), "a <redacted> b");
        assert_eq!(redactor.redact("got tok_abcdefgh"), "got <redacted>");
        assert_eq!(redactor.redact("Authorization: Bearer tok_abcdefgh"), "Authorization: <redacted>");
        assert_eq!(redactor.redact("exit status 1"), "exit status 1");
    }

    #[test]
    fn masks_fragments_at_the_edges_of_an_excerpt() {
        let redactor = Redactor::new(["ABCDEFGHIJ"]);
        assert_eq!(redactor.redact_excerpt("FGHIJ rest"), "<redacted> rest");
        assert_eq!(redactor.redact_excerpt("start ABCDE"), "start <redacted>");
        assert_eq!(redactor.redact_excerpt("IJ ABC"), "IJ ABC");
    }

    #[test]
    fn masks_json_strings_and_keys() {
        let redactor = Redactor::new(["hunter22"]);
        let mut value = serde_json::json!({"hunter22": ["x hunter22 y", 1, {"k": "hunter22"}]});
        assert!(redactor.redact_json(&mut value));
        assert_eq!(value, serde_json::json!({"<redacted>": ["x <redacted> y", 1, {"k": "<redacted>"}]}));
        assert!(!redactor.redact_json(&mut value));
    }
}
