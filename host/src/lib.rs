#![doc = include_str!("../../docs/library.md")]

pub mod catalog;
pub mod config;
pub mod declarations;
mod dirs;
pub mod envelope;
pub mod error;
mod executor;
pub mod input;
pub mod journal;
pub mod limits;
pub mod mcp_tools;
pub mod program;
pub mod sandbox;
pub mod server;
pub mod shapes;
pub mod tools;
pub mod upstream;

pub use envelope::{Envelope, LogEntry, LogSink, ProgramError, ProgramErrorKind, Receipt};
pub use error::{Error, ErrorKind};
pub use executor::{ExecuteOptions, Executor, ExecutorBuilder};
pub use limits::Limits;
pub use mcp_tools::McpTools;
pub use tools::{InProcessTools, ToolCallError, ToolCallErrorKind, ToolOutput, ToolProvider, ToolSpec};
