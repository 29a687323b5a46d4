//! The guest side of `tools.dispatch`: tool functions record calls, the
//! driver hands them to the host in one batch whenever the job queue runs
//! dry, and each completion settles its own promise.
//!
//! The promise bookkeeping lives in `prelude.js` (it is JavaScript's to
//! own); this module keeps the calls not yet handed over and the count of
//! calls in flight, which is how a stalled program is recognized.

use crate::bindings::codemode::sandbox::tools::{self, Call, CallError, Failure};
use crate::bindings::exports::codemode::sandbox::program::ToolBinding;
use rquickjs::context::EvalOptions;
use rquickjs::{Array, Ctx, Function, Object, Value};

/// The file name of the prelude's frames, which stack traces leave out.
pub const PRELUDE_FILENAME: &str = "codemode:prelude";
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Default)]
struct Queue {
    next_id: u32,
    unsent: Vec<Call>,
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
    queue: Rc<RefCell<Queue>>,
}

impl<'js> Glue<'js> {
    /// Evaluates the prelude, which installs `ToolError` as a global.
    pub fn install(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let queue = Rc::new(RefCell::new(Queue::default()));
        let start_call = {
            let queue = queue.clone();
            Function::new(ctx.clone(), move |tool: u32, arguments: String| {
                let mut queue = queue.borrow_mut();
                let id = queue.next_id;
                queue.next_id += 1;
                queue.unsent.push(Call { id, tool, arguments });
                id
            })?
        };
        let mut options = EvalOptions::default();
        options.filename = Some(PRELUDE_FILENAME.into());
        let prelude: Function = ctx.eval_with_options(include_str!("prelude.js"), options)?;
        let api: Object = prelude.call((start_call,))?;
        Ok(Self {
            bind: api.get("bind")?,
            settle: api.get("settle")?,
            fail: api.get("fail")?,
            tool_error: api.get("ToolError")?,
            queue,
        })
    }
}

/// The bridge of one execution.
pub struct Bridge<'js> {
    glue: Glue<'js>,
    in_flight: usize,
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
        Ok(Self { glue, in_flight: 0 })
    }

    /// The `ToolError` class.
    pub fn tool_error(&self) -> &Object<'js> {
        &self.glue.tool_error
    }

    /// Hands the host every call not yet sent and settles what completes.
    /// Returns `false` when nothing was in flight and nothing was sent, so
    /// no completion can ever come.
    pub fn exchange(&mut self, ctx: &Ctx<'js>) -> rquickjs::Result<bool> {
        let calls = std::mem::take(&mut self.glue.queue.borrow_mut().unsent);
        self.in_flight += calls.len();
        if self.in_flight == 0 {
            return Ok(false);
        }
        let completions = tools::dispatch(&calls);
        self.in_flight = self.in_flight.saturating_sub(completions.len());
        for completion in completions {
            match completion.outcome {
                Ok(json) => match ctx.json_parse(json) {
                    Ok(value) => self.glue.settle.call::<_, ()>((completion.id, value))?,
                    Err(rquickjs::Error::Exception) => {
                        let _: Value = ctx.catch();
                        let message = "the tool returned malformed JSON";
                        self.glue.fail.call::<_, ()>((completion.id, "unavailable", message, None::<String>))?
                    }
                    Err(other) => return Err(other),
                },
                Err(error) => {
                    let (code, Failure { message, details }) = describe(error);
                    self.glue.fail.call::<_, ()>((completion.id, code, message, details))?
                }
            }
        }
        Ok(true)
    }
}

/// The `ToolError.code` of each `call-error` case.
fn describe(error: CallError) -> (&'static str, Failure) {
    match error {
        CallError::UnknownTool(f) => ("unknown_tool", f),
        CallError::InvalidArguments(f) => ("invalid_arguments", f),
        CallError::ToolFailed(f) => ("tool_failed", f),
        CallError::Timeout(f) => ("timeout", f),
        CallError::QuotaExceeded(f) => ("quota_exceeded", f),
        CallError::Unavailable(f) => ("unavailable", f),
    }
}
