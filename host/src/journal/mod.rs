//! The journal of one execution: everything nondeterministic that entered
//! the guest, in the order it entered, so that the execution can be run
//! again exactly ([`crate::ExecuteOptions::replay`], `codemode run
//! --replay`) or resumed after a failure with its calls answered from the
//! record ([`crate::ExecuteOptions::resume`]).
//!
//! A program's only inputs are what crosses the WIT boundary and the few
//! WASI imports the guest has: each tool call (tool, arguments, outcome),
//! which calls completed at each wait and in what order, the wall clock
//! (`Date`), the monotonic clock (`performance.now()`, timers) and the seed
//! of its random numbers (`Math.random`, `crypto`). The journal holds
//! exactly those, plus the tools the program could call, so that a replay
//! needs no server. Recording happens in the sandbox (`sandbox/tape.rs`);
//! this module owns the format.
//!
//! Edges: a journal file carries a SHA-256 checksum of its content, so a
//! truncated or edited file is refused with [`ErrorKind::Journal`] rather
//! than replayed into something that was never recorded. Sealing a journal
//! for a client to carry (resume tokens) is the server's job.

use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::input::Answer;
use std::sync::Arc;

use crate::tools::{ToolCallError, ToolCallErrorKind, ToolFuture, ToolOutput, ToolProvider, ToolSpec};

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// What one execution took in from outside the sandbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// The seed of the program's random numbers, as 32 hex digits.
    #[serde(with = "hex_seed")]
    pub seed: u128,
    /// The tools the program could call, as it saw them: what a replay with
    /// no server needs. Only journals written to files have them
    /// ([`Journal::with_tools`]).
    pub tools: Vec<RecordedTool>,
    /// Each reading of the wall clock, in nanoseconds since the Unix epoch.
    pub wall_clock: Vec<u64>,
    /// Each reading of the monotonic clock, in nanoseconds.
    pub monotonic_clock: Vec<u64>,
    /// The calls the program started and what each wait handed back, in
    /// order.
    pub events: Vec<Event>,
}

/// A tool as the journal keeps it: what the program's namespaces and the
/// pre-run type check need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedTool {
    /// The namespace object (`None`: a global function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The function name.
    pub name: String,
    /// JSON Schema of the arguments.
    pub input_schema: Value,
    /// JSON Schema of the result, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
}

impl From<&ToolSpec> for RecordedTool {
    fn from(spec: &ToolSpec) -> Self {
        Self {
            namespace: spec.namespace.clone(),
            name: spec.name.clone(),
            input_schema: spec.input_schema.clone(),
            output_schema: spec.output_schema.clone(),
        }
    }
}

impl From<&RecordedTool> for ToolSpec {
    fn from(tool: &RecordedTool) -> Self {
        let mut spec = ToolSpec::new(tool.namespace.as_deref(), &tool.name);
        spec.input_schema = tool.input_schema.clone();
        spec.output_schema = tool.output_schema.clone();
        spec
    }
}

/// One step of the program's traffic with its tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The program started a call.
    Call {
        /// The id the program gave it (what a completion refers to).
        id: u32,
        /// `namespace.name`, as the program wrote it.
        tool: Arc<str>,
        /// The arguments (`null` when the program passed none).
        arguments: Arguments,
        /// The outcome, when the call completed at once; otherwise a later
        /// wait hands it back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Outcome>,
    },
    /// The program waited, and these calls completed, in this order (none:
    /// its next timer came first).
    Wait {
        /// The calls that completed.
        completed: Vec<Completed>,
    },
    /// The answer to the question call `id` asked (an approval, or a
    /// question for the model), given while the execution was paused.
    Answered {
        /// The call's id.
        id: u32,
        /// The answer.
        answer: Answer,
    },
}

/// A call's arguments, as the program wrote them (JSON text).
#[derive(Debug, Clone)]
pub struct Arguments(String);

impl Arguments {
    /// Arguments written as `text`, which must be JSON.
    pub(crate) fn from_text(text: String) -> Self {
        Self(text)
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The arguments as a JSON value.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl PartialEq for Arguments {
    /// The same text, or the same value written otherwise (`{"a":1,"b":2}`
    /// and `{"b":2,"a":1}`).
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.value() == other.value()
    }
}

impl Serialize for Arguments {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: Box<RawValue> = RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Arguments {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self(Box::<str>::from(raw).into_string()))
    }
}

/// A call that completed while the program waited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completed {
    /// The call's id.
    pub id: u32,
    /// What it came to.
    pub outcome: Outcome,
}

/// What a call came to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// The result the program got (JSON).
    Result(ToolOutput),
    /// The `ToolError` the program got.
    Error {
        /// `ToolError.code`.
        code: String,
        /// Its message.
        message: String,
        /// Its details.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<Box<RawValue>>,
    },
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Self) -> bool {
        let raw = |r: &RawValue| r.get().to_owned();
        match (self, other) {
            (Self::Result(a), Self::Result(b)) => a.as_str() == b.as_str(),
            (
                Self::Error { code, message, details },
                Self::Error { code: code2, message: message2, details: details2 },
            ) => code == code2 && message == message2 && details.as_deref().map(raw) == details2.as_deref().map(raw),
            _ => false,
        }
    }
}

impl Outcome {
    /// Whether the program got a result (not a `ToolError`).
    pub fn is_result(&self) -> bool {
        matches!(self, Self::Result(_))
    }

    /// The outcome as a tool call's.
    pub fn to_result(&self) -> Result<ToolOutput, ToolCallError> {
        match self {
            Self::Result(output) => Ok(output.clone()),
            Self::Error { code, message, details } => {
                let kind = ToolCallErrorKind::from_code(code).unwrap_or(ToolCallErrorKind::Unavailable);
                let details = details.as_deref().and_then(|raw| serde_json::from_str(raw.get()).ok());
                Err(ToolCallError { kind, message: message.clone(), details })
            }
        }
    }
}

impl Outcome {
    /// The outcome of a call, for the journal: a result is shared with the
    /// call's, not copied.
    pub(crate) fn record(result: &mut Result<ToolOutput, ToolCallError>) -> Self {
        match result {
            Ok(output) => Self::Result(output.share()),
            Err(_) => Self::from(&*result),
        }
    }
}

impl From<&Result<ToolOutput, ToolCallError>> for Outcome {
    fn from(result: &Result<ToolOutput, ToolCallError>) -> Self {
        match result {
            Ok(output) => Self::Result(output.clone()),
            Err(error) => Self::Error {
                code: error.kind.code().to_owned(),
                message: error.message.clone(),
                details: error.details.as_ref().and_then(|details| serde_json::value::to_raw_value(details).ok()),
            },
        }
    }
}

/// A journal as a file holds it: the version, the journal, and a checksum of
/// the journal's JSON.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File<'a> {
    codemode_journal: u32,
    sha256: String,
    #[serde(borrow)]
    journal: &'a RawValue,
}

impl Journal {
    /// The journal as the text of a journal file.
    pub fn to_file(&self) -> String {
        // A journal is plain data: it always serializes.
        let journal = serde_json::to_string(self).unwrap_or_default();
        let raw = RawValue::from_string(journal).unwrap_or_else(|_| RawValue::NULL.to_owned());
        let file = File { codemode_journal: VERSION, sha256: sha256_hex(raw.get()), journal: &raw };
        serde_json::to_string(&file).unwrap_or_default() + "\n"
    }

    /// Reads the text of a journal file.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Journal`] when the text is not a journal file of this
    /// version, or was changed after it was written (truncated or edited).
    pub fn from_file(text: &str) -> Result<Self, Error> {
        let bad = |message: String| Error::new(ErrorKind::Journal, message);
        let version: Value = serde_json::from_str(text).map_err(|e| {
            bad(if e.is_eof() {
                format!("the journal ends early (truncated?): {e}")
            } else {
                format!("this is not a codemode journal: {e}")
            })
        })?;
        match version.get("codemode_journal").and_then(Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(bad(format!("journal version {v} is not one this codemode reads (it reads {VERSION})")));
            }
            None => return Err(bad("this is not a codemode journal (no `codemode_journal` version)".into())),
        }
        let file: File<'_> =
            serde_json::from_str(text).map_err(|e| bad(format!("this is not a codemode journal: {e}")))?;
        if sha256_hex(file.journal.get()) != file.sha256 {
            return Err(bad(
                "the journal was changed after it was recorded (its checksum does not match): record it again".into(),
            ));
        }
        serde_json::from_str(file.journal.get()).map_err(|e| bad(format!("the journal is malformed: {e}")))
    }

    /// The journal with `specs` as the tools the program could call, for a
    /// replay that has no server.
    pub fn with_tools(mut self, specs: &[ToolSpec]) -> Self {
        self.tools = specs.iter().map(RecordedTool::from).collect();
        self
    }

    /// Adds the answer to the question of call `id`, asked when the
    /// execution paused, for the run that continues from this journal.
    pub fn answer(&mut self, id: u32, answer: Answer) {
        self.events.push(Event::Answered { id, answer });
    }

    /// The calls the program made, each with what it came to (`None` when
    /// the execution ended before it completed), in the order they started.
    pub fn calls(&self) -> Vec<(&str, &Arguments, Option<&Outcome>)> {
        let mut calls: Vec<(u32, &str, &Arguments, Option<&Outcome>)> = Vec::new();
        for event in &self.events {
            match event {
                Event::Call { id, tool, arguments, outcome } => calls.push((*id, tool, arguments, outcome.as_ref())),
                Event::Answered { .. } => {}
                Event::Wait { completed } => {
                    for done in completed {
                        // Ids are unique within an execution; the latest call
                        // with the id is the one that completed.
                        if let Some(call) = calls.iter_mut().rev().find(|c| c.0 == done.id && c.3.is_none()) {
                            call.3 = Some(&done.outcome);
                        }
                    }
                }
            }
        }
        calls.into_iter().map(|(_, tool, arguments, outcome)| (tool, arguments, outcome)).collect()
    }
}

impl Journal {
    /// The recorded tools as a provider, for a replay with no server: it
    /// has the tools' names and types, and calls none of them.
    pub fn provider(&self) -> Arc<dyn ToolProvider> {
        Arc::new(Recorded(self.tools.iter().map(ToolSpec::from).collect()))
    }
}

/// The tools of a journal.
struct Recorded(Arc<[ToolSpec]>);

impl ToolProvider for Recorded {
    fn tools(&self) -> Arc<[ToolSpec]> {
        self.0.clone()
    }

    fn call(&self, tool: &ToolSpec, _arguments: Value) -> ToolFuture {
        let message = format!(
            "{} is a recorded tool: a replay answers from the journal and calls no tool",
            tool.qualified_name()
        );
        Box::pin(async move { Err(ToolCallError::new(ToolCallErrorKind::Unavailable, message)) })
    }
}

/// SHA-256 of `text`, in hex: a journal file's checksum, and what binds a
/// requestState to its program.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(digest::digest(&digest::SHA256, text.as_bytes()).as_ref())
}

/// `bytes` in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

mod hex_seed {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seed: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{seed:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bad = || serde::de::Error::custom("the seed must be 32 hex digits");
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u128::from_str_radix(&text, 16).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests;
