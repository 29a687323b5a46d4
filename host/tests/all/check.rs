//! Programs are checked against the tools' types before their first
//! instruction: a typo in a later call stops the program before an earlier
//! call (a write) is made, and the error says where and what was expected.

use std::sync::Arc;

use codemode::{ExecuteOptions, McpTools, ProgramErrorKind};

use crate::interop::{memory_file, reference_servers};
use crate::support::executor;

#[tokio::test]
async fn a_typo_in_the_second_call_stops_the_first() {
    let file = memory_file("check-memory.jsonl");
    let tools = Arc::new(McpTools::connect_with(&reference_servers(&file), None).await.unwrap());
    let source = "await memory.create_entities({ entities: [{ name: 'x', entityType: 't', observations: [] }] });\n\
                  return await memory.read_grpah();";
    let envelope = executor().execute(source, tools.clone(), &ExecuteOptions::new()).await.unwrap();
    tools.shutdown().await;
    let error = envelope.error.expect("refused");
    assert_eq!(error.kind, ProgramErrorKind::Type);
    assert_eq!(error.message, "memory.read_grpah is not a tool; did you mean memory.read_graph?");
    assert_eq!((error.line, error.column), (Some(2), Some(21)));
    assert_eq!(envelope.receipt.tool_calls, 0);
    assert!(!file.0.exists(), "the first call wrote the graph");
}

#[tokio::test]
async fn a_wrong_literal_names_the_expected_type() {
    let file = memory_file("check-literal.jsonl");
    let tools = Arc::new(McpTools::connect_with(&reference_servers(&file), None).await.unwrap());
    let source = "const sum = await everything.get_sum({ a: 1, b: 'two' });\nreturn sum;";
    let envelope = executor().execute(source, tools.clone(), &ExecuteOptions::new()).await.unwrap();
    tools.shutdown().await;
    let error = envelope.error.expect("refused");
    assert_eq!(error.kind, ProgramErrorKind::Type);
    assert_eq!(error.message, r#"everything.get_sum: argument "b" must be number, not the string "two""#);
    assert_eq!((error.line, error.column), (Some(1), Some(49)));
    let findings = &error.details.unwrap()["findings"];
    assert_eq!(findings[0]["expected"], "number");
    assert_eq!(envelope.receipt.tool_calls, 0);
}

/// Every example program passes the check against the servers it is for.
#[tokio::test]
async fn the_example_programs_pass() {
    let tools = Arc::new(McpTools::connect_with(&crate::mcp::demo_config(), None).await.unwrap());
    for example in ["demo.js", "hello.js"] {
        let source = std::fs::read_to_string(format!("{}/../examples/{example}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let envelope = executor().execute(&source, tools.clone(), &ExecuteOptions::new()).await.unwrap();
        assert!(envelope.ok, "{example}: {:?}", envelope.error);
    }
    tools.shutdown().await;
}
