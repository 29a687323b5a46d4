//! The cost of a tool call through the bridge, and of `codemode demo`.
//!
//! - **per call**: a program makes N sequential calls of one tool; the p50 of
//!   its execution time, minus the p50 of the same program making no call,
//!   divided by N, is the cost of one call, guest and host together. The
//!   guest's share shows as its fuel per call (fuel is deterministic), so a
//!   change in the host's cost is one that leaves the fuel where it was.
//!   Measured against the demo tools in-process (`codemode_demo::tools::call`
//!   behind `InProcessTools`, under the catalog's names) and against the demo
//!   server over stdio (`McpTools`: argument validation, MCP over a pipe,
//!   result mapping). Three tools: `echo` (in-process only: it returns its
//!   argument, so the call is all bridge, the W3/W4 call), `get_today` (a
//!   tiny result) and `aggregate_orders` grouped by customer (a scan of every
//!   order, ~50 groups back).
//! - **demo**: `codemode demo` end to end, the binary this bench was built
//!   with (release), spawned until it exits: p50 over the runs.
//!
//! ```text
//! cargo bench -p codemode --bench bridge -- [--quick]
//! ```

// Each bench uses part of what the benches share.
#[allow(dead_code)]
mod common;

use anyhow::{Context, Result, ensure};
use codemode::catalog::{Catalog, ServerTools};
use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::{
    ExecuteOptions, Executor, InProcessTools, McpTools, ToolCallError, ToolCallErrorKind, ToolProvider, ToolSpec,
};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The tools timed, with their arguments, and whether the demo server has
/// them (`echo` is the bench's own).
const CALLS: [(&str, &str, bool); 3] = [
    ("echo", "i", false),
    ("get_today", "{}", true),
    ("aggregate_orders", r#"{ region: "EU", group_by: ["customer_id"] }"#, true),
];

fn main() -> ExitCode {
    common::exit(run())
}

fn run() -> Result<()> {
    let quick = std::env::args().any(|arg| arg == "--quick");
    // (calls per program, programs timed, `codemode demo` runs)
    let (calls, runs, demos) = if quick { (20, 5, 3) } else { (200, 21, 11) };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let executor = Executor::new()?;
        let stdio = Arc::new(McpTools::connect(&demo_config()).await?);
        let providers: [(&str, Arc<dyn ToolProvider>); 2] = [("in-process", in_process()), ("stdio", stdio.clone())];
        println!("per tool call, p50 (N = {calls} sequential calls per program, {runs} programs)");
        println!("  {:<17} {:<11} {:>12} {:>16}", "tool", "provider", "time", "guest fuel");
        for (tool, args, served) in CALLS {
            for (label, provider) in providers.iter().take(if served { 2 } else { 1 }) {
                let (time, fuel) = per_call(&executor, provider, tool, args, calls, runs).await?;
                println!("  {tool:<17} {label:<11} {:>9.1} µs {fuel:>16}", time.as_secs_f64() * 1e6);
            }
        }
        stdio.shutdown().await;
        anyhow::Ok(())
    })?;
    let demo = p50((0..demos).map(|_| time_demo()).collect::<Result<_>>()?);
    println!("codemode demo, end to end, p50 of {demos}: {:.1} ms", demo.as_secs_f64() * 1e3);
    Ok(())
}

/// The demo server over stdio, started from the `codemode` binary.
fn demo_config() -> Config {
    let transport = Transport::Stdio {
        command: env!("CARGO_BIN_EXE_codemode").to_owned(),
        args: vec!["demo-server".to_owned()],
        env: Vec::new(),
        cwd: None,
    };
    let server = ServerConfig { name: "demo".to_owned(), transport, options: ServerOptions::default() };
    Config { servers: vec![server], ..Config::default() }
}

/// The demo tools in-process, named as the catalog names them, and
/// `demo.echo`.
fn in_process() -> Arc<dyn ToolProvider> {
    let tools = codemode_demo::tools::tool_list();
    let catalog = Catalog::new(&[ServerTools {
        server: "demo",
        instructions: None,
        tools: &tools,
        unavailable: None,
        approve: &codemode::config::Approve::Nothing,
    }]);
    let mut provider =
        InProcessTools::new().tool(ToolSpec::new(Some("demo"), "echo"), |args| async move { Ok(args.into()) });
    for (spec, tool) in catalog.specs().iter().zip(&catalog.namespaces()[0].tools) {
        let original = tool.original.clone();
        provider = provider.tool(spec.clone(), move |args| {
            let result = codemode_demo::tools::call(&original, args)
                .map(Into::into)
                .map_err(|e| ToolCallError::new(ToolCallErrorKind::ToolFailed, e.to_string()));
            async move { result }
        });
    }
    Arc::new(provider)
}

/// The cost of one call of `tool` (time, guest fuel), as described in the
/// module header.
async fn per_call(
    executor: &Executor,
    provider: &Arc<dyn ToolProvider>,
    tool: &str,
    args: &str,
    calls: u32,
    runs: usize,
) -> Result<(Duration, u64)> {
    let program = |n: u32| format!("for (let i = 0; i < {n}; i++) await demo.{tool}({args}); return {n};");
    let mut p50s = Vec::new();
    let mut fuel = Vec::new();
    for n in [0, calls] {
        let source = program(n);
        let mut times = Vec::new();
        for run in 0..=runs {
            let start = Instant::now();
            let envelope = executor.execute(&source, provider.clone(), &ExecuteOptions::new()).await?;
            ensure!(envelope.ok, "{tool}: {:?}", envelope.error);
            // The first run is a warm-up.
            if run > 0 {
                times.push(start.elapsed());
            } else {
                fuel.push(envelope.receipt.fuel_used);
            }
        }
        p50s.push(p50(times));
    }
    Ok((p50s[1].saturating_sub(p50s[0]) / calls, fuel[1].saturating_sub(fuel[0]) / u64::from(calls)))
}

/// One run of `codemode demo`.
fn time_demo() -> Result<Duration> {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .arg("demo")
        .stdout(Stdio::null())
        .status()
        .context("running codemode demo")?;
    ensure!(status.success(), "codemode demo failed: {status}");
    Ok(start.elapsed())
}

fn p50(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
