//! The `codemode` command line: `run` one program, print the `types` a
//! config's servers give programs, `serve` codemode over MCP, or run the
//! bundled `demo`.
//!
//! Exit codes: 0 the program returned a value (or the command did its job),
//! 1 the program failed (the envelope says why), 2 usage or setup error.
//! Results go to stdout; diagnostics go to stderr only.

mod args;
#[cfg(feature = "demo")]
mod demo;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use codemode::config::Config;
use codemode::server::{self, CodemodeServer, ServeOptions, http::HttpOptions};
use codemode::{Envelope, ExecuteOptions, Executor, InProcessTools, McpTools, ToolProvider};

use args::{Cli, Command, ServeArgs};

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
                let envelope = execute(&executor, &source, config.as_deref()).await?;
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
            #[cfg(feature = "demo")]
            Command::Demo => demo::demo().await,
            #[cfg(feature = "demo")]
            Command::DemoServer => demo::server().await,
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

/// Runs `source` against the servers of the config at `config`, if any.
async fn execute(executor: &Executor, source: &str, config: Option<&Path>) -> anyhow::Result<Envelope> {
    let options = ExecuteOptions::new();
    Ok(match config {
        Some(path) => {
            let tools = connect(&load(path)?).await?;
            let envelope = executor.execute(source, tools.clone(), &options).await;
            tools.shutdown().await;
            envelope?
        }
        None => {
            let tools: Arc<dyn ToolProvider> = Arc::new(InProcessTools::new());
            executor.execute(source, tools, &options).await?
        }
    })
}

/// Connects to the servers of `config`.
pub(crate) async fn connect(config: &Config) -> anyhow::Result<Arc<McpTools>> {
    Ok(Arc::new(McpTools::connect(config).await.context("connecting to the MCP servers")?))
}

fn load(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

pub(crate) fn exit_code(envelope: &Envelope) -> ExitCode {
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
