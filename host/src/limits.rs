//! The limits of one execution, with their documented defaults.
//!
//! Every limit holds against a hostile program: the engine enforces CPU
//! (fuel), memory and the deadline; the host enforces tool calls and output.

use std::time::Duration;

/// Limits of one execution. [`Limits::default`] gives the documented
/// defaults; every field may be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// CPU budget in fuel units (about one WebAssembly instruction each).
    /// Exhausting it ends the program with kind `cpu`. Default: 100 billion,
    /// about 5 s of busy JavaScript on a current x86-64 core (an empty loop
    /// burns about 20 billion a second).
    pub fuel: u64,
    /// Linear memory of the sandbox, in bytes; the JavaScript heap gets this
    /// less a reserve for the engine itself. Exceeding it ends the program
    /// with kind `memory`. Default: 64 MiB. May not exceed the executor's
    /// [`crate::ExecutorBuilder::max_memory`].
    pub memory: u64,
    /// Wall-clock deadline of the whole execution, tool calls included.
    /// Default: 30 s.
    pub timeout: Duration,
    /// Tool calls one execution may make; further calls fail with
    /// `ToolError.code == "quota_exceeded"`. Default: 500.
    pub max_tool_calls: u32,
    /// Tool calls in flight at once; more wait their turn. Default: 16.
    pub max_concurrent_calls: u32,
    /// Bytes of output: the serialized value (larger values are truncated
    /// structurally and flagged) and, separately, the console output (more
    /// ends the program with kind `output`). Default: 128 KiB.
    pub output: u32,
}

impl Limits {
    /// Default CPU budget in fuel units.
    pub const DEFAULT_FUEL: u64 = 100_000_000_000;
    /// Default memory limit in bytes.
    pub const DEFAULT_MEMORY: u64 = 64 << 20;
    /// Default deadline.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default tool-call quota.
    pub const DEFAULT_MAX_TOOL_CALLS: u32 = 500;
    /// Default cap on concurrent tool calls.
    pub const DEFAULT_MAX_CONCURRENT_CALLS: u32 = 16;
    /// Default output cap in bytes.
    pub const DEFAULT_OUTPUT: u32 = 128 << 10;
    /// The smallest output cap: room for a truncated value's summary.
    pub const MIN_OUTPUT: u32 = 1024;
    /// Memory kept back from the JavaScript heap for the engine's own
    /// bookkeeping, so that running out of heap is a clean `memory` error
    /// rather than a trap in the middle of the engine.
    pub const ENGINE_RESERVE: u64 = 4 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: Self::DEFAULT_FUEL,
            memory: Self::DEFAULT_MEMORY,
            timeout: Self::DEFAULT_TIMEOUT,
            max_tool_calls: Self::DEFAULT_MAX_TOOL_CALLS,
            max_concurrent_calls: Self::DEFAULT_MAX_CONCURRENT_CALLS,
            output: Self::DEFAULT_OUTPUT,
        }
    }
}
