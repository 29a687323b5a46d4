//! One connection to a server, from start to stop: starting the child or
//! opening the HTTP session, `initialize`, listing every page of tools,
//! following `notifications/tools/list_changed`, explaining a death, and
//! closing.
//!
//! A session never restarts itself (that is `supervisor`'s job) and never
//! surfaces text that has not been through the server's `Redactor`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, Tool};
use rmcp::service::{ClientInitializeError, NotificationContext, RunningService};
use rmcp::transport::Transport;
use rmcp::{ClientHandler, Peer, RoleClient, ServiceExt};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::error::{UpstreamError, UpstreamErrorKind, chain};
use super::redact::{Redacting, Redactor};
use super::stdio::{self, ChildProcess};
use super::tools::ToolSet;
use super::{Shared, http};
use crate::config;

/// The longest a server may take to start, `initialize` and list its tools.
/// Generous because `npx`/`uvx` servers may download themselves first.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long closing a session waits for the server to go away on its own
/// (stdio: after its stdin is closed) before killing it.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// A live connection.
pub(super) struct Session {
    peer: Peer<RoleClient>,
    running: Mutex<Option<RunningService<RoleClient, Handler>>>,
    child: Option<ChildProcess>,
    started: Instant,
    instructions: Option<String>,
    identity: String,
    refresher: JoinHandle<()>,
}

/// The client side of the connection: it only listens for tool-list
/// changes, which it hands to the session's refresher task.
struct Handler {
    tools_changed: Arc<Notify>,
}

impl ClientHandler for Handler {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools_changed.notify_one();
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(ClientCapabilities::default(), Implementation::new("codemode", env!("CARGO_PKG_VERSION")))
    }
}

impl Session {
    /// Connects to the server and lists its tools into `shared.tools`.
    pub(super) async fn open(shared: &Shared) -> Result<Arc<Session>, UpstreamError> {
        let connect_error = |message: String| UpstreamError::new(UpstreamErrorKind::Connect, &shared.name, message);
        let tools_changed = Arc::new(Notify::new());
        let handler = Handler { tools_changed: Arc::clone(&tools_changed) };
        let (initialized, child) = match &shared.config.transport {
            config::Transport::Stdio { command, args, env, cwd } => {
                let (transport, child) = stdio::spawn(command, args, env, cwd.as_deref(), Arc::clone(&shared.redactor))
                    .map_err(|err| {
                        let place = cwd.as_ref().map(|cwd| format!(" in {}", cwd.display())).unwrap_or_default();
                        let message = format!("cannot start {command:?}{place}: {err}");
                        UpstreamError::new(
                            UpstreamErrorKind::Spawn,
                            &shared.name,
                            shared.redactor.redact(&message).into(),
                        )
                    })?;
                (initialize(shared, handler, transport).await, Some(child))
            }
            config::Transport::Http { url, headers } => {
                let transport = http::transport(url, headers).map_err(connect_error)?;
                (initialize(shared, handler, transport).await, None)
            }
        };
        let (running, tools) = match initialized {
            Ok(initialized) => initialized,
            Err(message) => {
                let message = match &child {
                    Some(child) => {
                        child.kill();
                        format!("{message}: {}", child.death(&shared.redactor).await.1)
                    }
                    None => message,
                };
                return Err(connect_error(message));
            }
        };
        shared.tools.replace(tools);
        let peer = running.peer().clone();
        let instructions = peer.peer_info().and_then(|info| info.instructions.clone());
        let identity = peer
            .peer_info()
            .and_then(|info| info.server_info.as_ref().map(|info| format!("{} {}", info.name, info.version)))
            .unwrap_or_default();
        let refresher = tokio::spawn(refresh(
            peer.clone(),
            tools_changed,
            Arc::clone(&shared.tools),
            shared.name.clone(),
            Arc::clone(&shared.redactor),
        ));
        Ok(Arc::new(Session {
            peer,
            running: Mutex::new(Some(running)),
            child,
            started: Instant::now(),
            instructions,
            identity,
            refresher,
        }))
    }

    /// The client end, for requests.
    pub(super) fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// Whether the connection is still up.
    pub(super) fn is_alive(&self) -> bool {
        !self.peer.is_transport_closed()
    }

    /// Whether this is a child process (rather than an HTTP session).
    pub(super) fn is_stdio(&self) -> bool {
        self.child.is_some()
    }

    /// When the session was opened.
    pub(super) fn started(&self) -> Instant {
        self.started
    }

    /// The `instructions` the server sent in `initialize`.
    pub(super) fn instructions(&self) -> Option<&str> {
        self.instructions.as_deref()
    }

    /// The name and version the server gave in `initialize` (`serverInfo`).
    pub(super) fn identity(&self) -> &str {
        &self.identity
    }

    /// Why the connection ended, as the error to report: `Protocol` for a
    /// protocol fault, else `Crashed`.
    pub(super) async fn death(&self, shared: &Shared) -> UpstreamError {
        let (kind, message) = match &self.child {
            Some(child) => match child.death(&shared.redactor).await {
                (true, fault) => (UpstreamErrorKind::Protocol, fault),
                (false, exit) => (UpstreamErrorKind::Crashed, exit),
            },
            None => (UpstreamErrorKind::Crashed, "the connection to the server closed".to_owned()),
        };
        UpstreamError::new(kind, &shared.name, message)
    }

    /// Ends the session at once: the connection is dropped and a child is
    /// killed.
    pub(super) fn abort(&self) {
        drop(self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take());
        if let Some(child) = &self.child {
            child.kill();
        }
    }

    /// Closes the session politely: the SDK closes the transport (stdin, or
    /// the HTTP session), then a child gets [`STOP_GRACE`] to exit before it
    /// is killed and reaped.
    pub(super) async fn close(&self) {
        let running = self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(mut running) = running {
            let _ = running.close_with_timeout(STOP_GRACE).await;
        }
        if let Some(child) = &self.child {
            child.stop(STOP_GRACE).await;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.refresher.abort();
    }
}

/// Runs `initialize` and lists every page of tools, within
/// [`CONNECT_TIMEOUT`]; on failure, a redacted message saying which step
/// failed.
async fn initialize<T: Transport<RoleClient> + 'static>(
    shared: &Shared,
    handler: Handler,
    transport: T,
) -> Result<(RunningService<RoleClient, Handler>, Vec<Tool>), String> {
    let transport = Redacting::new(transport, Arc::clone(&shared.redactor), shared.name.clone());
    let steps = async {
        let running = handler.serve(transport).await.map_err(|err| match err {
            ClientInitializeError::TransportError { error, context } => {
                format!("initialize failed ({context}): {}", chain(&*error.error))
            }
            other => format!("initialize failed: {other}"),
        })?;
        let has_tools = running.peer_info().is_some_and(|info| info.capabilities.tools.is_some());
        let tools = match has_tools {
            true => running.peer().list_all_tools().await.map_err(|err| format!("tools/list failed: {err}"))?,
            false => Vec::new(),
        };
        Ok((running, tools))
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, steps).await {
        Ok(result) => result.map_err(|message: String| shared.redactor.redact(&message).into_owned()),
        Err(_) => Err(format!("the server did not initialize and list its tools within {CONNECT_TIMEOUT:?}")),
    }
}

/// Re-lists the tools each time the server says they changed, until the
/// connection closes. `Notify` keeps at most one pending change, so a burst
/// of notifications costs one listing.
async fn refresh(
    peer: Peer<RoleClient>,
    changed: Arc<Notify>,
    tools: Arc<ToolSet>,
    server: Arc<str>,
    redactor: Arc<Redactor>,
) {
    loop {
        changed.notified().await;
        match peer.list_all_tools().await {
            Ok(listed) => tools.replace(listed),
            Err(_) if peer.is_transport_closed() => return,
            Err(err) => {
                let err = err.to_string();
                tracing::warn!(%server, "cannot refresh the tool list: {}", redactor.redact(&err));
            }
        }
    }
}
