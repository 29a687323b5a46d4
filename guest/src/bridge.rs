//! The guest side of the WIT `tools` interface: a tool function starts its
//! call with `tools.start` at once; a call that completed there settles
//! right away, and the driver collects the others with `tools.wait`
//! whenever the job queue runs dry.
//!
//! The promise bookkeeping lives in `prelude.js` (it is JavaScript's to
//! own); this module makes the host calls, turns outcomes into values or
//! failures, and counts the calls in flight, which is how a stalled program
//! is recognized. `startCall` is a plain C function taking raw engine
//! values, which makes this module an FFI edge.

use crate::bindings::codemode::sandbox::tools::{self, Call, CallError, Failure};
use crate::bindings::exports::codemode::sandbox::program::ToolBinding;
use crate::{promises, values};
use rquickjs::context::EvalOptions;
use rquickjs::convert::Coerced;
use rquickjs::{Array, Ctx, Function, Object, Value, qjs};
use std::cell::RefCell;
use std::ffi::c_int;
use std::ptr::NonNull;

/// The file name of the prelude's frames, which stack traces leave out.
const PRELUDE_FILENAME: &str = "codemode:prelude";

/// What the native half shares between its functions and the driver.
struct Calls {
    /// Calls started and not completed yet.
    in_flight: usize,
    /// Why the last call that failed at once failed, until the prelude
    /// takes it.
    failure: Option<Failed>,
}

thread_local! {
    // The engine calls `startCall` as a plain C function, so its state
    // lives here rather than in a closure.
    static CALLS: RefCell<Calls> = const { RefCell::new(Calls { in_flight: 0, failure: None }) };
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
}

impl<'js> Glue<'js> {
    /// Evaluates the prelude, which installs `ToolError` as a global.
    pub fn install(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        // SAFETY: `start_call` has the signature the engine calls C
        // functions with; the new function object is owned by the `Value`.
        #[allow(unsafe_code)]
        let start_call = unsafe {
            let raw = ctx.as_raw().as_ptr();
            let function = qjs::JS_NewCFunction2(
                raw,
                Some(start_call),
                c"startCall".as_ptr(),
                3,
                qjs::JSCFunctionEnum_JS_CFUNC_generic,
                0,
            );
            if qjs::JS_IsException(function) {
                return Err(rquickjs::Error::Exception);
            }
            Value::from_raw(ctx.clone(), function)
        };
        let take_failure = Function::new(ctx.clone(), |ctx: Ctx<'js>| -> rquickjs::Result<Option<Array<'js>>> {
            let Some(failed) = CALLS.with_borrow_mut(|calls| calls.failure.take()) else { return Ok(None) };
            let fields = Array::new(ctx)?;
            fields.set(0, failed.code)?;
            fields.set(1, failed.message)?;
            fields.set(2, failed.details)?;
            fields.set(3, failed.unserializable)?;
            Ok(Some(fields))
        })?;
        let mut options = EvalOptions::default();
        options.filename = Some(PRELUDE_FILENAME.into());
        let prelude: Function = ctx.eval_with_options(include_str!("prelude.js"), options)?;
        let api: Object = prelude.call((start_call, take_failure))?;
        Ok(Self {
            bind: api.get("bind")?,
            settle: api.get("settle")?,
            fail: api.get("fail")?,
            tool_error: api.get("ToolError")?,
        })
    }
}

/// `startCall(tool, args, id)`, what every tool function calls: writes
/// `args` as JSON and starts the call with `tools.start`. Returns a promise
/// of the result if the call completed at once, undefined if it runs on,
/// and null if it failed (`takeFailure` then tells how).
///
/// A plain C function, as the engine's own built-ins are: rquickjs's
/// wrapper around a Rust closure (a class instance, a boxed closure, a
/// conversion per argument) cost a twentieth of a call-heavy program (W4).
#[allow(unsafe_code)]
unsafe extern "C" fn start_call(
    ctx: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: c_int,
    argv: *mut qjs::JSValue,
) -> qjs::JSValue {
    // SAFETY: the engine calls this with its live context, from a running
    // program (so the runtime is held), and `argc` live arguments at `argv`;
    // each `Value` takes a reference of its own, and the result hands the
    // engine a new reference.
    unsafe {
        let ctx = Ctx::from_raw(NonNull::new_unchecked(ctx));
        let arg = |i: usize| match usize::try_from(argc) {
            Ok(count) if i < count => {
                Value::from_raw(ctx.clone(), qjs::JS_DupValue(ctx.as_raw().as_ptr(), *argv.add(i)))
            }
            _ => Value::new_undefined(ctx.clone()),
        };
        match start(&ctx, arg(0), arg(1), arg(2)) {
            Ok(value) => qjs::JS_DupValue(ctx.as_raw().as_ptr(), value.as_raw()),
            Err(rquickjs::Error::Exception) => qjs::JS_EXCEPTION,
            Err(other) => {
                rquickjs::Exception::throw_internal(&ctx, &other.to_string());
                qjs::JS_EXCEPTION
            }
        }
    }
}

fn start<'js>(ctx: &Ctx<'js>, tool: Value<'js>, arguments: Value<'js>, id: Value<'js>) -> rquickjs::Result<Value<'js>> {
    let (tool, id) = (tool.get::<u32>()?, id.get::<u32>()?);
    let outcome = match json_text(ctx, arguments)? {
        Ok(arguments) => tools::start(&Call { id, tool, arguments }).map(|outcome| outcome.map_err(Failed::from)),
        Err(failed) => Some(Err(failed)),
    };
    let Some(outcome) = outcome else {
        CALLS.with_borrow_mut(|calls| calls.in_flight += 1);
        return Ok(Value::new_undefined(ctx.clone()));
    };
    match outcome.map_err(NoValue::Failed).and_then(|json| result(ctx, json)) {
        Ok(value) => promises::fulfilled(ctx, value),
        Err(NoValue::Failed(failed)) => {
            CALLS.with_borrow_mut(|calls| calls.failure = Some(failed));
            Ok(Value::new_null(ctx.clone()))
        }
        Err(NoValue::Threw) => Err(rquickjs::Error::Exception),
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
            entry.set("pair", binding.pair)?;
            list.set(i, entry)?;
        }
        glue.bind.call::<_, ()>((list,))?;
        Ok(Self { glue })
    }

    /// The `ToolError` class.
    pub fn tool_error(&self) -> &Object<'js> {
        &self.glue.tool_error
    }

    /// Waits for calls in flight, or at most `timeout` nanoseconds (until
    /// the next timer is due), and settles what completes. Returns `false`
    /// when nothing is in flight and no timer is pending, so nothing can
    /// ever happen.
    pub fn wait(&mut self, ctx: &Ctx<'js>, timeout: Option<u64>) -> rquickjs::Result<bool> {
        if timeout.is_none() && CALLS.with_borrow(|calls| calls.in_flight) == 0 {
            return Ok(false);
        }
        let completions = tools::wait(timeout);
        CALLS.with_borrow_mut(|calls| calls.in_flight = calls.in_flight.saturating_sub(completions.len()));
        for completion in completions {
            match completion.outcome.map_err(|error| NoValue::Failed(error.into())).and_then(|json| result(ctx, json)) {
                Ok(value) => self.glue.settle.call::<_, ()>((completion.id, value))?,
                Err(NoValue::Failed(Failed { code, message, details, .. })) => {
                    self.glue.fail.call::<_, ()>((completion.id, code, message, details))?
                }
                Err(NoValue::Threw) => return Err(rquickjs::Error::Exception),
            }
        }
        Ok(true)
    }
}

/// The arguments as JSON text, as `JSON.stringify` writes them, with
/// `undefined` (and what `JSON.stringify` leaves out) as `null`; or, if
/// they cannot be written (a BigInt, a cycle, a throwing `toJSON`), why.
/// A number is written by Rust, which is faster and parses to the same
/// number (NaN and the infinities become `null`, as in JSON).
fn json_text<'js>(ctx: &Ctx<'js>, arguments: Value<'js>) -> rquickjs::Result<Result<String, Failed>> {
    if let Some(n) = arguments.as_int() {
        return Ok(Ok(n.to_string()));
    }
    if let Some(x) = arguments.as_float() {
        return Ok(Ok(if x.is_finite() { x.to_string() } else { "null".into() }));
    }
    match ctx.json_stringify(arguments) {
        Ok(Some(text)) => Ok(Ok(text.to_string()?)),
        Ok(None) => Ok(Ok("null".into())),
        Err(rquickjs::Error::Exception) => {
            // What the program threw, or the engine's TypeError: its
            // message, or the thrown value as `String()` writes it.
            let thrown: Value = ctx.catch();
            let message = match thrown.as_object().map(|error| error.get::<_, Coerced<String>>("message")) {
                Some(Ok(Coerced(message))) => message,
                _ => thrown.get::<Coerced<String>>().map_or_else(|_| "(no message)".into(), |Coerced(text)| text),
            };
            Ok(Err(Failed { code: "invalid_arguments", message, details: None, unserializable: true }))
        }
        Err(other) => Err(other),
    }
}

/// How a call failed, as `ToolError` takes it.
struct Failed {
    code: &'static str,
    message: String,
    /// Details as JSON text.
    details: Option<String>,
    /// The arguments could not be written as JSON; `message` says why,
    /// and the prelude names the tool.
    unserializable: bool,
}

/// Why an outcome gave no value.
enum NoValue {
    /// The call failed.
    Failed(Failed),
    /// The engine threw while building the value (out of memory); the
    /// exception is pending.
    Threw,
}

/// The value of a call's result, parsed.
fn result<'js>(ctx: &Ctx<'js>, json: String) -> Result<Value<'js>, NoValue> {
    let malformed = || {
        NoValue::Failed(Failed {
            code: "unavailable",
            message: "the tool returned malformed JSON".into(),
            details: None,
            unserializable: false,
        })
    };
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

impl From<CallError> for Failed {
    /// The `ToolError` fields of each `call-error` case.
    fn from(error: CallError) -> Self {
        let (code, Failure { message, details }) = match error {
            CallError::UnknownTool(f) => ("unknown_tool", f),
            CallError::InvalidArguments(f) => ("invalid_arguments", f),
            CallError::ToolFailed(f) => ("tool_failed", f),
            CallError::Timeout(f) => ("timeout", f),
            CallError::QuotaExceeded(f) => ("quota_exceeded", f),
            CallError::Unavailable(f) => ("unavailable", f),
            CallError::Declined(f) => ("declined", f),
            CallError::ApprovalRequired(f) => ("approval_required", f),
        };
        Failed { code, message, details, unserializable: false }
    }
}
