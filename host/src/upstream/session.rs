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

/// How long closing a session waits for the server to go away on its own
/// (stdio: after its stdin is closed) before killing it.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// A live connection.
pub(super) struct Session {
    peer: Peer<RoleClient>,
    running: Mutex<Option<RunningService<RoleClient, Handler>>>,
    child: Option<ChildProcess>,
    started: Instant,
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
    /// Connects to the server and lists its tools into `shared.tools`,
    /// within the server's `startTimeout`; the first session to open also
    /// records the server's `instructions`.
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
            Err(Failed::TimedOut { missing }) => {
                // codemode gave up on it: its exit status (a kill) says
                // nothing, but what it wrote on stderr may.
                let after = seconds(shared.config.options.start_timeout);
                let message = match &child {
                    Some(child) => {
                        child.kill();
                        let stderr = child.stderr_excerpt(&shared.redactor).await;
                        format!("codemode stopped the server after {after} without {missing} (startTimeout){stderr}")
                    }
                    None => format!("codemode gave up after {after} without {missing} (startTimeout)"),
                };
                return Err(connect_error(message));
            }
            Err(Failed::Error(message)) => {
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
        shared.introduction.get_or_init(|| {
            let info = peer.peer_info();
            super::Introduction {
                instructions: info.as_ref().and_then(|info| info.instructions.clone()),
                identity: info
                    .and_then(|info| info.server_info.as_ref().map(|info| format!("{} {}", info.name, info.version)))
                    .unwrap_or_default(),
            }
        });
        let refresher = tokio::spawn(refresh(
            peer.clone(),
            tools_changed,
            Arc::clone(&shared.tools),
            shared.name.clone(),
            Arc::clone(&shared.redactor),
        ));
        Ok(Arc::new(Session { peer, running: Mutex::new(Some(running)), child, started: Instant::now(), refresher }))
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

/// Why a session did not open, as a redacted message.
enum Failed {
    /// A step failed.
    Error(String),
    /// The server took longer than its `startTimeout`, still `missing`
    /// something.
    TimedOut { missing: &'static str },
}

/// Runs `initialize` and lists every page of tools, within the server's
/// `startTimeout`; on failure, which step failed.
async fn initialize<T: Transport<RoleClient> + 'static>(
    shared: &Shared,
    handler: Handler,
    transport: T,
) -> Result<(RunningService<RoleClient, Handler>, Vec<Tool>), Failed> {
    let transport = Redacting::new(transport, Arc::clone(&shared.redactor), shared.name.clone());
    let initialized = std::sync::atomic::AtomicBool::new(false);
    let steps = async {
        let running = handler.serve(transport).await.map_err(|err| match err {
            ClientInitializeError::TransportError { error, context } => {
                format!("initialize failed ({context}): {}", chain(&*error.error))
            }
            other => format!("initialize failed: {other}"),
        })?;
        initialized.store(true, std::sync::atomic::Ordering::Relaxed);
        let has_tools = running.peer_info().is_some_and(|info| info.capabilities.tools.is_some());
        let tools = match has_tools {
            true => running.peer().list_all_tools().await.map_err(|err| format!("tools/list failed: {err}"))?,
            false => Vec::new(),
        };
        Ok((running, tools))
    };
    let limit = shared.config.options.start_timeout;
    match tokio::time::timeout(limit, steps).await {
        Ok(result) => result.map_err(|message: String| Failed::Error(shared.redactor.redact(&message).into_owned())),
        Err(_) => Err(Failed::TimedOut {
            missing: match initialized.load(std::sync::atomic::Ordering::Relaxed) {
                true => "the end of its tool list",
                false => "an answer to initialize",
            },
        }),
    }
}

/// `limit` as people write it: `60 s`, `1.5 s`, `250 ms`.
fn seconds(limit: Duration) -> String {
    match limit.as_millis() {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        _ => format!("{} s", limit.as_secs_f64()),
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
