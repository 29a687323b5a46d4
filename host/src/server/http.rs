//! The network edge of `codemode serve --http`: any rmcp [`ServerHandler`]
//! served over MCP streamable HTTP at [`MCP_PATH`], hardened to face a
//! network.
//!
//! This module owns everything between the TCP socket and rmcp's
//! [`StreamableHttpService`]: accepting connections (at most
//! [`HttpOptions::max_connections`] at once), HTTP/1.1 framing and its
//! timeouts, the request guard (path, `Host`, `Origin`, bearer token), the
//! request body (capped, timed, pre-validated as JSON-RPC) and graceful
//! shutdown. rmcp owns the MCP protocol from there on: sessions, SSE
//! streams, dispatch to the handler. The handler owns what the tools do.
//!
//! Edges: it never executes programs or calls tools itself, never looks at a
//! request beyond its headers and the JSON-RPC envelope, never logs a request
//! body or the bearer token (the token is compared, then the `Authorization`
//! header is removed before rmcp or the handler sees the request), and writes
//! nothing to stdout: every diagnostic goes through `tracing`.
//!
//! # What a request goes through
//!
//! 1. HTTP/1.1 only. A client has [`HttpOptions::header_timeout`] to send
//!    each request head, from the moment the connection opens or the
//!    previous response ends (so idle keep-alive connections close too);
//!    after that hyper drops the connection.
//! 2. `Host` must be allowed ([`HttpOptions::allowed_hosts`]), which defeats
//!    DNS rebinding; a browser `Origin`, when present, must be allowed
//!    ([`HttpOptions::allowed_origins`]). Otherwise 403, whatever the path.
//! 3. With a [`HttpOptions::bearer_token`], `Authorization: Bearer <token>`
//!    must match (constant time, see [`HttpOptions::bearer_token`]);
//!    otherwise 401 with `WWW-Authenticate: Bearer`.
//! 4. The path must be [`MCP_PATH`] (404 otherwise).
//! 5. A POST body is read here, up to [`HttpOptions::max_body_bytes`] (413
//!    beyond, decided from `Content-Length` before reading anything, or as
//!    soon as a chunked body crosses the cap) and within
//!    [`HttpOptions::body_timeout`] (408). It is parsed once to classify it:
//!    not JSON is `-32700`, not a JSON-RPC 2.0 message `-32600` (JSON-RPC
//!    batches included: MCP no longer has them), a known method with
//!    parameters rmcp cannot read `-32602`, each with HTTP 400 and `"id"`
//!    echoed only when it was a valid id. serde_json's recursion limit (128)
//!    rejects deep nesting before anything recurses further.
//! 6. rmcp handles the rest. Its own plain-text error answers (missing
//!    session, unknown session, wrong `Accept`, ...) are rewritten into the
//!    same JSON-RPC error shape, status and headers kept.
//!
//! Every rejection made here is a JSON-RPC error object with `"id": null`
//! (unless noted above), `Content-Type: application/json`, and code `-32000`
//! for the HTTP-level ones (path, host, origin, auth, size, time), as the
//! reference TypeScript SDK does.
//!
//! # Shutdown
//!
//! When the `shutdown` future of [`serve`] resolves, the listener is closed
//! (new connections are refused), idle connections close, and connections
//! busy with a request close once its response is sent. POST requests in
//! flight get up to [`HttpOptions::shutdown_grace`] to finish; then rmcp's
//! cancellation token is cancelled, which ends every session, every SSE
//! stream (including clients' standalone GET streams, which never end on
//! their own) and signals the handlers' `RequestContext::ct`. Connections
//! still open [`CLOSE_WAIT`] after that are dropped and [`serve`] returns.
//! Handlers should watch `RequestContext::ct` so that cancelled work stops.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use rmcp::ServerHandler;
use rmcp::model::{ClientJsonRpcMessage, RequestId};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The only path served; every other path is 404.
pub const MCP_PATH: &str = "/mcp";

/// How long connections may take to close after the sessions were cancelled
/// at the end of a shutdown, before they are dropped.
pub const CLOSE_WAIT: Duration = Duration::from_millis(500);

/// The longest string request id accepted, in bytes. Clients use small
/// numbers or UUIDs; a longer id is refused (`-32600`) rather than echoed in
/// every message of the request's stream.
pub const MAX_ID_BYTES: usize = 256;

/// The longest serde message quoted back in an error, in bytes (serde quotes
/// offending values, which may be as large as the body).
const MAX_DETAIL_BYTES: usize = 200;

/// JSON-RPC codes used here.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const INVALID_PARAMS: i64 = -32602;
/// Implementation-defined server error: HTTP-level rejections.
const SERVER_ERROR: i64 = -32000;

/// The response body type of every answer, rmcp's and ours.
type ResponseBody = BoxBody<Bytes, Infallible>;

/// How [`serve`] faces the network. [`Default`] gives safe settings for a
/// loopback listener; every field is documented with its default.
///
/// `Debug` never shows the bearer token.
#[derive(Clone)]
pub struct HttpOptions {
    /// `Host` header values accepted (DNS rebinding protection): a name or
    /// IP (`localhost`, `127.0.0.1`, `::1` or `[::1]`), which accepts any
    /// port, or `name:port`, which accepts that port only. Compared without
    /// regard to case. A single `"*"` accepts any `Host` (for a reverse
    /// proxy that checks it; never on an open port).
    ///
    /// Default: empty, meaning derived from the listener's address:
    /// `localhost`, `127.0.0.1` and `::1` when bound to loopback or to an
    /// unspecified address (`0.0.0.0`, `::`: remote clients then need an
    /// explicit list, and a warning is logged), the bound IP itself
    /// otherwise.
    pub allowed_hosts: Vec<String>,
    /// Browser `Origin` values accepted; requests without `Origin` (every
    /// non-browser client) always pass. Each entry is `scheme://host:port`,
    /// `scheme://host:*` (any port), `scheme://host` (the scheme's default
    /// port only) or `null`.
    ///
    /// Default: empty, meaning same-host origins only:
    /// `http://HOST:PORT` for each allowed host name (with its own port if
    /// the entry has one, the listener's port otherwise). No CORS headers are
    /// sent, so a page of another origin could not read the answers anyway.
    pub allowed_origins: Vec<String>,
    /// When set, every request needs `Authorization: Bearer <token>`
    /// (scheme case-insensitive); a missing or wrong one is 401 with
    /// `WWW-Authenticate: Bearer realm="codemode"`. The comparison takes the
    /// same time for every token of the right length (an OR-fold of the XOR
    /// of all bytes, no early exit); only the length can leak, which says
    /// nothing useful about a random token. The token must be non-empty
    /// visible ASCII. Default: none.
    pub bearer_token: Option<String>,
    /// The largest request body accepted, in bytes; larger is 413.
    /// Default: 4 MiB.
    pub max_body_bytes: usize,
    /// Time a client has to send a request head (request line and headers),
    /// counted from the connection's start or the end of the previous
    /// response; slower clients are disconnected. Default: 10 s.
    pub header_timeout: Duration,
    /// Time a client has to send a whole request body once its head is in;
    /// slower is 408 and the connection closes. Default: 30 s.
    pub body_timeout: Duration,
    /// How long POST requests in flight may run once shutdown has started,
    /// before everything left is cancelled. Default: 10 s.
    pub shutdown_grace: Duration,
    /// Connections served at once; further clients wait in the listen
    /// backlog until one closes. Default: 256.
    pub max_connections: usize,
}

impl HttpOptions {
    /// Default of [`HttpOptions::max_body_bytes`].
    pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
    /// Default of [`HttpOptions::header_timeout`].
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default of [`HttpOptions::body_timeout`].
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default of [`HttpOptions::shutdown_grace`].
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
    /// Default of [`HttpOptions::max_connections`].
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            bearer_token: None,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
            body_timeout: Self::DEFAULT_BODY_TIMEOUT,
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpOptions")
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "<redacted>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Serves `make_handler()` sessions (one handler per MCP session) at
/// [`MCP_PATH`] on `listener` until `shutdown` resolves; then stops
/// accepting, lets POST requests in flight finish for up to
/// [`HttpOptions::shutdown_grace`], cancels what remains and returns (see the
/// module docs for the sequence).
///
/// The listener is taken as given: binding to loopback unless told
/// otherwise is the caller's choice. Errors are for setup only (options that
/// cannot work, a listener without a local address); failures of single
/// connections or of `accept` are logged and serving goes on.
pub async fn serve<H, F>(
    listener: TcpListener,
    options: HttpOptions,
    make_handler: F,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()>
where
    H: ServerHandler,
    F: Fn() -> Result<H, io::Error> + Send + Sync + 'static,
{
    let local = listener.local_addr()?;
    let guard = Guard::new(&options, local)?;
    let sessions = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default()
        .with_cancellation_token(sessions.clone())
        .with_max_request_body_bytes(options.max_body_bytes)
        // Same decisions as the guard, as a second line.
        .with_allowed_origins(guard.origins.iter().map(AllowedOrigin::to_rmcp))
        .enforce_origin_validation();
    config = match &guard.hosts {
        Hosts::Any => config.disable_allowed_hosts(),
        Hosts::List(hosts) => config.with_allowed_hosts(hosts.iter().map(Authority::to_rmcp)),
    };
    let service = StreamableHttpService::new(make_handler, Arc::new(LocalSessionManager::default()), config);
    let state = Arc::new(State { guard, service, in_flight: TaskTracker::new() });

    tracing::info!(
        address = %local,
        path = MCP_PATH,
        hosts = ?state.guard.hosts,
        auth = state.guard.token.is_some(),
        "serving MCP over streamable HTTP"
    );

    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(options.header_timeout).keep_alive(true);
    let builder = Arc::new(builder);

    let stop_connections = CancellationToken::new();
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
        };
        let task = serve_connection(stream, peer, builder.clone(), state.clone(), stop_connections.clone());
        connections.spawn(async move {
            task.await;
            drop(slot);
        });
    }

    drop(listener);
    tracing::info!(
        grace = ?options.shutdown_grace,
        in_flight = state.in_flight.len(),
        "shutting down: no longer accepting connections"
    );
    stop_connections.cancel();
    state.in_flight.close();
    if tokio::time::timeout(options.shutdown_grace, state.in_flight.wait()).await.is_err() {
        tracing::warn!(cancelled = state.in_flight.len(), "shutdown grace elapsed: cancelling requests still running");
    }
    sessions.cancel();
    let closing = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_WAIT, closing).await.is_err() {
        tracing::warn!(dropped = connections.len(), "dropping connections that did not close");
        connections.shutdown().await;
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}

/// Logs a failed `accept`. Errors of one connection (reset before accept)
/// are retried at once; others, such as running out of file descriptors,
/// pause accepting briefly instead of spinning or ending the server.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted) {
        tracing::debug!(%error, "accept failed for one connection");
    } else {
        tracing::warn!(%error, "accept failed; pausing 100 ms");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What every connection shares.
struct State<H: ServerHandler> {
    guard: Guard,
    service: StreamableHttpService<H, LocalSessionManager>,
    /// POST requests from arrival until their response body is done.
    in_flight: TaskTracker,
}

/// Serves one connection until it closes, shutting it down gracefully (the
/// response in progress is finished, no further request is read) once `stop`
/// is cancelled.
async fn serve_connection<H: ServerHandler>(
    stream: TcpStream,
    peer: SocketAddr,
    builder: Arc<hyper::server::conn::http1::Builder>,
    state: Arc<State<H>>,
    stop: CancellationToken,
) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%peer, %error, "could not set TCP_NODELAY");
    }
    tracing::debug!(%peer, "connection accepted");
    let service = hyper::service::service_fn(move |request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(&state, peer, request).await) }
    });
    let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    match result {
        Ok(()) => tracing::debug!(%peer, "connection closed"),
        Err(error) if error.is_timeout() => tracing::debug!(%peer, "connection dropped: request head too slow"),
        Err(error) => tracing::debug!(%peer, %error, "connection ended with an error"),
    }
}

/// Answers one request: the guard, then the body, then rmcp.
async fn handle<H: ServerHandler>(
    state: &State<H>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response<ResponseBody> {
    let in_flight = (request.method() == Method::POST).then(|| state.in_flight.token());
    let (mut parts, body) = request.into_parts();
    if let Err(rejection) = state.guard.check(&parts.uri, &parts.headers) {
        // Never the Authorization header.
        let (host, origin) = (parts.headers.get(header::HOST), parts.headers.get(header::ORIGIN));
        tracing::warn!(%peer, method = %parts.method, ?host, ?origin, reason = rejection.message, "request rejected");
        return rejection.into_response();
    }
    // The token has been checked; nothing past this point needs it.
    parts.headers.remove(header::AUTHORIZATION);

    let body = if parts.method == Method::POST {
        let bytes = match read_body(body, state.guard.max_body_bytes, state.guard.body_timeout).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                tracing::debug!(%peer, reason = rejection.message, "request body rejected");
                return rejection.into_response();
            }
        };
        if let Err(rejection) = validate_jsonrpc(&bytes) {
            tracing::debug!(%peer, code = rejection.code, reason = %rejection.message, "invalid JSON-RPC message");
            return rejection.into_response();
        }
        Full::new(bytes)
    } else {
        // rmcp reads no body but a POST's; an unread body closes the connection.
        Full::new(Bytes::new())
    };

    let response = state.service.handle(Request::from_parts(parts, body)).await;
    let response = jsonrpc_error_body(response).await;
    match in_flight {
        // The request counts as in flight until its (possibly streamed) body
        // is done: the closure owns the token, and the body owns the closure.
        Some(token) => response.map(|body| {
            body.map_frame(move |frame| {
                let _in_flight = &token;
                frame
            })
            .boxed()
        }),
        None => response,
    }
}

/// Reads a request body of at most `limit` bytes within `timeout`.
async fn read_body(mut body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, Rejection> {
    let too_large = || {
        Rejection::http(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large: the request body exceeds the limit")
            .closing()
    };
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let read = async {
        let mut collected = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| {
                Rejection::http(StatusCode::BAD_REQUEST, "Bad Request: the request body could not be read").closing()
            })?;
            if let Ok(data) = frame.into_data() {
                if data.len() > limit - collected.len() {
                    return Err(too_large());
                }
                collected.extend_from_slice(&data);
            }
        }
        Ok(collected.freeze())
    };
    tokio::time::timeout(timeout, read).await.unwrap_or_else(|_| {
        Err(Rejection::http(StatusCode::REQUEST_TIMEOUT, "Request Timeout: the request body was not sent in time")
            .closing())
    })
}

/// Checks that `body` is one JSON-RPC 2.0 message rmcp can read, so that
/// every malformed request gets a JSON-RPC error (rmcp would answer 415 in
/// plain text). The bytes are handed on unchanged.
fn validate_jsonrpc(body: &[u8]) -> Result<(), Rejection> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| Rejection::rpc(PARSE_ERROR, format!("Parse error: {}", detail(&error)), None))?;
    let invalid = |message: &str, id: Option<&RequestId>| {
        Rejection::rpc(INVALID_REQUEST, format!("Invalid Request: {message}"), id.cloned())
    };
    let object = match &value {
        Value::Object(object) => object,
        Value::Array(items) if items.is_empty() => return Err(invalid("empty batch", None)),
        Value::Array(_) => return Err(invalid("JSON-RPC batches are not supported", None)),
        _ => return Err(invalid("a message must be a JSON object", None)),
    };
    let id = match object.get("id") {
        None => None,
        Some(Value::String(id)) if id.len() > MAX_ID_BYTES => {
            return Err(invalid(&format!("id longer than {MAX_ID_BYTES} bytes"), None));
        }
        Some(id) => match serde_json::from_value::<RequestId>(id.clone()) {
            Ok(id) => Some(id),
            Err(_) => return Err(invalid("id must be a string or an integer", None)),
        },
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid("\"jsonrpc\" must be \"2.0\"", id.as_ref()));
    }
    let has = |key| object.contains_key(key);
    match object.get("method") {
        Some(Value::String(_)) if has("result") || has("error") => {
            return Err(invalid("a request cannot carry \"result\" or \"error\"", id.as_ref()));
        }
        Some(Value::String(_)) => {
            if let Some(params) = object.get("params")
                && !params.is_object()
                && !params.is_array()
            {
                return Err(invalid("\"params\" must be an object", id.as_ref()));
            }
        }
        Some(_) => return Err(invalid("\"method\" must be a string", id.as_ref())),
        None if id.is_none() => return Err(invalid("a message needs \"method\" or \"id\"", None)),
        None if has("result") == has("error") => {
            return Err(invalid("a response carries exactly one of \"result\" and \"error\"", id.as_ref()));
        }
        None => {}
    }
    // The shape is right; what is left is whether rmcp can read the method's
    // parameters. Parse exactly as rmcp will.
    match serde_json::from_slice::<ClientJsonRpcMessage>(body) {
        Ok(_) => Ok(()),
        Err(error) if has("method") => {
            Err(Rejection::rpc(INVALID_PARAMS, format!("Invalid params: {}", detail(&error)), id))
        }
        Err(error) => Err(Rejection::rpc(INVALID_REQUEST, format!("Invalid Request: {}", detail(&error)), None)),
    }
}

/// A serde error's message, cut to [`MAX_DETAIL_BYTES`] (serde may quote a
/// whole offending value).
fn detail(error: &serde_json::Error) -> String {
    let mut text = error.to_string();
    if text.len() > MAX_DETAIL_BYTES {
        let mut end = MAX_DETAIL_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

/// Rewrites rmcp's plain-text error answers (4xx and 5xx without a JSON
/// body) into the JSON-RPC error shape, keeping status and other headers.
async fn jsonrpc_error_body(response: Response<ResponseBody>) -> Response<ResponseBody> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if response.status().as_u16() < 400 || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // rmcp's error bodies are short in-memory texts; the cap only guards
    // against a future streamed one.
    let text = match http_body_util::Limited::new(body, 4096).collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => parts.status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let code = if parts.status == StatusCode::BAD_REQUEST { INVALID_REQUEST } else { SERVER_ERROR };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, error_body(code, &text, None))
}

/// A refused request, answered with a JSON-RPC error object.
#[derive(Debug)]
struct Rejection {
    status: StatusCode,
    code: i64,
    message: String,
    id: Option<RequestId>,
    /// Close the connection after answering (the body may be unread).
    close: bool,
    /// Extra header: `WWW-Authenticate` for 401.
    authenticate: bool,
}

impl Rejection {
    /// An HTTP-level refusal (`-32000`).
    fn http(status: StatusCode, message: &str) -> Self {
        Self { status, code: SERVER_ERROR, message: message.to_owned(), id: None, close: false, authenticate: false }
    }

    /// A malformed JSON-RPC message (HTTP 400).
    fn rpc(code: i64, message: String, id: Option<RequestId>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code, message, id, close: false, authenticate: false }
    }

    fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    fn into_response(self) -> Response<ResponseBody> {
        let mut response = Response::new(error_body(self.code, &self.message, self.id));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if self.authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"codemode\""));
        }
        response
    }
}

/// `{"jsonrpc":"2.0","id":ID,"error":{"code":CODE,"message":MESSAGE}}`.
fn error_body(code: i64, message: &str, id: Option<RequestId>) -> ResponseBody {
    let id = id.map_or(Value::Null, RequestId::into_json_value);
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    Full::new(Bytes::from(body.to_string())).boxed()
}

/// The request guard: path, `Host`, `Origin`, bearer token, body limits.
struct Guard {
    hosts: Hosts,
    origins: Vec<AllowedOrigin>,
    /// Never logged or shown.
    token: Option<Box<[u8]>>,
    max_body_bytes: usize,
    body_timeout: Duration,
}

impl Guard {
    /// Resolves the defaults of `options` for a listener bound to `local`
    /// and checks that they can work.
    fn new(options: &HttpOptions, local: SocketAddr) -> io::Result<Self> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        if options.max_body_bytes == 0 || options.max_connections == 0 {
            return Err(invalid("max_body_bytes and max_connections must be positive".into()));
        }
        if options.header_timeout.is_zero() || options.body_timeout.is_zero() {
            return Err(invalid("header_timeout and body_timeout must be positive".into()));
        }
        let token = match &options.bearer_token {
            None => None,
            // The message never quotes the token.
            Some(token) if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_graphic()) => {
                return Err(invalid("the bearer token must be non-empty visible ASCII".into()));
            }
            Some(token) => Some(token.as_bytes().into()),
        };
        let hosts = if options.allowed_hosts.iter().any(|host| host == "*") {
            if options.allowed_hosts.len() > 1 {
                return Err(invalid("allowed_hosts: \"*\" must be the only entry".into()));
            }
            Hosts::Any
        } else if options.allowed_hosts.is_empty() {
            Hosts::List(default_hosts(local.ip()))
        } else {
            let hosts = options.allowed_hosts.iter().map(|host| {
                Authority::parse(host).ok_or_else(|| invalid(format!("allowed_hosts: {host:?} is not a host[:port]")))
            });
            Hosts::List(hosts.collect::<io::Result<_>>()?)
        };
        let origins = if options.allowed_origins.is_empty() {
            match &hosts {
                Hosts::Any => Vec::new(),
                Hosts::List(hosts) => hosts
                    .iter()
                    .map(|host| AllowedOrigin::Tuple {
                        scheme: "http".into(),
                        host: host.host.clone(),
                        port: Some(host.port.unwrap_or(local.port())),
                    })
                    .collect(),
            }
        } else {
            let origins = options.allowed_origins.iter().map(|origin| {
                AllowedOrigin::parse(origin).ok_or_else(|| {
                    invalid(format!("allowed_origins: {origin:?} is not scheme://host[:port|:*] or null"))
                })
            });
            origins.collect::<io::Result<_>>()?
        };
        Ok(Self { hosts, origins, token, max_body_bytes: options.max_body_bytes, body_timeout: options.body_timeout })
    }

    /// Everything about a request that its head decides.
    /// A page of another site learns nothing, not even which paths exist.
    fn check(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
        self.check_host(uri, headers)?;
        self.check_origin(headers)?;
        self.check_token(headers)?;
        if uri.path() != MCP_PATH {
            return Err(Rejection::http(StatusCode::NOT_FOUND, "Not Found: MCP is served at /mcp"));
        }
        Ok(())
    }

    fn check_host(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
        let bad = |message| Rejection::http(StatusCode::BAD_REQUEST, message);
        let mut values = headers.get_all(header::HOST).iter();
        let host = match (values.next(), values.next()) {
            (Some(host), None) => Some(
                host.to_str().ok().and_then(Authority::parse).ok_or_else(|| bad("Bad Request: invalid Host header"))?,
            ),
            (Some(_), Some(_)) => return Err(bad("Bad Request: more than one Host header")),
            (None, _) => None,
        };
        // An absolute-form request target names a host too; both must pass.
        let target = uri.authority().map(|authority| Authority::new(authority.host(), authority.port_u16()));
        if host.is_none() && target.is_none() {
            return Err(bad("Bad Request: missing Host header"));
        }
        if let Hosts::List(allowed) = &self.hosts
            && !host.iter().chain(&target).all(|seen| allowed.iter().any(|allowed| allowed.matches(seen)))
        {
            return Err(Rejection::http(StatusCode::FORBIDDEN, "Forbidden: Host header is not allowed"));
        }
        Ok(())
    }

    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Rejection> {
        let forbidden = || Rejection::http(StatusCode::FORBIDDEN, "Forbidden: Origin header is not allowed");
        let mut values = headers.get_all(header::ORIGIN).iter();
        let origin = match (values.next(), values.next()) {
            (None, _) => return Ok(()),
            (Some(origin), None) => origin,
            (Some(_), Some(_)) => return Err(forbidden()),
        };
        let origin = origin.to_str().ok().and_then(Origin::parse).ok_or_else(forbidden)?;
        if self.origins.iter().any(|allowed| allowed.matches(&origin)) { Ok(()) } else { Err(forbidden()) }
    }

    fn check_token(&self, headers: &HeaderMap) -> Result<(), Rejection> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let unauthorized =
            |message: &str| Rejection { authenticate: true, ..Rejection::http(StatusCode::UNAUTHORIZED, message) };
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let credentials = match (values.next(), values.next()) {
            (None, _) => return Err(unauthorized("Unauthorized: a bearer token is required")),
            (Some(value), None) => value.as_bytes(),
            (Some(_), Some(_)) => return Err(unauthorized("Unauthorized: more than one Authorization header")),
        };
        let presented = match credentials.iter().position(|&byte| byte == b' ') {
            Some(space) if credentials[..space].eq_ignore_ascii_case(b"bearer") => {
                credentials[space..].trim_ascii_start()
            }
            _ => return Err(unauthorized("Unauthorized: a bearer token is required")),
        };
        if constant_time_eq(presented, expected) {
            Ok(())
        } else {
            Err(unauthorized("Unauthorized: invalid bearer token"))
        }
    }
}

/// Whether `a == b`, in time that depends only on the lengths: no early
/// exit on the first differing byte, and `black_box` keeps the optimizer
/// from adding one.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    std::hint::black_box(difference) == 0
}

/// The `Host` values accepted.
#[derive(Debug)]
enum Hosts {
    /// `"*"`: no check.
    Any,
    List(Vec<Authority>),
}

/// Loopback names for loopback and unspecified addresses, else the IP.
fn default_hosts(ip: IpAddr) -> Vec<Authority> {
    if ip.is_loopback() || ip.is_unspecified() {
        if ip.is_unspecified() {
            tracing::warn!(
                %ip,
                "listening on all interfaces, but only loopback Host names are accepted: \
                 set allowed_hosts for remote clients"
            );
        }
        ["localhost", "127.0.0.1", "::1"].iter().map(|host| Authority::new(host, None)).collect()
    } else {
        vec![Authority::new(&ip.to_string(), None)]
    }
}

/// A host with an optional port, normalized: lowercase, IPv6 without brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Authority {
    host: String,
    port: Option<u16>,
}

impl Authority {
    fn new(host: &str, port: Option<u16>) -> Self {
        let host = host.strip_prefix('[').and_then(|host| host.strip_suffix(']')).unwrap_or(host);
        Self { host: host.to_ascii_lowercase(), port }
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Some(Self::new(&ip.to_string(), None));
        }
        let authority = http::uri::Authority::try_from(text).ok()?;
        // userinfo (`a@b`) is not a Host.
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return None;
        }
        Some(Self::new(authority.host(), authority.port_u16()))
    }

    /// An allowed entry without a port accepts every port.
    fn matches(&self, seen: &Authority) -> bool {
        self.host == seen.host && self.port.is_none_or(|port| seen.port == Some(port))
    }

    /// The entry as rmcp's `allowed_hosts` understands it (same semantics).
    fn to_rmcp(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match self.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    }
}

/// A browser origin as sent: `null` or scheme, host and explicit port.
#[derive(Debug)]
enum Origin {
    Null,
    Tuple { scheme: String, host: String, port: u16 },
}

impl Origin {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text == "null" {
            return Some(Self::Null);
        }
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let authority = Authority::parse(rest)?;
        let port = authority.port.or_else(|| default_port(&scheme))?;
        Some(Self::Tuple { scheme, host: authority.host, port })
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// An allowed origin: `null`, or scheme and host with a port (`None`: any).
#[derive(Debug, Clone, PartialEq, Eq)]
enum AllowedOrigin {
    Null,
    Tuple { scheme: String, host: String, port: Option<u16> },
}

impl AllowedOrigin {
    /// `null`, `scheme://host:*`, `scheme://host:port` or `scheme://host`
    /// (the scheme's default port).
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(base) = text.strip_suffix(":*") {
            let (scheme, rest) = base.split_once("://")?;
            let authority = Authority::parse(rest).filter(|authority| authority.port.is_none())?;
            return Some(Self::Tuple { scheme: scheme.to_ascii_lowercase(), host: authority.host, port: None });
        }
        Some(match Origin::parse(text)? {
            Origin::Null => Self::Null,
            Origin::Tuple { scheme, host, port } => Self::Tuple { scheme, host, port: Some(port) },
        })
    }

    fn matches(&self, origin: &Origin) -> bool {
        match (self, origin) {
            (Self::Null, Origin::Null) => true,
            (Self::Tuple { scheme, host, port }, Origin::Tuple { scheme: s, host: h, port: p }) => {
                scheme == s && host == h && port.is_none_or(|port| port == *p)
            }
            _ => false,
        }
    }

    /// The entry as rmcp's `allowed_origins` understands it, always with an
    /// explicit port so both sides agree.
    fn to_rmcp(&self) -> String {
        match self {
            Self::Null => "null".into(),
            Self::Tuple { scheme, host, port } => {
                let host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
                match port {
                    Some(port) => format!("{scheme}://{host}:{port}"),
                    None => format!("{scheme}://{host}:*"),
                }
            }
        }
    }
}
