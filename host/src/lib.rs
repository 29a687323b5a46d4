#![doc = include_str!("../../docs/library.md")]

pub mod bridge;
pub mod envelope;
pub mod error;
pub mod limits;
pub mod sandbox;
pub mod tools;

pub use envelope::{Envelope, LogEntry, ProgramError, ProgramErrorKind, Receipt};
pub use error::{Error, ErrorKind};
pub use limits::Limits;
pub use sandbox::{Executor, ExecutorBuilder};
pub use tools::{InProcessTools, ToolCallError, ToolCallErrorKind, ToolOutput, ToolProvider, ToolSpec};
