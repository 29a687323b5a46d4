//! MCP servers as a [`ToolProvider`]: [`McpTools`] puts the connected
//! [`Upstreams`] behind the catalog's names, checks each call's arguments
//! against the tool's `inputSchema` ([`arguments`]), sends it to the
//! tool's server and maps what comes back ([`results`]). It never spawns,
//! restarts or times out a server (`upstream` does) and never names a tool
//! (`catalog` does).
//!
//! # Errors a program sees
//!
//! | what happened | `ToolError.code` |
//! |---|---|
//! | the arguments do not fit `inputSchema` (nothing was sent) | `invalid_arguments` |
//! | the result has `isError: true` | `tool_failed`, the result's content in `details` |
//! | the server answered with a JSON-RPC error | `tool_failed`, `details: { rpcCode }` |
//! | the call passed the server's `callTimeout` (and was cancelled) | `timeout` |
//! | the server could not start, crashed, is restarting or broke the protocol | `unavailable` |
//! | the tool disappeared since the program started (`tools/list_changed`) | `unknown_tool` |
//!
//! Messages name the server and are redacted by `upstream`, so no
//! configured credential reaches a program.
//!
//! # Tool changes
//!
//! When a server reports `tools/list_changed`, the catalog is rebuilt before
//! the next listing or call. A running program keeps the functions it
//! started with; each call resolves its name in the catalog of the moment,
//! so a tool that disappeared answers `unknown_tool`.

mod arguments;
mod results;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::catalog::{Catalog, ServerTools};
use crate::config::Config;
use crate::tools::{ToolCallError, ToolCallErrorKind, ToolFuture, ToolProvider, ToolSpec};
use crate::upstream::{Server, UpstreamError, UpstreamErrorKind, Upstreams};

use self::arguments::Arguments;

/// The tools of connected MCP servers, under the catalog's names.
pub struct McpTools {
    upstreams: Upstreams,
    state: Mutex<State>,
}

/// The catalog in use and how to tell it is stale.
struct State {
    current: Arc<Snapshot>,
    changes: Vec<tokio::sync::watch::Receiver<u64>>,
}

/// One catalog and everything a call needs, built together.
struct Snapshot {
    catalog: Arc<Catalog>,
    routes: HashMap<(String, String), Route>,
}

/// Where a `namespace.name` call goes.
struct Route {
    server: Arc<Server>,
    tool: String,
    arguments: Arguments,
}

impl McpTools {
    /// Connects to every server of `config`.
    ///
    /// # Errors
    ///
    /// The first server that cannot be started or initialized.
    pub async fn connect(config: &Config) -> Result<McpTools, UpstreamError> {
        Ok(McpTools::new(Upstreams::connect(config).await?))
    }

    /// The tools of `upstreams`.
    pub fn new(upstreams: Upstreams) -> McpTools {
        let changes = upstreams.servers().iter().map(|server| server.changes()).collect();
        let current = Arc::new(Snapshot::new(upstreams.servers()));
        McpTools { upstreams, state: Mutex::new(State { current, changes }) }
    }

    /// The catalog programs see now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.snapshot().catalog.clone()
    }

    /// The connections.
    pub fn upstreams(&self) -> &Upstreams {
        &self.upstreams
    }

    /// Closes every connection and reaps the servers' processes.
    pub async fn shutdown(&self) {
        self.upstreams.shutdown().await;
    }

    /// The current snapshot, rebuilt first if some server's tools changed.
    fn snapshot(&self) -> Arc<Snapshot> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut changed = false;
        for changes in &mut state.changes {
            if changes.has_changed().unwrap_or(false) {
                changes.borrow_and_update();
                changed = true;
            }
        }
        if changed {
            state.current = Arc::new(Snapshot::new(self.upstreams.servers()));
        }
        state.current.clone()
    }
}

impl Snapshot {
    fn new(servers: &[Arc<Server>]) -> Snapshot {
        let tools: Vec<_> = servers.iter().map(|server| server.tools()).collect();
        let inputs: Vec<ServerTools<'_>> = servers
            .iter()
            .zip(&tools)
            .map(|(server, tools)| ServerTools { server: server.name(), instructions: server.instructions(), tools })
            .collect();
        let catalog = Catalog::new(&inputs);
        let mut routes = HashMap::new();
        for (namespace, server) in catalog.namespaces().iter().zip(servers) {
            for tool in &namespace.tools {
                let route = Route {
                    server: server.clone(),
                    tool: tool.original.clone(),
                    arguments: Arguments::new(&tool.input_schema),
                };
                routes.insert((namespace.name.clone(), tool.name.clone()), route);
            }
        }
        Snapshot { catalog: Arc::new(catalog), routes }
    }
}

impl ToolProvider for McpTools {
    fn tools(&self) -> Arc<[ToolSpec]> {
        self.snapshot().catalog.specs()
    }

    fn call(&self, tool: &ToolSpec, arguments: Value) -> ToolFuture {
        let snapshot = self.snapshot();
        let qualified = tool.qualified_name();
        let key = (tool.namespace.clone().unwrap_or_default(), tool.name.clone());
        let checked = match snapshot.routes.get(&key) {
            None => Err(ToolCallError::new(
                ToolCallErrorKind::UnknownTool,
                format!("{qualified} is no longer a tool: its server's tool list changed"),
            )),
            Some(route) => route.arguments.check(&qualified, arguments),
        };
        Box::pin(async move {
            let arguments = checked?;
            let route = &snapshot.routes[&key];
            match route.server.call(&route.tool, Some(arguments)).await {
                Ok(result) => results::map(&qualified, result),
                Err(error) => Err(upstream_error(&error)),
            }
        })
    }
}

/// The `ToolError` of a call the server did not answer with a result.
fn upstream_error(error: &UpstreamError) -> ToolCallError {
    let message = error.to_string();
    match error.kind() {
        // Arguments were checked before sending, so a JSON-RPC error (even
        // "invalid params", which servers also use for unknown tools) is the
        // tool's failure, not the program's.
        UpstreamErrorKind::Rpc => ToolCallError::new(ToolCallErrorKind::ToolFailed, message)
            .with_details(json!({ "rpcCode": error.rpc_code() })),
        UpstreamErrorKind::Timeout => ToolCallError::new(ToolCallErrorKind::Timeout, message),
        _ => ToolCallError::new(ToolCallErrorKind::Unavailable, message),
    }
}
