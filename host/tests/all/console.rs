//! Console output is captured in order, with levels, and rendered like a
//! developer expects.

use crate::support::run;

fn messages(envelope: &codemode::Envelope) -> Vec<(String, String)> {
    envelope.logs.iter().map(|l| (l.level.clone(), l.message.clone())).collect()
}

#[tokio::test]
async fn every_level_is_captured_in_order() {
    let envelope =
        run("console.log('a'); console.info('b'); console.warn('c'); console.error('d'); console.debug('e'); return 1")
            .await;
    let expected: Vec<(String, String)> = [("log", "a"), ("info", "b"), ("warn", "c"), ("error", "d"), ("debug", "e")]
        .iter()
        .map(|(l, m)| (l.to_string(), m.to_string()))
        .collect();
    assert_eq!(messages(&envelope), expected);
}

#[tokio::test]
async fn values_render_as_json_like_text() {
    let cases = [
        ("console.log('n', 1.5, true, null, undefined)", "n 1.5 true null undefined"),
        ("console.log({ a: [1, 'x', { b: null }] })", r#"{ a: [ 1, "x", { b: null } ] }"#),
        ("console.log({ 'two words': 1 })", r#"{ "two words": 1 }"#),
        ("console.log([])", "[]"),
        ("console.log(function named() {})", "[Function: named]"),
        ("const o = { a: 1 }; o.self = o; console.log(o)", "{ a: 1, self: [Circular] }"),
        ("console.log(new TypeError('boom'))", "TypeError: boom"),
        ("console.log(12n)", "12n"),
        ("console.log({ a: { b: { c: { d: { e: 1 } } } } })", "{ a: { b: { c: { d: [Object] } } } }"),
    ];
    for (source, expected) in cases {
        let envelope = run(source).await;
        assert_eq!(envelope.logs.len(), 1, "{source}");
        assert_eq!(envelope.logs[0].message, expected, "{source}");
    }
}

#[tokio::test]
async fn logs_survive_a_failure() {
    let envelope = run("console.log('before'); throw new Error('after')").await;
    assert!(!envelope.ok);
    assert_eq!(messages(&envelope), [("log".to_string(), "before".to_string())]);
}

#[tokio::test]
async fn console_output_does_not_call_program_methods() {
    // A toString that would loop forever must not be called.
    let envelope = run("console.log({ toString() { while (true) {} } }); return 'done'").await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(envelope.logs[0].message, "{ toString: [Function: toString] }");
}

#[tokio::test]
async fn lone_surrogates_become_replacement_characters() {
    // Slicing between the halves of an emoji leaves a lone surrogate.
    let envelope = run("const s = 'ab😀'.slice(0, 3); console.log(s); return { s, [s]: 1 }").await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(envelope.logs[0].message, "ab\u{fffd}");
    assert_eq!(envelope.value, serde_json::json!({ "s": "ab\u{fffd}", "ab\u{fffd}": 1 }));
}
