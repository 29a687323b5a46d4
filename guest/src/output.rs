//! Events leave the guest as JSON lines on stdout: any number of `log`
//! events while the program runs, then exactly one `result` or `error`.
//!
//! The host parses, counts and bounds these lines; this module only writes
//! them. A write that fails means the host has stopped listening (for
//! example because the output cap was hit), so the instance aborts.

use serde_json::{Map, Value, json};
use std::io::Write;

/// Writes one event as a single line.
fn emit(event: &Value) {
    let mut line = serde_json::to_vec(event).expect("a serde_json::Value always serializes");
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    if out.write_all(&line).and_then(|()| out.flush()).is_err() {
        core::arch::wasm32::unreachable();
    }
}

/// A console message.
pub fn log(level: &str, message: &str) {
    emit(&json!({ "type": "log", "level": level, "message": message }));
}

/// The program's value, already truncated to the output limit.
/// `program_ns` (in this and `error`) is the time from the start of the
/// program's compilation to this event.
pub fn result(value: Value, truncated: bool, program_ns: u64) {
    emit(&json!({ "type": "result", "value": value, "truncated": truncated, "program_ns": program_ns }));
}

/// Why the program failed. `fields` is an object with the error's details
/// (`kind`, `message`, and where known `name`, `line`, `column`, `stack`,
/// ...).
pub fn error(fields: Value, program_ns: u64) {
    let mut event = Map::new();
    event.insert("type".into(), Value::from("error"));
    if let Value::Object(fields) = fields {
        event.extend(fields);
    }
    event.insert("program_ns".into(), Value::from(program_ns));
    emit(&Value::Object(event));
}
