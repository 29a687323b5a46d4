//! The `codemode` command line.
//!
//! Exit codes: 0 the program returned a value, 1 the program failed (the
//! envelope says why), 2 usage or setup error.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use codemode::{Executor, InProcessTools, Limits};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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
        #[command(flatten)]
        limits: LimitArgs,
        /// Print the envelope on one line.
        #[arg(long)]
        compact: bool,
    },
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
    match cli.command {
        Command::Run { program, limits, compact } => runtime.block_on(async {
            let source = read_program(&program)?;
            let executor = Executor::builder().limits(limits.limits()).build()?;
            let envelope = executor.execute(&source, Arc::new(InProcessTools::new())).await?;
            let text =
                if compact { serde_json::to_string(&envelope)? } else { serde_json::to_string_pretty(&envelope)? };
            println!("{text}");
            Ok(if envelope.ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }),
    }
}

fn read_program(path: &PathBuf) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut source = String::new();
        std::io::stdin().read_to_string(&mut source).context("reading the program from stdin")?;
        Ok(source)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}
