//! Failures come back typed, with a message, and with line and column in
//! the source as submitted, whatever the program form.

use crate::support::{failure, run};
use codemode::ProgramErrorKind::{Runtime, Syntax};

/// source, kind, name, message, line, column: the message is the error's
/// own, its name a field of its own.
type Case = (&'static str, codemode::ProgramErrorKind, Option<&'static str>, &'static str, Option<u32>, Option<u32>);

const CASES: &[Case] = &[
    // Syntax errors come from the parser that strips TypeScript, before the
    // sandbox starts; they name the token.
    ("let x = ;", Syntax, Some("SyntaxError"), "Unexpected token \";\"", Some(1), Some(9)),
    ("const a = 1;\nconst b = (;\nreturn a;", Syntax, Some("SyntaxError"), "Unexpected token \";\"", Some(2), Some(12)),
    (
        "async () => {\n  const x = 1;\n  x.y.z = 2;\n}",
        Runtime,
        Some("TypeError"),
        "cannot set property 'z' of undefined",
        Some(3),
        Some(3),
    ),
    ("const a = 1;\nnull.foo", Runtime, Some("TypeError"), "cannot read property 'foo' of null", Some(2), Some(1)),
    (
        "export default async () => {\n  throw new RangeError('bad');\n};",
        Runtime,
        Some("RangeError"),
        "bad",
        Some(2),
        Some(13),
    ),
    ("export default {\n  a: ;\n}", Syntax, Some("SyntaxError"), "Unexpected token \";\"", Some(2), Some(6)),
    // What TypeScript leaves to its checker, codemode or the engine reports,
    // at its place in the source as submitted.
    (
        "function <T>(v: T): T { return v }\nreturn 1",
        Syntax,
        Some("SyntaxError"),
        "function name expected",
        Some(1),
        Some(13),
    ),
    (
        "export default 1;\nexport default 2;",
        Syntax,
        Some("SyntaxError"),
        "A module cannot have multiple default exports",
        Some(2),
        Some(1),
    ),
    // What stripping types cannot do without changing the program, it
    // refuses at its place (this one returned undefined when stripped).
    (
        "const f = () => <any>{ a: 1 };\nreturn f()",
        Syntax,
        Some("SyntaxError"),
        "once its type is stripped, this object literal would become the arrow function's block, which returns \
         nothing; write `({ ... }) as T`",
        Some(1),
        Some(17),
    ),
    ("\n\nundefinedFunction()", Runtime, Some("ReferenceError"), "undefinedFunction is not defined", Some(3), Some(1)),
    ("throw new Error()", Runtime, Some("Error"), "", Some(1), Some(11)),
    ("throw null", Runtime, None, "uncaught null", None, None),
    ("throw 1", Runtime, None, "uncaught 1", None, None),
    ("throw 'text'", Runtime, None, "uncaught \"text\"", None, None),
    ("await Promise.reject(undefined)", Runtime, None, "uncaught undefined", None, None),
    (
        "throw { toString() { while (true) {} } }",
        Runtime,
        None,
        "uncaught { toString: [Function: toString] }",
        None,
        None,
    ),
    ("return 10n", Runtime, Some("TypeError"), "BigInt are forbidden in JSON.stringify", None, None),
];

#[tokio::test]
async fn errors_are_typed_and_located() {
    for &(source, kind, name, message, line, column) in CASES {
        let envelope = run(source).await;
        let (got_kind, got_message) = failure(&envelope);
        assert_eq!((got_kind, got_message), (kind, message), "{source}");
        let error = envelope.error.as_ref().unwrap();
        assert_eq!(error.name.as_deref(), name, "{source}");
        assert_eq!((error.line, error.column), (line, column), "{source}");
    }
}

/// A TypeScript program's stack names the file as submitted.
#[tokio::test]
async fn typescript_stacks_name_program_ts() {
    let envelope =
        run("function inner(n: number): never {\n  throw new Error('deep ' + n);\n}\ninner(1 as number);").await;
    let stack = envelope.error.as_ref().unwrap().stack.as_deref().unwrap();
    assert!(stack.contains("inner (program.ts:2:"), "{stack}");
    assert!(!stack.contains("program.js"), "{stack}");
}

/// Durations are milliseconds to the microsecond, without float noise.
#[tokio::test]
async fn durations_are_rounded_to_the_microsecond() {
    for _ in 0..20 {
        let duration = run("return 1").await.receipt.duration_ms;
        let micros = duration * 1e3;
        assert!((micros - micros.round()).abs() < 1e-6, "{duration}");
        assert!(duration.to_string().split('.').nth(1).is_none_or(|fraction| fraction.len() <= 3), "{duration}");
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
