//! The host side of the WIT `tools` interface: takes each batch of calls
//! from the guest, enforces the tool-call quota and the concurrency cap,
//! runs the calls concurrently on the tokio runtime, and hands completions
//! back as they arrive.
//!
//! Calls run as spawned tasks so they make progress while the guest runs
//! JavaScript; every task is aborted when the execution ends, whatever the
//! reason, because the bridge owns them and aborts them on drop.

use crate::tools::{ToolCallError, ToolCallErrorKind, ToolProvider, ToolSpec};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::sandbox::bindings::codemode::sandbox::tools::{Call, CallError, Completion, Failure, Host};

/// The tool-call state of one execution.
pub struct Bridge {
    provider: Arc<dyn ToolProvider>,
    specs: Arc<[ToolSpec]>,
    quota: u32,
    permits: Arc<Semaphore>,
    /// Calls the program made, including refused ones.
    pub calls_made: u32,
    /// Completions known without waiting (refused calls).
    ready: Vec<Completion>,
    running: FuturesUnordered<Running>,
}

impl Bridge {
    /// A bridge to `provider`'s `specs`, with the execution's quota and cap.
    pub fn new(provider: Arc<dyn ToolProvider>, specs: Arc<[ToolSpec]>, quota: u32, concurrency: u32) -> Self {
        Self {
            provider,
            specs,
            quota,
            permits: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            calls_made: 0,
            ready: Vec::new(),
            running: FuturesUnordered::new(),
        }
    }

    fn start(&mut self, call: Call) {
        self.calls_made = self.calls_made.saturating_add(1);
        let refuse =
            |kind, message: String| Completion { id: call.id, outcome: Err(to_wit(ToolCallError::new(kind, message))) };
        if self.calls_made > self.quota {
            let message = format!("this execution may make at most {} tool calls", self.quota);
            return self.ready.push(refuse(ToolCallErrorKind::QuotaExceeded, message));
        }
        let Some(spec) = self.specs.get(call.tool as usize) else {
            let message = format!("no tool has index {}", call.tool);
            return self.ready.push(refuse(ToolCallErrorKind::UnknownTool, message));
        };
        let arguments = match serde_json::from_str(&call.arguments) {
            Ok(arguments) => arguments,
            Err(e) => {
                let message = format!("the arguments of {} are not JSON: {e}", spec.qualified_name());
                return self.ready.push(refuse(ToolCallErrorKind::InvalidArguments, message));
            }
        };
        let future = self.provider.call(spec, arguments);
        let permits = self.permits.clone();
        let task = tokio::spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await;
            future.await
        });
        self.running.push(Running { id: call.id, task });
    }
}

impl Host for Bridge {
    async fn dispatch(&mut self, calls: Vec<Call>) -> Vec<Completion> {
        for call in calls {
            self.start(call);
        }
        if self.ready.is_empty() {
            match self.running.next().await {
                Some(done) => self.ready.push(done),
                None => return Vec::new(),
            }
        }
        while let Some(Some(done)) = futures::FutureExt::now_or_never(self.running.next()) {
            self.ready.push(done);
        }
        std::mem::take(&mut self.ready)
    }
}

/// One call in flight; aborts its task when dropped unfinished.
struct Running {
    id: u32,
    task: JoinHandle<Result<crate::tools::ToolOutput, ToolCallError>>,
}

impl Future for Running {
    type Output = Completion;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Completion> {
        let id = self.id;
        Pin::new(&mut self.task).poll(cx).map(|joined| {
            let outcome = match joined {
                Ok(Ok(output)) => Ok(output.into_string()),
                Ok(Err(error)) => Err(to_wit(error)),
                Err(e) => {
                    Err(to_wit(ToolCallError::new(ToolCallErrorKind::Unavailable, format!("the tool failed: {e}"))))
                }
            };
            Completion { id, outcome }
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
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
    }
}
