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
    CallToolResponse, CallToolResult, ContentBlock, InputRequiredResult, InputResponses, LoggingLevel,
    LoggingMessageNotificationParam, ProgressNotificationParam, ProgressToken,
};
use rmcp::service::{Peer, RequestContext};
use tokio::sync::mpsc;

use super::asking::{self, ClientAsker};
use super::state::{Purpose, Sealed, random_id};
use super::{Shared, render};
use crate::envelope::{Envelope, LogEntry, LogSink};
use crate::executor::ExecuteOptions;
use crate::journal::{Journal, Outcome, sha256_hex};

/// One `execute` request.
pub struct Request<'a> {
    /// The program.
    pub code: &'a str,
    /// The resume token of a failed execution.
    pub resume: Option<&'a str>,
    /// The `requestState` of a retry after `input_required`.
    pub state: Option<&'a str>,
    /// The `inputResponses` of that retry.
    pub responses: Option<&'a InputResponses>,
}

/// Runs the program of `request` for the client of `context` and answers
/// with its envelope, or with the questions it paused for.
pub async fn run(
    shared: &Shared,
    request: Request<'_>,
    log_level: Option<LoggingLevel>,
    context: &RequestContext<RoleServer>,
) -> CallToolResponse {
    let refused =
        |message: String| CallToolResult::error(vec![ContentBlock::text(format!("{message}. Nothing was run."))]);
    let tools = shared.tools.clone();
    let redact: asking::Redact = Arc::new(move |tool: &str, text: &str| tools.redact(tool, text));
    let asker = ClientAsker::new(context, redact.clone());
    let mut options = ExecuteOptions::new().recording().with_asker(Arc::new(asker));
    match inputs(shared, &request) {
        Ok(Inputs::Fresh) => {}
        Ok(Inputs::Resume(journal)) => options.resume = Some(Arc::new(journal)),
        Ok(Inputs::Continue(journal)) => options.continue_from = Some(Arc::new(journal)),
        Err(message) => return refused(message).into(),
    }
    let code = request.code;
    let queue_timeout = shared.options.queue_timeout;
    let Ok(Ok(_slot)) = tokio::time::timeout(queue_timeout, shared.slots.acquire()).await else {
        return busy(shared.options.max_concurrent_executions, queue_timeout.as_secs_f64()).into();
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
        Some(Ok(mut envelope)) if !envelope.questions.is_empty() => pause(shared, code, &mut envelope, &*redact),
        Some(Ok(mut envelope)) => {
            seal_resume(shared, &mut envelope);
            result(&envelope).into()
        }
        Some(Err(error)) => {
            CallToolResult::error(vec![ContentBlock::text(format!("codemode could not run the program: {error}"))])
                .into()
        }
        None => {
            CallToolResult::error(vec![ContentBlock::text("the request was cancelled; the program was stopped")]).into()
        }
    }
}

/// Where an execution's inputs come from.
enum Inputs {
    Fresh,
    Resume(Journal),
    Continue(Journal),
}

/// The inputs `request` asks for, or why they cannot be had.
fn inputs(shared: &Shared, request: &Request<'_>) -> Result<Inputs, String> {
    let responses = request.responses.filter(|responses| !responses.is_empty());
    match (request.state, request.resume) {
        (Some(_), Some(_)) => {
            Err("`resume` and a requestState do not go together: a retry continues the paused run".into())
        }
        (Some(state), None) => {
            let sealed = shared.sealer.open(Purpose::Request, state)?;
            if sealed.program.as_deref() != Some(&sha256_hex(request.code)) {
                return Err("this requestState belongs to another program: retry with the code it was given for".into());
            }
            let mut journal = sealed.journal;
            let empty = InputResponses::new();
            for (id, answer) in asking::answers(&sealed.questions, responses.unwrap_or(&empty))? {
                journal.answer(id, answer);
            }
            spend(shared, sealed.id.as_deref().unwrap_or_default())?;
            Ok(Inputs::Continue(journal))
        }
        (None, _) if responses.is_some() => {
            Err("inputResponses came without the requestState they answer: send both back as codemode gave them".into())
        }
        (None, Some(token)) => Ok(Inputs::Resume(shared.sealer.open(Purpose::Resume, token)?.journal)),
        (None, None) => Ok(Inputs::Fresh),
    }
}

/// Marks the requestState `id` answered, or says it was already: what an
/// answer approves is done once, however often a client retries.
fn spend(shared: &Shared, id: &str) -> Result<(), String> {
    let now = std::time::Instant::now();
    let mut spent = shared.spent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    spent.retain(|_, expires| *expires > now);
    if spent.contains_key(id) {
        return Err("this requestState was answered already, and what the answers approved was done then: run the \
                    program again for new questions"
            .into());
    }
    spent.insert(id.to_owned(), now + shared.options.state_ttl);
    Ok(())
}

/// The `input_required` answer of an execution that paused for its
/// questions: them as input requests, and its journal sealed.
fn pause(
    shared: &Shared,
    code: &str,
    envelope: &mut Envelope,
    redact: &dyn Fn(&str, &str) -> String,
) -> CallToolResponse {
    let Some(journal) = envelope.journal.take() else {
        return CallToolResult::error(vec![ContentBlock::text("the program paused without a journal (a bug)")]).into();
    };
    let journal = Journal { tools: Vec::new(), ..journal };
    let questions = std::mem::take(&mut envelope.questions);
    let requests = asking::input_requests(&questions, redact);
    let sealed = random_id().map(|id| Sealed { journal, questions, program: Some(sha256_hex(code)), id: Some(id) });
    match sealed.and_then(|sealed| shared.sealer.seal(Purpose::Request, sealed)) {
        Ok(state) => InputRequiredResult::new(Some(requests), Some(state)).into(),
        Err(why) => CallToolResult::error(vec![ContentBlock::text(format!(
            "the program paused to ask the client, but its state cannot go to the client: {why}"
        ))])
        .into(),
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
    match shared.sealer.seal(Purpose::Resume, Sealed { journal: calls, questions: Vec::new(), program: None, id: None })
    {
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
