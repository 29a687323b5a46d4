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
//! | any member of the namespace of a server that never started (the call tries to start it) | `unavailable`, with the start error |
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
use crate::shapes::{Learned, Learner, ServerKey, ToolKey, input_hash};
use crate::tools::{ToolCallError, ToolCallErrorKind, ToolFuture, ToolProvider, ToolSpec};
use crate::upstream::{Server, UpstreamError, UpstreamErrorKind, Upstreams};

use self::arguments::Arguments;

/// The tools of connected MCP servers, under the catalog's names.
pub struct McpTools {
    upstreams: Upstreams,
    learner: Option<Learner>,
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
    /// Which tool its results teach the learner about: tools that declare
    /// no output schema.
    learns: Option<ToolKey>,
}

impl McpTools {
    /// Connects to every server of `config`, learning result types in the
    /// default state directory unless the config turns learning off (see
    /// [`crate::shapes`]); one that cannot be started is left unavailable
    /// (see [`crate::upstream`]), and listed by [`Upstreams::unavailable`].
    ///
    /// # Errors
    ///
    /// With [`Config::strict`], the first server that cannot be started or
    /// initialized.
    pub async fn connect(config: &Config) -> Result<McpTools, UpstreamError> {
        let learner = config.learn.then(Learner::in_state_dir);
        McpTools::connect_with(config, learner).await
    }

    /// Connects to every server of `config`, learning result types with
    /// `learner`, or not at all.
    ///
    /// # Errors
    ///
    /// As [`McpTools::connect`].
    pub async fn connect_with(config: &Config, learner: Option<Learner>) -> Result<McpTools, UpstreamError> {
        Ok(McpTools::new(Upstreams::connect(config).await?, learner))
    }

    /// The tools of `upstreams`, learning result types with `learner`.
    pub fn new(upstreams: Upstreams, learner: Option<Learner>) -> McpTools {
        let changes = upstreams.servers().iter().map(|server| server.changes()).collect();
        let current = Arc::new(Snapshot::new(upstreams.servers(), learner.as_ref()));
        McpTools { upstreams, learner, state: Mutex::new(State { current, changes }) }
    }

    /// The TypeScript API programs get: the catalog's declarations, with the
    /// result types learned for tools that declare none.
    pub fn declarations(&self) -> String {
        self.catalog().declarations_with(&|namespace, tool| self.learned(&namespace.name, &tool.name))
    }

    /// The result type learned for the tool programs call as
    /// `namespace.tool`, if any.
    pub fn learned(&self, namespace: &str, tool: &str) -> Option<Learned> {
        let learner = self.learner.as_ref()?;
        let snapshot = self.snapshot();
        let key = snapshot.routes.get(&(namespace.to_owned(), tool.to_owned()))?.learns.as_ref()?;
        learner.learned(key)
    }

    /// `text`, which shows a call of the tool `namespace.name`, with the
    /// credentials of that tool's server masked (a question asking a person
    /// about the call, for one).
    pub fn redact(&self, qualified: &str, text: &str) -> String {
        let namespace = qualified.split_once('.').map_or("", |(namespace, _)| namespace);
        let catalog = self.catalog();
        let server = catalog.namespaces().iter().find(|ns| ns.name == namespace).map(|ns| ns.server.as_str());
        match server.and_then(|server| self.upstreams().get(server)) {
            Some(server) => server.redact(text).into_owned(),
            None => text.to_owned(),
        }
    }

    /// The catalog programs see now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.snapshot().catalog.clone()
    }

    /// The connections.
    pub fn upstreams(&self) -> &Upstreams {
        &self.upstreams
    }

    /// Closes every connection and reaps the servers' processes, and
    /// writes what was learned.
    pub async fn shutdown(&self) {
        self.upstreams.shutdown().await;
        if let Some(learner) = self.learner.clone() {
            let _ = tokio::task::spawn_blocking(move || learner.flush()).await;
        }
    }

    /// A call to the namespace of a server that had not started when the
    /// program began: it tries to start the server (with its backoff) and
    /// fails `unavailable` either way, since the program cannot know the
    /// tools a server that just started has.
    fn call_unavailable(&self, snapshot: &Snapshot, namespace: &str) -> ToolFuture {
        let names = snapshot.catalog.namespaces().iter().map(|n| n.name.as_str());
        let server = names.zip(self.upstreams.servers()).find(|(name, _)| *name == namespace).map(|(_, s)| s.clone());
        let namespace = namespace.to_owned();
        Box::pin(async move {
            let Some(server) = server else {
                let message = format!("{namespace} is not a server");
                return Err(ToolCallError::new(ToolCallErrorKind::UnknownTool, message));
            };
            match server.start_now().await {
                Err(error) => Err(upstream_error(&error)),
                Ok(()) => Err(ToolCallError::new(
                    ToolCallErrorKind::Unavailable,
                    format!(
                        "server {:?} had not started when this program began and is up now: its tools reach \
                         programs from the next execution (search lists them)",
                        server.name()
                    ),
                )),
            }
        })
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
            state.current = Arc::new(Snapshot::new(self.upstreams.servers(), self.learner.as_ref()));
        }
        state.current.clone()
    }
}

impl Snapshot {
    /// The catalog of `servers` and its routes; with a `learner`, the routes
    /// of tools without an output schema say which tool they teach, and
    /// what was learned of each server that has started is loaded (once:
    /// a server that starts late is loaded when it has).
    fn new(servers: &[Arc<Server>], learner: Option<&Learner>) -> Snapshot {
        let tools: Vec<_> = servers.iter().map(|server| server.tools()).collect();
        let unavailable: Vec<Option<UpstreamError>> = servers.iter().map(|server| server.unavailable()).collect();
        let inputs: Vec<ServerTools<'_>> = servers
            .iter()
            .zip(&tools)
            .zip(&unavailable)
            .map(|((server, tools), unavailable)| ServerTools {
                server: server.name(),
                instructions: server.instructions(),
                tools,
                unavailable: unavailable.as_ref().map(UpstreamError::message),
                approve: server.approve(),
            })
            .collect();
        let catalog = Catalog::new(&inputs);
        let mut routes = HashMap::new();
        for ((namespace, server), unavailable) in catalog.namespaces().iter().zip(servers).zip(&unavailable) {
            let key = Arc::new(server_key(server));
            if let Some(learner) = learner
                && unavailable.is_none()
            {
                learner.load(&key);
            }
            for tool in &namespace.tools {
                let learns = (learner.is_some() && tool.output_schema.is_none()).then(|| ToolKey {
                    server: key.clone(),
                    tool: tool.original.clone(),
                    input: input_hash(&tool.input_schema),
                });
                let route = Route {
                    server: server.clone(),
                    tool: tool.original.clone(),
                    arguments: Arguments::new(
                        &tool.input_schema,
                        &format!("server {:?}: tool {:?}", server.name(), tool.original),
                    ),
                    learns,
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
        if tool.name.is_empty() {
            return self.call_unavailable(&snapshot, tool.namespace.as_deref().unwrap_or_default());
        }
        let qualified = tool.qualified_name();
        let key = (tool.namespace.clone().unwrap_or_default(), tool.name.clone());
        let checked = match snapshot.routes.get(&key) {
            None => Err(ToolCallError::new(
                ToolCallErrorKind::UnknownTool,
                format!("{qualified} is no longer a tool: its server's tool list changed"),
            )),
            Some(route) => route.arguments.check(&qualified, arguments),
        };
        let learner = self.learner.clone();
        Box::pin(async move {
            let arguments = checked?;
            let route = &snapshot.routes[&key];
            match route.server.call(&route.tool, Some(arguments)).await {
                Ok(result) => {
                    let output = results::map(&qualified, result)?;
                    if let (Some(learner), Some(tool)) = (&learner, &route.learns) {
                        learner.observe(tool, output.as_str());
                    }
                    Ok(output)
                }
                Err(error) => Err(upstream_error(&error)),
            }
        })
    }
}

/// Which server a learned shape belongs to: its config name and what it
/// says it is.
fn server_key(server: &Server) -> ServerKey {
    ServerKey { name: server.name().to_owned(), identity: server.identity().to_owned() }
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
