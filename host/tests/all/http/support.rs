//! Fixtures of the HTTP tests: a dummy MCP handler served by
//! [`codemode::server::http::serve`], rmcp's streamable HTTP client, and raw
//! HTTP (reqwest, or bytes on a TCP socket) for what no client would send.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use codemode::server::http::{HttpOptions, serve};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ErrorData, RoleClient, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// How long anything that should happen "at once" may take on a loaded
/// machine before a test gives up on it.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// What the handlers of one server saw.
#[derive(Debug)]
pub struct Stats {
    /// Handlers made (one per session).
    pub sessions: AtomicUsize,
    /// `sleep` calls that started.
    pub started: AtomicUsize,
    /// `sleep` calls that ran to the end.
    pub completed: AtomicUsize,
    /// `sleep` calls whose `ct` was cancelled first.
    pub cancelled: AtomicUsize,
    /// `meet` calls inside the handler right now.
    pub meeting: watch::Sender<usize>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            sessions: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            completed: AtomicUsize::new(0),
            cancelled: AtomicUsize::new(0),
            meeting: watch::Sender::new(0),
        }
    }
}

/// The dummy handler: `sleep {ms}`, `echo {text}`, `session` (this
/// handler's number), `meet` (returns once two `meet` calls are in the
/// server at the same time), `auth_seen` (whether an Authorization header
/// reached it).
#[derive(Clone)]
pub struct Dummy {
    id: usize,
    stats: Arc<Stats>,
}

fn tool(name: &'static str, description: &'static str, schema: Value) -> Tool {
    let Value::Object(schema) = schema else { unreachable!("schemas are objects") };
    Tool::new(name, description, Arc::new(schema))
}

impl ServerHandler for Dummy {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("dummy", "0.0.1"))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(vec![
            tool("sleep", "waits ms milliseconds", json!({"type":"object","properties":{"ms":{"type":"integer"}}})),
            tool("echo", "returns text", json!({"type":"object","properties":{"text":{"type":"string"}}})),
            tool("session", "this session's handler number", json!({"type":"object"})),
            tool("meet", "returns once two calls are inside at once", json!({"type":"object"})),
            tool("auth_seen", "whether Authorization reached the handler", json!({"type":"object"})),
        ]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let text = match request.name.as_ref() {
            "sleep" => {
                let ms = args.get("ms").and_then(Value::as_u64).unwrap_or(0);
                self.stats.started.fetch_add(1, Ordering::SeqCst);
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(ms)) => {
                        self.stats.completed.fetch_add(1, Ordering::SeqCst);
                        format!("slept {ms}")
                    }
                    () = context.ct.cancelled() => {
                        self.stats.cancelled.fetch_add(1, Ordering::SeqCst);
                        return Err(ErrorData::internal_error("cancelled", None));
                    }
                }
            }
            "echo" => args.get("text").and_then(Value::as_str).unwrap_or("").to_owned(),
            "session" => self.id.to_string(),
            "meet" => {
                let mut inside = self.stats.meeting.subscribe();
                self.stats.meeting.send_modify(|count| *count += 1);
                let met = tokio::time::timeout(PATIENCE, inside.wait_for(|count| *count >= 2)).await;
                if !matches!(met, Ok(Ok(_))) {
                    return Err(ErrorData::internal_error("nobody else came", None));
                }
                "met".to_owned()
            }
            "auth_seen" => {
                let parts = context.extensions.get::<::http::request::Parts>();
                let seen = parts.is_some_and(|parts| parts.headers.contains_key(::http::header::AUTHORIZATION));
                format!("{}:{seen}", parts.is_some())
            }
            other => return Err(ErrorData::invalid_params(format!("no tool {other}"), None)),
        };
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
    }
}

/// A running server with the dummy handler.
pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// `http://127.0.0.1:PORT/mcp`.
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    /// Starts the shutdown; returns the serve task to await.
    pub fn shutdown(&mut self) -> JoinHandle<std::io::Result<()>> {
        let _ = self.shutdown.take().expect("not shut down yet").send(());
        self.task.take().expect("running")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Starts a server on 127.0.0.1 with `options`.
pub async fn start(options: HttpOptions) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    start_on(listener, options).await
}

/// Starts a server on `listener` with `options`.
pub async fn start_on(listener: TcpListener, options: HttpOptions) -> Server {
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let (tx, rx) = oneshot::channel::<()>();
    let handler_stats = stats.clone();
    let make = move || {
        let id = handler_stats.sessions.fetch_add(1, Ordering::SeqCst);
        Ok(Dummy { id, stats: handler_stats.clone() })
    };
    let task = tokio::spawn(serve(listener, options, make, async move {
        let _ = rx.await;
    }));
    Server { addr, stats, shutdown: Some(tx), task: Some(task) }
}

/// Short head and body timeouts, for the tests of slow clients. Every other
/// test keeps the defaults (10 s, 30 s), which a loaded machine never hits.
pub fn quick() -> HttpOptions {
    HttpOptions {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(400),
        ..HttpOptions::default()
    }
}

/// Waits until `condition` holds, or panics after [`PATIENCE`].
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub type Client = RunningService<RoleClient, ()>;

/// An rmcp streamable HTTP client, initialized; `token` as bearer.
pub async fn client(url: &str, token: Option<&str>) -> Result<Client, String> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    ().serve(transport).await.map_err(|error| error.to_string())
}

/// Calls `name` with `args`; the first text block of the result.
pub async fn call(client: &Client, name: &'static str, args: Value) -> Result<String, String> {
    let Value::Object(args) = args else { unreachable!("arguments are an object") };
    let result = client
        .call_tool(CallToolRequestParams::new(name).with_arguments(args))
        .await
        .map_err(|error| error.to_string())?;
    if result.is_error == Some(true) {
        return Err(format!("tool error: {:?}", result.content));
    }
    Ok(result.content.first().and_then(|content| content.as_text()).map(|text| text.text.clone()).unwrap_or_default())
}

/// A finished HTTP exchange.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    /// Asserts a JSON-RPC error reply with this status and code; returns its id.
    pub fn assert_rpc_error(&self, status: u16, code: i64) -> Value {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.headers.get("content-type").and_then(|value| value.to_str().ok()),
            Some("application/json"),
            "{self:?}"
        );
        let body = self.json();
        assert_eq!(body["jsonrpc"], "2.0", "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|message| !message.is_empty()), "{body}");
        body["id"].clone()
    }

    /// The `Mcp-Session-Id` the reply assigned.
    pub fn session(&self) -> String {
        let session = self.headers.get("mcp-session-id").unwrap_or_else(|| panic!("no session: {self:?}"));
        session.to_str().unwrap().to_owned()
    }
}

/// POSTs `body` to `url` as MCP clients do, plus `headers` (which replace
/// the defaults of the same name), on a fresh connection.
pub async fn post(url: &str, body: impl Into<reqwest::Body>, headers: &[(&str, &str)]) -> Reply {
    let mut map = reqwest::header::HeaderMap::new();
    map.insert("content-type", "application/json".parse().unwrap());
    map.insert("accept", "application/json, text/event-stream".parse().unwrap());
    for (name, value) in headers {
        let name: reqwest::header::HeaderName = name.parse().unwrap();
        map.insert(name, value.parse().unwrap());
    }
    finish(reqwest::Client::new().post(url).headers(map).body(body)).await
}

/// Sends `request` and reads the whole reply (at most [`PATIENCE`]).
pub async fn finish(request: reqwest::RequestBuilder) -> Reply {
    tokio::time::timeout(PATIENCE, async {
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Reply { status, headers, body }
    })
    .await
    .expect("a reply in time")
}

/// An initialize request body.
pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;

/// `notifications/initialized`, which completes a raw session's handshake.
pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// Opens a TCP connection and writes `bytes`.
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// Reads from `stream` until EOF or an error (which must come within
/// [`PATIENCE`]); returns what came.
pub async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the server never closed the connection; it sent {:?}", String::from_utf8_lossy(&out)));
    String::from_utf8_lossy(&out).into_owned()
}
