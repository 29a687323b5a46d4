//! A child's stderr: drained continuously, its tail kept for diagnostics.
//!
//! A server that logs a lot must never block on a full pipe, and codemode
//! must never buffer without bound, so a task reads stderr as fast as it
//! comes and keeps only the last [`KEPT`] bytes, which error messages quote
//! (redacted) when the server dies. This module never logs what it reads and
//! never hands out the tail unredacted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;

use super::redact::Redactor;

/// How many bytes of the end of stderr are kept.
const KEPT: usize = 4 * 1024;

/// The kept end of one child's stderr.
pub(super) struct StderrTail {
    kept: Mutex<Kept>,
    closed: watch::Receiver<bool>,
}

#[derive(Default)]
struct Kept {
    bytes: VecDeque<u8>,
    /// Whether bytes were dropped from the front.
    cut: bool,
}

impl StderrTail {
    /// Starts draining `stderr` in a task that ends when it closes.
    pub(super) fn drain(mut stderr: impl AsyncRead + Unpin + Send + 'static) -> Arc<StderrTail> {
        let (closed_tx, closed) = watch::channel(false);
        let tail = Arc::new(StderrTail { kept: Mutex::default(), closed });
        let writer = Arc::clone(&tail);
        tokio::spawn(async move {
            let mut buf = vec![0; 8 * 1024];
            while let Ok(n @ 1..) = stderr.read(&mut buf).await {
                writer.push(&buf[..n]);
            }
            closed_tx.send_replace(true);
        });
        tail
    }

    fn push(&self, bytes: &[u8]) {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bytes = &bytes[bytes.len().saturating_sub(KEPT)..];
        let excess = (kept.bytes.len() + bytes.len()).saturating_sub(KEPT);
        if excess > 0 {
            kept.bytes.drain(..excess);
            kept.cut = true;
        }
        kept.bytes.extend(bytes);
    }

    /// Waits, at most `limit`, for the child to close stderr, so that what
    /// it wrote just before exiting is in the tail.
    pub(super) async fn closed(&self, limit: Duration) {
        let mut closed = self.closed.clone();
        let _ = tokio::time::timeout(limit, closed.wait_for(|closed| *closed)).await;
    }

    /// The kept tail as text, redacted, trimmed of surrounding whitespace;
    /// `None` if the child wrote nothing.
    pub(super) fn excerpt(&self, redactor: &Redactor) -> Option<String> {
        let kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (front, back) = kept.bytes.as_slices();
        let text = String::from_utf8_lossy(&[front, back].concat()).into_owned();
        let text = redactor.redact_excerpt(&text);
        let text = text.trim();
        match (text.is_empty(), kept.cut) {
            (true, _) => None,
            (false, true) => Some(format!("...{text}")),
            (false, false) => Some(text.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn keeps_only_the_end_of_a_flood() {
        let (mut child, ours) = tokio::io::duplex(64 * 1024);
        let tail = StderrTail::drain(ours);
        for _ in 0..5 * 1024 {
            child.write_all(&[b'x'; 1024]).await.unwrap();
        }
        child.write_all(b"\nthe end\n").await.unwrap();
        drop(child);
        tail.closed(Duration::from_secs(5)).await;
        let excerpt = tail.excerpt(&Redactor::default()).unwrap();
        assert!(excerpt.starts_with("...xxx") && excerpt.ends_with("\nthe end"), "{excerpt}");
        assert!(excerpt.len() <= KEPT + 3);
    }
}
