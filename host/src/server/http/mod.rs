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
//! When the `shutdown` future of [`serve`] resolves, the server drains: POST
//! requests in flight get up to [`HttpOptions::shutdown_grace`] to finish,
//! while the listener and the open connections go on answering, so that
//! clients see HTTP answers rather than refused connections: a new JSON-RPC
//! request, or a GET opening a new stream, gets 503 with a JSON-RPC error
//! (`-32000`, "the server is shutting down", the request's id echoed);
//! notifications and responses (a `notifications/cancelled`, an answer to
//! the server's own request) and `DELETE` still reach their session. This
//! matters for the official Python SDK, whose session dies whole when any
//! of its requests cannot connect, taking the answer to an `execute` still
//! running with it. Once nothing is in flight (or the grace has elapsed) the
//! listener is closed, idle connections close, connections busy with a
//! request close once its response is sent, and rmcp's cancellation token
//! is cancelled, which ends every session, every SSE stream (including
//! clients' standalone GET streams, which never end on their own) and
//! signals the handlers' `RequestContext::ct`. Connections still open
//! [`CLOSE_WAIT`] after that are dropped and [`serve`] returns. Handlers
//! should watch `RequestContext::ct` so that cancelled work stops.
//!
//! # Session close
//!
//! `DELETE` ends a session as in rmcp, answered `200 OK` with no body where
//! rmcp says `202 Accepted`: the SDKs expect 200 or 204 (the official Python
//! SDK logs "Session termination failed: 202" on every close otherwise), and
//! the session is gone when the answer is sent, not merely accepted.

mod guard;
mod jsonrpc;

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header;
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use rmcp::ServerHandler;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use guard::{AllowedOrigin, Authority, Guard, Hosts, read_body};
use jsonrpc::{Rejection, jsonrpc_error_body, validate_jsonrpc};

/// The only path served; every other path is 404.
pub const MCP_PATH: &str = "/mcp";

/// How long connections may take to close after the sessions were cancelled
/// at the end of a shutdown, before they are dropped.
pub const CLOSE_WAIT: Duration = Duration::from_millis(500);

/// The longest string request id accepted, in bytes. Clients use small
/// numbers or UUIDs; a longer id is refused (`-32600`) rather than echoed in
/// every message of the request's stream.
pub const MAX_ID_BYTES: usize = 256;

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

    /// Checks that these options can work, as [`serve`] does before it
    /// accepts a connection: for a caller that wants to fail before it starts
    /// anything else. The error is [`io::ErrorKind::InvalidInput`].
    pub fn check(&self) -> io::Result<()> {
        Guard::new(self, SocketAddr::from(([127, 0, 0, 1], 0))).map(drop)
    }
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
    let state = Arc::new(State { guard, service, in_flight: TaskTracker::new(), draining: AtomicBool::new(false) });

    tracing::info!(
        address = %local,
        path = MCP_PATH,
        hosts = ?state.guard.hosts,
        auth = state.guard.token.is_some(),
        "serving MCP over streamable HTTP"
    );

    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(options.header_timeout).keep_alive(true);
    let mut acceptor = Acceptor {
        listener,
        builder: Arc::new(builder),
        state: state.clone(),
        slots: Arc::new(Semaphore::new(options.max_connections)),
        connections: JoinSet::new(),
        stop_connections: CancellationToken::new(),
    };
    acceptor.accept_until(shutdown).await;

    tracing::info!(
        grace = ?options.shutdown_grace,
        in_flight = state.in_flight.len(),
        "shutting down: draining requests in flight, refusing new ones"
    );
    state.draining.store(true, Ordering::SeqCst);
    state.in_flight.close();
    let drained = async {
        if tokio::time::timeout(options.shutdown_grace, state.in_flight.wait()).await.is_err() {
            tracing::warn!(
                cancelled = state.in_flight.len(),
                "shutdown grace elapsed: cancelling requests still running"
            );
        }
    };
    acceptor.accept_until(drained).await;

    let Acceptor { listener, mut connections, stop_connections, .. } = acceptor;
    drop(listener);
    tracing::info!("no longer accepting connections");
    stop_connections.cancel();
    sessions.cancel();
    let closing = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_WAIT, closing).await.is_err() {
        tracing::warn!(dropped = connections.len(), "dropping connections that did not close");
        connections.shutdown().await;
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}

/// The listener and the connections it has accepted.
struct Acceptor<H: ServerHandler> {
    listener: TcpListener,
    builder: Arc<hyper::server::conn::http1::Builder>,
    state: Arc<State<H>>,
    /// One permit per connection served ([`HttpOptions::max_connections`]).
    slots: Arc<Semaphore>,
    connections: JoinSet<()>,
    /// Cancelled at the end of a shutdown: connections close gracefully.
    stop_connections: CancellationToken,
}

impl<H: ServerHandler> Acceptor<H> {
    /// Accepts and serves connections until `stop` resolves.
    async fn accept_until(&mut self, stop: impl Future<Output = ()>) {
        let mut stop = pin!(stop);
        loop {
            while self.connections.try_join_next().is_some() {}
            let slot = tokio::select! {
                biased;
                () = &mut stop => return,
                slot = self.slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            };
            let (stream, peer) = tokio::select! {
                biased;
                () = &mut stop => return,
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        accept_failed(&error).await;
                        continue;
                    }
                },
            };
            let (builder, state, stop) = (self.builder.clone(), self.state.clone(), self.stop_connections.clone());
            self.connections.spawn(async move {
                serve_connection(stream, peer, builder, state, stop).await;
                drop(slot);
            });
        }
    }
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
    /// Shutting down: new work is refused (see the module docs).
    draining: AtomicBool,
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
    let draining = state.draining.load(Ordering::SeqCst);
    if draining && parts.method == Method::GET {
        return shutting_down(None);
    }

    let body = if parts.method == Method::POST {
        let bytes = match read_body(body, state.guard.max_body_bytes, state.guard.body_timeout).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                tracing::debug!(%peer, reason = rejection.message, "request body rejected");
                return rejection.into_response();
            }
        };
        match validate_jsonrpc(&bytes) {
            Err(rejection) => {
                tracing::debug!(%peer, code = rejection.code, reason = %rejection.message, "invalid JSON-RPC message");
                return rejection.into_response();
            }
            Ok(Some(id)) if draining => return shutting_down(Some(id)),
            Ok(_) => {}
        }
        Full::new(bytes)
    } else {
        // rmcp reads no body but a POST's; an unread body closes the connection.
        Full::new(Bytes::new())
    };

    let method = parts.method.clone();
    let mut response = state.service.handle(Request::from_parts(parts, body)).await;
    if method == Method::DELETE && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::OK;
    }
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

/// [`validate_jsonrpc`] for the fuzz target `jsonrpc` (`fuzz/`): the id of
/// a request, or the refusal's HTTP status, JSON-RPC code and message.
#[cfg(fuzzing)]
pub fn validate_jsonrpc_for_fuzzing(body: &[u8]) -> Result<Option<rmcp::model::RequestId>, (u16, i64, String)> {
    validate_jsonrpc(body).map_err(|rejection| (rejection.status.as_u16(), rejection.code, rejection.message))
}

/// The answer to new work while draining: 503, and the connection closes.
fn shutting_down(id: Option<rmcp::model::RequestId>) -> Response<ResponseBody> {
    let mut rejection = Rejection::http(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down").closing();
    rejection.id = id;
    rejection.into_response()
}
