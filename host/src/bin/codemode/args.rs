//! The command line's shape: subcommands, flags and their defaults, parsed
//! by clap. Turning flags into library values (`Limits`, `ServeOptions`) is
//! here too, validated by the library before anything starts, with its
//! errors naming the flag; what each command does is in `main.rs` and
//! `demo.rs`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use clap::{Args, Parser, Subcommand};
use codemode::Limits;
use codemode::config::Config;
use codemode::server::{ServeOptions, StateKey};

#[derive(Parser)]
#[command(
    name = "codemode",
    version,
    about = "Code Mode executor for MCP: run programs against tools in a WebAssembly sandbox"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run one program and print its result envelope as JSON.
    Run {
        /// The program file, or `-` for stdin.
        program: PathBuf,
        /// The MCP servers whose tools the program may call (without it, none).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        learn: LearnArgs,
        #[command(flatten)]
        start: StartArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        journal: JournalArgs,
        /// Print the envelope on one line.
        #[arg(long)]
        compact: bool,
    },
    /// Print the TypeScript API that programs get from the configured servers.
    Types {
        /// The MCP servers to describe (optional with --forget).
        #[arg(long, value_name = "FILE", required_unless_present = "forget")]
        config: Option<PathBuf>,
        /// Forget the result types learned from results: of every server, or
        /// of the one named SERVER in the config.
        #[arg(long, value_name = "SERVER", num_args = 0..=1, default_missing_value = "")]
        forget: Option<String>,
        #[command(flatten)]
        learn: LearnArgs,
        #[command(flatten)]
        start: StartArgs,
    },
    /// Serve codemode itself over MCP (stdio, or streamable HTTP with --http):
    /// the tools `search` and `execute` in front of the configured servers.
    Serve(ServeArgs),
    /// Run the bundled demo: its MCP server, its TypeScript API, an example program.
    #[cfg(feature = "demo")]
    Demo,
    /// Serve the bundled demo MCP server on stdin/stdout (what `demo` runs).
    #[cfg(feature = "demo")]
    #[command(hide = true)]
    DemoServer,
}

/// `codemode serve`'s arguments.
#[derive(Args)]
pub struct ServeArgs {
    /// The MCP servers behind codemode.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Serve streamable HTTP at ADDR (`HOST:PORT`, or just `PORT` on
    /// 127.0.0.1) instead of stdio; the endpoint is `/mcp`.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "8765")]
    pub http: Option<String>,
    /// HTTP: require `Authorization: Bearer TOKEN` on every request.
    #[arg(long, value_name = "TOKEN", env = "CODEMODE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// HTTP: a `Host` header value to accept, instead of the default loopback names (repeatable; `*` for any).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// HTTP: a browser `Origin` to accept, e.g. `https://app.example.com`, instead of the same-host default (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Programs running at once across all clients (1 to 65536); more queue briefly, then get "busy".
    #[arg(long, default_value_t = ServeOptions::default().max_concurrent_executions)]
    max_executions: usize,
    /// How long an execute waits for a free slot before "busy", in milliseconds (0: not at all).
    #[arg(long, default_value_t = ServeOptions::default().queue_timeout.as_millis() as u64)]
    queue_timeout_ms: u64,
    /// On SIGINT/SIGTERM, how long running programs may finish before they are cancelled, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub shutdown_grace_ms: u64,
    /// The key resume tokens are sealed under: a file holding 64 hex digits (`openssl rand -hex 32`).
    /// Replicas behind one load balancer must share it; without it each process draws its own.
    #[arg(long, value_name = "FILE", conflicts_with = "state_key")]
    state_key_file: Option<PathBuf>,
    /// The key itself, as 64 hex digits (for the environment; prefer --state-key-file).
    #[arg(long, value_name = "HEX", env = "CODEMODE_STATE_KEY", hide_env_values = true, hide = true)]
    state_key: Option<String>,
    /// How long a resume token stays valid, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = ServeOptions::default().state_ttl.as_secs())]
    state_ttl: u64,
    /// The largest resume token, in bytes (a larger record gets none).
    #[arg(long, value_name = "BYTES", default_value_t = ServeOptions::default().max_state_bytes)]
    max_state_bytes: usize,
    #[command(flatten)]
    pub learn: LearnArgs,
    #[command(flatten)]
    pub start: StartArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl ServeArgs {
    /// The serve options these flags set, validated.
    pub fn options(&self) -> anyhow::Result<ServeOptions> {
        let mut options = ServeOptions::default();
        options.max_concurrent_executions = self.max_executions;
        options.queue_timeout = Duration::from_millis(self.queue_timeout_ms);
        options.state_ttl = Duration::from_secs(self.state_ttl);
        options.max_state_bytes = self.max_state_bytes;
        options.bearer_token = self.token.clone();
        options.state_key = match (&self.state_key_file, &self.state_key) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow!("--state-key-file: reading {}: {e}", path.display()))?;
                Some(StateKey::from_hex(&text).map_err(|e| anyhow!("--state-key-file {}: {e}", path.display()))?)
            }
            (None, Some(hex)) => Some(StateKey::from_hex(hex).map_err(|e| anyhow!("CODEMODE_STATE_KEY: {e}"))?),
            (None, None) => None,
        };
        options.validate().map_err(flag_error)?;
        Ok(options)
    }
}

/// `codemode run`'s journal (record one, or replay one) and approvals.
#[derive(Args)]
pub struct JournalArgs {
    /// Write the journal of the execution to FILE: every call with its
    /// outcome, clock reading and the random seed, so that --replay can run
    /// it again. A FILE that cannot be written refuses the run before
    /// anything starts.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Run the program on the inputs journaled in FILE instead of live
    /// ones: no server is started and no tool is called; a call the journal
    /// does not have at that point fails with `replay_diverged`.
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    pub replay: Option<PathBuf>,
    /// Approve every call of a tool that its server's "approve" option marks
    /// (without it such calls fail with `approval_required`).
    #[arg(long)]
    pub approve_all: bool,
}

/// Whether result types are learned from results.
#[derive(Args)]
pub struct LearnArgs {
    /// Do not learn result types from results (nor read those learned
    /// before); the config's `"codemode": { "learn": false }` does the same.
    #[arg(long)]
    pub no_learn: bool,
}

/// How the configured servers are started.
#[derive(Args)]
pub struct StartArgs {
    /// Fail (exit 2) if any server cannot be started, instead of going on without it (config: "codemode": {"strict": true}).
    #[arg(long)]
    strict: bool,
    /// How long each server may take to start and list its tools, e.g. `30s`, `2m` or milliseconds; replaces every server's startTimeout (default 60s).
    #[arg(long, value_name = "DURATION", value_parser = start_timeout)]
    start_timeout: Option<Duration>,
}

impl StartArgs {
    /// `config` with these flags applied over it.
    pub fn apply(&self, mut config: Config) -> Config {
        config.strict |= self.strict;
        if let Some(timeout) = self.start_timeout {
            for server in &mut config.servers {
                server.options.start_timeout = timeout;
            }
        }
        config
    }
}

fn start_timeout(text: &str) -> Result<Duration, String> {
    let millis = text.parse::<u64>().ok().filter(|&n| n > 0).map(Duration::from_millis);
    millis.or_else(|| codemode::config::parse_duration(text)).ok_or_else(|| {
        r#"expected a positive duration: integer milliseconds, or like "30s", "500ms" or "2m""#.to_owned()
    })
}

/// Limits of the execution; each defaults to the documented default.
#[derive(Args)]
pub struct LimitArgs {
    /// CPU budget in fuel units (at least 1,000,000).
    #[arg(long, default_value_t = Limits::DEFAULT_FUEL)]
    fuel: u64,
    /// Memory limit in MiB (8 to 4096).
    #[arg(long, default_value_t = Limits::DEFAULT_MEMORY >> 20)]
    memory_mib: u64,
    /// Deadline in milliseconds (1 to 86,400,000).
    #[arg(long, default_value_t = Limits::DEFAULT_TIMEOUT.as_millis() as u64)]
    timeout_ms: u64,
    /// Maximum tool calls (0 allows none).
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_TOOL_CALLS)]
    max_tool_calls: u32,
    /// Maximum concurrent tool calls (at least 1).
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_CONCURRENT_CALLS)]
    max_concurrent_calls: u32,
    /// Maximum questions to the client's model with llm.ask (0 allows none).
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_LLM_CALLS)]
    max_llm_calls: u32,
    /// Output limit in bytes (at least 1024).
    #[arg(long, default_value_t = Limits::DEFAULT_OUTPUT)]
    output_bytes: u32,
}

impl LimitArgs {
    /// The limits these flags set, validated.
    pub fn limits(&self) -> anyhow::Result<Limits> {
        let mut limits = Limits::default();
        limits.fuel = self.fuel;
        limits.memory = self.memory_mib.saturating_mul(1 << 20);
        limits.timeout = Duration::from_millis(self.timeout_ms);
        limits.max_tool_calls = self.max_tool_calls;
        limits.max_concurrent_calls = self.max_concurrent_calls;
        limits.max_llm_calls = self.max_llm_calls;
        limits.output = self.output_bytes;
        limits.validate().map_err(flag_error)?;
        Ok(limits)
    }
}

/// The library's error for a limit out of range, naming the flag that set it.
fn flag_error(error: codemode::Error) -> anyhow::Error {
    let flag = match error.limit() {
        Some("fuel") => "--fuel",
        Some("memory") => "--memory-mib",
        Some("timeout") => "--timeout-ms",
        Some("max_concurrent_calls") => "--max-concurrent-calls",
        Some("output") => "--output-bytes",
        Some("max_concurrent_executions") => "--max-executions",
        Some("max_state_bytes") => "--max-state-bytes",
        Some("state_ttl") => "--state-ttl",
        _ => return error.into(),
    };
    anyhow!("invalid {flag}: {error}")
}
