//! Capture of the guest's stdout: JSON-line events, parsed as they arrive
//! and bounded, so a program cannot make the host buffer more than the
//! output limit.
//!
//! Console lines count against the output limit; once over it, the next
//! write traps the guest and the execution ends with kind `output`. The one
//! final event may use the same amount again (the guest has already
//! truncated the value to fit). Anything that is not a well-formed event is
//! a guest bug and is reported as such, never trusted.

use crate::envelope::{LogEntry, LogSink};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Room for the event's own keys around a value at the output limit.
const FINAL_EVENT_SLACK: usize = 4096;

/// One event from the guest.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Event {
    Log { level: String, message: String },
    Result { value: Value, truncated: bool, program_ns: Option<u64> },
    Error(Map<String, Value>),
}

/// How the guest ended, as far as its stdout tells.
#[derive(Debug, Default)]
pub enum Final {
    /// No final event (the guest trapped or was stopped).
    #[default]
    Missing,
    /// The program's value.
    Value { value: Value, truncated: bool },
    /// The program's error, as the guest described it.
    Error(Map<String, Value>),
}

/// Everything captured from one execution's stdout.
#[derive(Debug, Default)]
pub struct Captured {
    /// Console output, in order.
    pub logs: Vec<LogEntry>,
    /// The final event.
    pub last: Final,
    /// Set when console output went over the limit.
    pub overflowed: bool,
    /// Set when the guest wrote something that is not an event.
    pub malformed: Option<String>,
    /// When the final event arrived, and the guest's own time from the start
    /// of the program's compilation to that event.
    pub finished: Option<(Instant, Option<u64>)>,
    partial: Vec<u8>,
    log_bytes: usize,
}

/// A cloneable handle to the capture of one execution.
#[derive(Clone)]
pub struct Capture {
    inner: Arc<Mutex<Captured>>,
    limit: usize,
    on_log: Option<LogSink>,
}

impl Capture {
    /// A capture that allows `limit` bytes of console output and hands each
    /// console line to `on_log` as it arrives.
    pub fn new(limit: usize, on_log: Option<LogSink>) -> Self {
        Self { inner: Arc::default(), limit, on_log }
    }

    /// Takes what was captured.
    pub fn take(&self) -> Captured {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Captured> {
        // A poisoned lock only means another thread panicked mid-update of
        // plain data; what is there is still the best account we have.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self, bytes: &[u8]) -> Result<(), StreamError> {
        let mut c = self.lock();
        if !matches!(c.last, Final::Missing) {
            return Err(StreamError::trap("the guest wrote after its final event"));
        }
        c.partial.extend_from_slice(bytes);
        while let Some(end) = c.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = c.partial.drain(..=end).collect();
            match serde_json::from_slice::<Event>(&line) {
                Ok(Event::Log { level, message }) => {
                    c.log_bytes += line.len();
                    if c.log_bytes > self.limit {
                        c.overflowed = true;
                        return Err(StreamError::trap("console output over the limit"));
                    }
                    let entry = LogEntry { level, message };
                    if let Some(on_log) = &self.on_log {
                        on_log(&entry);
                    }
                    c.logs.push(entry);
                }
                Ok(Event::Result { value, truncated, program_ns }) => {
                    c.finished = Some((Instant::now(), program_ns));
                    c.last = Final::Value { value, truncated };
                }
                Ok(Event::Error(mut fields)) => {
                    let program_ns = fields.remove("program_ns").and_then(|n| n.as_u64());
                    c.finished = Some((Instant::now(), program_ns));
                    c.last = Final::Error(fields);
                }
                Err(e) => {
                    c.malformed = Some(format!("the guest wrote a malformed event: {e}"));
                    return Err(StreamError::trap("malformed event"));
                }
            }
        }
        if c.partial.len() > self.limit + FINAL_EVENT_SLACK {
            c.overflowed = true;
            return Err(StreamError::trap("an event over the output limit"));
        }
        Ok(())
    }
}

/// The stream the guest's stdout writes into.
struct CaptureStream(Capture);

#[async_trait::async_trait]
impl Pollable for CaptureStream {
    async fn ready(&mut self) {}
}

impl OutputStream for CaptureStream {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.0.write(&bytes)
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 << 10)
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(CaptureStream(self.clone()))
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        // Only the WASIp2 stream is used by the guest's world.
        Box::new(tokio::io::sink())
    }
}
