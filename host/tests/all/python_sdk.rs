//! Interoperability with a client nobody here wrote: the official Python
//! MCP SDK (`mcp` from PyPI, pinned in `scripts/test.sh`) drives `codemode
//! serve` over stdio and over streamable HTTP, with both of its handshakes
//! (`initialize`, and `server/discover`, which negotiates 2026-07-28).
//! `tests/interop/mcp_client.py` runs one session — initialize, list the
//! tools, `search`, `execute` a TypeScript program calling the demo server
//! with progress and with logging, `execute` a failing program — and prints
//! what it saw as one JSON object, asserted here.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::http::real::Codemode;
use crate::serve::demo_config_file;

/// The venv's Python with the SDK, from `scripts/test.sh`.
fn python() -> String {
    std::env::var("CODEMODE_TEST_PYTHON")
        .expect("CODEMODE_TEST_PYTHON is unset: run the tests with scripts/test.sh, which installs the Python MCP SDK")
}

fn client_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/mcp_client.py")
}

/// Runs the client with `args`, returning its report, which must say `ok`.
async fn run_client(args: &[&str]) -> Value {
    run_client_with_stderr(args).await.0
}

/// [`run_client`], and the client's stderr (the SDK's warnings).
async fn run_client_with_stderr(args: &[&str]) -> (Value, String) {
    let output = Command::new(python()).arg(client_script()).args(args).output().await.expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("no report ({e}); stderr:\n{stderr}"));
    assert_eq!(report["ok"], true, "{report:#}\nstderr:\n{stderr}");
    (report, stderr)
}

/// What every session must have seen, whatever the transport.
fn assert_session(report: &Value, protocol: &str) {
    assert_eq!(report["protocol_version"], protocol);
    assert_eq!(report["server_info"]["name"], "codemode");
    let tools: Vec<&str> = report["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tools, ["search", "execute"]);

    let search = &report["search"][0];
    assert_eq!(search["query"], "orders revenue");
    let declarations = search["text"].as_str().unwrap();
    assert!(declarations.starts_with("declare namespace demo {"), "{declarations}");
    assert!(declarations.contains("function aggregate_orders("), "{declarations}");
    assert!(report["search"][1]["text"].as_str().unwrap().contains("- demo (5 tools)"));

    let expected = json!({
        "today": "2025-06-15",
        "rows": [
            { "region": "EU", "revenue": 548524 },
            { "region": "US", "revenue": 431806 },
            { "region": "LATAM", "revenue": 278298 },
            { "region": "APAC", "revenue": 196973 }
        ],
        "total": 1455601
    });
    let progress = &report["execute_progress"];
    assert_eq!(progress["is_error"], false);
    assert_eq!(progress["structured_content"]["value"], expected);
    assert_eq!(progress["structured_content"]["receipt"]["tool_calls"], 3);
    assert_eq!(
        progress["progress_messages"],
        json!([
            "[console.log] today is 2025-06-15",
            "[console.info] top region: EU",
            "[console.warn] orders: 2000",
            "[console.debug] regions: 4"
        ])
    );
    assert!(progress["text"].as_str().unwrap().ends_with(&expected.to_string()), "{}", progress["text"]);

    let logging = &report["execute_logging"];
    assert_eq!(logging["structured_content"]["value"], expected);
    let levels: Vec<&str> = logging["logs"].as_array().unwrap().iter().map(|l| l["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["info", "info", "warning", "debug"]);
    assert_eq!(logging["logs"][0]["data"], "today is 2025-06-15");

    let failure = &report["execute_failure"];
    assert_eq!(failure["is_error"], true);
    assert_eq!(failure["error"]["kind"], "runtime");
    assert_eq!((&failure["error"]["name"], &failure["error"]["message"]), (&json!("TypeError"), &json!("boom")));

    // Arguments of the wrong shape are a result the model can read, not a
    // protocol error.
    let bad = report["execute_bad_input"].as_array().unwrap();
    assert_eq!(bad.len(), 2);
    for (step, says) in bad.iter().zip(["unknown field `program`", "expected a string"]) {
        assert_eq!(step["is_error"], true, "{step}");
        let text = step["text"].as_str().unwrap();
        assert!(text.starts_with("invalid arguments for execute: "), "{text}");
        assert!(text.contains(says) && text.contains("It takes { code: string, resume?: string }"), "{text}");
    }
}

async fn stdio_session(handshake: &str) -> Value {
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let config = demo_config_file().to_str().unwrap();
    run_client(&["stdio", "--handshake", handshake, "--", codemode, "serve", "--config", config]).await
}

#[tokio::test]
async fn python_sdk_over_stdio() {
    assert_session(&stdio_session("legacy").await, "2025-11-25");
}

#[tokio::test]
async fn python_sdk_over_stdio_with_discovery() {
    assert_session(&stdio_session("auto").await, "2026-07-28");
}

#[tokio::test]
async fn python_sdk_over_streamable_http() {
    let server = Codemode::start(&[], &[]).await;
    let (report, stderr) = run_client_with_stderr(&["http", &server.url, "--handshake", "legacy"]).await;
    assert_session(&report, "2025-11-25");
    // The SDK ends its session with DELETE and takes only 200 or 204 as success.
    assert!(!stderr.contains("Session termination failed"), "{stderr}");
    assert_session(&run_client(&["http", &server.url, "--handshake", "auto"]).await, "2026-07-28");
}

#[tokio::test]
async fn python_sdk_gets_its_result_when_the_server_stops_mid_execute() {
    let server = Codemode::start(&[], &[]).await;
    let program = std::env::temp_dir().join(format!("codemode-python-shutdown-{}.js", std::process::id()));
    std::fs::write(
        &program,
        "console.log('started'); const t = Date.now(); while (Date.now() - t < 4000) {} return 'finished';",
    )
    .unwrap();
    let mut client = Command::new(python())
        .arg(client_script())
        .args(["http", &server.url, "--scenario", "shutdown", "--program", program.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python runs");
    let mut stderr = BufReader::new(client.stderr.take().unwrap()).lines();
    while let Some(line) = stderr.next_line().await.unwrap() {
        if line == "executing" {
            break;
        }
    }
    server.terminate();
    server.wait_for_stderr("shutting down: draining requests in flight").await;
    // Only now does the client send another request: the server is draining.
    client.stdin.take().unwrap().write_all(b"go\n").await.unwrap();
    let output = client.wait_with_output().await.unwrap();
    std::fs::remove_file(&program).unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("a report");
    assert!(report.get("failure").is_none(), "the session survived: {report:#}");
    assert_eq!(report["execute"]["structured_content"]["value"], "finished", "{report:#}");
    let refused = &report["search"]["protocol_error"];
    assert_eq!((&refused["code"], &refused["message"]), (&json!(-32000), &json!("the server is shutting down")));
    let (status, stderr) = server.exit().await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}\n{stderr}");
}

#[tokio::test]
async fn python_sdk_with_a_bearer_token() {
    let server = Codemode::start(&[("CODEMODE_TOKEN", "py-token-5d1c")], &[]).await;
    assert_session(&run_client(&["http", &server.url, "--token", "py-token-5d1c"]).await, "2025-11-25");
    server.terminate();
    let (_, stderr) = server.exit().await;
    assert!(!stderr.contains("py-token-5d1c"), "{stderr}");
}
