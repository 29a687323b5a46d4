//! Connections to upstream MCP servers, through the official Rust MCP SDK
//! (`rmcp`): stdio child processes and streamable HTTP.
//!
//! [`Upstreams::connect`] starts every configured server at once, runs
//! `initialize` and lists all pages of its tools; each [`Server`] then keeps
//! its tool list current (following `notifications/tools/list_changed`) and
//! runs tool calls with the server's limits.
//!
//! # Degraded start
//!
//! A server that cannot be started (its command is missing, it exits, it
//! answers `initialize` with an error, or it says nothing within its
//! `startTimeout`, after which codemode stops it) does not stop the others:
//! it is left [unavailable](Server::unavailable) with its start error, has
//! no tools, and every call to it first tries to start it again, on the
//! restart schedule of [`supervisor`]. With `"strict": true` in the config
//! (`--strict`), any such failure fails [`Upstreams::connect`] instead.
//!
//! This module owns the connections and their child processes; it never
//! interprets tool results (a result with `isError` is returned as it came)
//! and never names tools for programs (that is `catalog`'s job).
//!
//! # Faults, and what each becomes
//!
//! `host/tests/all/misbehaving.rs` provokes each of these with a real
//! server process behind `codemode serve`, over stdio and streamable HTTP,
//! and checks that the other servers are unaffected, the next execution is
//! fine and codemode's peak resident memory stays under 256 MiB: about 66
//! MiB with no fault, at most 90 MiB through any fault below, 194 MiB with
//! 20,000 tools (debug build).
//!
//! | the server...                              | the call gets ([`UpstreamErrorKind`]; the program's `ToolError.code`) |
//! |--------------------------------------------|---------------------------------------|
//! | cannot be started / reached at startup, or says nothing within `startTimeout` (codemode stops it) | a warning at startup; its calls get `Spawn` / `Connect` from a new try, or `Unavailable` while backing off (`unavailable`); from `connect` when strict |
//! | lists tools codemode cannot read (an `inputSchema` that is not an object) | the same: its start failed (`Protocol` message) |
//! | does not answer within `callTimeout` (hangs, answers with a wrong id, drips its answer a byte at a time) | `Timeout` (`timeout`); the request is cancelled upstream with `notifications/cancelled` |
//! | exits or drops the connection mid-call     | `Crashed` (`unavailable`), with its exit status and the end of its stderr; over HTTP `Connect` (`unavailable`), "the request failed", and the next request tries again |
//! | writes anything but MCP messages to stdout, or a line over 16 MiB (a 100 MB result) | `Protocol` (`unavailable`), quoting the start of the offending line; the server is stopped, at most 16 MiB of the line was read. Over HTTP, a body that is not JSON-RPC or is over 16 MiB: `Connect` (`unavailable`), and the server stays up |
//! | answers with a JSON-RPC error              | `Rpc` (`tool_failed`), with its code and message, cut at [`MAX_RPC_MESSAGE`] bytes (a 10 MB message) |
//! | is down and backing off before a restart   | `Unavailable` (`unavailable`), saying when it retries |
//! | floods stdout with notifications or stderr with text | nothing: notifications are handled one at a time, stderr keeps its last 4 KiB; the call gets its answer |
//! | lists 20,000 tools, the same name twice, or a schema the validator cannot compile | all are served: duplicate names get distinct function names, and a schema that does not compile checks only that the arguments are an object, with a warning in the log |
//! | changes its tool list during a call        | programs keep their functions; a call to a tool that is gone gets `unknown_tool` |
//!
//! A dead server is restarted by the next call that needs it, with backoff
//! (the schedule is in [`supervisor`]). A call whose future is dropped is
//! cancelled upstream too. At most `maxConcurrentCalls` calls per server
//! are in flight; more wait, and the wait counts against their timeout
//! (the timeout covers the whole call: waiting for a slot, a restart, the
//! request itself).
//!
//! stdio children get a minimal inherited environment (`HOME`, `LOGNAME`,
//! `PATH`, `SHELL`, `TERM`, `USER`, `TMPDIR`, `LANG`, `LC_ALL`; the MCP
//! SDKs' default set, plus temp folder and locale) and their `env` on top,
//! not codemode's whole environment, which may hold other servers'
//! credentials. Their stdout must carry only MCP messages (anything else
//! ends the connection with `Protocol` instead of leaving calls to time
//! out), and is read with a 16 MiB line bound. Their stderr is drained
//! continuously and only its last 4 KiB are kept, for error messages.
//!
//! # Credentials
//!
//! The values of a server's `env`, `headers` and `url` query parameters
//! that are credentials (the rules are in [`redact`]'s docs: the name says
//! so, the user marks it in `codemode.secrets`, or the value looks like
//! one) are masked in every text this module surfaces — error messages
//! (with stderr excerpts, quoted stdout and the URL the HTTP client quotes),
//! log lines, and everything the server sends (tools,
//! instructions, results) — each replaced by `<redacted>`; no `Debug` output
//! prints any `env` or `headers` value. Ordinary values (`production`,
//! `eu-west-1`) come through as they are. Matching is exact (an encoded
//! secret is not recognized).
//!
//! # Stopping
//!
//! [`Upstreams::shutdown`] closes every session: stdio servers get their
//! stdin closed and [`STOP_GRACE`] to exit before they are killed and
//! reaped; HTTP sessions are ended. Dropping [`Upstreams`] without calling
//! it kills and reaps the children too (in the background, on the Tokio
//! runtime).

mod error;
mod http;
mod redact;
mod session;
mod stderr;
mod stdio;
pub mod supervisor;
mod tools;

use std::fmt;
use std::sync::{Arc, OnceLock};

use rmcp::ServiceError;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject, Tool};
use tokio::sync::{Semaphore, watch};

use crate::config::{Config, ServerConfig};

pub use error::{MAX_RPC_MESSAGE, UpstreamError, UpstreamErrorKind};
pub use session::STOP_GRACE;

use redact::Redactor;
use session::Session;
use supervisor::Supervisor;
use tools::ToolSet;

/// Every configured server, connected.
pub struct Upstreams {
    servers: Vec<Arc<Server>>,
}

/// One upstream server: its tools, and calls to them.
pub struct Server {
    shared: Shared,
    supervisor: Supervisor,
    slots: Semaphore,
}

/// What a server's sessions and supervisor share.
struct Shared {
    name: Arc<str>,
    config: ServerConfig,
    redactor: Arc<Redactor>,
    tools: Arc<ToolSet>,
    /// What the first session that opened learned of the server.
    introduction: OnceLock<Introduction>,
}

/// What a server says of itself in its first `initialize`.
struct Introduction {
    /// Its `instructions` (redacted).
    instructions: Option<String>,
    /// Its `serverInfo`, as `name version`.
    identity: String,
}

impl Upstreams {
    /// Starts or connects to every server of `config` concurrently; each
    /// runs `initialize` and lists all pages of its tools, within its
    /// `startTimeout`. A server that fails is left unavailable (see
    /// [`Upstreams::unavailable`] and the [module docs](self)).
    ///
    /// # Errors
    ///
    /// Only with [`Config::strict`]: the first failing server, in config
    /// order (`Spawn` if its command could not be started, else
    /// `Connect`); the servers that did start are shut down first.
    pub async fn connect(config: &Config) -> Result<Upstreams, UpstreamError> {
        let started = futures::future::join_all(config.servers.iter().map(Server::start)).await;
        let upstreams = Upstreams { servers: started.into_iter().map(Arc::new).collect() };
        if config.strict
            && let Some(err) = upstreams.unavailable().into_iter().next()
        {
            upstreams.shutdown().await;
            return Err(err);
        }
        Ok(upstreams)
    }

    /// The start error of each server that has not started (yet), in
    /// config order.
    pub fn unavailable(&self) -> Vec<UpstreamError> {
        self.servers.iter().filter_map(|server| server.unavailable()).collect()
    }

    /// The servers, in config order.
    pub fn servers(&self) -> &[Arc<Server>] {
        &self.servers
    }

    /// The server named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Server>> {
        self.servers.iter().find(|server| server.name() == name)
    }

    /// Stops every server, concurrently: closes each session, and gives
    /// each child [`STOP_GRACE`] to exit before killing and reaping it.
    /// Later calls fail with `Unavailable`.
    pub async fn shutdown(&self) {
        futures::future::join_all(self.servers.iter().map(|server| server.stop())).await;
    }
}

impl Server {
    async fn start(config: &ServerConfig) -> Server {
        let shared = Shared {
            name: Arc::from(config.name.as_str()),
            config: config.clone(),
            redactor: Arc::new(Redactor::for_server(config)),
            tools: Arc::new(ToolSet::new(config.options.clone())),
            introduction: OnceLock::new(),
        };
        let supervisor = match Session::open(&shared).await {
            Ok(session) => Supervisor::new(session),
            Err(err) => {
                shared.tools.start_failed(&err);
                Supervisor::failed(err)
            }
        };
        Server {
            supervisor,
            slots: Semaphore::new(config.options.max_concurrent_calls.min(Semaphore::MAX_PERMITS)),
            shared,
        }
    }

    /// Stops the server for good; calls waiting for a slot fail at once.
    async fn stop(&self) {
        self.slots.close();
        self.supervisor.stop().await;
    }

    /// The server's name, as in the config file.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Which of its tools need a person's yes for each call.
    pub fn approve(&self) -> &crate::config::Approve {
        &self.shared.config.options.approve
    }

    /// `text` with the credentials of this server's config masked, as in
    /// everything codemode passes on.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.shared.redactor.redact(text)
    }

    /// The `instructions` the server gave in its first `initialize`, if any
    /// (redacted).
    pub fn instructions(&self) -> Option<&str> {
        self.shared.introduction.get().and_then(|introduction| introduction.instructions.as_deref())
    }

    /// Why the server is unavailable, while it has never started: the
    /// error of its last try (`Spawn` or `Connect`). Each change bumps
    /// [`changes`](Self::changes).
    pub fn unavailable(&self) -> Option<UpstreamError> {
        self.shared.tools.unstarted()
    }

    /// Makes sure the server is up: starts it if it is down and its
    /// backoff has passed, as a call would.
    ///
    /// # Errors
    ///
    /// `Unavailable` while backing off or after shutdown; the start's own
    /// error (`Spawn`, `Connect`) if starting fails.
    pub async fn start_now(&self) -> Result<(), UpstreamError> {
        self.supervisor.session(&self.shared).await.map(drop)
    }

    /// The name and version the server gave in its first `initialize`
    /// (`serverInfo`), as `name version`; empty while it has never started.
    pub fn identity(&self) -> &str {
        self.shared.introduction.get().map_or("", |introduction| introduction.identity.as_str())
    }

    /// The current tools, with the server's allow/deny options applied
    /// (redacted). Refreshed when the server sends
    /// `notifications/tools/list_changed` and when it is restarted.
    pub fn tools(&self) -> Arc<[Tool]> {
        self.shared.tools.current()
    }

    /// A counter bumped each time [`tools`](Self::tools) changes; wait on it
    /// with [`watch::Receiver::changed`].
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.shared.tools.subscribe()
    }

    /// Calls `tool` (the server's own name for it) with `arguments`.
    ///
    /// The server's `callTimeout` bounds the whole call; a call abandoned at
    /// the deadline, or whose future is dropped, is cancelled upstream with
    /// `notifications/cancelled`. At most `maxConcurrentCalls` calls run at
    /// once. A server found dead is restarted first (see [`supervisor`]).
    /// A result with `isError: true` is `Ok`. Text in the result is
    /// redacted.
    ///
    /// # Errors
    ///
    /// See the table in the [module docs](self).
    pub async fn call(&self, tool: &str, arguments: Option<JsonObject>) -> Result<CallToolResult, UpstreamError> {
        let limit = self.shared.config.options.call_timeout;
        match tokio::time::timeout(limit, self.call_now(tool, arguments)).await {
            Ok(result) => result,
            Err(_) => {
                let message = format!("tool {tool:?} did not finish within {limit:?}; the call was cancelled");
                Err(self.error(UpstreamErrorKind::Timeout, &message))
            }
        }
    }

    async fn call_now(&self, tool: &str, arguments: Option<JsonObject>) -> Result<CallToolResult, UpstreamError> {
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(self.error(UpstreamErrorKind::Unavailable, "the server has been shut down"));
        };
        let session = self.supervisor.session(&self.shared).await?;
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        match session.peer().call_tool(params).await {
            Ok(result) => Ok(result),
            Err(ServiceError::McpError(error)) => Err(UpstreamError::rpc(
                &self.shared.name,
                error.code.0,
                self.shared.redactor.redact(&error.message).into(),
            )),
            // An HTTP request that failed on a live session is a failed
            // request, not a dead server; on stdio, a failed write is.
            Err(ServiceError::TransportSend(err)) if session.is_alive() && !session.is_stdio() => {
                Err(self
                    .error(UpstreamErrorKind::Connect, &format!("the request failed: {}", error::chain(&*err.error))))
            }
            Err(ServiceError::TransportClosed | ServiceError::TransportSend(_)) => {
                let reason = session.death(&self.shared).await;
                Err(self.supervisor.died(&self.shared, &session, reason).await)
            }
            Err(err) => {
                Err(self.error(UpstreamErrorKind::Protocol, &format!("unexpected answer to tools/call: {err}")))
            }
        }
    }

    fn error(&self, kind: UpstreamErrorKind, message: &str) -> UpstreamError {
        UpstreamError::new(kind, &self.shared.name, self.shared.redactor.redact(message).into_owned())
    }
}

impl fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.servers).finish()
    }
}

impl fmt::Debug for Server {
    /// The name, the transport (`env` and `headers` values redacted) and the
    /// number of tools.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.shared.name)
            .field("transport", &self.shared.config.transport)
            .field("tools", &self.tools().len())
            .finish_non_exhaustive()
    }
}
