//! How `execute` gets a program's questions answered by its client, per
//! protocol version:
//!
//! - 2026-07-28 (stateless): the execution pauses; `execute` answers
//!   `input_required` with one `inputRequests` entry per question (an
//!   `elicitation/create` form for an approval, `sampling/createMessage`
//!   for `llm.ask`) and the journal sealed in `requestState`. The client's
//!   retry brings `inputResponses`, which become answers appended to the
//!   journal, and the program continues from it (possibly on another
//!   replica sharing the state key).
//! - 2025-11-25 and older: the question goes out as a server-initiated
//!   request while the execution waits for it, on the `tools/call`'s own
//!   stream.
//!
//! A client that declared no elicitation (or sampling) is never asked: the
//! call fails with `approval_required` (or `unavailable`).

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    ClientResult, CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult, ElicitRequest,
    ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema, InputRequest, InputRequests,
    InputResponses, ProtocolVersion, RequestId, SamplingMessage, ServerRequest,
};
use rmcp::service::{OriginatingRequestId, Peer, PeerRequestOptions, RequestContext};
use serde_json::Value;

use crate::input::{Answer, Asker, Asking, Question};

/// Masks the credentials of the server of a tool (`namespace.name`) in
/// text that shows a call of it.
pub(crate) type Redact = Arc<dyn Fn(&str, &str) -> String + Send + Sync>;

/// What the client of one request can answer, and how.
pub(crate) struct ClientAsker {
    /// `None` on 2026-07-28: questions wait for a pause.
    peer: Option<(Peer<RoleServer>, RequestId)>,
    elicitation: bool,
    sampling: bool,
    redact: Redact,
}

impl ClientAsker {
    /// The asker for the request of `context`, masking with `redact`.
    pub(crate) fn new(context: &RequestContext<RoleServer>, redact: Redact) -> Self {
        let capabilities = context.client_capabilities().unwrap_or_default();
        let stateless = context.protocol_version().is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        Self {
            peer: (!stateless).then(|| (context.peer.clone(), context.id.clone())),
            elicitation: capabilities.elicitation.is_some(),
            sampling: capabilities.sampling.is_some(),
            redact,
        }
    }
}

impl Asker for ClientAsker {
    fn ask(&self, question: &Question) -> Asking {
        let request = match question {
            Question::Approval { .. } if !self.elicitation => {
                return Asking::Never("the client declared no elicitation, so nobody can be asked".into());
            }
            Question::Model { .. } if !self.sampling => {
                return Asking::Never("the client declared no sampling".into());
            }
            question => request(question, &*self.redact),
        };
        let Some((peer, origin)) = &self.peer else {
            return Asking::Later;
        };
        let (peer, origin) = (peer.clone(), origin.clone());
        Asking::Now(Box::pin(async move {
            let request = match request {
                InputRequest::Elicitation(mut request) => {
                    // The bridge runs calls in tasks of their own, where
                    // rmcp's own marker of the originating request is lost.
                    request.extensions.insert(OriginatingRequestId(origin));
                    ServerRequest::ElicitRequest(request)
                }
                InputRequest::CreateMessage(mut request) => {
                    request.extensions.insert(OriginatingRequestId(origin));
                    ServerRequest::CreateMessageRequest(request)
                }
                _ => return Answer::Failed("codemode asked the client something it cannot".into()),
            };
            let answered = match peer.send_cancellable_request(request, PeerRequestOptions::no_options()).await {
                Ok(handle) => handle.await_response().await,
                Err(e) => Err(e),
            };
            match answered {
                Ok(ClientResult::ElicitResult(result)) => elicited(&result),
                Ok(ClientResult::CreateMessageResult(result)) => sampled(&result),
                Ok(_) => Answer::Failed("the client answered with something else than was asked".into()),
                Err(e) => Answer::Failed(format!("the client could not answer: {e}")),
            }
        }))
    }
}

/// The MCP request that asks `question`, credentials masked by `redact`.
pub(crate) fn request(question: &Question, redact: &dyn Fn(&str, &str) -> String) -> InputRequest {
    match question {
        Question::Approval { tool, arguments } => {
            let mut shown = redact(tool, &arguments.to_string());
            if shown.len() > 2000 {
                shown.truncate(shown.floor_char_boundary(2000));
                shown.push('…');
            }
            let schema = serde_json::json!({ "type": "object", "properties": {} });
            let requested_schema = match schema {
                Value::Object(schema) => ElicitationSchema::from_json_schema(schema).ok(),
                _ => None,
            };
            InputRequest::Elicitation(ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: format!("A codemode program wants to call {tool} with {shown}. Allow this call?"),
                requested_schema: requested_schema.unwrap_or_else(|| unreachable!("an empty object schema")),
            }))
        }
        Question::Model { prompt, system, max_tokens } => {
            let mut params = CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt)], *max_tokens);
            params.system_prompt = system.clone();
            InputRequest::CreateMessage(CreateMessageRequest::new(params))
        }
    }
}

/// The key a question goes under in `inputRequests`.
pub(crate) fn key(id: u32) -> String {
    format!("call-{id}")
}

/// The `inputRequests` of a pause, credentials masked by `redact`.
pub(crate) fn input_requests(questions: &[(u32, Question)], redact: &dyn Fn(&str, &str) -> String) -> InputRequests {
    questions.iter().map(|(id, question)| (key(*id), request(question, redact))).collect()
}

/// The answers in `responses` to `questions`, or why they are not answers
/// to exactly those.
pub(crate) fn answers(questions: &[(u32, Question)], responses: &InputResponses) -> Result<Vec<(u32, Answer)>, String> {
    let asked: Vec<String> = questions.iter().map(|(id, _)| key(*id)).collect();
    let given: Vec<&String> = responses.keys().collect();
    if given.len() != asked.len() || given.iter().any(|key| !asked.contains(key)) {
        return Err(format!(
            "inputResponses answer {} but this requestState asked {}",
            list(given.iter().map(|key| key.as_str())),
            list(asked.iter().map(String::as_str))
        ));
    }
    let mut answers = Vec::with_capacity(questions.len());
    for (id, question) in questions {
        let response = &responses[&key(*id)];
        let answer = match question {
            Question::Approval { .. } => serde_json::from_value::<ElicitResult>(response.clone()).map(|r| elicited(&r)),
            Question::Model { .. } => {
                serde_json::from_value::<CreateMessageResult>(response.clone()).map(|r| sampled(&r))
            }
        };
        answers.push((*id, answer.map_err(|e| format!("inputResponses[{:?}] is not an answer to it: {e}", key(*id)))?));
    }
    Ok(answers)
}

fn list<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    let keys: Vec<&str> = keys.collect();
    if keys.is_empty() { "nothing".into() } else { keys.join(", ") }
}

fn elicited(result: &ElicitResult) -> Answer {
    match result.action {
        ElicitationAction::Accept => Answer::Accept,
        ElicitationAction::Decline => Answer::Decline,
        ElicitationAction::Cancel => Answer::Cancel,
        _ => Answer::Failed("the client answered with an action codemode does not know".into()),
    }
}

fn sampled(result: &CreateMessageResult) -> Answer {
    let message = serde_json::to_value(&result.message).unwrap_or_default();
    let text = match &message["content"] {
        Value::Object(block) => block.get("text").and_then(Value::as_str).map(str::to_owned),
        Value::Array(blocks) => {
            let texts: Vec<&str> =
                blocks.iter().filter_map(|block| block.get("text").and_then(Value::as_str)).collect();
            (!texts.is_empty()).then(|| texts.join(""))
        }
        _ => None,
    };
    text.map_or_else(|| Answer::Failed("the model answered without text".into()), Answer::Text)
}
