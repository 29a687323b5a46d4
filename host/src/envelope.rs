#![doc = include_str!("../../docs/errors.md")]

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::input::Question;
use crate::journal::Journal;

/// The outcome of one execution: the value or a typed error, the captured
/// logs, and a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Whether the program returned a value.
    pub ok: bool,
    /// The program's value (`null` when it failed or returned nothing).
    pub value: Value,
    /// Whether `value` was truncated structurally to fit the output limit.
    pub truncated: bool,
    /// Why the program failed, when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<ProgramError>,
    /// Console output, in order.
    pub logs: Vec<LogEntry>,
    /// What the execution cost.
    pub receipt: Receipt,
    /// For a failed execution that made tool calls, served by `codemode
    /// serve`: the token that `execute`'s `resume` takes to run a corrected
    /// program with those calls answered from the record.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resume: Option<String>,
    /// The journal of the execution, when [`crate::ExecuteOptions::record`]
    /// asked for one. Not part of the JSON envelope.
    #[serde(skip)]
    pub journal: Option<Journal>,
    /// When the execution paused (error kind `input_required`): the
    /// questions to answer, each with the id of the call that asked it
    /// (what [`Journal::answer`] takes). Not part of the JSON envelope.
    #[serde(skip)]
    pub questions: Vec<(u32, Question)>,
}

impl Envelope {
    /// The envelope of a program that returned `value`.
    pub fn returned(value: Value, truncated: bool, logs: Vec<LogEntry>, receipt: Receipt) -> Self {
        Self {
            ok: true,
            value,
            truncated,
            error: None,
            logs,
            receipt,
            resume: None,
            journal: None,
            questions: Vec::new(),
        }
    }

    /// The envelope of a program that failed with `error`.
    pub fn failed(error: ProgramError, logs: Vec<LogEntry>, receipt: Receipt) -> Self {
        Self {
            ok: false,
            value: Value::Null,
            truncated: false,
            error: Some(error),
            logs,
            receipt,
            resume: None,
            journal: None,
            questions: Vec::new(),
        }
    }
}

/// Why a program failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramError {
    /// The class of failure.
    pub kind: ProgramErrorKind,
    /// A message for humans (and models).
    pub message: String,
    /// The JavaScript error's name (`TypeError`, `ToolError`, ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// 1-based line in the submitted source, where known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    /// 1-based column in the submitted source, where known, counted in UTF-8
    /// bytes (as the engine counts).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u32>,
    /// The JavaScript stack, with locations in the submitted source.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stack: Option<String>,
    /// For kind `tool`: the `ToolError` code, server (namespace), tool and
    /// details.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// The namespace of the tool that failed (`null` for global tools).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server: Option<String>,
    /// The tool that failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tool: Option<String>,
    /// What the tool reported with its failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub details: Option<Value>,
}

/// The classes of program failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ProgramErrorKind {
    /// The source does not parse.
    Syntax,
    /// A tool call does not fit the tool's types (found before running).
    Type,
    /// The program threw (or rejected) and nothing caught it.
    Runtime,
    /// A tool call failed and nothing caught its `ToolError`.
    Tool,
    /// The wall-clock deadline passed.
    Timeout,
    /// The CPU budget (fuel) ran out.
    Cpu,
    /// The memory limit was reached.
    Memory,
    /// The stack limit was reached (runaway recursion).
    Stack,
    /// The program printed more than the output limit.
    Output,
    /// A replay met a call the journal does not have at that point (the
    /// program or its inputs differ from the recorded ones).
    #[serde(rename = "replay_diverged")]
    ReplayDiverged,
    /// The program paused to have questions answered (approvals, the
    /// model): [`Envelope::questions`] has them; see [`crate::input`].
    #[serde(rename = "input_required")]
    InputRequired,
}

impl ProgramError {
    /// An error with just a kind and a message.
    pub fn new(kind: ProgramErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            name: None,
            line: None,
            column: None,
            stack: None,
            code: None,
            server: None,
            tool: None,
            details: None,
        }
    }
}

/// Receives each console line of a running program as the guest writes it.
/// It is called on the task running the program, so it must return quickly
/// (hand the line on; never block).
pub type LogSink = std::sync::Arc<dyn Fn(&LogEntry) + Send + Sync>;

/// One console call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// `log`, `info`, `warn`, `error` or `debug`.
    pub level: String,
    /// The rendered message.
    pub message: String,
}

impl Receipt {
    /// The receipt of a program that never ran (it was refused before the
    /// sandbox started): only the time since `started`.
    pub fn elapsed(started: std::time::Instant) -> Self {
        Self {
            duration_ms: Self::millis(started.elapsed()),
            fuel_used: 0,
            peak_memory_bytes: 0,
            tool_calls: 0,
            replayed_calls: 0,
        }
    }

    /// `duration` in milliseconds, to the microsecond (`3008.525`, not
    /// `3008.5252960000003`).
    pub fn millis(duration: std::time::Duration) -> f64 {
        duration.as_micros() as f64 / 1e3
    }
}

/// What an execution cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// Wall time from the start of instantiation to the final event, in
    /// milliseconds, to the microsecond.
    pub duration_ms: f64,
    /// Fuel consumed.
    pub fuel_used: u64,
    /// Peak linear memory of the sandbox, in bytes.
    pub peak_memory_bytes: u64,
    /// Tool calls the program made (including ones refused by the quota).
    pub tool_calls: u32,
    /// Of those, the calls answered from a journal (replay, resume) instead
    /// of by their tools.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub replayed_calls: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
