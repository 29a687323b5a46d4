//! Where tools come from: the [`ToolProvider`] trait, and
//! [`InProcessTools`], a provider of Rust closures.
//!
//! The executor only ever sees this trait; MCP servers plug in behind it the
//! same way in-process tools do. Results cross as JSON text, so a provider
//! that already has JSON (an MCP text block, a cached payload) hands it over
//! without re-serializing.

use foldhash::fast::RandomState;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A tool as programs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The namespace object it lives on (`None`: a global function).
    pub namespace: Option<String>,
    /// The function name (a valid JavaScript identifier).
    pub name: String,
    /// What the tool does.
    pub description: Option<String>,
    /// JSON Schema of the arguments.
    pub input_schema: Value,
    /// JSON Schema of the result, where known.
    pub output_schema: Option<Value>,
    /// Whether a call asks a person or the model first (`None`: it goes
    /// straight to the tool).
    pub asks: Option<Asks>,
}

/// What a call asks through the client before, or instead of, reaching a
/// tool (see [`crate::input`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Asks {
    /// A person approves each call before it is made; on a no the call
    /// fails with `declined`.
    Approval,
    /// The call is a question for the client's model (`llm.ask`), whose
    /// answer is the result; the provider is never called.
    Model,
}

impl ToolSpec {
    /// A tool with an open input schema and no description.
    pub fn new(namespace: Option<&str>, name: &str) -> Self {
        Self {
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
            description: None,
            input_schema: serde_json::json!({}),
            output_schema: None,
            asks: None,
        }
    }

    /// The name a program writes: `namespace.name` or `name`.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A tool's result: JSON text, owned, or shared with whoever else holds it
/// (a provider's cached payload, a journal).
#[derive(Debug, Clone)]
pub struct ToolOutput(Text);

#[derive(Debug, Clone)]
enum Text {
    Owned(Box<RawValue>),
    Shared(Arc<Box<RawValue>>),
}

impl ToolOutput {
    /// Wraps JSON text that is already known to be valid.
    pub fn from_raw(raw: Box<RawValue>) -> Self {
        Self(Text::Owned(raw))
    }

    /// JSON text the provider keeps too (a cached payload): handing it out
    /// copies nothing; the one copy is made when the program takes it.
    pub fn shared(raw: Arc<Box<RawValue>>) -> Self {
        Self(Text::Shared(raw))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.as_raw().get()
    }

    /// The JSON text as a raw JSON value.
    pub fn as_raw(&self) -> &RawValue {
        match &self.0 {
            Text::Owned(raw) => raw,
            Text::Shared(raw) => raw,
        }
    }

    /// The JSON text, without copying it unless it is shared.
    pub fn into_string(self) -> String {
        let owned = match self.0 {
            Text::Owned(raw) => raw,
            Text::Shared(raw) => Arc::try_unwrap(raw).unwrap_or_else(|shared| (*shared).clone()),
        };
        Box::<str>::from(owned).into_string()
    }

    /// Another handle on the same text: a copy of a small owned text (so
    /// that this one still hands its text over without one), else the text
    /// shared, which no copy makes.
    pub(crate) fn share(&mut self) -> Self {
        const COPIED: usize = 16 << 10;
        if let Text::Owned(raw) = &mut self.0
            && raw.get().len() > COPIED
        {
            let raw = std::mem::replace(raw, RawValue::NULL.to_owned());
            self.0 = Text::Shared(Arc::new(raw));
        }
        self.clone()
    }
}

impl serde::Serialize for ToolOutput {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_raw().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ToolOutput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self::from_raw)
    }
}

impl From<Value> for ToolOutput {
    fn from(value: Value) -> Self {
        Self::from_raw(serde_json::value::to_raw_value(&value).expect("a serde_json::Value always serializes"))
    }
}

/// Why a tool call failed. The kind becomes `ToolError.code` in JavaScript.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallError {
    /// The class of failure.
    pub kind: ToolCallErrorKind,
    /// For humans and models.
    pub message: String,
    /// Structured details (for example the content of an `isError` result).
    pub details: Option<Value>,
}

/// The classes of [`ToolCallError`], one per `ToolError.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolCallErrorKind {
    /// `unknown_tool`: no such tool.
    UnknownTool,
    /// `invalid_arguments`: the arguments were rejected; nothing was sent.
    InvalidArguments,
    /// `tool_failed`: the tool ran and reported an error.
    ToolFailed,
    /// `timeout`: the call took too long and was cancelled.
    Timeout,
    /// `quota_exceeded`: the execution may make no more calls.
    QuotaExceeded,
    /// `unavailable`: the tool's server is unreachable or broke protocol.
    Unavailable,
    /// `declined`: the call needed a person's approval, who said no.
    Declined,
    /// `approval_required`: the call needs a person's approval and nobody
    /// can be asked.
    ApprovalRequired,
}

impl ToolCallErrorKind {
    /// `ToolError.code`: `unknown_tool`, `invalid_arguments`, ...
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownTool => "unknown_tool",
            Self::InvalidArguments => "invalid_arguments",
            Self::ToolFailed => "tool_failed",
            Self::Timeout => "timeout",
            Self::QuotaExceeded => "quota_exceeded",
            Self::Unavailable => "unavailable",
            Self::Declined => "declined",
            Self::ApprovalRequired => "approval_required",
        }
    }

    /// The kind whose [`code`](Self::code) is `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::UnknownTool,
            Self::InvalidArguments,
            Self::ToolFailed,
            Self::Timeout,
            Self::QuotaExceeded,
            Self::Unavailable,
            Self::Declined,
            Self::ApprovalRequired,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }
}

impl ToolCallError {
    /// An error of `kind` with a message.
    pub fn new(kind: ToolCallErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), details: None }
    }

    /// Attaches structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl fmt::Display for ToolCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolCallError {}

/// The future of one tool call.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolCallError>> + Send>>;

/// A source of tools.
///
/// The executor lists the tools once per execution and calls them by spec;
/// a provider whose tools change between listing and calling answers
/// `UnknownTool`. Calls may run concurrently; dropping a call's future
/// cancels it.
///
/// The executor polls a call's future once in place, while the program
/// waits, and gives it a task of its own only if it is still pending: a call
/// that is ready at once costs no task. So a tool that computes for long
/// before its first `.await` holds up the program meanwhile; such work
/// belongs after an `.await`, or in `tokio::task::spawn_blocking`.
pub trait ToolProvider: Send + Sync {
    /// The tools, in a stable order.
    fn tools(&self) -> Arc<[ToolSpec]>;

    /// Calls `tool` with JSON `arguments` (`null` when the program passed
    /// none).
    fn call(&self, tool: &ToolSpec, arguments: Value) -> ToolFuture;
}

type Handler = Arc<dyn Fn(Value) -> ToolFuture + Send + Sync>;

/// In-process tools: Rust closures registered under a namespace and a name.
///
/// ```
/// use codemode::{InProcessTools, ToolSpec};
/// let tools = InProcessTools::new()
///     .tool(ToolSpec::new(None, "echo"), |args| async move { Ok(args.into()) });
/// ```
#[derive(Clone, Default)]
pub struct InProcessTools {
    specs: Arc<[ToolSpec]>,
    /// Namespace -> name -> handler, so a call looks up by reference.
    handlers: HashMap<Option<String>, HashMap<String, Handler, RandomState>, RandomState>,
}

impl InProcessTools {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool; a tool with the same namespace and name is replaced.
    pub fn tool<F, Fut>(mut self, spec: ToolSpec, handler: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ToolOutput, ToolCallError>> + Send + 'static,
    {
        let mut specs: Vec<ToolSpec> =
            self.specs.iter().filter(|s| (&s.namespace, &s.name) != (&spec.namespace, &spec.name)).cloned().collect();
        self.handlers
            .entry(spec.namespace.clone())
            .or_default()
            .insert(spec.name.clone(), Arc::new(move |args| Box::pin(handler(args))));
        specs.push(spec);
        self.specs = specs.into();
        self
    }
}

impl ToolProvider for InProcessTools {
    fn tools(&self) -> Arc<[ToolSpec]> {
        self.specs.clone()
    }

    fn call(&self, tool: &ToolSpec, arguments: Value) -> ToolFuture {
        match self.handlers.get(&tool.namespace).and_then(|tools| tools.get(&tool.name)) {
            Some(handler) => handler(arguments),
            None => {
                let error = ToolCallError::new(
                    ToolCallErrorKind::UnknownTool,
                    format!("{} is not a tool", tool.qualified_name()),
                );
                Box::pin(async move { Err(error) })
            }
        }
    }
}
