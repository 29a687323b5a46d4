//! The `codemode` command line: `run` one program, print the `types` a
//! config's servers give programs, or run the bundled `demo`.
//!
//! Exit codes: 0 the program returned a value (or the command did its job),
//! 1 the program failed (the envelope says why), 2 usage or setup error.
//! Results go to stdout; diagnostics go to stderr only.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::{Envelope, Executor, InProcessTools, Limits, McpTools};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The program `codemode demo` runs.
const DEMO_PROGRAM: &str = include_str!("../../examples/demo.js");

#[derive(Parser)]
#[command(
    name = "codemode",
    version,
    about = "Code Mode executor for MCP: run programs against tools in a WebAssembly sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one program and print its result envelope as JSON.
    Run {
        /// The program file, or `-` for stdin.
        program: PathBuf,
        /// The MCP servers whose tools the program may call (without it, none).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
        /// Print the envelope on one line.
        #[arg(long)]
        compact: bool,
    },
    /// Print the TypeScript API that programs get from the configured servers.
    Types {
        /// The MCP servers to describe.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Run the bundled demo: its MCP server, its TypeScript API, an example program.
    Demo,
    /// Serve the bundled demo MCP server on stdin/stdout (what `demo` runs).
    #[command(hide = true)]
    DemoServer,
}

/// Limits of the execution; each defaults to the documented default.
#[derive(Args)]
struct LimitArgs {
    /// CPU budget in fuel units.
    #[arg(long, default_value_t = Limits::DEFAULT_FUEL)]
    fuel: u64,
    /// Memory limit in MiB.
    #[arg(long, default_value_t = Limits::DEFAULT_MEMORY >> 20)]
    memory_mib: u64,
    /// Deadline in milliseconds.
    #[arg(long, default_value_t = Limits::DEFAULT_TIMEOUT.as_millis() as u64)]
    timeout_ms: u64,
    /// Maximum tool calls.
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_TOOL_CALLS)]
    max_tool_calls: u32,
    /// Maximum concurrent tool calls.
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_CONCURRENT_CALLS)]
    max_concurrent_calls: u32,
    /// Output limit in bytes.
    #[arg(long, default_value_t = Limits::DEFAULT_OUTPUT)]
    output_bytes: u32,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        limits.fuel = self.fuel;
        limits.memory = self.memory_mib.saturating_mul(1 << 20);
        limits.timeout = Duration::from_millis(self.timeout_ms);
        limits.max_tool_calls = self.max_tool_calls;
        limits.max_concurrent_calls = self.max_concurrent_calls;
        limits.output = self.output_bytes;
        limits
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("codemode: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Run { program, config, limits, compact } => {
                let source = read_program(&program)?;
                let executor = Executor::builder().limits(limits.limits()).build()?;
                let envelope = match config {
                    Some(path) => {
                        let tools = connect(&load(&path)?).await?;
                        let envelope = executor.execute(&source, tools.clone()).await;
                        tools.shutdown().await;
                        envelope?
                    }
                    None => executor.execute(&source, Arc::new(InProcessTools::new())).await?,
                };
                let text =
                    if compact { serde_json::to_string(&envelope)? } else { serde_json::to_string_pretty(&envelope)? };
                println!("{text}");
                Ok(exit_code(&envelope))
            }
            Command::Types { config } => {
                let tools = connect(&load(&config)?).await?;
                print!("{}", tools.catalog().declarations());
                tools.shutdown().await;
                Ok(ExitCode::SUCCESS)
            }
            Command::Demo => demo().await,
            Command::DemoServer => {
                codemode_demo::server::serve_stdio().await?;
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// Starts the demo server as a child process through the ordinary config
/// path, prints its TypeScript API, runs the demo program against it and
/// prints the answer and the receipt.
async fn demo() -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("finding the codemode binary to start the demo server")?;
    let command = exe.to_str().context("the path of the codemode binary is not Unicode")?.to_owned();
    let config = Config {
        servers: vec![ServerConfig {
            name: "demo".to_owned(),
            transport: Transport::Stdio { command, args: vec!["demo-server".to_owned()], env: Vec::new(), cwd: None },
            options: ServerOptions::default(),
        }],
    };
    let executor = Executor::new()?;
    let tools = connect(&config).await?;
    println!("// The TypeScript API codemode generated from the demo server's tools:\n");
    println!("{}", tools.catalog().declarations());
    println!("// The program (examples/demo.js):\n");
    println!("{DEMO_PROGRAM}");
    let envelope = executor.execute(DEMO_PROGRAM, tools.clone()).await;
    tools.shutdown().await;
    let envelope = envelope?;
    println!();
    for log in &envelope.logs {
        println!("// console.{}: {}", log.level, log.message);
    }
    if envelope.ok {
        println!("\n// The answer:\n");
        println!("{}", serde_json::to_string_pretty(&envelope.value)?);
    } else {
        println!("\n// The program failed:\n");
        println!("{}", serde_json::to_string_pretty(&envelope.error)?);
    }
    let receipt = &envelope.receipt;
    println!(
        "\n// Receipt: {:.1} ms, {} tool calls, {} fuel, {:.1} MiB peak memory",
        receipt.duration_ms,
        receipt.tool_calls,
        receipt.fuel_used,
        receipt.peak_memory_bytes as f64 / f64::from(1 << 20)
    );
    Ok(exit_code(&envelope))
}

/// Connects to the servers of `config`.
async fn connect(config: &Config) -> anyhow::Result<Arc<McpTools>> {
    Ok(Arc::new(McpTools::connect(config).await.context("connecting to the MCP servers")?))
}

fn load(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

fn exit_code(envelope: &Envelope) -> ExitCode {
    if envelope.ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn read_program(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut source = String::new();
        std::io::stdin().read_to_string(&mut source).context("reading the program from stdin")?;
        Ok(source)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}
