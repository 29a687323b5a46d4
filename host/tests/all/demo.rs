//! `codemode demo` end to end: the binary starts its own demo server as a
//! child process, prints the generated API, runs `examples/demo.js` and
//! prints the answer, which is pinned (see `demo/tests/demo_question.rs`).

use std::process::Command;

use crate::mcp::{demo_config, run_against, value};
use serde_json::json;

/// The answer to "which EU customers spent more than 5,000 last month":
/// (id, total) by total, descending.
const ANSWER: [(&str, u64); 3] = [("c035", 6930), ("c042", 6480), ("c043", 5685)];

#[tokio::test]
async fn the_demo_program_answers_the_question() {
    let envelope = run_against(&demo_config(), include_str!("../../../examples/demo.js")).await;
    let value = value(&envelope);
    assert_eq!(value["month"], "2025-05");
    let customers = value["customers"].as_array().unwrap();
    let totals: Vec<(&str, u64)> =
        customers.iter().map(|c| (c["id"].as_str().unwrap(), c["total"].as_u64().unwrap())).collect();
    assert_eq!(totals, ANSWER);
    assert_eq!(customers[0]["byCategory"], json!({ "sports": 4900, "electronics": 2030 }));
    for customer in customers {
        let sum: u64 = customer["byCategory"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(json!(sum), customer["total"], "{customer}");
        assert!(customer["name"].is_string(), "{customer}");
    }
}

#[test]
fn codemode_demo_prints_the_api_the_answer_and_the_receipt() {
    let output = Command::new(env!("CARGO_BIN_EXE_codemode")).arg("demo").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("declare namespace demo {"), "{stdout}");
    assert!(stdout.contains("function aggregate_orders("), "{stdout}");
    for (id, total) in ANSWER {
        assert!(stdout.contains(&format!("\"id\": \"{id}\"")), "{id}:\n{stdout}");
        assert!(stdout.contains(&format!("\"total\": {total}")), "{total}:\n{stdout}");
    }
    assert!(stdout.contains("// Receipt: ") && stdout.contains("4 tool calls"), "{stdout}");
}
