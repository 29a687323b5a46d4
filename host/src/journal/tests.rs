use super::*;
use serde_json::json;

fn args(value: Value) -> Arguments {
    Arguments::from_text(value.to_string())
}

fn journal() -> Journal {
    let raw = |text: &str| ToolOutput::from_raw(RawValue::from_string(text.to_owned()).unwrap());
    Journal {
        seed: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
        tools: vec![RecordedTool {
            namespace: Some("files".into()),
            name: "write".into(),
            input_schema: json!({"type": "object"}),
            output_schema: None,
        }],
        wall_clock: vec![1_765_000_000_000_000_000],
        monotonic_clock: vec![10, 20],
        events: vec![
            Event::Call { id: 1, tool: "files.write".into(), arguments: args(json!({"path": "a"})), outcome: None },
            Event::Call {
                id: 2,
                tool: "files.write".into(),
                arguments: args(json!({"path": "b"})),
                outcome: Some(Outcome::Error { code: "timeout".into(), message: "slow".into(), details: None }),
            },
            Event::Wait { completed: vec![Completed { id: 1, outcome: Outcome::Result(raw(r#"{"ok":true}"#)) }] },
        ],
    }
}

#[test]
fn a_file_reads_back_as_written() {
    let text = journal().to_file();
    assert_eq!(Journal::from_file(&text).unwrap(), journal());
    assert!(text.contains(r#""seed":"0123456789abcdef0011223344556677""#), "{text}");
}

#[test]
fn calls_pair_each_start_with_its_outcome() {
    let journal = journal();
    let calls = journal.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[0].0, calls[0].1.value()), ("files.write", json!({"path": "a"})));
    assert!(calls[0].2.unwrap().is_result());
    assert!(!calls[1].2.unwrap().is_result());
}

#[test]
fn outcomes_become_the_calls_results() {
    let error = Outcome::Error { code: "tool_failed".into(), message: "no".into(), details: None };
    let back = error.to_result().unwrap_err();
    assert_eq!((back.kind, back.message.as_str()), (ToolCallErrorKind::ToolFailed, "no"));
    assert_eq!(Outcome::from(&Err(back)), error);
}

#[test]
fn a_truncated_file_is_refused() {
    let text = journal().to_file();
    let error = Journal::from_file(&text[..text.len() / 2]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Journal);
    assert!(error.to_string().contains("truncated"), "{error}");
}

#[test]
fn an_edited_file_is_refused() {
    let text = journal()
        .to_file()
        .replace(r#"{\"ok\":true}"#, r#"{\"ok\":false}"#)
        .replace(r#"{"ok":true}"#, r#"{"ok":false}"#);
    assert_ne!(text, journal().to_file());
    let error = Journal::from_file(&text).unwrap_err();
    assert!(error.to_string().contains("changed after it was recorded"), "{error}");
}

#[test]
fn other_files_are_refused_naming_why() {
    for (text, expected) in [
        ("hello", "not a codemode journal"),
        ("{}", "no `codemode_journal` version"),
        (r#"{"codemode_journal": 99, "sha256": "", "journal": {}}"#, "journal version 99"),
        (r#"{"codemode_journal": 1}"#, "not a codemode journal"),
    ] {
        let error = Journal::from_file(text).unwrap_err();
        assert!(error.to_string().contains(expected), "{text}: {error}");
    }
}

#[test]
fn arguments_match_as_values_whatever_their_key_order() {
    let text = |t: &str| Arguments::from_text(t.to_owned());
    assert_eq!(text(r#"{"a":1,"b":[2]}"#), text(r#"{"b":[2],"a":1}"#));
    assert_ne!(text(r#"{"a":1}"#), text(r#"{"a":2}"#));
    assert_eq!(text("null").value(), Value::Null);
}
