//! The bridge's side of calls that ask first ([`Asks`]): the question a
//! call asks, what its answer makes of it, and the refusal when nobody can
//! answer. A question answered after a pause waits in [`Awaiting`] until
//! the execution pauses ([`Paused`]) or, continuing, its answer arrives.

use std::fmt;
use std::sync::{Arc, LazyLock};

use serde_json::Value;

use crate::input::{Answer, Asking, Question};
use crate::tools::{Asks, ToolCallError, ToolCallErrorKind, ToolOutput, ToolProvider, ToolSpec};

/// The longest answer asked of the model when the program does not say.
pub const DEFAULT_MAX_TOKENS: u32 = 1000;

/// `llm.ask`: installed after the provider's tools in every execution
/// (unless a server's namespace is `llm`), answered by the asker.
pub fn model_spec() -> &'static ToolSpec {
    static SPEC: LazyLock<ToolSpec> = LazyLock::new(|| {
        let mut spec = ToolSpec::new(Some("llm"), "ask");
        spec.description = Some("Asks the client's model and resolves to its answer's text.".into());
        spec.asks = Some(Asks::Model);
        spec
    });
    &SPEC
}

/// A call waiting for the answer to its question.
pub struct Awaiting {
    pub id: u32,
    pub spec: ToolSpec,
    pub arguments: Value,
    pub question: Question,
}

/// The execution stopped to have its questions answered.
#[derive(Debug)]
pub struct Paused;

impl fmt::Display for Paused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the program waits for answers")
    }
}

impl std::error::Error for Paused {}

/// The question a call of `tool` (`asks`) with `arguments` asks, or why its
/// arguments do not make one.
pub fn question(asks: Asks, tool: &str, arguments: &Value) -> Result<Question, String> {
    match asks {
        Asks::Approval => Ok(Question::Approval { tool: tool.to_owned(), arguments: arguments.clone() }),
        Asks::Model => {
            let (prompt, options) = match arguments {
                Value::String(prompt) => (prompt.as_str(), None),
                Value::Array(items) if items.len() == 2 && items[0].is_string() => {
                    (items[0].as_str().unwrap_or_default(), Some(&items[1]))
                }
                _ => {
                    return Err(format!(
                        "{tool} takes a prompt (a string) and optional options {{ system?, maxTokens? }}"
                    ));
                }
            };
            let options = options.filter(|options| !options.is_null());
            if options.is_some_and(|options| !options.is_object()) {
                return Err(format!("{tool}'s options are {{ system?: string, maxTokens?: number (1 to 100000) }}"));
            }
            let bad = || format!("{tool}'s options are {{ system?: string, maxTokens?: number (1 to 100000) }}");
            let system = match options.map(|options| options.get("system")) {
                Some(Some(Value::String(system))) => Some(system.clone()),
                Some(Some(_)) => return Err(bad()),
                _ => None,
            };
            let max_tokens = match options.map(|options| options.get("maxTokens")) {
                Some(Some(n)) => n.as_u64().filter(|n| (1..=100_000).contains(n)).ok_or_else(bad)? as u32,
                _ => DEFAULT_MAX_TOKENS,
            };
            if let Some(Value::Object(options)) = options
                && options.keys().any(|key| key != "system" && key != "maxTokens")
            {
                return Err(bad());
            }
            Ok(Question::Model { prompt: prompt.to_owned(), system, max_tokens })
        }
    }
}

/// How a question is answered when the execution has no asker.
pub fn nobody(asks: Asks) -> Asking {
    Asking::Never(match asks {
        Asks::Approval => "nobody can be asked here".into(),
        Asks::Model => "there is no model to ask here".into(),
    })
}

/// The error of a call of `tool` whose question cannot be asked.
pub fn refusal(asks: Asks, tool: &str, reason: String) -> ToolCallError {
    match asks {
        Asks::Approval => ToolCallError::new(
            ToolCallErrorKind::ApprovalRequired,
            format!(
                "{tool} needs a person's approval (its server's \"approve\" option) and {reason}; nothing was sent"
            ),
        ),
        Asks::Model => {
            ToolCallError::new(ToolCallErrorKind::Unavailable, format!("{tool} cannot ask the model: {reason}"))
        }
    }
}

/// What `answer` makes of the call of `spec` with `arguments`.
pub async fn settle(
    answer: Answer,
    spec: &ToolSpec,
    arguments: Value,
    provider: Arc<dyn ToolProvider>,
) -> Result<ToolOutput, ToolCallError> {
    let tool = spec.qualified_name();
    let declined = |how: &str| {
        Err(ToolCallError::new(ToolCallErrorKind::Declined, format!("the call to {tool} was {how}; nothing was sent")))
    };
    match (spec.asks, answer) {
        (Some(Asks::Approval), Answer::Accept) => provider.call(spec, arguments).await,
        (Some(Asks::Model), Answer::Text(text)) => Ok(Value::String(text).into()),
        (_, Answer::Decline) => declined("declined by the person asked"),
        (_, Answer::Cancel) => declined("dismissed by the person asked"),
        (_, Answer::Failed(message)) => Err(ToolCallError::new(ToolCallErrorKind::Unavailable, message)),
        (_, answer) => Err(ToolCallError::new(
            ToolCallErrorKind::Unavailable,
            format!("{tool} got an answer that does not fit its question: {answer:?}"),
        )),
    }
}
