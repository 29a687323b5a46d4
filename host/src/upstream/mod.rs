//! Connections to upstream MCP servers, through the official Rust MCP SDK
//! (`rmcp`): stdio child processes and streamable HTTP.
//!
//! [`Upstreams::connect`] starts every configured server at once, runs
//! `initialize` and lists all pages of its tools; each [`Server`] then keeps
//! its tool list current (following `notifications/tools/list_changed`) and
//! runs tool calls with the server's limits. This module owns the
//! connections and their child processes; it never interprets tool results
//! (a result with `isError` is returned as it came) and never names tools
//! for programs (that is `catalog`'s job).
//!
//! # Faults, and what each becomes
//!
//! | the server...                              | the call gets ([`UpstreamErrorKind`]) |
//! |--------------------------------------------|---------------------------------------|
//! | cannot be started / reached at startup     | `Spawn` / `Connect` (from `connect`)  |
//! | does not answer within `callTimeout`       | `Timeout`; the request is cancelled upstream with `notifications/cancelled` |
//! | exits or drops the connection mid-call     | `Crashed`, with its exit status and the end of its stderr |
//! | writes anything but MCP messages to stdout | `Protocol`, quoting the start of the offending line |
//! | answers with a JSON-RPC error              | `Rpc`, with its code and message      |
//! | is down and backing off before a restart   | `Unavailable`, saying when it retries |
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
//! The values of a server's `env` and `headers` that are credentials (the
//! rules are in [`redact`]'s docs: the name says so, the user marks it in
//! `codemode.secrets`, or the value looks like one) are masked in every text
//! this module surfaces — error messages (with stderr excerpts and quoted
//! stdout), log lines, and everything the server sends (tools,
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
use std::sync::Arc;

use rmcp::ServiceError;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject, Tool};
use tokio::sync::{Semaphore, watch};

use crate::config::{Config, ServerConfig};

pub use error::{UpstreamError, UpstreamErrorKind};
pub use session::{CONNECT_TIMEOUT, STOP_GRACE};

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
    instructions: Option<String>,
    identity: String,
    supervisor: Supervisor,
    slots: Semaphore,
}

/// What a server's sessions and supervisor share.
struct Shared {
    name: Arc<str>,
    config: ServerConfig,
    redactor: Arc<Redactor>,
    tools: Arc<ToolSet>,
}

impl Upstreams {
    /// Starts or connects to every server of `config` concurrently; each
    /// runs `initialize` and lists all pages of its tools, within
    /// [`CONNECT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// The first failing server, in config order (`Spawn` if its command
    /// could not be started, else `Connect`); the servers that did start are
    /// shut down first.
    pub async fn connect(config: &Config) -> Result<Upstreams, UpstreamError> {
        let started = futures::future::join_all(config.servers.iter().map(Server::start)).await;
        let mut servers = Vec::with_capacity(started.len());
        let mut first_error = None;
        for server in started {
            match server {
                Ok(server) => servers.push(Arc::new(server)),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        let upstreams = Upstreams { servers };
        match first_error {
            Some(err) => {
                upstreams.shutdown().await;
                Err(err)
            }
            None => Ok(upstreams),
        }
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
    async fn start(config: &ServerConfig) -> Result<Server, UpstreamError> {
        let shared = Shared {
            name: Arc::from(config.name.as_str()),
            config: config.clone(),
            redactor: Arc::new(Redactor::for_server(config)),
            tools: Arc::new(ToolSet::new(config.options.clone())),
        };
        let session = Session::open(&shared).await?;
        Ok(Server {
            instructions: session.instructions().map(str::to_owned),
            identity: session.identity().to_owned(),
            supervisor: Supervisor::new(session),
            slots: Semaphore::new(config.options.max_concurrent_calls.min(Semaphore::MAX_PERMITS)),
            shared,
        })
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

    /// The `instructions` the server gave in its first `initialize`, if any
    /// (redacted).
    pub fn instructions(&self) -> Option<&str> {
        self.instructions.as_deref()
    }

    /// The name and version the server gave in its first `initialize`
    /// (`serverInfo`), as `name version`.
    pub fn identity(&self) -> &str {
        &self.identity
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
