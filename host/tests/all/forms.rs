//! The program forms models write, each giving its value.

use crate::support::value;
use codemode::ProgramErrorKind;
use serde_json::json;

#[tokio::test]
async fn script_body_with_await_and_return() {
    assert_eq!(value("const x = await Promise.resolve(20);\nreturn x + 1;").await, json!(21));
}

/// Regular expressions with escapes run in every form, beside division.
#[tokio::test]
async fn regular_expressions_with_escapes_run() {
    let cases = [
        (r##"return ["a1", "b22"].map((s) => s.replace(/\d+/g, "#")).join("/")"##, json!("a#/b#")),
        (
            r#"const s: string = "x/y.z"; if (!/^\w/.test(s)) return 0; return s.split(/[\/.]/).length / 3 / 1"#,
            json!(1),
        ),
        (
            r#"async () => ({ ok: /\s/.test("a b") && /\u0041/.test("A"), n: 6 / 2 / 3 })"#,
            json!({ "ok": true, "n": 1 }),
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(value(source).await, expected, "{source}");
    }
}

/// An overload signature as the body of an `if` is stripped to an empty
/// statement: the next statement still runs after the `if`.
#[tokio::test]
async fn a_type_only_body_leaves_the_next_statement_in_place() {
    assert_eq!(value("if (false) function f(a: string): void\nreturn 4").await, json!(4));
}

#[tokio::test]
async fn async_arrow() {
    assert_eq!(value("async () => {\n  return [1, 2, 3].map((n) => n * 2);\n}").await, json!([2, 4, 6]));
}

#[tokio::test]
async fn async_function_expression() {
    assert_eq!(value("async function main() { return { ok: 'yes' }; }").await, json!({ "ok": "yes" }));
}

#[tokio::test]
async fn a_function_ended_with_a_semicolon_is_still_the_program() {
    let cases = [
        ("async () => {\n  return 5;\n};", json!(5)),
        ("async () => 7; \n", json!(7)),
        ("async function main() { return 6; };", json!(6)),
        ("async (): Promise<number> => {\n  const n: number = 8;\n  return n;\n};", json!(8)),
        ("6 * 7;", json!(42)),
        ("const f = async () => 1;", json!(null)),
    ];
    for (source, expected) in cases {
        assert_eq!(value(source).await, expected, "{source}");
    }
}

#[tokio::test]
async fn comments_after_the_function_leave_it_the_program() {
    let cases = [
        ("async () => {\n  return 1;\n}; // done", json!(1)),
        ("async () => {\n  return 2;\n};\n\n// done\n", json!(2)),
        ("async () => 3; /* done */", json!(3)),
        ("async function main() { return 4 }; // done", json!(4)),
        ("(async () => { return 5 })(); // run it", json!(5)),
        ("async () => 6; // one\n// two\n/* three */", json!(6)),
        ("async (): Promise<number> => 7; // typed", json!(7)),
        ("async () => { return 'a // b'; }; // the string has one too", json!("a // b")),
        // A `//` in a string is no comment: the body form runs it.
        ("const url = 'https://example.com'; // a comment\nreturn url;", json!("https://example.com")),
        ("const f = async () => 1; // kept", json!(null)),
    ];
    for (source, expected) in cases {
        assert_eq!(value(source).await, expected, "{source}");
    }
}

#[tokio::test]
async fn module_with_default_exported_function() {
    let source = "const base = 40;\nexport default async function () {\n  return base + 2;\n}";
    assert_eq!(value(source).await, json!(42));
}

#[tokio::test]
async fn module_with_default_exported_value_and_top_level_await() {
    assert_eq!(value("const v = await Promise.resolve('m');\nexport default v;").await, json!("m"));
}

#[tokio::test]
async fn single_expression() {
    assert_eq!(value("6 * 7").await, json!(42));
}

#[tokio::test]
async fn no_return_is_null() {
    assert_eq!(value("const x = 1;").await, json!(null));
}

/// A program with nothing to run is refused, at its start: an answer of
/// null would hide the caller's mistake.
#[tokio::test]
async fn an_empty_program_is_refused() {
    for source in ["", "  \n\t", "// only a comment\n/* and another */"] {
        let envelope = crate::support::run(source).await;
        let error = envelope.error.as_ref().expect("refused");
        assert_eq!((error.kind, error.line, error.column), (ProgramErrorKind::Syntax, Some(1), Some(1)), "{source:?}");
        assert!(error.message.starts_with("the program is empty"), "{source:?}: {error:?}");
    }
    assert_eq!(value(";").await, json!(null));
}

#[tokio::test]
async fn imports_are_refused_at_their_place_in_every_form() {
    // (program, line, column, the module named)
    let cases: &[(&str, u32, u32, &str)] = &[
        ("import fs from 'fs';\nexport default () => fs;", 1, 1, "\"fs\""),
        ("import { z } from \"zod\";\nconst a = 1;\nreturn a;", 1, 1, "\"zod\""),
        ("const a = 1;\nimport * as path from 'path';\nreturn a;", 2, 1, "\"path\""),
        ("export { x } from './x';", 1, 1, "\"./x\""),
        ("export * from './x';", 1, 1, "\"./x\""),
        ("const m = await import('fs');\nreturn m;", 1, 17, "\"fs\""),
        ("async () => {\n  const m = await import(\"os\");\n}", 2, 19, "\"os\""),
        ("const name = 'os';\nconst m = await import(name);", 2, 17, "a module"),
        ("const fs = require('fs');\nreturn fs.readFileSync('/etc/passwd');", 1, 12, "\"fs\""),
        ("import type { T } from './t';\nconst r = require(\"x\");", 2, 11, "\"x\""),
    ];
    for &(source, line, column, module) in cases {
        let envelope = crate::support::run(source).await;
        let error = envelope.error.unwrap_or_else(|| panic!("{source}: not refused"));
        assert_eq!(error.kind, ProgramErrorKind::Syntax, "{source}");
        assert_eq!((error.line, error.column), (Some(line), Some(column)), "{source}");
        let named = format!("imports are not available: a program cannot import {module}, or anything else.");
        assert!(error.message.starts_with(&named), "{}", error.message);
        assert!(error.message.contains("setTimeout") && error.message.contains("URL"), "{}", error.message);
        assert_eq!(envelope.receipt.tool_calls, 0);
    }
}

#[tokio::test]
async fn every_global_a_refused_import_is_told_of_exists() {
    let envelope = crate::support::run("import fs from 'fs';").await;
    let message = envelope.error.unwrap().message;
    let (_, globals) = message.split_once("the globals are ").unwrap_or_else(|| panic!("{message}"));
    let globals: Vec<&str> = globals.trim_end_matches(". Remove the import.").split(", ").collect();
    for name in ["llm", "ToolError", "atob", "btoa", "structuredClone", "console"] {
        assert!(globals.contains(&name), "{name}: {message}");
    }
    // As `codemode run` and `serve` run programs: with someone to ask, which `llm` needs.
    let asker = std::sync::Arc::new(codemode::input::Nobody("no model here".into()));
    let options = codemode::ExecuteOptions::new().with_asker(asker);
    for name in globals {
        let source = format!("return typeof {name}");
        let tools = std::sync::Arc::new(codemode::InProcessTools::new());
        let envelope = crate::support::executor().execute(&source, tools, &options).await.unwrap();
        assert_ne!(envelope.value, json!("undefined"), "{name}: {:?}", envelope.error);
    }
}

#[tokio::test]
async fn what_only_looks_like_an_import_runs() {
    for (source, expected) in [
        ("import type { T } from './t';\nconst t: T = 1 as T;\nreturn t;", json!(1)),
        ("const require = (name) => name.length;\nreturn require('fs');", json!(2)),
        ("const text = \"import x from 'y'\";\nreturn text;", json!("import x from 'y'")),
    ] {
        assert_eq!(value(source).await, expected, "{source}");
    }
}

#[tokio::test]
async fn key_order_of_the_value_is_kept() {
    let v = value("return { zebra: 1, apple: 2, mango: 3 }").await;
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["zebra", "apple", "mango"]);
}
