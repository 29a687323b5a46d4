//! The guest's value conversion: any JSON as a tool's result goes into a
//! program that walks it (counting every node, and every key of every
//! object) and returns it. The executor never fails; the program either
//! counts exactly what Rust counts and returns the value unchanged (when it
//! fits the output limit), or stops with a limit of its own.

#![no_main]

use std::sync::{Arc, OnceLock};

use codemode::{ExecuteOptions, Executor, InProcessTools, ToolOutput, ToolSpec};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use serde_json::value::RawValue;

const PROGRAM: &str = r#"
const value = await data.get({});
let nodes = 0, keys = 0;
const walk = (v) => {
  nodes++;
  if (Array.isArray(v)) v.forEach(walk);
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) { keys++; walk(v[k]); }
};
walk(value);
return { nodes, keys, value };
"#;

fn runtime() -> &'static (tokio::runtime::Runtime, Executor) {
    static SHARED: OnceLock<(tokio::runtime::Runtime, Executor)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let executor = runtime.block_on(async { Executor::builder().max_sandboxes(2).build().unwrap() });
        (runtime, executor)
    })
}

/// (nodes, object keys) of `value`.
fn count(value: &Value) -> (u64, u64) {
    match value {
        Value::Array(items) => items.iter().map(count).fold((1, 0), |(n, k), (a, b)| (n + a, k + b)),
        Value::Object(map) => map.values().map(count).fold((1, map.len() as u64), |(n, k), (a, b)| (n + a, k + b)),
        _ => (1, 0),
    }
}

/// Whether every number comes back as the same JSON number: integers a
/// JavaScript number holds exactly, and fractions (`1.0` comes back as `1`).
fn exact_numbers(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.as_i64().is_some_and(|n| n.unsigned_abs() < 1 << 53) || n.as_f64().is_some_and(|f| f.fract() != 0.0)
        }
        Value::Array(items) => items.iter().all(exact_numbers),
        Value::Object(map) => map.values().all(exact_numbers),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Box<RawValue>>(data) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(raw.get()) else {
        return;
    };
    let tool = move |_| {
        let raw = raw.clone();
        async move { Ok(ToolOutput::from_raw(raw)) }
    };
    let tools = Arc::new(InProcessTools::new().tool(ToolSpec::new(Some("data"), "get"), tool));
    let (runtime, executor) = runtime();
    let envelope = runtime
        .block_on(executor.execute(PROGRAM, tools, &ExecuteOptions::new()))
        .expect("the executor never fails because of a tool's result");
    if !envelope.ok {
        let error = envelope.error.expect("a failed envelope says why");
        let kind = serde_json::to_value(error.kind).unwrap();
        assert!(["memory", "cpu", "timeout", "output"].contains(&kind.as_str().unwrap()), "{error:?}");
        return;
    }
    let (nodes, keys) = count(&value);
    assert_eq!((&envelope.value["nodes"], &envelope.value["keys"]), (&nodes.into(), &keys.into()), "{value}");
    if !envelope.truncated && exact_numbers(&value) {
        assert_eq!(envelope.value["value"], value);
    }
});
