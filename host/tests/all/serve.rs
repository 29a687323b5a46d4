//! `codemode serve` over stdio, driven by the official Rust SDK's client:
//! the two tools, `search` over the demo server's catalog, `execute` of
//! TypeScript programs that call its tools, failures as results, limits,
//! the busy queue and console lines forwarded while a program runs.

#![allow(deprecated)] // MCP logging (SEP-2577): still what clients use

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
    SetLevelRequestParams,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

/// A config file naming the demo server (started from the `codemode`
/// binary) as server `demo`.
pub fn demo_config_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("codemode-serve-demo-{}.json", std::process::id()));
        let config =
            json!({ "mcpServers": { "demo": { "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"] } } });
        std::fs::write(&path, config.to_string()).expect("writing the config");
        path
    })
}

/// A client that keeps every progress and log message it is sent.
#[derive(Clone, Default)]
pub struct Collector {
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Collector {
    async fn on_progress(&self, params: ProgressNotificationParam, _: NotificationContext<RoleClient>) {
        self.messages.lock().unwrap().push(format!(
            "progress {}: {}",
            params.progress,
            params.message.unwrap_or_default()
        ));
    }

    async fn on_logging_message(&self, params: LoggingMessageNotificationParam, _: NotificationContext<RoleClient>) {
        let level = serde_json::to_value(params.level).unwrap();
        self.messages.lock().unwrap().push(format!(
            "log {} {}: {}",
            level.as_str().unwrap(),
            params.logger.unwrap_or_default(),
            params.data
        ));
    }
}

/// `codemode serve --config <demo> ARGS` as a child process, connected.
pub async fn serve(args: &[&str]) -> RunningService<RoleClient, Collector> {
    serve_with(demo_config_file(), args).await
}

/// `codemode serve --config CONFIG ARGS` as a child process, connected.
pub async fn serve_with(config: &std::path::Path, args: &[&str]) -> RunningService<RoleClient, Collector> {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"));
    command.arg("serve").arg("--config").arg(config).args(args).stderr(Stdio::null());
    let transport = TokioChildProcess::new(command).expect("codemode serve starts");
    Collector::default().serve(transport).await.expect("the MCP session starts")
}

/// Calls `tool` with `arguments`, asserting the call itself succeeds.
pub async fn call(client: &RunningService<RoleClient, Collector>, tool: &str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else { panic!("arguments are an object") };
    let mut request = CallToolRequestParams::new(tool.to_owned());
    request.arguments = Some(arguments);
    client.peer().call_tool(request).await.expect("the call is answered")
}

/// The text of a result's single text block.
pub fn text(result: &CallToolResult) -> &str {
    result.content[0].as_text().map(|t| t.text.as_str()).expect("a text block")
}

/// The envelope of an `execute` result.
pub fn envelope(result: &CallToolResult) -> &Value {
    result.structured_content.as_ref().expect("structuredContent")
}

async fn execute(client: &RunningService<RoleClient, Collector>, code: &str) -> CallToolResult {
    call(client, "execute", json!({ "code": code })).await
}

#[tokio::test]
async fn lists_search_and_execute_describing_servers_and_limits() {
    let client = serve(&[]).await;
    let tools = client.peer().list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["search", "execute"]);
    let execute = tools[1].description.as_deref().unwrap();
    assert!(execute.contains("Servers: demo."), "{execute}");
    assert!(execute.contains("await server.tool("), "{execute}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn search_ranks_demo_tools_and_returns_their_declarations() {
    let client = serve(&[]).await;
    let found = call(&client, "search", json!({ "query": "aggregate_orders" })).await;
    let found = text(&found);
    assert!(found.starts_with("declare namespace demo {"), "{found}");
    let first = found.find("function ").map(|at| &found[at..]).unwrap();
    assert!(first.starts_with("function aggregate_orders("), "{found}");

    let servers = call(&client, "search", json!({ "query": "" })).await;
    assert!(text(&servers).contains("- demo ("), "{}", text(&servers));
    assert!(text(&servers).contains("Sample sales data"), "{}", text(&servers));

    let limited = call(&client, "search", json!({ "query": "list customers products orders", "limit": 2 })).await;
    assert_eq!(text(&limited).matches("function ").count(), 2, "{}", text(&limited));
    let full = call(&client, "search", json!({ "query": "orders revenue", "detail": "full" })).await;
    assert!(text(&full).contains("function aggregate_orders("), "{}", text(&full));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn executes_typescript_that_calls_the_demo_tools() {
    let client = serve(&[]).await;
    let code = r#"
        interface Customer { id: string; name: string }
        type Page<T> = { items: T[]; total: number };
        function ids<T extends { id: string }>(rows: T[]): string[] { return rows.map((r) => r.id); }
        const { today } = (await demo.get_today()) as { today: string };
        const page = (await demo.list_customers({ region: "EU", select: ["id", "name"], limit: 2 })) as Page<Customer>;
        console.log("found", page.total);
        return { today, ids: ids<Customer>(page.items) };
    "#;
    let result = execute(&client, code).await;
    assert_eq!(result.is_error, Some(false));
    let envelope = envelope(&result);
    assert_eq!(envelope["ok"], true, "{envelope}");
    assert_eq!(envelope["value"]["today"], "2025-06-15");
    assert_eq!(envelope["value"]["ids"].as_array().unwrap().len(), 2);
    assert_eq!(envelope["receipt"]["tool_calls"], 2);
    assert!(text(&result).starts_with("[console.log] found "), "{}", text(&result));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn program_failures_are_error_results_located_in_the_submitted_source() {
    let client = serve(&[]).await;
    let thrown = execute(&client, "const n: number = 1;\nconst s = (n as any).missing.deep;\nreturn s;").await;
    assert_eq!(thrown.is_error, Some(true));
    let error = &envelope(&thrown)["error"];
    assert_eq!((error["kind"].as_str(), error["line"].as_u64()), (Some("runtime"), Some(2)), "{error}");
    assert!(text(&thrown).starts_with("runtime error at line 2"), "{}", text(&thrown));

    let syntax = execute(&client, "let a: number = 1;\nlet b: = 2;").await;
    assert_eq!(syntax.is_error, Some(true));
    let error = &envelope(&syntax)["error"];
    assert_eq!((error["kind"].as_str(), error["line"].as_u64()), (Some("syntax"), Some(2)), "{error}");

    let tool = execute(&client, "const args = { region: 'MARS' };\nreturn await demo.list_customers(args);").await;
    let error = &envelope(&tool)["error"];
    assert_eq!((error["kind"].as_str(), error["code"].as_str()), (Some("tool"), Some("invalid_arguments")), "{error}");

    // The same call with the literal in place is refused before running.
    let typed = execute(&client, "return await demo.list_customers({ region: 'MARS' });").await;
    assert_eq!(typed.is_error, Some(true));
    let error = &envelope(&typed)["error"];
    assert_eq!((error["kind"].as_str(), error["column"].as_u64()), (Some("type"), Some(44)), "{error}");
    assert!(text(&typed).starts_with("type error at line 1, column 44: demo.list_customers: argument \"region\""));
    assert_eq!(envelope(&typed)["receipt"]["tool_calls"], 0);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn timeouts_and_the_output_budget_are_results_too() {
    let client = serve(&["--timeout-ms", "300", "--output-bytes", "2048"]).await;
    let spun = execute(&client, "while (true) {}").await;
    assert_eq!(spun.is_error, Some(true));
    assert_eq!(envelope(&spun)["error"]["kind"], "timeout");

    let big = execute(&client, "return Array.from({ length: 1000 }, (_, i) => ({ i, pad: 'x'.repeat(20) }));").await;
    assert_eq!(big.is_error, Some(false));
    assert_eq!(envelope(&big)["truncated"], true);
    assert!(text(&big).ends_with("(the value was truncated to fit the output limit)"));

    let flood = execute(&client, "for (let i = 0; i < 10000; i++) console.log('line', i);").await;
    assert_eq!(flood.is_error, Some(true));
    assert_eq!(envelope(&flood)["error"]["kind"], "output");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_arguments_are_results_and_unknown_tools_protocol_errors() {
    let client = serve(&[]).await;
    // Input validation of a tool is a result the model reads and corrects.
    for (tool, arguments, says) in [
        ("execute", json!({ "source": "1" }), "unknown field `source`, expected `code`"),
        ("execute", json!({ "code": 42 }), "expected a string"),
        ("execute", json!({}), "missing field `code`"),
        (
            "search",
            json!({ "query": "x", "limit": "all" }),
            "invalid type: string \"all\", expected an integer from 1 to 50",
        ),
        ("search", json!({ "query": "x", "limit": 0 }), "invalid value: integer `0`, expected an integer from 1 to 50"),
        (
            "search",
            json!({ "query": "x", "limit": 500 }),
            "invalid value: integer `500`, expected an integer from 1 to 50",
        ),
        (
            "search",
            json!({ "query": "x", "limit": -1 }),
            "invalid value: integer `-1`, expected an integer from 1 to 50",
        ),
        (
            "search",
            json!({ "query": "x", "limit": 2.5 }),
            "invalid type: floating point `2.5`, expected an integer from 1 to 50",
        ),
    ] {
        let result = call(&client, tool, arguments).await;
        assert_eq!(result.is_error, Some(true), "{tool}");
        let text = text(&result);
        assert!(text.starts_with(&format!("invalid arguments for {tool}: ")) && text.contains(says), "{text}");
        assert!(text.contains("It takes {"), "{text}");
    }
    let error = client.peer().call_tool(CallToolRequestParams::new("run")).await.unwrap_err().to_string();
    assert!(error.contains("search") && error.contains("execute"), "{error}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn console_lines_reach_the_client_while_the_program_runs() {
    let client = serve(&[]).await;
    let code = "console.log('one'); console.warn('two'); console.debug('three'); return 3;";

    // The SDK gives every request a progress token: console lines come as
    // progress notifications, in order, before the result.
    let result = execute(&client, code).await;
    assert_eq!(envelope(&result)["value"], 3);
    let seen = std::mem::take(&mut *client.service().messages.lock().unwrap());
    assert_eq!(
        seen,
        ["progress 1: [console.log] one", "progress 2: [console.warn] two", "progress 3: [console.debug] three"]
    );

    // Once the client sets a log level, as log messages at or above it instead.
    client.peer().set_level(SetLevelRequestParams::new(LoggingLevel::Info)).await.unwrap();
    execute(&client, code).await;
    let seen = std::mem::take(&mut *client.service().messages.lock().unwrap());
    assert_eq!(seen, ["log info console: \"one\"", "log warning console: \"two\""]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn executions_beyond_the_limit_queue_then_get_busy() {
    let client = serve(&["--max-executions", "1", "--queue-timeout-ms", "200"]).await;
    let slow = "const t = Date.now(); while (Date.now() - t < 1500) {} return 'slow';";
    let (first, second) = tokio::join!(execute(&client, slow), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        execute(&client, "return 'quick'").await
    });
    assert_eq!(envelope(&first)["value"], "slow");
    assert_eq!(second.is_error, Some(true));
    assert!(text(&second).starts_with("busy: all 1 execution slots"), "{}", text(&second));
    // Once the slot is free, the next one runs.
    assert_eq!(envelope(&execute(&client, "return 'quick'").await)["value"], "quick");
    client.cancel().await.unwrap();
}
