//! What `execute` does with one program: wait for a free execution slot
//! (briefly; then answer "busy"), have the executor run it while console
//! lines are forwarded to the client, and turn the envelope into a tool
//! result. Program failures are results with `isError`, never protocol
//! errors: the model reads them and fixes its program.
//!
//! Every execution is journaled. A failed one that got results from its
//! tools carries a sealed resume token ([`super::state`]); `execute` with
//! that token answers the new program's calls from the journal while they
//! match the recorded ones, so a corrected program does not make them again.

#![allow(deprecated)] // MCP logging (SEP-2577 deprecates it; clients still use it)

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, ContentBlock, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
    ProgressToken,
};
use rmcp::service::{Peer, RequestContext};
use tokio::sync::mpsc;

use super::state::Purpose;
use super::{Shared, render};
use crate::envelope::{Envelope, LogEntry, LogSink};
use crate::executor::ExecuteOptions;
use crate::journal::{Journal, Outcome};

/// Runs `code` for the client of `context` and answers with its envelope.
pub async fn run(
    shared: &Shared,
    code: &str,
    resume: Option<&str>,
    log_level: Option<LoggingLevel>,
    context: &RequestContext<RoleServer>,
) -> CallToolResult {
    let resume = match resume.map(|token| shared.sealer.open(Purpose::Resume, token)) {
        None => None,
        Some(Ok(journal)) => Some(Arc::new(journal)),
        Some(Err(message)) => {
            return CallToolResult::error(vec![ContentBlock::text(format!("{message}. Nothing was run."))]);
        }
    };
    let queue_timeout = shared.options.queue_timeout;
    let Ok(Ok(_slot)) = tokio::time::timeout(queue_timeout, shared.slots.acquire()).await else {
        return busy(shared.options.max_concurrent_executions, queue_timeout.as_secs_f64());
    };

    let (sender, receiver) = mpsc::unbounded_channel();
    // A client that asked for log messages gets them; otherwise a request
    // with a progress token gets progress notifications (some SDKs attach a
    // token to every request, so it is the weaker signal).
    let forwarder = match (log_level, context.meta.get_progress_token()) {
        (Some(level), _) => Some(tokio::spawn(forward_logs(context.peer.clone(), level, receiver))),
        (None, Some(token)) => Some(tokio::spawn(forward_progress(context.peer.clone(), token, receiver))),
        (None, None) => None,
    };
    let mut options = ExecuteOptions::new().recording();
    options.resume = resume;
    if forwarder.is_some() {
        options = options.with_log_sink(Arc::new(move |entry: &LogEntry| {
            // The receiver lives until the forwarder ends, after the run.
            let _ = sender.send(entry.clone());
        }) as LogSink);
    }
    let outcome = tokio::select! {
        outcome = shared.executor.execute(code, shared.tools.clone(), &options) => Some(outcome),
        () = context.ct.cancelled() => None,
    };
    // The sink holds the last sender: the forwarder ends once it is gone.
    drop(options);
    if let Some(forwarder) = forwarder {
        // Every console line is sent before the result.
        let _ = forwarder.await;
    }
    match outcome {
        Some(Ok(mut envelope)) => {
            seal_resume(shared, &mut envelope);
            result(&envelope)
        }
        Some(Err(error)) => {
            CallToolResult::error(vec![ContentBlock::text(format!("codemode could not run the program: {error}"))])
        }
        None => CallToolResult::error(vec![ContentBlock::text("the request was cancelled; the program was stopped")]),
    }
}

/// Gives a failed envelope whose calls got results a resume token.
fn seal_resume(shared: &Shared, envelope: &mut Envelope) {
    let Some(journal) = envelope.journal.take() else { return };
    if envelope.ok || !journal.calls().iter().any(|(_, _, outcome)| outcome.is_some_and(Outcome::is_result)) {
        return;
    }
    // A resume needs the calls only: the tools and clocks stay behind.
    let calls = Journal { tools: Vec::new(), wall_clock: Vec::new(), monotonic_clock: Vec::new(), ..journal };
    match shared.sealer.seal(Purpose::Resume, calls) {
        Ok(token) => envelope.resume = Some(token),
        Err(why) => {
            if let Some(error) = &mut envelope.error {
                error.message.push_str(&format!(" (no resume token: {why})"));
            }
        }
    }
}

/// The tool result of an envelope: its text rendering, and the envelope as
/// `structuredContent`.
fn result(envelope: &Envelope) -> CallToolResult {
    let text = vec![ContentBlock::text(render::envelope(envelope))];
    let mut result = if envelope.ok { CallToolResult::success(text) } else { CallToolResult::error(text) };
    result.structured_content = Some(serde_json::to_value(envelope).unwrap_or_default());
    result
}

fn busy(slots: usize, waited_s: f64) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "busy: all {slots} execution slots stayed in use for {waited_s} s; retry shortly"
    ))])
}

async fn forward_progress(peer: Peer<RoleServer>, token: ProgressToken, mut logs: mpsc::UnboundedReceiver<LogEntry>) {
    let mut progress = 0.0;
    while let Some(entry) = logs.recv().await {
        progress += 1.0;
        let mut param = ProgressNotificationParam::new(token.clone(), progress);
        param.message = Some(format!("[console.{}] {}", entry.level, entry.message));
        if peer.notify_progress(param).await.is_err() {
            break;
        }
    }
}

async fn forward_logs(peer: Peer<RoleServer>, min: LoggingLevel, mut logs: mpsc::UnboundedReceiver<LogEntry>) {
    while let Some(entry) = logs.recv().await {
        let level = level(&entry.level);
        if rank(level) < rank(min) {
            continue;
        }
        let mut param = LoggingMessageNotificationParam::new(level, serde_json::Value::String(entry.message));
        param.logger = Some("console".to_owned());
        if peer.notify_logging_message(param).await.is_err() {
            break;
        }
    }
}

/// The MCP level of a console method.
fn level(console: &str) -> LoggingLevel {
    match console {
        "debug" => LoggingLevel::Debug,
        "warn" => LoggingLevel::Warning,
        "error" => LoggingLevel::Error,
        _ => LoggingLevel::Info,
    }
}

/// Severity order of the MCP levels.
pub fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}
