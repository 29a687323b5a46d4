//! codemode as an MCP server: the [`CodemodeServer`] handler with its two
//! tools, `search` (find tools and their TypeScript types) and `execute`
//! (run a program against them), served over stdio ([`serve_stdio`]) or
//! streamable HTTP ([`http`]).
//!
//! The surface stays constant whatever sits behind it (see [`describe`]);
//! the catalog is read afresh on every request, so upstream tool changes
//! show in the next `search` and `execute`. Programs run in the sandbox
//! with the executor's limits; at most
//! [`ServeOptions::max_concurrent_executions`] run at once, across every
//! client. This module never talks to upstream servers itself: calls go
//! through [`McpTools`].

#![allow(deprecated)] // MCP logging (SEP-2577 deprecates it; clients still use it)

mod asking;
mod describe;
mod execute;
pub mod http;
mod render;
mod search;
mod state;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    LoggingLevel, PaginatedRequestParams, ServerCapabilities, ServerConfig, SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde::Deserialize;
use tokio::sync::Semaphore;

pub use describe::{EXECUTE, SEARCH, estimate_tokens};
pub use search::{DEFAULT_LIMIT, Detail, MAX_LIMIT, answer as search_answer};
pub use state::StateKey;

use crate::catalog::{CatalogTool, Namespace};
use crate::error::{Error, ErrorKind};
use crate::executor::Executor;
use crate::mcp_tools::McpTools;

/// The most programs [`ServeOptions::max_concurrent_executions`] may allow
/// at once (far beyond what a machine runs usefully; it keeps the slot
/// count within what the semaphore and `drain` can count).
pub const MAX_EXECUTIONS: usize = 65_536;

/// The smallest [`ServeOptions::max_state_bytes`].
pub const MIN_STATE_BYTES: usize = 1 << 10;

/// The largest [`ServeOptions::max_state_bytes`].
pub const MAX_STATE_BYTES: usize = 64 << 20;

/// How the server runs programs.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Programs running at once, across all clients; more wait up to
    /// `queue_timeout` for a slot, then get a "busy" result. Default 8.
    pub max_concurrent_executions: usize,
    /// How long an `execute` waits for a slot. Default 5 s.
    pub queue_timeout: Duration,
    /// When set, the catalog's full TypeScript declarations are inlined
    /// into `execute`'s description if their estimated size is at most
    /// this many tokens (see [`estimate_tokens`]). Default: not inlined.
    pub inline_declarations: Option<usize>,
    /// The key that resume tokens are sealed under. Replicas behind one
    /// load balancer must share it; `None` (the default) draws a random key
    /// per process, so tokens only work with the process that made them.
    pub state_key: Option<StateKey>,
    /// How long a resume token stays valid. Default 10 minutes.
    pub state_ttl: Duration,
    /// The largest resume token, in bytes: a failed execution whose record
    /// would be larger gets none, and a larger one is refused. Default
    /// 512 KiB.
    pub max_state_bytes: usize,
    /// The bearer token clients must send (`serve --http --token`): sealed
    /// state is bound to it. Not shown by `Debug`.
    pub bearer_token: Option<String>,
}

impl ServeOptions {
    /// Checks the options against their documented ranges.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLimits`] when `max_concurrent_executions` is 0 or
    /// over [`MAX_EXECUTIONS`], `max_state_bytes` is outside
    /// [`MIN_STATE_BYTES`]..=[`MAX_STATE_BYTES`] or `state_ttl` is zero
    /// ([`Error::limit`] names the field).
    pub fn validate(&self) -> Result<(), Error> {
        let executions = self.max_concurrent_executions;
        if !(1..=MAX_EXECUTIONS).contains(&executions) {
            let message =
                format!("the concurrent executions must be between 1 and {MAX_EXECUTIONS} (got {executions})");
            return Err(Error::invalid_limit("max_concurrent_executions", message));
        }
        let bytes = self.max_state_bytes;
        if !(MIN_STATE_BYTES..=MAX_STATE_BYTES).contains(&bytes) {
            let message = format!(
                "the largest resume token must be between {MIN_STATE_BYTES} and {MAX_STATE_BYTES} bytes (got {bytes})"
            );
            return Err(Error::invalid_limit("max_state_bytes", message));
        }
        if self.state_ttl.is_zero() {
            return Err(Error::invalid_limit("state_ttl", "resume tokens must stay valid at least 1 s".into()));
        }
        Ok(())
    }
}

impl fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeOptions")
            .field("max_concurrent_executions", &self.max_concurrent_executions)
            .field("queue_timeout", &self.queue_timeout)
            .field("inline_declarations", &self.inline_declarations)
            .field("state_key", &self.state_key)
            .field("state_ttl", &self.state_ttl)
            .field("max_state_bytes", &self.max_state_bytes)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_concurrent_executions: 8,
            queue_timeout: Duration::from_secs(5),
            inline_declarations: None,
            state_key: None,
            state_ttl: Duration::from_secs(600),
            max_state_bytes: 512 << 10,
            bearer_token: None,
        }
    }
}

/// The MCP handler of one client session. [`CodemodeServer::session`] makes
/// another one sharing the executor, the tools and the execution slots.
#[derive(Clone)]
pub struct CodemodeServer {
    shared: Arc<Shared>,
    /// The level the client asked for with `logging/setLevel`; console
    /// lines go out as log messages only once it has.
    log_level: Arc<Mutex<Option<LoggingLevel>>>,
}

struct Shared {
    executor: Executor,
    tools: Arc<McpTools>,
    options: ServeOptions,
    slots: Semaphore,
    sealer: state::Sealer,
    /// The requestStates already answered here, with when each expires:
    /// a state is acted on once.
    spent: Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

/// What `search` takes, for a message about arguments that do not fit.
const SEARCH_TAKES: &str = "{ query: string, limit?: number (1 to 50), detail?: \"brief\" | \"full\" }";

/// What `execute` takes, likewise.
const EXECUTE_TAKES: &str =
    "{ code: string, resume?: string }: the program, JavaScript or TypeScript, and a failed execution's resume token";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    limit: search::Limit,
    #[serde(default)]
    detail: search::Detail,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecuteArgs {
    code: String,
    resume: Option<String>,
}

impl CodemodeServer {
    /// A server running programs with `executor` against `tools`.
    ///
    /// # Errors
    ///
    /// As [`ServeOptions::validate`]; [`ErrorKind::Setup`] when no state key
    /// is given and the system's random source fails.
    pub fn new(executor: Executor, tools: Arc<McpTools>, options: ServeOptions) -> Result<Self, Error> {
        options.validate()?;
        let slots = Semaphore::new(options.max_concurrent_executions);
        let key = match &options.state_key {
            Some(key) => key.clone(),
            None => StateKey::random()?,
        };
        let sealer =
            state::Sealer::new(&key, options.state_ttl, options.max_state_bytes, options.bearer_token.as_deref());
        let spent = Mutex::default();
        let shared = Arc::new(Shared { executor, tools, options, slots, sealer, spent });
        Ok(Self { shared, log_level: Arc::default() })
    }

    /// A handler for another client session.
    pub fn session(&self) -> Self {
        Self { shared: self.shared.clone(), log_level: Arc::default() }
    }

    /// Waits up to `grace` for running programs to finish, holding back new
    /// ones meanwhile; `false` if some were still running at the deadline.
    pub async fn drain(&self, grace: Duration) -> bool {
        // `new` keeps the count within MAX_EXECUTIONS, so it fits.
        let all = self.shared.options.max_concurrent_executions as u32;
        tokio::time::timeout(grace, self.shared.slots.acquire_many(all)).await.is_ok()
    }

    fn log_level(&self) -> Option<LoggingLevel> {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ServerHandler for CodemodeServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_logging().build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("codemode", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Write one program that calls many tools and returns only the answer: `search` finds tools and \
                 their TypeScript types, `execute` runs the program in a sandbox.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let catalog = self.shared.tools.catalog();
        let learned =
            |namespace: &Namespace, tool: &CatalogTool| self.shared.tools.learned(&namespace.name, &tool.name);
        let limits = self.shared.executor.limits();
        let tools = describe::tools(&catalog, &learned, limits, self.shared.options.inline_declarations);
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = serde_json::Value::Object(request.arguments.unwrap_or_default());
        // Arguments that do not fit are a result the model reads and
        // corrects, as MCP asks of a tool's input validation.
        let invalid = |takes: &str, e: serde_json::Error| {
            let message = format!("invalid arguments for {}: {e}. It takes {takes}.", request.name);
            CallToolResult::error(vec![ContentBlock::text(message)])
        };
        let result = match request.name.as_ref() {
            SEARCH => {
                let args: SearchArgs = match serde_json::from_value(arguments) {
                    Ok(args) => args,
                    Err(e) => return Ok(invalid(SEARCH_TAKES, e).into()),
                };
                let catalog = self.shared.tools.catalog();
                let learned =
                    |namespace: &Namespace, tool: &CatalogTool| self.shared.tools.learned(&namespace.name, &tool.name);
                let answer = search::answer(&catalog, &learned, &args.query, args.limit.0, args.detail);
                CallToolResult::success(vec![ContentBlock::text(answer)])
            }
            EXECUTE => {
                let args: ExecuteArgs = match serde_json::from_value(arguments) {
                    Ok(args) => args,
                    Err(e) => return Ok(invalid(EXECUTE_TAKES, e).into()),
                };
                // Protocol 2026-07-28 asks per request; older ones per session.
                let log_level = context.meta.log_level().or_else(|| self.log_level());
                let request = execute::Request {
                    code: &args.code,
                    resume: args.resume.as_deref(),
                    state: request.request_state.as_deref(),
                    responses: request.input_responses.as_ref(),
                };
                return Ok(execute::run(&self.shared, request, log_level, &context).await);
            }
            other => {
                return Err(ErrorData::invalid_params(
                    format!("no tool named {other:?}; codemode has `search` and `execute`"),
                    None,
                ));
            }
        };
        Ok(result.into())
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(request.level);
        Ok(())
    }
}

/// Serves `server` over stdin/stdout until the client disconnects or
/// `shutdown` resolves; then running programs get `grace` to finish before
/// they are cancelled. Stdout carries protocol messages only.
///
/// # Errors
///
/// [`ErrorKind::Setup`] when the session cannot start (a broken
/// `initialize`) or ends abnormally.
pub async fn serve_stdio(
    server: CodemodeServer,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> Result<(), Error> {
    let running = server
        .clone()
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Error::new(ErrorKind::Setup, format!("starting the stdio session: {e}")))?;
    let cancel = running.cancellation_token();
    tokio::select! {
        ended = running.waiting() => {
            ended.map_err(|e| Error::new(ErrorKind::Setup, format!("the stdio session failed: {e}")))?;
        }
        () = shutdown => {
            server.drain(grace).await;
            cancel.cancel();
        }
    }
    Ok(())
}
