#![doc = include_str!("../../docs/pausing.md")]

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One question of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Question {
    /// May the program call `tool` with `arguments`?
    Approval {
        /// `namespace.name`, as the program calls it.
        tool: String,
        /// The arguments, as the program passed them (`codemode serve`
        /// masks the server's credentials in what it shows a person).
        arguments: Value,
    },
    /// A prompt for the client's model.
    Model {
        /// What to ask.
        prompt: String,
        /// A system prompt, if the program gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<String>,
        /// The longest answer, in tokens.
        max_tokens: u32,
    },
}

/// The answer to a [`Question`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Answer {
    /// Yes: make the call.
    Accept,
    /// No: the call fails with `declined`.
    Decline,
    /// The person dismissed the question: the call fails with `declined`.
    Cancel,
    /// The model's answer.
    Text(String),
    /// The question could not be answered (the client failed): the call
    /// fails with `unavailable` and this message.
    Failed(String),
}

/// An answer on its way.
pub type AnswerFuture = Pin<Box<dyn Future<Output = Answer> + Send>>;

/// How a question can be answered.
pub enum Asking {
    /// Now, while the program waits.
    Now(AnswerFuture),
    /// Not during this execution: it pauses, and the caller asks.
    Later,
    /// Not at all, for this reason (the call fails with `approval_required`
    /// or `unavailable`).
    Never(String),
}

/// Answers the questions of an execution.
pub trait Asker: Send + Sync {
    /// How `question` will be answered.
    fn ask(&self, question: &Question) -> Asking;
}

/// Approves every call, and cannot ask a model: `codemode run
/// --approve-all`.
pub struct ApproveAll;

impl Asker for ApproveAll {
    fn ask(&self, question: &Question) -> Asking {
        match question {
            Question::Approval { .. } => Asking::Now(Box::pin(async { Answer::Accept })),
            Question::Model { .. } => Asking::Never("codemode run has no model to ask".into()),
        }
    }
}

/// Answers nothing, saying why: calls that need approval fail with
/// `approval_required`, `llm.ask` with `unavailable`, each with `reason`.
pub struct Nobody(pub String);

impl Asker for Nobody {
    fn ask(&self, _question: &Question) -> Asking {
        Asking::Never(self.0.clone())
    }
}
