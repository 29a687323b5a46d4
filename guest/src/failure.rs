//! Turns how a program failed into the fields of its `error` event: the
//! `kind` the envelope promises (syntax, runtime, tool, memory, stack), a
//! message, and where the error happened in the submitted source.
//!
//! Thrown values are read through data properties only (see `inspect`), so
//! a thrown object with a hostile `toString` or getter cannot hang or fool
//! the report.

use crate::inspect::{Intrinsics, render};
use crate::json::{NotJson, to_json};
use rquickjs::{Ctx, Object, Value};
use serde_json::{Map, Value as Json, json};

/// How a program failed, before it is described.
pub enum Failure<'js> {
    /// The source did not compile.
    Syntax(Value<'js>),
    /// The program threw, or its promise rejected, with this value.
    Thrown(Value<'js>),
    /// The program waits on a promise nothing can settle: the job queue is
    /// empty and no tool call is in flight.
    Stalled,
    /// A runtime failure the guest itself describes.
    Message(String),
}

impl<'js> From<NotJson<'js>> for Failure<'js> {
    /// A value that cannot be written as JSON fails the program like a throw.
    fn from(error: NotJson<'js>) -> Self {
        match error {
            NotJson::Thrown(thrown) => Failure::Thrown(thrown),
            NotJson::Unreadable(message) => Failure::Message(message),
        }
    }
}

/// What describing a failure needs to know about the run.
pub struct Report<'a, 'js> {
    /// Built-ins captured before the program ran.
    pub js: &'a Intrinsics<'js>,
    /// The context the program ran in.
    pub ctx: &'a Ctx<'js>,
    /// The bridge's `ToolError` class.
    pub tool_error: &'a Object<'js>,
    /// The program's file name in stack traces.
    pub filename: &'a str,
    /// Lines the wrapper added above the submitted source.
    pub line_offset: u32,
}

/// What the file names of codemode's own JavaScript start with (the bridge's
/// prelude, the globals): their frames are left out of stack traces.
const INTERNAL_FILES: &str = "codemode:";

impl<'js> Report<'_, 'js> {
    /// The fields of the `error` event for `failure`.
    pub fn describe(&self, failure: Failure<'js>) -> Map<String, Json> {
        match failure {
            Failure::Syntax(thrown) => self.thrown("syntax", &thrown),
            Failure::Thrown(thrown) => {
                let kind = self.kind_of(&thrown);
                self.thrown(kind, &thrown)
            }
            Failure::Message(message) => fields(json!({ "kind": "runtime", "message": message })),
            Failure::Stalled => fields(json!({
                "kind": "runtime",
                "message": "the program awaits a promise that can never settle: no tool call is in \
                            flight and no job is pending (a missing resolve, or an await on something \
                            that is not a tool call?)",
            })),
        }
    }

    /// The kind comes from what the engine recorded on the thrown value,
    /// never from its class or message: a program that throws
    /// `new InternalError("out of memory")` itself fails as `runtime`.
    fn kind_of(&self, thrown: &Value<'js>) -> &'static str {
        if thrown.as_object().is_some_and(|o| o.is_instance_of(self.tool_error)) {
            return "tool";
        }
        match limit_error(thrown) {
            LimitError::Stack => "stack",
            // QuickJS builds concatenations as ropes, so a string-doubling
            // bomb reaches the engine's maximum string length before the
            // heap limit: the engine marks both as memory errors.
            LimitError::Memory => "memory",
            LimitError::None => "runtime",
        }
    }

    fn thrown(&self, kind: &str, thrown: &Value<'js>) -> Map<String, Json> {
        let mut out = Map::new();
        out.insert("kind".into(), kind.into());
        if !thrown.is_error() {
            out.insert("message".into(), format!("uncaught {}", render(self.js, thrown, 1000)).into());
            return out;
        }
        // The name has a field of its own: the message is only the message.
        out.insert("message".into(), self.js.own_string(thrown, "message").unwrap_or_default().into());
        if let Some(name) = self.js.own_string(thrown, "name") {
            out.insert("name".into(), name.into());
        }
        if let Some(stack) = self.js.stack(thrown) {
            let (stack, location) = self.remap(&stack);
            if let Some((line, column)) = location {
                out.insert("line".into(), line.into());
                out.insert("column".into(), column.into());
            }
            if !stack.is_empty() {
                out.insert("stack".into(), stack.into());
            }
        }
        if kind == "tool" {
            for key in ["code", "server", "tool"] {
                out.insert(key.into(), self.js.own_string(thrown, key).map_or(Json::Null, Json::from));
            }
            let details = self.js.own_value(thrown, "details").and_then(|d| to_json(self.ctx, d).ok());
            out.insert("details".into(), details.unwrap_or(Json::Null));
        }
        out
    }

    /// Rewrites `FILENAME:L:C` in a stack to lines of the submitted source,
    /// drops frames of the wrapper and of codemode's own JavaScript, and
    /// returns the first frame's location.
    fn remap(&self, stack: &str) -> (String, Option<(u32, u32)>) {
        let filename = self.filename;
        let mut first = None;
        let mut out = Vec::new();
        for frame in stack.lines() {
            if frame.contains(INTERNAL_FILES) {
                continue;
            }
            let Some(at) = frame.find(filename) else {
                out.push(frame.to_owned());
                continue;
            };
            let rest = &frame[at + filename.len()..];
            let Some((line, column, tail)) = parse_location(rest) else {
                out.push(frame.to_owned());
                continue;
            };
            let Some(line) = line.checked_sub(self.line_offset).filter(|l| *l > 0) else {
                continue;
            };
            first.get_or_insert((line, column));
            out.push(format!("{}{filename}:{line}:{column}{tail}", &frame[..at]));
        }
        (out.join("\n"), first)
    }
}

/// The limit an error the engine threw reports.
enum LimitError {
    None,
    Stack,
    Memory,
}

#[allow(unsafe_code)]
unsafe extern "C" {
    /// The vendored QuickJS marks the stack-overflow and out-of-memory
    /// errors it throws; scripts cannot (third_party/README.md).
    fn JS_GetLimitError(value: rquickjs::qjs::JSValue) -> core::ffi::c_int;
}

fn limit_error(value: &Value<'_>) -> LimitError {
    // SAFETY: `value` is a live value of the current context; the function
    // only reads its tag and, for an object, one bit field.
    #[allow(unsafe_code)]
    let kind = unsafe { JS_GetLimitError(value.as_raw()) };
    match kind {
        1 => LimitError::Stack,
        2 => LimitError::Memory,
        _ => LimitError::None,
    }
}

fn parse_location(rest: &str) -> Option<(u32, u32, &str)> {
    let rest = rest.strip_prefix(':')?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    let line = rest[..end].parse().ok()?;
    let rest = rest[end..].strip_prefix(':')?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let column = rest[..end].parse().ok()?;
    Some((line, column, &rest[end..]))
}

fn fields(value: Json) -> Map<String, Json> {
    match value {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}
