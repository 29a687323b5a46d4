//! The web-standard globals, held to what V8 (Node 20) answers: every case
//! of `tests/fixtures/globals/*.json` runs as a program and its value must
//! be the case's `expected` (written down from Node by `gen_expected.mjs`
//! there; where Node 20 differs from the standard the case says so and keeps
//! the standard's answer).

use serde_json::Value;

use crate::support::run;

/// A case's code as a program that returns its value as the tables record
/// it: `{ "$undefined": true }` for undefined, `{ "throws": NAME }` for a
/// throw. `js` is an expression, or else the body of an async function.
fn program(js: &str) -> String {
    let js = serde_json::to_string(js).unwrap();
    format!(
        r#"const source = {js};
const toJSONValue = (v) => v === undefined ? {{ $undefined: true }}
  : JSON.parse(JSON.stringify(v, (k, x) => x === undefined ? {{ $undefined: true }} : x));
let fn;
try {{ fn = new Function("return (async () => (" + source + "\n))();"); }}
catch {{ fn = new Function("return (async () => {{" + source + "\n}})();"); }}
try {{ return toJSONValue(await fn()); }}
catch (e) {{ let name; try {{ name = e && e.name; }} catch {{}} return {{ throws: typeof name === "string" ? name : String(e) }}; }}"#
    )
}

/// Whether two JSON values are equal, object keys in any order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same(v, w)),
        (a, b) => a == b,
    }
}

#[tokio::test]
async fn every_global_answers_as_v8_does() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/globals");
    let mut tables: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    tables.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    tables.sort();
    assert!(tables.len() >= 8, "the case tables are missing from {}", dir.display());
    let mut failures = Vec::new();
    let mut count = 0;
    for table in &tables {
        let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(table).unwrap()).unwrap();
        for case in cases {
            count += 1;
            let envelope = run(&program(case["js"].as_str().unwrap())).await;
            let got = if envelope.ok { envelope.value } else { serde_json::json!({ "failed": envelope.error }) };
            if !same(&got, &case["expected"]) {
                let file = table.file_name().unwrap().to_string_lossy();
                failures.push(format!("{file}: {}: got {got}, expected {}", case["name"], case["expected"]));
            }
        }
    }
    assert!(count >= 190, "{count} cases");
    assert!(failures.is_empty(), "{} of {count} cases differ:\n{}", failures.len(), failures.join("\n"));
}
