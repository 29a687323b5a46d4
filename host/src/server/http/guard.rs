//! The request guard of the HTTP edge: what a request's head must show
//! (`Host`, `Origin`, bearer token, path) and how its body is read (capped,
//! timed). Refusals are [`Rejection`]s; nothing here logs a token or a body.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::StatusCode;
use http::header::{self, HeaderMap};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};

use super::jsonrpc::Rejection;
use super::{HttpOptions, MCP_PATH};

/// The request guard: path, `Host`, `Origin`, bearer token, body limits.
pub(super) struct Guard {
    pub(super) hosts: Hosts,
    pub(super) origins: Vec<AllowedOrigin>,
    /// Never logged or shown.
    pub(super) token: Option<Box<[u8]>>,
    pub(super) max_body_bytes: usize,
    pub(super) body_timeout: Duration,
}

impl Guard {
    /// Resolves the defaults of `options` for a listener bound to `local`
    /// and checks that they can work.
    pub(super) fn new(options: &HttpOptions, local: SocketAddr) -> io::Result<Self> {
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
                return Err(invalid("allowed hosts (--allow-host): \"*\" must be the only entry".into()));
            }
            Hosts::Any
        } else if options.allowed_hosts.is_empty() {
            Hosts::List(default_hosts(local.ip()))
        } else {
            let hosts = options.allowed_hosts.iter().map(|host| {
                Authority::parse(host)
                    .ok_or_else(|| invalid(format!("allowed hosts (--allow-host): {host:?} is not a host[:port]")))
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
                    invalid(format!(
                        "allowed origins (--allow-origin): {origin:?} is not scheme://host[:port|:*] or null"
                    ))
                })
            });
            origins.collect::<io::Result<_>>()?
        };
        Ok(Self { hosts, origins, token, max_body_bytes: options.max_body_bytes, body_timeout: options.body_timeout })
    }

    /// Everything about a request that its head decides.
    /// A page of another site learns nothing, not even which paths exist.
    pub(super) fn check(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
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
pub(super) enum Hosts {
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
                 allow the names remote clients use with --allow-host (HttpOptions::allowed_hosts)"
            );
        }
        ["localhost", "127.0.0.1", "::1"].iter().map(|host| Authority::new(host, None)).collect()
    } else {
        vec![Authority::new(&ip.to_string(), None)]
    }
}

/// A host with an optional port, normalized: lowercase, IPv6 without brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Authority {
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
    pub(super) fn to_rmcp(&self) -> String {
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
pub(super) enum AllowedOrigin {
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
    pub(super) fn to_rmcp(&self) -> String {
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

/// Reads a request body of at most `limit` bytes within `timeout`.
pub(super) async fn read_body(mut body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, Rejection> {
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

#[cfg(test)]
mod tests {
    /// What the log lines of `f` say, at WARN and above.
    fn warnings(f: impl FnOnce()) -> String {
        // Another registered dispatcher keeps tracing from caching a
        // callsite as unwanted by every subscriber (as in tests/all/http/logs.rs).
        let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let path = std::env::temp_dir().join(format!("codemode-guard-{}.log", std::process::id()));
        let file = std::sync::Arc::new(std::fs::File::create(&path).unwrap());
        let subscriber =
            tracing_subscriber::fmt().with_max_level(tracing::Level::WARN).with_ansi(false).with_writer(file).finish();
        tracing::subscriber::with_default(subscriber, f);
        let logs = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        logs
    }

    #[test]
    fn listening_on_all_interfaces_names_the_flag_that_allows_remote_hosts() {
        for (ip, warned) in [("0.0.0.0", true), ("::", true), ("127.0.0.1", false), ("192.0.2.1", false)] {
            let logs = warnings(|| drop(super::default_hosts(ip.parse().unwrap())));
            let says = "only loopback Host names are accepted: allow the names remote clients use with --allow-host";
            assert_eq!(logs.contains(says), warned, "{ip}: {logs}");
        }
    }
}
