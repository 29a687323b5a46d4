//! The built `codemode-demo` binary as a real MCP server: spawned as a child
//! process and driven over stdio by rmcp's client, as codemode's upstream
//! connection does it.

use std::process::Stdio;

use codemode_demo::tools;
use rmcp::{
    ServiceExt,
    model::{CallToolRequestParams, JsonObject},
    transport::TokioChildProcess,
};
use serde_json::{Value, json};
use tokio::{io::AsyncReadExt, process::Command};

fn args(value: Value) -> JsonObject {
    match value {
        Value::Object(object) => object,
        other => panic!("arguments must be an object, got {other}"),
    }
}

#[tokio::test]
async fn serves_the_tools_over_stdio() -> anyhow::Result<()> {
    let (transport, stderr) =
        TokioChildProcess::builder(Command::new(env!("CARGO_BIN_EXE_codemode-demo"))).stderr(Stdio::piped()).spawn()?;
    let client = ().serve(transport).await?;

    let server = client.peer_info().expect("initialized");
    assert_eq!(server.server_info.as_ref().map(|i| i.name.as_str()), Some("codemode-demo"));
    assert!(server.instructions.as_deref().is_some_and(|text| text.contains("2025-06-15")));

    let listed = client.list_all_tools().await?;
    assert_eq!(listed, tools::tool_list(), "the same tools as in-process");
    for tool in &listed {
        assert!(tool.output_schema.is_some(), "{} has an output schema", tool.name);
    }

    let arguments = json!({ "region": "EU", "from": "2025-05-01", "to": "2025-05-31", "group_by": ["customer_id"], "sort_by": "sum", "order": "desc", "limit": 3 });
    let result = client
        .call_tool(CallToolRequestParams::new("aggregate_orders").with_arguments(args(arguments.clone())))
        .await?;
    assert_eq!(result.is_error, Some(false));
    let structured = result.structured_content.expect("structured content");
    assert_eq!(structured, tools::call("aggregate_orders", arguments)?, "the same answer as in-process");
    assert_eq!(structured["items"][0]["key"], json!({ "customer_id": "c035" }));
    assert_eq!(structured["items"][0]["sum"], 6930);

    let rejected = client
        .call_tool(CallToolRequestParams::new("list_orders").with_arguments(args(json!({ "limit": 5000 }))))
        .await?;
    assert_eq!(rejected.is_error, Some(true));
    let message = rejected.content[0].as_text().expect("a text message").text.clone();
    assert!(message.contains("`limit` must be between 1 and 1000"), "{message}");

    let unknown = client.call_tool(CallToolRequestParams::new("no_such_tool")).await;
    assert!(unknown.is_err(), "an unknown tool is a protocol error");

    client.cancel().await?;
    let mut logs = String::new();
    stderr.expect("stderr is piped").read_to_string(&mut logs).await?;
    assert!(logs.contains("serving MCP on stdio"), "logs go to stderr: {logs:?}");
    Ok(())
}
