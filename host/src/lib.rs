#![doc = include_str!("../../docs/library.md")]

mod bridge;
pub mod catalog;
pub mod config;
pub mod envelope;
pub mod error;
pub mod limits;
pub mod mcp;
mod sandbox;
pub mod server;
pub mod strip;
pub mod tools;
pub mod typescript;
pub mod upstream;

pub use envelope::{Envelope, LogEntry, ProgramError, ProgramErrorKind, Receipt};
pub use error::{Error, ErrorKind};
pub use limits::Limits;
pub use mcp::McpTools;
pub use sandbox::{Executor, ExecutorBuilder, LogSink};
pub use tools::{InProcessTools, ToolCallError, ToolCallErrorKind, ToolOutput, ToolProvider, ToolSpec};
