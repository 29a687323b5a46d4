//! The `codemode` command line: `run` one program, print the `types` a
//! config's servers give programs, `serve` codemode over MCP, or run the
//! bundled `demo`.
//!
//! Exit codes: 0 the program returned a value (or the command did its job,
//! or the reader of stdout left before the end: see `stdout.rs`), 1 the
//! program failed (the envelope says why), 2 usage or setup error. Results
//! go to stdout, through `stdout.rs` only; diagnostics go to stderr only.

#[macro_use]
mod stdout;
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
use codemode::input::{ApproveAll, Nobody};
use codemode::journal::Journal;
use codemode::server::{self, CodemodeServer, http::HttpOptions};
use codemode::shapes::Learner;
use codemode::{Envelope, ExecuteOptions, Executor, InProcessTools, McpTools, ToolProvider};

use args::{Cli, Command, JournalArgs, LearnArgs, ServeArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<stdout::ReaderGone>().is_some() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("codemode: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // A server reports what it does; a one-shot command only what went wrong.
    // rmcp's own lines (`worker quit with fatal: …`) repeat, in its terms,
    // a failure codemode reports itself with the server's name; RUST_LOG
    // brings them back.
    init_logging(if matches!(cli.command, Command::Serve(_)) {
        "warn,codemode=info,rmcp=off"
    } else {
        "warn,rmcp=off"
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Run { program, config, learn, start, limits, journal, compact } => {
                let source = read_program(&program)?;
                let executor = Executor::builder().limits(limits.limits()?).build()?;
                let config = config.map(|path| load(&path).map(|config| start.apply(config))).transpose()?;
                let record = journal.record.as_deref().map(open_record).transpose()?;
                let mut envelope = execute(&executor, &source, config.as_ref(), &learn, &journal).await?;
                let recorded = envelope.journal.take();
                let text =
                    if compact { serde_json::to_string(&envelope)? } else { serde_json::to_string_pretty(&envelope)? };
                outln!("{text}")?;
                if let (Some(path), Some(recorded)) = (record, recorded) {
                    std::fs::write(path, recorded.to_file())
                        .with_context(|| format!("writing the journal {}", path.display()))?;
                }
                Ok(exit_code(&envelope))
            }
            Command::Types { config, forget, learn, start } => {
                if let Some(server) = forget {
                    forget_learned((!server.is_empty()).then_some(server.as_str()))?;
                }
                if let Some(config) = config {
                    let tools = connect(&start.apply(load(&config)?), &learn).await?;
                    let printed = out!("{}", tools.declarations());
                    tools.shutdown().await;
                    printed?;
                }
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
    let limits = args.limits.limits()?;
    let mut options = args.options()?;
    let config = args.start.apply(load(&args.config)?);
    let executor = Executor::builder().limits(limits).build()?;
    options.inline_declarations = config.inline_declarations;
    let grace = Duration::from_millis(args.shutdown_grace_ms);
    // HTTP options are checked, and the address bound, before any server
    // starts: a mistake there fails at once.
    let http = match args.http {
        Some(addr) => {
            let mut http = HttpOptions::default();
            http.allowed_hosts.extend(args.allow_hosts);
            http.allowed_origins.extend(args.allow_origins);
            http.bearer_token = args.token;
            http.shutdown_grace = grace;
            http.check()?;
            let addr = http_addr(&addr)?;
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
            Some((listener, http))
        }
        None => None,
    };
    let tools = connect(&config, &args.learn).await?;
    let server = CodemodeServer::new(executor, tools.clone(), options)?;
    let served = match http {
        None => server::serve_stdio(server, shutdown_signal(), grace).await.map_err(anyhow::Error::from),
        Some((listener, http)) => {
            let bound = listener.local_addr()?;
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

/// Diagnostics go to stderr (stdout carries results or the protocol),
/// filtered by `RUST_LOG`, else `default`.
fn init_logging(default: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

/// `--record FILE`, opened (created if need be, not yet emptied) before
/// anything runs: a path the journal cannot be written to refuses the run,
/// rather than failing once its tool calls have had their effects.
fn open_record(path: &Path) -> anyhow::Result<&Path> {
    std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path).with_context(|| {
        format!("--record {}: the journal cannot be written there, so nothing was run", path.display())
    })?;
    Ok(path)
}

/// Runs `source` against the servers of `config`, if any, or on the
/// inputs of a journal; when recording, the envelope carries the journal,
/// with the tools it ran against.
async fn execute(
    executor: &Executor,
    source: &str,
    config: Option<&Config>,
    learn: &LearnArgs,
    journal: &JournalArgs,
) -> anyhow::Result<Envelope> {
    let mut options = ExecuteOptions::new();
    options.record = journal.record.is_some();
    options.asker = Some(if journal.approve_all {
        Arc::new(ApproveAll)
    } else {
        Arc::new(Nobody(
            "codemode run has nobody to ask (--approve-all approves every call; no model can be asked)".into(),
        ))
    });
    let (tools, servers): (Arc<dyn ToolProvider>, _) = match (&journal.replay, config) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let recorded =
                Journal::from_file(&text).with_context(|| format!("reading the journal {}", path.display()))?;
            let tools = recorded.provider();
            options = options.replaying(Arc::new(recorded));
            (tools, None)
        }
        (None, Some(config)) => {
            let servers = connect(config, learn).await?;
            (servers.clone(), Some(servers))
        }
        (None, None) => (Arc::new(InProcessTools::new()), None),
    };
    let envelope = executor.execute(source, tools.clone(), &options).await;
    if let Some(servers) = servers {
        servers.shutdown().await;
    }
    let mut envelope = envelope?;
    envelope.journal = envelope.journal.map(|recorded| recorded.with_tools(&tools.tools()));
    Ok(envelope)
}

/// Connects to the servers of `config`, learning result types unless the
/// config or the flags say not to, with a warning on stderr for each server
/// that could not be started (unless strict, which fails instead).
pub(crate) async fn connect(config: &Config, learn: &LearnArgs) -> anyhow::Result<Arc<McpTools>> {
    let learner = (config.learn && !learn.no_learn).then(Learner::in_state_dir);
    let tools = McpTools::connect_with(config, learner).await.context("connecting to the MCP servers")?;
    for error in tools.upstreams().unavailable() {
        eprintln!(
            "codemode: warning: {error}\n  going on without it: its calls fail with `unavailable` and try to \
             start it again (--strict makes this an error)"
        );
    }
    Ok(Arc::new(tools))
}

/// `types --forget`: removes the learned types of every server, or of
/// `server`, from the state directory.
fn forget_learned(server: Option<&str>) -> anyhow::Result<()> {
    let Some(dir) = codemode::shapes::state_dir() else {
        eprintln!("codemode: no state directory (set CODEMODE_STATE_DIR or HOME), so nothing was learned");
        return Ok(());
    };
    let forgotten = Learner::forget(&dir, server).with_context(|| format!("forgetting in {}", dir.display()))?;
    let whose = server.map_or_else(|| "all servers".to_owned(), |server| format!("{server:?}"));
    eprintln!("codemode: forgot the learned result types of {whose} ({forgotten} file(s) in {})", dir.display());
    Ok(())
}

/// Loads the config at `path`, showing its warnings on stderr.
fn load(path: &Path) -> anyhow::Result<Config> {
    let config = Config::load(path)?;
    for warning in &config.warnings {
        eprintln!("codemode: warning: {}: {warning}", path.display());
    }
    Ok(config)
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
