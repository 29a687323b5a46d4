//! `codemode serve` as clients see it: the round trip of one `execute`
//! over stdio and over streamable HTTP, how many trivial executes a second
//! the HTTP server sustains with 8 concurrent clients, and what an approval
//! round trip adds on protocol 2026-07-28 over stdio (a program of 100
//! calls, then one whose tool needs approval: `input_required`, the client
//! accepts at once, the retry replays the 100 calls from the sealed journal
//! and makes the last; against the same program whose last tool needs
//! none).
//!
//! The server is the `codemode` binary this bench was built with (release),
//! started as a child process with the demo server behind it; the client
//! is the official Rust SDK's. Two programs: `return 1 + 1` (the cost of
//! MCP, the server and a fresh sandbox) and `examples/demo.js` (four calls
//! to the demo server, a realistic program).
//!
//! ```text
//! cargo bench -p codemode --bench serve -- [--quick]
//! ```

// Each bench uses part of what the benches share.
#[allow(dead_code)]
mod common;

use anyhow::{Context, Result, bail};
use rmcp::model::{
    CallToolRequestParams, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationCapability,
    ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RequestContext, RunningService, ServiceExt};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ErrorData, RoleClient};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const TRIVIAL: &str = "return 1 + 1";
const DEMO: &str = include_str!("../../examples/demo.js");
/// Concurrent clients of the throughput run.
const CLIENTS: usize = 8;

type Client = RunningService<RoleClient, ()>;

fn main() -> ExitCode {
    common::exit(run())
}

fn run() -> Result<()> {
    let quick = std::env::args().any(|arg| arg == "--quick");
    // (trivial runs, demo runs, seconds of the throughput run)
    let (trivial, demo, seconds) = if quick { (30, 5, 1) } else { (500, 100, 5) };
    let config = std::env::temp_dir().join(format!("codemode-bench-serve-{}.json", std::process::id()));
    let demo_server = serde_json::json!({
        "mcpServers": { "demo": { "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"] } }
    });
    std::fs::write(&config, demo_server.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let result = runtime.block_on(async {
        println!("execute round trip, p50 / p99 (client and server on this machine)");
        let stdio = stdio_client(&config).await?;
        report("stdio", "trivial", &round_trips(&stdio, TRIVIAL, trivial).await?);
        report("stdio", "demo", &round_trips(&stdio, DEMO, demo).await?);
        stdio.cancel().await?;

        let (mut server, url) = http_server(&config).await?;
        let http = http_client(&url).await?;
        report("http", "trivial", &round_trips(&http, TRIVIAL, trivial).await?);
        report("http", "demo", &round_trips(&http, DEMO, demo).await?);
        http.cancel().await?;

        let clients = futures::future::try_join_all((0..CLIENTS).map(|_| http_client(&url))).await?;
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let counts = futures::future::try_join_all(clients.iter().map(|client| async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                execute(client, TRIVIAL).await?;
                done += 1;
            }
            anyhow::Ok(done)
        }))
        .await?;
        let total: u64 = counts.iter().sum();
        println!(
            "http throughput, {CLIENTS} clients: {:.0} trivial executes/s ({total} in {:.1} s)",
            total as f64 / started.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        for client in clients {
            client.cancel().await?;
        }
        server.kill().await?;

        let approving = std::env::temp_dir().join(format!("codemode-bench-approve-{}.json", std::process::id()));
        let demo_server = serde_json::json!({ "mcpServers": { "demo": {
            "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"],
            "codemode": { "approve": ["list_products"] },
        } } });
        std::fs::write(&approving, demo_server.to_string())?;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"));
        command.arg("serve").arg("--config").arg(&approving).stderr(Stdio::null());
        let lifecycle = ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] };
        let client = Approver.serve_with_lifecycle(TokioChildProcess::new(command)?, lifecycle).await?;
        let runs = if quick { 10 } else { 100 };
        let hundred = "for (let i = 0; i < 100; i++) await demo.get_today();";
        let plain =
            round_trips_with(&client, &format!("{hundred} return await demo.list_customers({{ limit: 1 }});"), runs)
                .await?;
        let approved =
            round_trips_with(&client, &format!("{hundred} return await demo.list_products({{ limit: 1 }});"), runs)
                .await?;
        println!("approval round trip over stdio, 2026-07-28, 100 calls journaled, p50 / p99");
        report("stdio", "plain", &plain);
        report("stdio", "approved", &approved);
        let p50 = |sorted: &[Duration]| sorted[sorted.len() / 2].as_secs_f64() * 1e3;
        println!(
            "  the approval adds {:.2} ms at p50 (both rounds, the client answering at once)",
            p50(&approved) - p50(&plain)
        );
        client.cancel().await?;
        let _ = std::fs::remove_file(&approving);
        anyhow::Ok(())
    });
    let _ = std::fs::remove_file(&config);
    result
}

async fn stdio_client(config: &std::path::Path) -> Result<Client> {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"));
    command.arg("serve").arg("--config").arg(config).stderr(Stdio::null());
    Ok(().serve(TokioChildProcess::new(command)?).await?)
}

/// Starts `codemode serve --http` on a free port; returns it and its URL.
async fn http_server(config: &std::path::Path) -> Result<(tokio::process::Child, String)> {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .args(["--http", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stderr.take().context("stderr")?).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(url) = line.split("serving MCP at ").nth(1) {
            let url = url.trim().to_owned();
            // Keep draining stderr so the server never blocks on it.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok((child, url));
        }
    }
    bail!("codemode serve --http exited before it was listening")
}

async fn http_client(url: &str) -> Result<Client> {
    Ok(().serve(StreamableHttpClientTransport::from_uri(url.to_owned())).await?)
}

async fn execute(client: &Client, code: &str) -> Result<()> {
    let mut request = CallToolRequestParams::new("execute");
    request.arguments = Some(serde_json::Map::from_iter([("code".to_owned(), code.into())]));
    let result = client.peer().call_tool(request).await?;
    if result.is_error == Some(true) {
        bail!("the program failed: {:?}", result.content);
    }
    Ok(())
}

/// Accepts every question, having declared elicitation.
#[derive(Clone)]
struct Approver;

impl ClientHandler for Approver {
    fn get_info(&self) -> ClientConfig {
        let mut config = ClientConfig::default();
        config.capabilities.elicitation = Some(ElicitationCapability::new());
        config
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(serde_json::json!({})))
    }
}

/// Times `runs` executes of `code` by a client that answers input
/// requests (rmcp's `call_tool` retries them), after a few untimed ones.
async fn round_trips_with(
    client: &RunningService<RoleClient, Approver>,
    code: &str,
    runs: usize,
) -> Result<Vec<Duration>> {
    let call = || async {
        let mut request = CallToolRequestParams::new("execute");
        request.arguments = Some(serde_json::Map::from_iter([("code".to_owned(), code.into())]));
        let result = client.call_tool(request).await?;
        if result.is_error == Some(true) {
            bail!("the program failed: {:?}", result.content);
        }
        anyhow::Ok(())
    };
    for _ in 0..3 {
        call().await?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        call().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

/// Times `runs` executes of `code` after a few untimed ones.
async fn round_trips(client: &Client, code: &str, runs: usize) -> Result<Vec<Duration>> {
    for _ in 0..3 {
        execute(client, code).await?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        execute(client, code).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

fn report(transport: &str, program: &str, sorted: &[Duration]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!("  {transport:<6} {program:<8} {:>8.2} ms / {:>8.2} ms  (n = {})", at(0.5), at(0.99), sorted.len());
}
