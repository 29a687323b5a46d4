//! The compact text rendering of an envelope, for clients that show a model
//! only a tool result's text: the console lines, then the value as compact
//! JSON or the error with its location, and a failure's resume token. The
//! structured envelope carries the rest (receipt, error fields); this text
//! never adds anything it lacks.

use std::fmt::Write;

use crate::envelope::{Envelope, ProgramError};

/// `envelope` as text.
pub fn envelope(envelope: &Envelope) -> String {
    let mut out = String::new();
    for log in &envelope.logs {
        let _ = writeln!(out, "[console.{}] {}", log.level, log.message);
    }
    match &envelope.error {
        None => {
            out.push_str(&envelope.value.to_string());
            if envelope.truncated {
                out.push_str("\n(the value was truncated to fit the output limit)");
            }
        }
        Some(error) => out.push_str(&program_error(error)),
    }
    if let Some(token) = &envelope.resume {
        let _ = write!(
            out,
            "\nresume: {token}\n(pass it as execute's `resume` with the corrected program: the calls already made are \
             answered from their record)"
        );
    }
    out
}

/// One error: `runtime error at line 3, column 7: TypeError: message`, then
/// the tool's code and details or the stack.
fn program_error(error: &ProgramError) -> String {
    let kind = serde_json::to_value(error.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let mut out = format!("{kind} error");
    if let (Some(server), Some(tool)) = (&error.server, &error.tool) {
        let _ = write!(out, " in {server}.{tool}");
    } else if let Some(tool) = &error.tool {
        let _ = write!(out, " in {tool}");
    }
    match (error.line, error.column) {
        (Some(line), Some(column)) => {
            let _ = write!(out, " at line {line}, column {column}");
        }
        (Some(line), None) => {
            let _ = write!(out, " at line {line}");
        }
        _ => {}
    }
    out.push_str(": ");
    match &error.name {
        Some(name) if !error.message.starts_with(name.as_str()) => {
            let _ = write!(out, "{name}: {}", error.message);
        }
        _ => out.push_str(&error.message),
    }
    if let Some(code) = &error.code {
        let _ = write!(out, " (code {code})");
    }
    if let Some(details) = &error.details {
        let _ = write!(out, "\ndetails: {details}");
    }
    if let Some(stack) = error.stack.as_deref().filter(|stack| !stack.trim().is_empty()) {
        let _ = write!(out, "\n{}", stack.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::envelope::{Envelope, LogEntry, ProgramError, ProgramErrorKind, Receipt};

    fn envelope(value: serde_json::Value, error: Option<ProgramError>, logs: &[(&str, &str)]) -> Envelope {
        Envelope {
            ok: error.is_none(),
            value,
            truncated: false,
            error,
            logs: logs.iter().map(|(l, m)| LogEntry { level: (*l).into(), message: (*m).into() }).collect(),
            receipt: Receipt { duration_ms: 1.0, fuel_used: 1, peak_memory_bytes: 1, tool_calls: 0, replayed_calls: 0 },
            resume: None,
            journal: None,
            questions: Vec::new(),
        }
    }

    #[test]
    fn value_is_compact_json_after_the_logs() {
        let text = super::envelope(&envelope(json!({"a": [1, 2]}), None, &[("log", "hi"), ("warn", "careful")]));
        assert_eq!(text, "[console.log] hi\n[console.warn] careful\n{\"a\":[1,2]}");
    }

    #[test]
    fn truncation_is_said() {
        let mut e = envelope(json!("x"), None, &[]);
        e.truncated = true;
        assert_eq!(super::envelope(&e), "\"x\"\n(the value was truncated to fit the output limit)");
    }

    #[test]
    fn runtime_error_has_its_location_name_and_stack() {
        let mut error = ProgramError::new(ProgramErrorKind::Runtime, "x is not defined");
        (error.name, error.line, error.column) = (Some("ReferenceError".into()), Some(3), Some(7));
        error.stack = Some("    at <anonymous> (program.js:3:7)\n".into());
        let text = super::envelope(&envelope(json!(null), Some(error), &[]));
        assert_eq!(
            text,
            "runtime error at line 3, column 7: ReferenceError: x is not defined\n    at <anonymous> (program.js:3:7)"
        );
    }

    #[test]
    fn tool_error_names_the_tool_code_and_details() {
        let mut error = ProgramError::new(ProgramErrorKind::Tool, "no such order");
        (error.server, error.tool, error.code) =
            (Some("shop".into()), Some("get_order".into()), Some("tool_failed".into()));
        error.details = Some(json!({"id": 7}));
        let text = super::envelope(&envelope(json!(null), Some(error), &[]));
        assert_eq!(text, "tool error in shop.get_order: no such order (code tool_failed)\ndetails: {\"id\":7}");
    }

    #[test]
    fn a_resume_token_is_shown_with_what_it_is_for() {
        let mut e = envelope(json!(null), Some(ProgramError::new(ProgramErrorKind::Runtime, "typo")), &[]);
        e.resume = Some("cm1.abc".into());
        let text = super::envelope(&e);
        assert!(text.starts_with("runtime error: typo\nresume: cm1.abc\n(pass it as execute's `resume`"), "{text}");
    }

    #[test]
    fn timeout_without_location() {
        let error = ProgramError::new(ProgramErrorKind::Timeout, "the program ran past its 30 s deadline");
        let text = super::envelope(&envelope(json!(null), Some(error), &[]));
        assert_eq!(text, "timeout error: the program ran past its 30 s deadline");
    }
}
