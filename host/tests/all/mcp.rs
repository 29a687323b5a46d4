//! MCP servers behind the sandbox, for real: the demo server as a child
//! process over stdio (the `codemode` binary's hidden `demo-server`), through
//! the library and through `codemode run --config` / `codemode types`.
//! Covers argument validation before anything is sent, result mapping and
//! `isError`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::{Envelope, Limits, McpTools};
use serde_json::{Value, json};

use crate::support::run_with;

/// A config of stdio servers: (name, command, args).
pub fn config(servers: &[(&str, &str, &[&str])]) -> Config {
    let servers = servers
        .iter()
        .map(|&(name, command, args)| ServerConfig {
            name: name.to_owned(),
            transport: Transport::Stdio {
                command: command.to_owned(),
                args: args.iter().map(|arg| (*arg).to_owned()).collect(),
                env: Vec::new(),
                cwd: None,
            },
            options: ServerOptions::default(),
        })
        .collect();
    Config { servers, ..Config::default() }
}

/// The demo server, started from the `codemode` binary, as server `demo`.
pub fn demo_config() -> Config {
    config(&[("demo", env!("CARGO_BIN_EXE_codemode"), &["demo-server"])])
}

/// Runs `source` against the servers of `config`, then shuts them down.
pub async fn run_against(config: &Config, source: &str) -> Envelope {
    let tools = Arc::new(McpTools::connect_with(config, None).await.expect("the servers start"));
    let envelope = run_with(source, tools.clone(), &Limits::default()).await;
    tools.shutdown().await;
    envelope
}

/// The program's value, asserting it succeeded.
pub fn value(envelope: &Envelope) -> &Value {
    assert!(envelope.ok, "program failed: {:#?}", envelope.error);
    &envelope.value
}

#[tokio::test]
async fn programs_call_the_demo_server_over_stdio() {
    let source = r#"
        const { today } = await demo.get_today();
        const eu = await demo.list_customers({ region: "EU", select: ["id"], limit: 3 });
        const [all] = (await demo.aggregate_orders({})).items;
        return { today, ids: eu.items.map((c) => c.id), total: eu.total, orders: all.count };
    "#;
    let envelope = run_against(&demo_config(), source).await;
    let value = value(&envelope);
    assert_eq!(value["today"], "2025-06-15");
    assert_eq!(value["ids"].as_array().unwrap().len(), 3);
    assert!(value["orders"].as_u64().unwrap() > 1000, "{value}");
    assert_eq!(envelope.receipt.tool_calls, 3);
}

/// Bad calls: each is caught in the program, which returns what the
/// `ToolError` said; nothing reaches the server, so each takes no server time.
/// The tools are passed as values, so that the check before running (which
/// would refuse these literals) leaves them to the check of each call.
#[tokio::test]
async fn bad_arguments_are_rejected_before_they_are_sent() {
    let source = r#"
        const attempt = async (tool, args) => {
          try { await tool(args); return "sent"; }
          catch (e) { return { code: e.code, server: e.server, tool: e.tool, message: e.message, errors: e.details.errors }; }
        };
        return [
          await attempt(demo.list_customers, { region: "Europe" }),
          await attempt(demo.list_customers, { limit: "ten" }),
          await attempt(demo.aggregate_orders, { regoin: "EU" }),
          await attempt(demo.list_orders, { customer_ids: "c001" }),
        ];
    "#;
    let envelope = run_against(&demo_config(), source).await;
    let results = value(&envelope).as_array().unwrap().clone();
    for result in &results {
        assert_eq!((&result["code"], &result["server"]), (&json!("invalid_arguments"), &json!("demo")), "{result}");
    }
    let first = |i: usize| &results[i]["errors"][0];
    assert_eq!(first(0)["pointer"], "/region");
    assert!(first(0)["message"].as_str().unwrap().contains(r#""Europe" is not"#), "{}", first(0));
    assert!(first(0)["expected"].as_str().unwrap().contains(r#""EU""#), "{}", first(0));
    assert!(
        results[0]["message"].as_str().unwrap().starts_with("invalid arguments for demo.list_customers: at /region: "),
        "{}",
        results[0]["message"]
    );
    assert_eq!(first(1)["pointer"], "/limit");
    assert!(first(1)["expected"].as_str().unwrap().contains("number"), "{}", first(1));
    assert_eq!(first(2)["pointer"], "");
    assert!(first(2)["message"].as_str().unwrap().contains("regoin"), "{}", first(2));
    assert_eq!(first(3)["pointer"], "/customer_ids");
    assert!(first(3)["expected"].as_str().unwrap().contains("string[]"), "{}", first(3));
}

#[tokio::test]
async fn is_error_results_become_tool_failed_with_the_content() {
    // Valid by the schema, refused by the server: `from` after `to`.
    let source = r#"
        try { await demo.list_orders({ from: "2025-06-01", to: "2025-05-01" }); return "no error"; }
        catch (e) { return { code: e.code, message: e.message, details: e.details }; }
    "#;
    let envelope = run_against(&demo_config(), source).await;
    let value = value(&envelope);
    assert_eq!(value["code"], "tool_failed", "{value}");
    let message = value["message"].as_str().unwrap();
    assert!(message.starts_with("demo.list_orders failed: invalid arguments"), "{message}");
    assert!(message.ends_with(value["details"].as_str().unwrap()), "{value}");
}

#[tokio::test]
async fn an_uncaught_tool_error_fails_the_program_with_its_code() {
    let envelope = run_against(&demo_config(), "await demo.list_orders({ limit: 0 }); return 1").await;
    let error = envelope.error.expect("the program failed");
    assert_eq!((error.kind, error.code.as_deref()), (codemode::ProgramErrorKind::Tool, Some("invalid_arguments")));
}

/// A temp file holding `text`, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("codemode-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("write a temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A config file for the demo server, as a user would write it.
fn demo_config_file(name: &str) -> TempFile {
    let text =
        json!({ "mcpServers": { "demo": { "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"] } } });
    TempFile::new(name, &text.to_string())
}

#[test]
fn codemode_run_with_a_config_calls_its_servers() {
    let config = demo_config_file("run.json");
    let program = TempFile::new("run.js", "return (await demo.get_today()).today");
    let output = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["run", "--compact", "--config"])
        .args([&config.0, &program.0])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((&envelope["value"], &envelope["receipt"]["tool_calls"]), (&json!("2025-06-15"), &json!(1)));
}

#[test]
fn codemode_types_prints_the_declarations() {
    let config = demo_config_file("types.json");
    let output =
        Command::new(env!("CARGO_BIN_EXE_codemode")).args(["types", "--config"]).arg(&config.0).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with(codemode::declarations::PRELUDE), "{stdout}");
    for tool in ["get_today", "list_customers", "list_products", "list_orders", "aggregate_orders"] {
        assert!(stdout.contains(&format!("function {tool}(")), "{tool}:\n{stdout}");
    }
}

/// With `--strict` (else see `degraded`).
#[test]
fn a_server_that_cannot_start_is_a_setup_error() {
    let text = json!({ "mcpServers": { "nope": { "command": "/no/such/server" } } });
    let config = TempFile::new("nope.json", &text.to_string());
    let output = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["run", "--strict", "-", "--config"])
        .arg(&config.0)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope"), "{}", String::from_utf8_lossy(&output.stderr));
}

/// `tests/servers/faulty_server.py` as server `faulty`, with a short call
/// timeout.
fn faulty_config() -> Config {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/servers/faulty_server.py");
    let mut config = config(&[("faulty", "python3", &[script])]);
    config.servers[0].options.call_timeout = std::time::Duration::from_millis(500);
    config
}

#[tokio::test]
async fn upstream_faults_become_their_tool_error_codes() {
    let source = r#"
        const code = async (call) => {
          try { await call(); return "ok"; } catch (e) { return [e.code, e.details]; }
        };
        return {
          is_error: await code(() => faulty.is_error()),
          rpc_error: await code(() => faulty.rpc_error()),
          hang: await code(() => faulty.hang()),
          crash: await code(() => faulty.crash()),
        };
    "#;
    let envelope = run_against(&faulty_config(), source).await;
    let value = value(&envelope);
    assert_eq!(value["is_error"][0], "tool_failed", "{value}");
    assert_eq!(value["rpc_error"], json!(["tool_failed", { "rpcCode": -32000 }]));
    assert_eq!(value["hang"], json!(["timeout", null]));
    assert_eq!(value["crash"], json!(["unavailable", null]));
}

#[tokio::test]
async fn the_next_execution_sees_changed_tools() {
    let tools = Arc::new(McpTools::connect_with(&faulty_config(), None).await.expect("the server starts"));
    let changed = run_with("return await faulty.change_tools()", tools.clone(), &Limits::default()).await;
    assert_eq!(value(&changed), "changed");
    // The notification arrives on its own schedule; the catalog follows it.
    let mut added = Value::Null;
    for _ in 0..50 {
        if tools.catalog().specs().iter().any(|spec| spec.name == "added") {
            added = value(&run_with("return await faulty.added()", tools.clone(), &Limits::default()).await).clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tools.shutdown().await;
    assert_eq!(added, "added works");
}
