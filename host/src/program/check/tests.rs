//! Program -> findings, one line per rule, against a small API.

use std::sync::Arc;

use serde_json::json;

use super::{Api, check};
use crate::program::parse::{parse_with, position};
use crate::tools::ToolSpec;

fn api() -> Api {
    let tool = |name: &str, schema: serde_json::Value| {
        let mut spec = ToolSpec::new(Some("demo"), name);
        spec.input_schema = schema;
        spec
    };
    let specs = vec![
        tool("get_today", json!({ "type": "object", "properties": {} })),
        tool(
            "list_orders",
            json!({
                "type": "object",
                "properties": {
                    "region": { "anyOf": [{ "$ref": "#/$defs/Region" }, { "type": "null" }] },
                    "limit": { "type": ["integer", "null"], "minimum": 1 },
                    "from": { "type": "string", "format": "date" },
                    "customer_ids": { "type": "array", "items": { "type": "string" } },
                    "desc": { "type": "boolean" }
                },
                "$defs": { "Region": { "enum": ["EU", "US", "APAC", "LATAM"] } }
            }),
        ),
        tool(
            "create_issue",
            json!({
                "type": "object",
                "properties": { "owner": { "type": "string" }, "repo": { "type": "string" }, "title": { "type": "string" } },
                "required": ["owner", "repo", "title"],
                "additionalProperties": false
            }),
        ),
        tool("open_tool", json!({ "type": "object", "properties": { "a": {} }, "additionalProperties": true })),
        tool("either", json!({ "anyOf": [{ "type": "object" }, { "type": "null" }] })),
        // A server that is unavailable: its tools are unknown.
        ToolSpec::new(Some("down"), ""),
        // A schema that is not valid JSON Schema: the server judges.
        {
            let mut spec = ToolSpec::new(Some("odd"), "tool");
            spec.input_schema = json!({ "type": "object", "properties": { "x": { "type": 12 }, "y": { "type": [] } } });
            spec
        },
    ];
    Api::new(Arc::from(specs))
}

/// `line:column message` of each finding in `source`.
fn findings(source: &str) -> Vec<String> {
    let api = api();
    parse_with(source, |parsed| check(parsed, &api))
        .expect("parses")
        .into_iter()
        .map(|finding| {
            let (line, column, _) = position(source, finding.at);
            format!("{line}:{column} {}", finding.message)
        })
        .collect()
}

#[test]
fn calls_to_findings() {
    let none: &[&str] = &[];
    let cases: &[(&str, &[&str])] = &[
        ("return await demo.get_today()", none),
        ("return await down.anything({ x: 1 })", none),
        ("return await odd.tool({ x: 1, y: 'a' })", none),
        ("return await demo.get_todya()", &["1:19 demo.get_todya is not a tool; did you mean demo.get_today?"]),
        (
            "await demo.delete_everything()",
            &[
                "1:12 demo.delete_everything is not a tool; demo has create_issue, either, get_today, list_orders, open_tool",
            ],
        ),
        (
            "await demo.list_orders({ regoin: 'EU' })",
            &[r#"1:26 demo.list_orders has no argument "regoin"; did you mean "region"?"#],
        ),
        (
            "await demo.list_orders({ 'regoin': 'EU' })",
            &[r#"1:26 demo.list_orders has no argument "regoin"; did you mean "region"?"#],
        ),
        (
            "await demo.list_orders({ zzz: 1 })",
            &[
                r#"1:26 demo.list_orders has no argument "zzz"; it takes "region", "limit", "from", "customer_ids", "desc""#,
            ],
        ),
        (
            "await demo.list_orders({ region: 'Europe' })",
            &[
                r#"1:34 demo.list_orders: argument "region" must be "EU" | "US" | "APAC" | "LATAM" | null, not the string "Europe""#,
            ],
        ),
        (
            "await demo.list_orders({ region: `Mars` })",
            &[
                r#"1:34 demo.list_orders: argument "region" must be "EU" | "US" | "APAC" | "LATAM" | null, not the string "Mars""#,
            ],
        ),
        ("await demo.list_orders({ region: 'EU', limit: 5, from: '2025-01-01', desc: true })", none),
        ("await demo.list_orders({ region: null, limit: null })", none),
        (
            "await demo.list_orders({ limit: '5' })",
            &[r#"1:33 demo.list_orders: argument "limit" must be number | null, not the string "5""#],
        ),
        (
            "await demo.list_orders({ from: -1 })",
            &[r#"1:32 demo.list_orders: argument "from" must be string, not the number -1"#],
        ),
        (
            "await demo.list_orders({ desc: 'yes' })",
            &[r#"1:32 demo.list_orders: argument "desc" must be boolean, not the string "yes""#],
        ),
        (
            "await demo.list_orders({ customer_ids: 'c001' })",
            &[r#"1:40 demo.list_orders: argument "customer_ids" must be string[], not the string "c001""#],
        ),
        ("await demo.create_issue({ owner: 'a', repo: 'b' })", &[r#"1:25 demo.create_issue needs "title""#]),
        ("await demo.create_issue()", &[r#"1:25 demo.create_issue needs its arguments: "owner", "repo", "title""#]),
        ("await demo.open_tool({ anything: 1 })", none),
        ("await demo.either({ anything: 1 })", none),
        ("await demo?.get_todya()", &["1:13 demo.get_todya is not a tool; did you mean demo.get_today?"]),
        ("return await (demo.get_todya)()", &["1:20 demo.get_todya is not a tool; did you mean demo.get_today?"]),
        // Two findings in one program.
        (
            "await demo.nope();\nawait demo.list_orders({ regoin: 1 });",
            &[
                "1:12 demo.nope is not a tool; demo has create_issue, either, get_today, list_orders, open_tool",
                r#"2:26 demo.list_orders has no argument "regoin"; did you mean "region"?"#,
            ],
        ),
        // Not guarded: a `finally` alone handles nothing, nor does a catch
        // around something else.
        (
            "try { await demo.nope() } finally { }",
            &["1:18 demo.nope is not a tool; demo has create_issue, either, get_today, list_orders, open_tool"],
        ),
        (
            "try { f() } catch { }\nawait demo.nope()",
            &["2:12 demo.nope is not a tool; demo has create_issue, either, get_today, list_orders, open_tool"],
        ),
        (
            "await Promise.all([demo.nope()])",
            &["1:25 demo.nope is not a tool; demo has create_issue, either, get_today, list_orders, open_tool"],
        ),
        // Every form, and TypeScript, keeps its positions.
        ("async () => await demo.get_todya()", &["1:24 demo.get_todya is not a tool; did you mean demo.get_today?"]),
        (
            "export default async () => demo.get_todya();",
            &["1:33 demo.get_todya is not a tool; did you mean demo.get_today?"],
        ),
        (
            "const d: string = (await demo.get_todya()).today;",
            &["1:31 demo.get_todya is not a tool; did you mean demo.get_today?"],
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(findings(source), *expected, "{source}");
    }
}

/// What cannot be known without running the program is never rejected.
#[test]
fn dynamic_calls_pass() {
    let cases = [
        "const name = 'get_todya'; await demo[name]()",
        "await demo['get_todya']()",
        "const args = { regoin: 1 }; await demo.list_orders(args)",
        "const base = { owner: 'a' }; await demo.create_issue({ ...base, repo: 'b', title: 'c' })",
        "const d = demo; await d.get_todya()",
        "const { get_todya } = demo;",
        "const demo = { nope() {} }; demo.nope()",
        "function f(demo) { return demo.nope(); }",
        "{ let demo = { nope() {} }; demo.nope(); }",
        "demo = { nope() {} }; demo.nope()",
        "with (scope) { demo.nope() }",
        "eval('var demo = {}'); demo.nope()",
        "({ demo } = scope); demo.nope()",
        "for (demo of [scope]) demo.nope()",
        "function later() { let demo = 1 } await demo.nope()",
        "await demo.list_orders({ region: pick() })",
        "await demo.list_orders({ [key]: 'EU' })",
        "await other.thing({ x: 1 })",
        "await globalThis.demo.nope()",
        // Guarded calls: the program expects them to fail.
        "try { await demo.nope() } catch (e) { return e.code }",
        "try { await demo.list_orders({ region: 'Mars' }) } catch { }",
        "await demo.list_orders({ region: 'Mars' }).catch(() => null)",
        "await demo.nope().then((x) => x, (e) => e.code)",
        "await Promise.allSettled([demo.nope(), demo.create_issue({})])",
    ];
    for source in cases {
        assert_eq!(findings(source), Vec::<String>::new(), "{source}");
    }
}

#[test]
fn no_namespaces_no_check() {
    let api = Api::default();
    let found = parse_with("await demo.nope()", |parsed| check(parsed, &api)).unwrap();
    assert!(found.is_empty());
}
