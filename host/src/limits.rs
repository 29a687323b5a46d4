//! The limits of one execution, with their documented defaults.
//!
//! Every limit holds against a hostile program: the engine enforces CPU
//! (fuel), memory and the deadline; the host enforces tool calls and output.
//! [`Limits::validate`] is the one place their valid ranges are checked; the
//! executor calls it before building a sandbox and before every execution.

use std::time::Duration;

use crate::error::Error;
use crate::sandbox::format_bytes;

/// Limits of one execution. [`Limits::default`] gives the documented
/// defaults; every field may be changed within the range its documentation
/// gives ([`Limits::validate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// CPU budget in fuel units (about one WebAssembly instruction each).
    /// Exhausting it ends the program with kind `cpu`. Default: 100 billion,
    /// 5 to 10 s of busy JavaScript on a current x86-64 core (an empty loop
    /// burns 10 to 20 billion a second, depending on the core). At least [`Limits::MIN_FUEL`].
    pub fuel: u64,
    /// Linear memory of the sandbox, in bytes; the JavaScript heap gets this
    /// less a reserve for the engine itself. Exceeding it ends the program
    /// with kind `memory`. Default: 64 MiB. Between [`Limits::MIN_MEMORY`]
    /// and [`Limits::MAX_MEMORY`], and not above the executor's
    /// [`crate::ExecutorBuilder::max_memory`].
    pub memory: u64,
    /// Wall-clock deadline of the whole execution, tool calls included.
    /// Default: 30 s. Positive, at most [`Limits::MAX_TIMEOUT`].
    pub timeout: Duration,
    /// Tool calls one execution may make; further calls fail with
    /// `ToolError.code == "quota_exceeded"` (0 allows none). Default: 500.
    pub max_tool_calls: u32,
    /// Tool calls in flight at once; more wait their turn. Default: 16.
    /// At least 1.
    pub max_concurrent_calls: u32,
    /// Questions one execution may ask the client's model (`llm.ask`);
    /// further ones fail with `quota_exceeded` (0 allows none). Default: 10.
    pub max_llm_calls: u32,
    /// Bytes of output: the serialized value (larger values are truncated
    /// structurally and flagged) and, separately, the console output (more
    /// ends the program with kind `output`). Default: 128 KiB. At least
    /// [`Limits::MIN_OUTPUT`].
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
    /// Default [`Limits::max_llm_calls`].
    pub const DEFAULT_MAX_LLM_CALLS: u32 = 10;
    /// Default output cap in bytes.
    pub const DEFAULT_OUTPUT: u32 = 128 << 10;
    /// The smallest output cap: room for a truncated value's summary.
    pub const MIN_OUTPUT: u32 = 1024;
    /// Memory kept back from the JavaScript heap for the engine's own
    /// bookkeeping, so that running out of heap is a clean `memory` error
    /// rather than a trap in the middle of the engine.
    pub const ENGINE_RESERVE: u64 = 4 << 20;
    /// The smallest memory limit: the engine's reserve, and as much again
    /// for the JavaScript heap.
    pub const MIN_MEMORY: u64 = 2 * Self::ENGINE_RESERVE;
    /// The largest memory limit: all a 32-bit WebAssembly memory can
    /// address (the guest is wasm32; each pool slot reserves this much
    /// address space).
    pub const MAX_MEMORY: u64 = 4 << 30;
    /// The smallest CPU budget: starting the guest and running
    /// `return 1 + 1` take about 110,000 fuel (less than that fails while the
    /// sandbox starts); this leaves room for a small program on top.
    pub const MIN_FUEL: u64 = 1_000_000;
    /// The longest deadline: a day. Longer is certainly a mistake, and would
    /// overflow clock arithmetic near `Duration::MAX`.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

    /// Checks every limit against its documented range.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLimits`] for the first limit out of range;
    /// [`Error::limit`] names its field (`"fuel"`, `"memory"`, ...), and the
    /// message gives the valid range.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field: &'static str, message: String| Err(Error::invalid_limit(field, message));
        if self.fuel < Self::MIN_FUEL {
            return invalid("fuel", format!("fuel must be at least {} (got {})", Self::MIN_FUEL, self.fuel));
        }
        if !(Self::MIN_MEMORY..=Self::MAX_MEMORY).contains(&self.memory) || usize::try_from(self.memory).is_err() {
            let (min, max) = (format_bytes(Self::MIN_MEMORY), format_bytes(Self::MAX_MEMORY));
            return invalid(
                "memory",
                format!("memory must be between {min} and {max} (got {})", format_bytes(self.memory)),
            );
        }
        if self.timeout.is_zero() || self.timeout > Self::MAX_TIMEOUT {
            let got = match self.timeout.subsec_nanos() % 1_000_000 {
                0 => format!("{} ms", self.timeout.as_millis()),
                _ => format!("{:?}", self.timeout),
            };
            return invalid("timeout", format!("the timeout must be between 1 ms and 24 h (got {got})"));
        }
        if self.max_concurrent_calls == 0 {
            return invalid("max_concurrent_calls", "the concurrent tool calls must be at least 1 (got 0)".into());
        }
        if self.output < Self::MIN_OUTPUT {
            let message = format!("the output limit must be at least {} bytes (got {})", Self::MIN_OUTPUT, self.output);
            return invalid("output", message);
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: Self::DEFAULT_FUEL,
            memory: Self::DEFAULT_MEMORY,
            timeout: Self::DEFAULT_TIMEOUT,
            max_tool_calls: Self::DEFAULT_MAX_TOOL_CALLS,
            max_llm_calls: Self::DEFAULT_MAX_LLM_CALLS,
            max_concurrent_calls: Self::DEFAULT_MAX_CONCURRENT_CALLS,
            output: Self::DEFAULT_OUTPUT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// `test_name: a change to the defaults => the field refused (None: valid);`
    macro_rules! validate {
        ($($name:ident: |$limits:ident| $change:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                let mut $limits = Limits::default();
                $change;
                let got = $limits.validate();
                assert_eq!(got.as_ref().err().and_then(Error::limit), $want, "{got:?}");
                if let Err(error) = got {
                    assert_eq!(error.kind(), ErrorKind::InvalidLimits);
                }
            }
        )*};
    }

    validate! {
        defaults: |l| l.fuel = Limits::DEFAULT_FUEL => None;
        fuel_zero: |l| l.fuel = 0 => Some("fuel");
        fuel_below_minimum: |l| l.fuel = Limits::MIN_FUEL - 1 => Some("fuel");
        fuel_minimum: |l| l.fuel = Limits::MIN_FUEL => None;
        fuel_maximum: |l| l.fuel = u64::MAX => None;
        memory_below_minimum: |l| l.memory = Limits::MIN_MEMORY - 1 => Some("memory");
        memory_minimum: |l| l.memory = Limits::MIN_MEMORY => None;
        memory_maximum: |l| l.memory = Limits::MAX_MEMORY => None;
        memory_above_maximum: |l| l.memory = Limits::MAX_MEMORY + 1 => Some("memory");
        memory_huge: |l| l.memory = u64::MAX => Some("memory");
        timeout_zero: |l| l.timeout = Duration::ZERO => Some("timeout");
        timeout_one_ns: |l| l.timeout = Duration::from_nanos(1) => None;
        timeout_maximum: |l| l.timeout = Limits::MAX_TIMEOUT => None;
        timeout_above_maximum: |l| l.timeout = Limits::MAX_TIMEOUT + Duration::from_millis(1) => Some("timeout");
        timeout_max_duration: |l| l.timeout = Duration::MAX => Some("timeout");
        no_tool_calls: |l| l.max_tool_calls = 0 => None;
        concurrent_calls_zero: |l| l.max_concurrent_calls = 0 => Some("max_concurrent_calls");
        concurrent_calls_one: |l| l.max_concurrent_calls = 1 => None;
        output_below_minimum: |l| l.output = Limits::MIN_OUTPUT - 1 => Some("output");
        output_minimum: |l| l.output = Limits::MIN_OUTPUT => None;
    }

    #[test]
    fn messages_give_the_valid_range_and_the_value() {
        let limits = Limits { memory: 100_000 << 20, ..Limits::default() };
        let error = limits.validate().unwrap_err();
        assert_eq!(error.to_string(), "memory must be between 8 MiB and 4096 MiB (got 100000 MiB)");
        let limits = Limits { timeout: Duration::ZERO, ..Limits::default() };
        let error = limits.validate().unwrap_err();
        assert_eq!(error.to_string(), "the timeout must be between 1 ms and 24 h (got 0 ms)");
    }
}
