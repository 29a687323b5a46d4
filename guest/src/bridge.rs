//! The guest side of the WIT `tools` interface: a tool function starts its
//! call with `tools.start` at once; a call that completed there settles
//! right away, and the driver collects the others with `tools.wait`
//! whenever the job queue runs dry.
//!
//! The promise bookkeeping lives in `prelude.js` (it is JavaScript's to
//! own); this module makes the host calls, turns outcomes into values or
//! failures, and counts the calls in flight, which is how a stalled program
//! is recognized.

use crate::bindings::codemode::sandbox::tools::{self, Call, CallError, Failure, Outcome};
use crate::bindings::exports::codemode::sandbox::program::ToolBinding;
use crate::{promises, values};
use rquickjs::context::EvalOptions;
use rquickjs::{Array, Ctx, Function, Object, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The file name of the prelude's frames, which stack traces leave out.
pub const PRELUDE_FILENAME: &str = "codemode:prelude";

/// What the native half shares between its functions and the driver.
#[derive(Default)]
struct Calls {
    /// Calls started and not completed yet.
    in_flight: usize,
    /// The failure of the last call that failed at once, until the prelude
    /// takes it (as `[code, message, details]`).
    failure: Option<Failed>,
}

/// The bridge's JavaScript half, installed once per engine (see
/// `engine`): `ToolError`, and the functions that bind an execution's
/// tools and settle its calls.
#[derive(Clone)]
pub struct Glue<'js> {
    bind: Function<'js>,
    settle: Function<'js>,
    fail: Function<'js>,
    /// The `ToolError` class, to recognize uncaught tool errors.
    pub tool_error: Object<'js>,
    calls: Rc<RefCell<Calls>>,
}

impl<'js> Glue<'js> {
    /// Evaluates the prelude, which installs `ToolError` as a global.
    pub fn install(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let calls = Rc::new(RefCell::new(Calls::default()));
        // Instead of a result, `startCall` returns undefined when the call
        // is still running and null when it failed (`takeFailure` then
        // tells how).
        let start_call = {
            let calls = calls.clone();
            Function::new(ctx.clone(), move |ctx: Ctx<'js>, tool: u32, arguments: Value<'js>, id: u32| {
                let arguments = json_text(arguments)?;
                let Some(outcome) = tools::start(&Call { id, tool, arguments }) else {
                    calls.borrow_mut().in_flight += 1;
                    return Ok(Value::new_undefined(ctx));
                };
                match result(&ctx, outcome) {
                    Ok(value) => promises::fulfilled(&ctx, value),
                    Err(NoValue::Failed(failure)) => {
                        calls.borrow_mut().failure = Some(failure);
                        Ok(Value::new_null(ctx))
                    }
                    Err(NoValue::Threw) => Err(rquickjs::Error::Exception),
                }
            })?
        };
        let take_failure = {
            let calls = calls.clone();
            Function::new(ctx.clone(), move |ctx: Ctx<'js>| -> rquickjs::Result<Option<Array<'js>>> {
                let Some((code, message, details)) = calls.borrow_mut().failure.take() else { return Ok(None) };
                let fields = Array::new(ctx)?;
                fields.set(0, code)?;
                fields.set(1, message)?;
                fields.set(2, details)?;
                Ok(Some(fields))
            })?
        };
        let mut options = EvalOptions::default();
        options.filename = Some(PRELUDE_FILENAME.into());
        let prelude: Function = ctx.eval_with_options(include_str!("prelude.js"), options)?;
        let api: Object = prelude.call((start_call, take_failure))?;
        Ok(Self {
            bind: api.get("bind")?,
            settle: api.get("settle")?,
            fail: api.get("fail")?,
            tool_error: api.get("ToolError")?,
            calls,
        })
    }
}

/// The bridge of one execution.
pub struct Bridge<'js> {
    glue: Glue<'js>,
}

impl<'js> Bridge<'js> {
    /// Installs the execution's tool functions and namespaces as globals.
    pub fn bind(ctx: &Ctx<'js>, glue: Glue<'js>, bindings: &[ToolBinding]) -> rquickjs::Result<Self> {
        let list = Array::new(ctx.clone())?;
        for (i, binding) in bindings.iter().enumerate() {
            let entry = Object::new(ctx.clone())?;
            let namespace = match &binding.namespace {
                Some(ns) => rquickjs::String::from_str(ctx.clone(), ns)?.into_value(),
                None => Value::new_null(ctx.clone()),
            };
            entry.set("namespace", namespace)?;
            entry.set("name", binding.name.as_str())?;
            list.set(i, entry)?;
        }
        glue.bind.call::<_, ()>((list,))?;
        Ok(Self { glue })
    }

    /// The `ToolError` class.
    pub fn tool_error(&self) -> &Object<'js> {
        &self.glue.tool_error
    }

    /// Waits for calls in flight and settles what completes. Returns `false`
    /// when nothing is in flight, so no completion can ever come.
    pub fn wait(&mut self, ctx: &Ctx<'js>) -> rquickjs::Result<bool> {
        if self.glue.calls.borrow().in_flight == 0 {
            return Ok(false);
        }
        let completions = tools::wait();
        let mut calls = self.glue.calls.borrow_mut();
        calls.in_flight = calls.in_flight.saturating_sub(completions.len());
        drop(calls);
        for completion in completions {
            match result(ctx, completion.outcome) {
                Ok(value) => self.glue.settle.call::<_, ()>((completion.id, value))?,
                Err(NoValue::Failed((code, message, details))) => {
                    self.glue.fail.call::<_, ()>((completion.id, code, message, details))?
                }
                Err(NoValue::Threw) => return Err(rquickjs::Error::Exception),
            }
        }
        Ok(true)
    }
}

/// The arguments as JSON text: the prelude passes JSON text, or a finite
/// number, which Rust writes as JavaScript does (any round-tripping form
/// parses to the same number).
fn json_text(arguments: Value<'_>) -> rquickjs::Result<String> {
    if let Some(n) = arguments.as_int() {
        Ok(n.to_string())
    } else if let Some(x) = arguments.as_float() {
        Ok(x.to_string())
    } else {
        arguments.get()
    }
}

/// How a call failed, as `ToolError` takes it: the code, the message and
/// the details as JSON text.
type Failed = (&'static str, String, Option<String>);

/// Why an outcome gave no value.
enum NoValue {
    /// The call failed.
    Failed(Failed),
    /// The engine threw while building the value (out of memory); the
    /// exception is pending.
    Threw,
}

/// The value of a call's outcome: its result parsed, or why there is none.
fn result<'js>(ctx: &Ctx<'js>, outcome: Outcome) -> Result<Value<'js>, NoValue> {
    let json = outcome.map_err(|error| NoValue::Failed(describe(error)))?;
    let malformed = || NoValue::Failed(("unavailable", "the tool returned malformed JSON".into(), None));
    match values::parse(ctx, &json) {
        Ok(value) => Ok(value),
        Err(rquickjs::Error::Exception) => {
            let thrown: Value = ctx.catch();
            let syntax = thrown.as_object().and_then(|e| e.get::<_, String>("name").ok());
            if syntax.as_deref() == Some("SyntaxError") {
                return Err(malformed());
            }
            ctx.throw(thrown);
            Err(NoValue::Threw)
        }
        // Text the parser cannot even take (a NUL byte) is no JSON either.
        Err(_) => Err(malformed()),
    }
}

/// The `ToolError` fields of each `call-error` case.
fn describe(error: CallError) -> Failed {
    let (code, Failure { message, details }) = match error {
        CallError::UnknownTool(f) => ("unknown_tool", f),
        CallError::InvalidArguments(f) => ("invalid_arguments", f),
        CallError::ToolFailed(f) => ("tool_failed", f),
        CallError::Timeout(f) => ("timeout", f),
        CallError::QuotaExceeded(f) => ("quota_exceeded", f),
        CallError::Unavailable(f) => ("unavailable", f),
    };
    (code, message, details)
}
