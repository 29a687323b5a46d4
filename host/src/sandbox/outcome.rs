//! Turns how an execution ended (the guest's final event, or the trap or
//! deadline that stopped it) into the envelope's `value` or `error`.
//!
//! The guest's own account is used when it gave one; otherwise the cause is
//! read from the engine: fuel, the deadline, stack, the memory limiter and the
//! output capture each map to their error kind.

use super::asking::Paused;
use super::capture::{Captured, Final};
use super::tape::Diverged;
use crate::envelope::{ProgramError, ProgramErrorKind};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use serde_json::Value;
use wasmtime::Trap;

/// How the guest call ended.
pub enum Ending {
    /// `run` returned.
    Returned,
    /// `run` trapped (or its host calls failed).
    Trapped(wasmtime::Error),
    /// The deadline passed while the guest waited on the host.
    TimedOut,
}

/// What the execution produced: a value (and whether it was truncated) or
/// a program error.
pub type Produced = Result<(Value, bool), ProgramError>;

/// Decides what the execution produced. `memory_hit` tells whether the
/// memory limiter refused growth; `stderr` is what the guest printed there.
pub fn decide(
    ending: Ending,
    captured: &mut Captured,
    memory_hit: bool,
    stderr: &[u8],
    limits: &Limits,
) -> Result<Produced, Error> {
    if let Some(malformed) = captured.malformed.take() {
        return Err(Error::new(ErrorKind::Internal, malformed));
    }
    if captured.overflowed {
        let message = format!("the program printed more than the output limit of {}", bytes(limits.output.into()));
        return Ok(Err(ProgramError::new(ProgramErrorKind::Output, message)));
    }
    match std::mem::take(&mut captured.last) {
        Final::Value { value, truncated } => return Ok(Ok((value, truncated))),
        Final::Error(fields) => {
            let mut error: ProgramError = serde_json::from_value(Value::Object(fields))
                .map_err(|e| Error::new(ErrorKind::Internal, format!("the guest described an error badly: {e}")))?;
            if error.kind == ProgramErrorKind::Memory {
                error.message.push_str(&memory_hint(limits));
            }
            return Ok(Err(error));
        }
        Final::Missing => {}
    }
    let (kind, message) = match ending {
        Ending::TimedOut => (ProgramErrorKind::Timeout, timeout_message(limits)),
        Ending::Returned => {
            return Err(Error::new(ErrorKind::Internal, "the guest returned without a final event"));
        }
        Ending::Trapped(ref error) if let Some(diverged) = error.downcast_ref::<Diverged>() => {
            (ProgramErrorKind::ReplayDiverged, diverged.to_string())
        }
        Ending::Trapped(ref error) if let Some(paused) = error.downcast_ref::<Paused>() => {
            (ProgramErrorKind::InputRequired, paused.to_string())
        }
        Ending::Trapped(error) => match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => {
                (ProgramErrorKind::Cpu, format!("the program used up its CPU budget of {} fuel", limits.fuel))
            }
            // The guest's shadow stack sits first in linear memory, so it
            // can only overflow by faulting below address 0: an
            // out-of-bounds access is always that (see guest/build.rs).
            Some(Trap::StackOverflow | Trap::MemoryOutOfBounds) => (ProgramErrorKind::Stack, STACK_MESSAGE.into()),
            _ if memory_hit => (ProgramErrorKind::Memory, format!("out of memory{}", memory_hint(limits))),
            _ => {
                let stderr = String::from_utf8_lossy(stderr);
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!(
                        "the sandbox trapped: {error:#}{}{}",
                        if stderr.is_empty() { "" } else { "; guest said: " },
                        stderr.trim()
                    ),
                ));
            }
        },
    };
    Ok(Err(ProgramError::new(kind, message)))
}

fn timeout_message(limits: &Limits) -> String {
    format!("the program did not finish within its {:?} deadline", limits.timeout)
}

fn memory_hint(limits: &Limits) -> String {
    format!(" (the memory limit is {})", bytes(limits.memory))
}

const STACK_MESSAGE: &str = "stack overflow: the program recursed too deeply (or built a value nested too deeply)";

/// `n` bytes for humans: `64 MiB`, `128 KiB`, `900 bytes`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}
