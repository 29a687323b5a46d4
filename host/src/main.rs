//! The `codemode` command line: `run` one program, print the `types` a
//! config's servers give programs, `serve` codemode over MCP, or run the
//! bundled `demo`.
//!
//! Exit codes: 0 the program returned a value (or the command did its job),
//! 1 the program failed (the envelope says why), 2 usage or setup error.
//! Results go to stdout; diagnostics go to stderr only.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::server::{self, CodemodeServer, ServeOptions, http::HttpOptions};
use codemode::{Envelope, Executor, InProcessTools, Limits, McpTools, Receipt, strip};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// Serve codemode itself over MCP (stdio, or streamable HTTP with --http):
    /// the tools `search` and `execute` in front of the configured servers.
    Serve(ServeArgs),
    /// Run the bundled demo: its MCP server, its TypeScript API, an example program.
    Demo,
    /// Serve the bundled demo MCP server on stdin/stdout (what `demo` runs).
    #[command(hide = true)]
    DemoServer,
}

/// `codemode serve`'s arguments.
#[derive(Args)]
struct ServeArgs {
    /// The MCP servers behind codemode.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Serve streamable HTTP at ADDR (`HOST:PORT`, or just `PORT` on
    /// 127.0.0.1) instead of stdio; the endpoint is `/mcp`.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "8765")]
    http: Option<String>,
    /// HTTP: require `Authorization: Bearer TOKEN` on every request.
    #[arg(long, value_name = "TOKEN", env = "CODEMODE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// HTTP: a `Host` header value to accept, instead of the default loopback names (repeatable; `*` for any).
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// HTTP: a browser `Origin` to accept, e.g. `https://app.example.com`, instead of the same-host default (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Programs running at once across all clients; more queue briefly, then get "busy".
    #[arg(long, default_value_t = ServeOptions::default().max_concurrent_executions)]
    max_executions: usize,
    /// How long an execute waits for a free slot before "busy", in milliseconds.
    #[arg(long, default_value_t = ServeOptions::default().queue_timeout.as_millis() as u64)]
    queue_timeout_ms: u64,
    /// On SIGINT/SIGTERM, how long running programs may finish before they are cancelled, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    shutdown_grace_ms: u64,
    #[command(flatten)]
    limits: LimitArgs,
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
                let code = read_program(&program)?;
                let started = Instant::now();
                let executor = Executor::builder().limits(limits.limits()).build()?;
                let envelope = match strip::strip_types(&code) {
                    Err(error) => Envelope::failed(error.into(), Vec::new(), Receipt::elapsed(started)),
                    Ok(source) => execute(&executor, &source, config.as_deref()).await?,
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
            Command::Serve(args) => serve(args).await,
            Command::Demo => demo().await,
            Command::DemoServer => {
                codemode_demo::server::serve_stdio().await?;
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// `codemode serve`: connects to the configured servers, then serves MCP
/// until the client leaves (stdio) or a signal arrives.
async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let config = load(&args.config)?;
    let executor = Executor::builder().limits(args.limits.limits()).build()?;
    let mut options = ServeOptions::default();
    options.max_concurrent_executions = args.max_executions;
    options.queue_timeout = Duration::from_millis(args.queue_timeout_ms);
    options.inline_declarations = config.inline_declarations;
    let grace = Duration::from_millis(args.shutdown_grace_ms);
    let tools = connect(&config).await?;
    let server = CodemodeServer::new(executor, tools.clone(), options)?;
    let served = match args.http {
        None => server::serve_stdio(server, shutdown_signal(), grace).await.map_err(anyhow::Error::from),
        Some(addr) => {
            let addr = http_addr(&addr)?;
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
            let bound = listener.local_addr()?;
            let mut http = HttpOptions::default();
            http.allowed_hosts.extend(args.allow_hosts);
            http.allowed_origins.extend(args.allow_origins);
            http.bearer_token = args.token;
            http.shutdown_grace = grace;
            eprintln!("codemode: serving MCP at http://{bound}/mcp");
            let make = move || Ok(server.session());
            server::http::serve(listener, http, make, shutdown_signal()).await.map_err(anyhow::Error::from)
        }
    };
    tools.shutdown().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// `PORT` or `HOST:PORT`; a bare port is on loopback.
fn http_addr(text: &str) -> anyhow::Result<std::net::SocketAddr> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .with_context(|| format!("--http {text:?} is not PORT or HOST:PORT"))?
        .next()
        .with_context(|| format!("--http {text:?} resolves to no address"))
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(term) => {
                term.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
    tracing::info!("shutting down");
}

/// Diagnostics go to stderr (stdout may carry the protocol), filtered by
/// `RUST_LOG` (default: codemode's own at `info`, the libraries' at `warn`).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,codemode=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
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
        ..Config::default()
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

/// Runs `source` against the servers of the config at `config`, if any.
async fn execute(executor: &Executor, source: &str, config: Option<&Path>) -> anyhow::Result<Envelope> {
    Ok(match config {
        Some(path) => {
            let tools = connect(&load(path)?).await?;
            let envelope = executor.execute(source, tools.clone()).await;
            tools.shutdown().await;
            envelope?
        }
        None => executor.execute(source, Arc::new(InProcessTools::new())).await?,
    })
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
