//! Envelopes as they really come out match `schemas/envelope.schema.json`.

use crate::support::{echo, run_with};
use codemode::{InProcessTools, Limits, ToolCallError, ToolCallErrorKind, ToolSpec};
use std::sync::Arc;

fn validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/envelope.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[tokio::test]
async fn every_outcome_matches_the_schema() {
    let validator = validator();
    let tools = echo().tool(ToolSpec::new(Some("api"), "fail"), |_| async {
        Err(ToolCallError::new(ToolCallErrorKind::ToolFailed, "no").with_details(serde_json::json!([1])))
    });
    let tools: Arc<InProcessTools> = Arc::new(tools);
    let mut small = Limits::default();
    small.fuel = 100_000_000;
    small.output = 2048;
    small.timeout = std::time::Duration::from_secs(5);
    let programs = [
        "console.info('hi'); return { a: await echo([1, 2]) }",
        "return Array.from({ length: 1000 }, (_, i) => i)",
        "let x = ;",
        "null.x",
        "await api.fail({})",
        "while (true) {}",
        "const a = []; while (true) a.push(new Array(1000).fill(1));",
        "function f() { return f(); } f()",
        "for (;;) console.log('spam')",
        "throw null",
    ];
    for program in programs {
        let envelope = run_with(program, tools.clone(), &small).await;
        let json = serde_json::to_value(&envelope).unwrap();
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{program}: {errors:?}\n{json}");
    }
}
