//! The host side of the WIT `tools` interface: starts each call the
//! program makes, enforces the tool-call quota and the concurrency cap, and
//! hands completions back (waiting at most until the program's next timer
//! is due).
//!
//! A call is polled once right where the guest hands it over, holding a
//! permit of the cap. In-process tools usually finish on that poll, and then
//! the call costs no task, no thread hop and no fiber switch: `start`
//! returns its outcome to the program at once. A call still pending after its
//! first poll moves, with its permit, into a spawned task so that it makes
//! progress while the guest runs JavaScript; so does a call that finds the
//! cap reached, which waits for a permit before it is first polled. The
//! bridge owns those tasks and aborts them on drop, so no call outlives its
//! execution, whatever the reason the execution ended.
//!
//! A tool that panics fails its call as `unavailable`, on the first poll as
//! in its task.
//!
//! Every call the program may make (refusals aside, which depend on the
//! program and its limits alone) and every wait go through the execution's
//! [`Tape`], which records them and, replaying or resuming, answers them
//! from a journal. Calls that ask first are in [`asking`]: a wait with
//! nothing running and questions waiting for a pause ends the execution
//! there, unrecorded (a continued run goes on from the answers).

use crate::tools::{Asks, ToolCallError, ToolCallErrorKind, ToolFuture, ToolOutput, ToolProvider, ToolSpec};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::asking::{self, Awaiting};
use super::bindings::codemode::sandbox::tools::{Call, CallError, Completion, Failure, Host, Outcome};
use super::tape::{Diverged, Reply, Tape};
use crate::input::{Asker, Asking};
use crate::journal;
use crate::limits::Limits;

/// A call's result, as the bridge holds it until the guest takes it.
type CallResult = Result<ToolOutput, ToolCallError>;

/// The tool-call state of one execution.
pub struct Bridge {
    provider: Arc<dyn ToolProvider>,
    specs: Arc<[ToolSpec]>,
    /// Whether `llm.ask` is installed, at the index after `specs`.
    model: bool,
    quota: u32,
    model_quota: u32,
    model_calls: u32,
    /// One permit per call allowed to run at once; a call holds one from its
    /// first poll until it finishes.
    permits: Arc<Semaphore>,
    /// Calls the program made, including refused ones.
    pub calls_made: u32,
    running: FuturesUnordered<Running>,
    tape: Arc<Tape>,
    /// Whether the tape records (so arguments and outcomes are copied).
    recording: bool,
    /// Whether the tape may answer calls (a replay or a resume).
    answers: bool,
    /// `namespace.name` by tool index, as the journal needs them.
    names: Vec<Option<Arc<str>>>,
    asker: Option<Arc<dyn Asker>>,
    /// Calls whose question is answered after a pause.
    pub awaiting: Vec<Awaiting>,
}

impl Bridge {
    /// A bridge to `provider`'s `specs` (and `llm.ask` after them if
    /// `model`), with the execution's quotas and cap, its calls going
    /// through `tape`, its questions to `asker`.
    pub fn new(
        provider: Arc<dyn ToolProvider>,
        (specs, model): (Arc<[ToolSpec]>, bool),
        limits: &Limits,
        tape: Arc<Tape>,
        asker: Option<Arc<dyn Asker>>,
    ) -> Self {
        let (recording, answers) = (tape.recording(), tape.answers_calls());
        Self {
            provider,
            specs,
            model,
            quota: limits.max_tool_calls,
            model_quota: limits.max_llm_calls,
            model_calls: 0,
            permits: Arc::new(Semaphore::new(limits.max_concurrent_calls.max(1) as usize)),
            calls_made: 0,
            running: FuturesUnordered::new(),
            tape,
            recording,
            answers,
            names: Vec::new(),
            asker,
            awaiting: Vec::new(),
        }
    }

    /// Starts `call`: its outcome if it completed at once (refused, ready
    /// on its first poll, or answered from a journal), `None` if it runs on
    /// and `wait` will deliver it.
    fn begin(&mut self, call: Call) -> wasmtime::Result<Option<CallResult>> {
        self.calls_made = self.calls_made.saturating_add(1);
        let refuse = |kind, message: String| Ok(Some(Err(ToolCallError::new(kind, message))));
        if self.calls_made > self.quota {
            return refuse(
                ToolCallErrorKind::QuotaExceeded,
                format!("this execution may make at most {} tool calls", self.quota),
            );
        }
        let specs = self.specs.clone();
        let index = call.tool as usize;
        let model = (self.model && index == specs.len()).then(asking::model_spec);
        let Some(spec) = specs.get(index).or(model) else {
            return refuse(ToolCallErrorKind::UnknownTool, format!("no tool has index {}", call.tool));
        };
        if spec.asks == Some(Asks::Model) {
            self.model_calls = self.model_calls.saturating_add(1);
            if self.model_calls > self.model_quota {
                let times = if self.model_quota == 1 { "time" } else { "times" };
                let message = format!("this execution may ask the model at most {} {times}", self.model_quota);
                return refuse(ToolCallErrorKind::QuotaExceeded, message);
            }
        }
        let arguments: serde_json::Value = match serde_json::from_str(&call.arguments) {
            Ok(arguments) => arguments,
            Err(e) => {
                let message = format!("the arguments of {} are not JSON: {e}", spec.qualified_name());
                return refuse(ToolCallErrorKind::InvalidArguments, message);
            }
        };
        // Named, and the arguments' text kept, only where a journal or a
        // question needs them.
        let named = self.answers || self.recording || spec.asks.is_some();
        let name = if named { self.name(index, spec) } else { Arc::from("") };
        let text = (self.answers || self.recording).then(|| journal::Arguments::from_text(call.arguments));
        let answer = match (&text, self.answers) {
            (Some(text), true) => self.tape.on_start(&name, text).map_err(wasmtime::Error::new)?,
            _ => Reply::Live,
        };
        let record = |bridge: &Self, text: Option<journal::Arguments>, result: Option<&mut CallResult>| {
            if bridge.recording
                && let Some(text) = text
            {
                bridge.tape.record_start(call.id, name.clone(), text, result.map(journal::Outcome::record));
            }
        };
        match answer {
            Reply::Recorded(outcome) => {
                let mut result = outcome.to_result();
                record(self, text, Some(&mut result));
                return Ok(Some(result));
            }
            Reply::Later => {
                if let Some(asks) = spec.asks
                    && let Ok(question) = asking::question(asks, &name, &arguments)
                {
                    self.awaiting.push(Awaiting {
                        id: call.id,
                        spec: spec.clone(),
                        arguments: arguments.clone(),
                        question,
                    });
                }
                record(self, text, None);
                return Ok(None);
            }
            Reply::Live => {}
        }
        let mut result = match spec.asks {
            None => self.call(spec, call.id, arguments),
            Some(asks) => match asking::question(asks, &name, &arguments) {
                Err(message) => Some(Err(ToolCallError::new(ToolCallErrorKind::InvalidArguments, message))),
                Ok(question) => match self.asker.as_ref().map_or_else(|| asking::nobody(asks), |a| a.ask(&question)) {
                    Asking::Never(reason) => Some(Err(asking::refusal(asks, &name, reason))),
                    Asking::Later => {
                        let awaiting = Awaiting { id: call.id, spec: spec.clone(), arguments, question };
                        self.awaiting.push(awaiting);
                        None
                    }
                    Asking::Now(answer) => {
                        let (provider, spec) = (self.provider.clone(), spec.clone());
                        let future =
                            Box::pin(async move { asking::settle(answer.await, &spec, arguments, provider).await });
                        self.run(call.id, future)
                    }
                },
            },
        };
        record(self, text, result.as_mut());
        Ok(result)
    }

    /// `namespace.name` of the tool at `index`, made once per execution.
    fn name(&mut self, index: usize, spec: &ToolSpec) -> Arc<str> {
        if self.names.len() <= index {
            self.names.resize(index + 1, None);
        }
        self.names[index].get_or_insert_with(|| spec.qualified_name().into()).clone()
    }

    /// Calls `spec` for call `id`: its result if ready on the first poll.
    fn call(&mut self, spec: &ToolSpec, id: u32, arguments: serde_json::Value) -> Option<CallResult> {
        let future = match catch_unwind(AssertUnwindSafe(|| self.provider.call(spec, arguments))) {
            Ok(future) => future,
            Err(panic) => return Some(Err(panicked(panic))),
        };
        self.run(id, future)
    }

    /// Runs call `id`'s `future`: its result if ready on the first poll.
    fn run(&mut self, id: u32, future: ToolFuture) -> Option<CallResult> {
        // A call that finds the cap reached is not polled until a running
        // one ends and hands it a permit.
        let permit = self.permits.clone().try_acquire_owned().ok();
        let task = match permit {
            Some(permit) => match first_poll(future) {
                Ok(result) => return Some(result),
                Err(future) => tokio::spawn(async move {
                    let _permit = permit;
                    future.await
                }),
            },
            None => {
                let permits = self.permits.clone();
                tokio::spawn(async move {
                    // The semaphore is never closed, so acquiring only waits.
                    let _permit = permits.acquire_owned().await;
                    future.await
                })
            }
        };
        self.running.push(Running { id, task });
        None
    }
}

impl Host for Bridge {
    fn start(&mut self, call: Call) -> wasmtime::Result<Option<Outcome>> {
        Ok(self.begin(call)?.map(outcome))
    }

    async fn wait(&mut self, timeout: Option<u64>) -> wasmtime::Result<Vec<Completion>> {
        let step = self.tape.on_wait().map_err(wasmtime::Error::new)?;
        for (id, answer, make) in step.answered {
            self.tape.record_answered(id, answer.clone());
            if make {
                self.answer(id, answer).map_err(wasmtime::Error::new)?;
            }
        }
        if let Some(completed) = step.recorded {
            self.awaiting.retain(|awaiting| !completed.iter().any(|done| done.id == awaiting.id));
            if self.recording {
                self.tape.record_wait(completed.clone());
            }
            let completion =
                |done: journal::Completed| Completion { id: done.id, outcome: outcome(done.outcome.to_result()) };
            return Ok(completed.into_iter().map(completion).collect());
        }
        if self.running.is_empty() && !self.awaiting.is_empty() {
            return Err(wasmtime::Error::new(asking::Paused));
        }
        let mut done = self.completions(timeout).await;
        if self.recording {
            let completed = done
                .iter_mut()
                .map(|(id, result)| journal::Completed { id: *id, outcome: journal::Outcome::record(result) });
            self.tape.record_wait(completed.collect());
        }
        Ok(done.into_iter().map(|(id, result)| Completion { id, outcome: outcome(result) }).collect())
    }
}

impl Bridge {
    /// Goes on with awaiting call `id` now that its question has `answer`:
    /// its outcome comes at a wait, as a running call's does.
    fn answer(&mut self, id: u32, answer: crate::input::Answer) -> Result<(), Diverged> {
        let Some(at) = self.awaiting.iter().position(|awaiting| awaiting.id == id) else {
            // Left alone, the call would wait until the deadline.
            return Err(Diverged(format!(
                "replay diverged: the journal answers the question of call {id}, which asks none now (did its tool's \
                 \"approve\" setting change?)"
            )));
        };
        let Awaiting { spec, arguments, .. } = self.awaiting.remove(at);
        let provider = self.provider.clone();
        let permits = self.permits.clone();
        let task = tokio::spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await;
            asking::settle(answer, &spec, arguments, provider).await
        });
        self.running.push(Running { id, task });
        Ok(())
    }

    /// The calls that complete by the time the first does, or none once
    /// `timeout` passes first.
    async fn completions(&mut self, timeout: Option<u64>) -> Vec<(u32, CallResult)> {
        // Sleeping on a timer is wall time, not fuel; the execution's
        // deadline still bounds it (the sandbox's timer ends the whole run).
        let timer = async {
            match timeout {
                Some(ns) => tokio::time::sleep(std::time::Duration::from_nanos(ns)).await,
                None => std::future::pending().await,
            }
        };
        let first = if self.running.is_empty() {
            timer.await;
            None
        } else {
            tokio::select! {
                first = self.running.next() => first,
                () = timer => None,
            }
        };
        let Some(first) = first else {
            return Vec::new();
        };
        let mut done = vec![first];
        while let Some(Some(next)) = futures::FutureExt::now_or_never(self.running.next()) {
            done.push(next);
        }
        done
    }
}

/// Polls a call once, here: its result, or the call back if it is pending.
///
/// The waker is a no-op because a pending call is handed to a task, whose
/// own poll registers the waker that matters; no wake-up is lost.
fn first_poll(mut future: ToolFuture) -> Result<CallResult, ToolFuture> {
    let mut cx = Context::from_waker(Waker::noop());
    match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
        Ok(Poll::Ready(result)) => Ok(result),
        Ok(Poll::Pending) => Err(future),
        Err(panic) => Ok(Err(panicked(panic))),
    }
}

/// One call in flight in its own task; aborts the task when dropped
/// unfinished.
struct Running {
    id: u32,
    task: JoinHandle<CallResult>,
}

impl Future for Running {
    type Output = (u32, CallResult);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.id;
        Pin::new(&mut self.task).poll(cx).map(|joined| {
            let result = joined.unwrap_or_else(|e| {
                Err(match e.try_into_panic() {
                    Ok(panic) => panicked(panic),
                    // Only `Drop` aborts the task, and then nobody polls it.
                    Err(e) => ToolCallError::new(ToolCallErrorKind::Unavailable, format!("the tool failed: {e}")),
                })
            });
            (id, result)
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn outcome(result: CallResult) -> Outcome {
    result.map(ToolOutput::into_string).map_err(to_wit)
}

/// The error of a call whose tool panicked, with the panic's message.
fn panicked(panic: Box<dyn Any + Send>) -> ToolCallError {
    let message = match panic.downcast_ref::<&str>() {
        Some(message) => message,
        None => panic.downcast_ref::<String>().map_or("(no message)", String::as_str),
    };
    ToolCallError::new(ToolCallErrorKind::Unavailable, format!("the tool panicked: {message}"))
}

fn to_wit(error: ToolCallError) -> CallError {
    let failure = Failure { message: error.message, details: error.details.map(|d| d.to_string()) };
    match error.kind {
        ToolCallErrorKind::UnknownTool => CallError::UnknownTool(failure),
        ToolCallErrorKind::InvalidArguments => CallError::InvalidArguments(failure),
        ToolCallErrorKind::ToolFailed => CallError::ToolFailed(failure),
        ToolCallErrorKind::Timeout => CallError::Timeout(failure),
        ToolCallErrorKind::QuotaExceeded => CallError::QuotaExceeded(failure),
        ToolCallErrorKind::Unavailable => CallError::Unavailable(failure),
        ToolCallErrorKind::Declined => CallError::Declined(failure),
        ToolCallErrorKind::ApprovalRequired => CallError::ApprovalRequired(failure),
    }
}
