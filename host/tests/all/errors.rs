//! Failures come back typed, with a message, and with line and column in
//! the source as submitted, whatever the program form.

use crate::support::{failure, run};
use codemode::ProgramErrorKind::{Runtime, Syntax};

/// source, kind, message, line, column
type Case = (&'static str, codemode::ProgramErrorKind, &'static str, Option<u32>, Option<u32>);

const CASES: &[Case] = &[
    // Syntax errors come from the parser that strips TypeScript, before the
    // sandbox starts; they name the token.
    ("let x = ;", Syntax, "Unexpected token \";\"", Some(1), Some(9)),
    ("const a = 1;\nconst b = (;\nreturn a;", Syntax, "Unexpected token \";\"", Some(2), Some(12)),
    (
        "async () => {\n  const x = 1;\n  x.y.z = 2;\n}",
        Runtime,
        "TypeError: cannot set property 'z' of undefined",
        Some(3),
        Some(3),
    ),
    ("const a = 1;\nnull.foo", Runtime, "TypeError: cannot read property 'foo' of null", Some(2), Some(1)),
    ("export default async () => {\n  throw new RangeError('bad');\n};", Runtime, "RangeError: bad", Some(2), Some(13)),
    ("export default {\n  a: ;\n}", Syntax, "Unexpected token \";\"", Some(2), Some(6)),
    ("\n\nundefinedFunction()", Runtime, "ReferenceError: undefinedFunction is not defined", Some(3), Some(1)),
    ("throw null", Runtime, "uncaught null", None, None),
    ("throw 1", Runtime, "uncaught 1", None, None),
    ("throw 'text'", Runtime, "uncaught \"text\"", None, None),
    ("await Promise.reject(undefined)", Runtime, "uncaught undefined", None, None),
    ("throw { toString() { while (true) {} } }", Runtime, "uncaught { toString: [Function: toString] }", None, None),
    ("return 10n", Runtime, "TypeError: BigInt are forbidden in JSON.stringify", None, None),
];

#[tokio::test]
async fn errors_are_typed_and_located() {
    for &(source, kind, message, line, column) in CASES {
        let envelope = run(source).await;
        let (got_kind, got_message) = failure(&envelope);
        assert_eq!((got_kind, got_message), (kind, message), "{source}");
        let error = envelope.error.as_ref().unwrap();
        assert_eq!((error.line, error.column), (line, column), "{source}");
    }
}

#[tokio::test]
async fn stack_traces_point_into_the_submitted_source() {
    let envelope =
        run("function inner() {\n  throw new Error('deep');\n}\nfunction outer() { inner(); }\nouter();").await;
    let stack = envelope.error.as_ref().unwrap().stack.as_deref().unwrap();
    assert!(stack.contains("inner (program.js:2:"), "{stack}");
    assert!(stack.contains("outer (program.js:4:"), "{stack}");
}

#[tokio::test]
async fn a_hostile_thrown_object_ends_quickly() {
    let envelope = run("throw { get message() { while (true) {} }, toString() { while (true) {} } }").await;
    let (kind, _) = failure(&envelope);
    assert_eq!(kind, Runtime);
    // Nothing looped: far less fuel than the budget was used.
    assert!(envelope.receipt.fuel_used < 100_000_000, "{}", envelope.receipt.fuel_used);
}

#[tokio::test]
async fn overwritten_builtins_cannot_break_the_envelope() {
    let source = "JSON.stringify = () => 'hacked'; JSON.parse = () => 1;\n\
                  Object.prototype.extra = 'leak'; Array.prototype.map = null;\n\
                  return { a: [1, 2] };";
    let envelope = run(source).await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(envelope.value, serde_json::json!({ "a": [1, 2] }));
}

#[tokio::test]
async fn a_promise_that_can_never_settle_ends_at_once() {
    let envelope = run("await new Promise(() => {}); return 1").await;
    let (kind, message) = failure(&envelope);
    assert_eq!(kind, Runtime);
    assert!(message.contains("can never settle"), "{message}");
    assert!(envelope.receipt.duration_ms < 10_000.0);
}
