//! `codemode demo` and the hidden `codemode demo-server` (the `demo`
//! feature): the bundled demo MCP server started as a child process through
//! the ordinary config path, the TypeScript API made from it, and
//! `examples/demo.js` run against it.

use std::process::ExitCode;

use anyhow::Context;
use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::{ExecuteOptions, Executor};

/// The program `codemode demo` runs.
const DEMO_PROGRAM: &str = include_str!("../../../../examples/demo.js");

/// Prints the demo server's API, runs the demo program against it and
/// prints the answer and the receipt.
pub async fn demo() -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("finding the codemode binary to start the demo server")?;
    let command = exe.to_str().context("the path of the codemode binary is not Unicode")?.to_owned();
    let config = Config {
        servers: vec![ServerConfig {
            name: "demo".to_owned(),
            transport: Transport::Stdio { command, args: vec!["demo-server".to_owned()], env: Vec::new(), cwd: None },
            options: ServerOptions::default(),
        }],
        ..Config::default()
    };
    let executor = Executor::new()?;
    // The demo server declares its output schemas: nothing to learn.
    let tools = super::connect(&config, &super::LearnArgs { no_learn: true }).await?;
    outln!("// The TypeScript API codemode generated from the demo server's tools:\n")?;
    outln!("{}", tools.declarations())?;
    outln!("// The program (examples/demo.js):\n")?;
    outln!("{DEMO_PROGRAM}")?;
    let envelope = executor.execute(DEMO_PROGRAM, tools.clone(), &ExecuteOptions::new()).await;
    tools.shutdown().await;
    let envelope = envelope?;
    outln!()?;
    for log in &envelope.logs {
        outln!("// console.{}: {}", log.level, log.message)?;
    }
    if envelope.ok {
        outln!("\n// The answer:\n")?;
        outln!("{}", serde_json::to_string_pretty(&envelope.value)?)?;
    } else {
        outln!("\n// The program failed:\n")?;
        outln!("{}", serde_json::to_string_pretty(&envelope.error)?)?;
    }
    let receipt = &envelope.receipt;
    outln!(
        "\n// Receipt: {:.1} ms, {} tool calls, {} fuel, {:.1} MiB peak memory",
        receipt.duration_ms,
        receipt.tool_calls,
        receipt.fuel_used,
        receipt.peak_memory_bytes as f64 / f64::from(1 << 20)
    )?;
    Ok(super::exit_code(&envelope))
}

/// Serves the demo MCP server on stdin/stdout.
pub async fn server() -> anyhow::Result<ExitCode> {
    codemode_demo::server::serve_stdio().await?;
    Ok(ExitCode::SUCCESS)
}
