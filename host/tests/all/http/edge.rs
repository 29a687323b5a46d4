//! The network edge ([`codemode::server::http::serve`]) in front of a dummy
//! handler: rmcp's own client for the happy paths, raw HTTP for the hostile
//! ones. Covered: the path, `Host` and `Origin` checks, the body cap (from
//! `Content-Length` and for chunked bodies), slow request heads and bodies,
//! the bearer token (and that the handler never sees it), malformed
//! JSON-RPC and rmcp's own errors as JSON-RPC errors, `DELETE`, graceful
//! shutdown (new work refused with 503 while requests in flight finish),
//! concurrent sessions and the connection cap. Timing is only asserted as
//! a lower bound ("waited at least the timeout") or against margins of
//! many seconds.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use codemode::server::http::{HttpOptions, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::support::*;

// ---------------------------------------------------------------- basics

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_lists_and_calls_tools() {
    let server = start(HttpOptions::default()).await;
    let client = client(&server.url(), None).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 5);
    assert_eq!(call(&client, "echo", json!({"text": "hi"})).await.unwrap(), "hi");
    assert_eq!(call(&client, "sleep", json!({"ms": 10})).await.unwrap(), "slept 10");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_are_404() {
    let server = start(HttpOptions::default()).await;
    for path in ["/", "/mcp/", "/mcpx", "/sse", "/mcp/../etc"] {
        let url = format!("http://{}{path}", server.addr);
        post(&url, INITIALIZE, &[]).await.assert_rpc_error(404, -32000);
    }
    // The query string is not part of the path.
    let reply = post(&format!("{}?x=1", server.url()), INITIALIZE, &[]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_handler_factory_is_a_jsonrpc_500() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let make = || Err::<Dummy, _>(std::io::Error::other("no handler today"));
    let task = tokio::spawn(serve(listener, HttpOptions::default(), make, std::future::pending()));
    post(&url, INITIALIZE, &[]).await.assert_rpc_error(500, -32000);
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_loopback_listener() {
    let Ok(listener) = TcpListener::bind("[::1]:0").await else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let server = start_on(listener, HttpOptions::default()).await;
    let url = format!("http://[::1]:{}/mcp", server.addr.port());
    assert_eq!(post(&url, INITIALIZE, &[]).await.status, 200);
    let client = client(&url, None).await.unwrap();
    assert_eq!(call(&client, "echo", json!({"text": "v6"})).await.unwrap(), "v6");
    post(&url, INITIALIZE, &[("host", "evil.example")]).await.assert_rpc_error(403, -32000);
}

#[test]
fn debug_never_shows_the_token() {
    let options = HttpOptions { bearer_token: Some("s3cret-token".into()), ..HttpOptions::default() };
    let shown = format!("{options:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_that_cannot_work_are_refused_without_quoting_the_token() {
    let cases = [
        HttpOptions { bearer_token: Some(String::new()), ..HttpOptions::default() },
        HttpOptions { bearer_token: Some("has space s3cret".into()), ..HttpOptions::default() },
        HttpOptions { allowed_hosts: vec!["*".into(), "localhost".into()], ..HttpOptions::default() },
        HttpOptions { allowed_hosts: vec!["a b".into()], ..HttpOptions::default() },
        HttpOptions { allowed_origins: vec!["localhost".into()], ..HttpOptions::default() },
        HttpOptions { max_body_bytes: 0, ..HttpOptions::default() },
        HttpOptions { max_connections: 0, ..HttpOptions::default() },
        HttpOptions { header_timeout: Duration::ZERO, ..HttpOptions::default() },
        HttpOptions { body_timeout: Duration::ZERO, ..HttpOptions::default() },
    ];
    for options in cases {
        let shown = format!("{options:?}");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error =
            serve(listener, options, || Err::<Dummy, _>(std::io::Error::other("unused")), async {}).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{shown}");
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }
}

// ---------------------------------------------------------------- Host and Origin

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_must_be_allowed() {
    let server = start(HttpOptions::default()).await;
    let port = server.addr.port();
    for host in ["evil.example".to_owned(), format!("evil.example:{port}"), format!("localhost.evil.example:{port}")] {
        let reply = post(&server.url(), INITIALIZE, &[("host", &host)]).await;
        reply.assert_rpc_error(403, -32000);
        assert!(reply.body.contains("Host"), "{reply:?}");
    }
    for host in [format!("localhost:{port}"), format!("LOCALHOST:{port}"), format!("[::1]:{port}"), "127.0.0.1".into()]
    {
        let reply = post(&server.url(), INITIALIZE, &[("host", &host)]).await;
        assert_eq!(reply.status, 200, "{host}: {reply:?}");
    }
    // A malformed Host is 400.
    post(&server.url(), INITIALIZE, &[("host", "a b")]).await.assert_rpc_error(400, -32000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_list_with_ports_and_wildcard() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = HttpOptions { allowed_hosts: vec![format!("mcp.example:{port}")], ..HttpOptions::default() };
    let server = start_on(listener, options).await;
    assert_eq!(post(&server.url(), INITIALIZE, &[("host", &format!("mcp.example:{port}"))]).await.status, 200);
    post(&server.url(), INITIALIZE, &[("host", "mcp.example:1")]).await.assert_rpc_error(403, -32000);
    // The loopback defaults no longer apply once a list is given.
    post(&server.url(), INITIALIZE, &[]).await.assert_rpc_error(403, -32000);

    let server = start(HttpOptions { allowed_hosts: vec!["*".into()], ..HttpOptions::default() }).await;
    assert_eq!(post(&server.url(), INITIALIZE, &[("host", "anything.example")]).await.status, 200);
    // With any host, no browser origin is allowed unless listed.
    let reply = post(&server.url(), INITIALIZE, &[("origin", "http://anything.example")]).await;
    reply.assert_rpc_error(403, -32000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_must_be_allowed_when_present() {
    let server = start(HttpOptions::default()).await;
    let port = server.addr.port();
    for origin in [
        "http://evil.example".to_owned(),
        format!("http://evil.example:{port}"),
        "https://localhost".into(),
        format!("http://localhost:{}", port.wrapping_add(1)),
        "null".into(),
        "garbage".into(),
    ] {
        let reply = post(&server.url(), INITIALIZE, &[("origin", &origin)]).await;
        reply.assert_rpc_error(403, -32000);
        assert!(reply.body.contains("Origin"), "{origin}: {reply:?}");
    }
    for origin in
        [format!("http://localhost:{port}"), format!("http://127.0.0.1:{port}"), format!("http://[::1]:{port}")]
    {
        assert_eq!(post(&server.url(), INITIALIZE, &[("origin", &origin)]).await.status, 200, "{origin}");
    }
    // No Origin at all (every non-browser client) passes.
    assert_eq!(post(&server.url(), INITIALIZE, &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_origins() {
    let options = HttpOptions {
        allowed_origins: vec!["https://app.example".into(), "http://dev.example:*".into()],
        ..HttpOptions::default()
    };
    let server = start(options).await;
    for (origin, status) in [
        ("https://app.example", 200),
        ("https://app.example:443", 200),
        ("https://app.example:8443", 403),
        ("http://app.example", 403),
        ("http://dev.example:1234", 200),
        ("http://dev.example", 200),
        ("http://localhost", 403),
    ] {
        assert_eq!(post(&server.url(), INITIALIZE, &[("origin", origin)]).await.status, status, "{origin}");
    }
}

// ---------------------------------------------------------------- body cap

/// A POST head up to the blank line, with `framing` (`Content-Length: N` or
/// `Transfer-Encoding: chunked`).
fn head(framing: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{framing}\r\n\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_413_from_content_length_without_reading_it() {
    // A body timeout longer than the test's patience: waiting for the body
    // would end in a test failure, not in a 408.
    let options =
        HttpOptions { max_body_bytes: 1024, body_timeout: Duration::from_secs(3600), ..HttpOptions::default() };
    let server = start(options).await;
    // Announce 100 MB, send none of it: the answer comes anyway.
    let mut stream = raw(server.addr, head("Content-Length: 100000000").as_bytes()).await;
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("\"code\":-32000"), "{reply}");

    // Exactly at the cap is fine (parsed, then refused as not JSON).
    post(&server.url(), vec![b' '; 1024], &[]).await.assert_rpc_error(400, -32700);
    post(&server.url(), vec![b' '; 1025], &[]).await.assert_rpc_error(413, -32000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_chunked_body_is_413_before_it_ends() {
    let options =
        HttpOptions { max_body_bytes: 1024, body_timeout: Duration::from_secs(3600), ..HttpOptions::default() };
    let server = start(options).await;
    let mut stream = raw(server.addr, head("Transfer-Encoding: chunked").as_bytes()).await;
    // Two chunks crossing the cap, and no final chunk: the body never ends.
    for _ in 0..2 {
        stream.write_all(format!("{:x}\r\n{}\r\n", 600, "x".repeat(600)).as_bytes()).await.unwrap();
    }
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    // Through a real client, streamed without Content-Length.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..4).map(|_| Ok(vec![b'x'; 600])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    post(&server.url(), body, &[]).await.assert_rpc_error(413, -32000);
}

// ---------------------------------------------------------------- slow clients

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_heads_are_dropped() {
    let server = start(quick()).await; // header_timeout 300 ms
    // Half a head, then nothing: dropped without an answer, not before the timeout.
    let started = Instant::now();
    let mut stream = raw(server.addr, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.is_empty(), "{reply}");
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());

    // A connection that never sends a byte is dropped too.
    let mut stream = raw(server.addr, b"").await;
    assert!(read_until_closed(&mut stream).await.is_empty());

    // A head trickled a byte at a time, each within the timeout but the
    // whole beyond it, is dropped as well.
    let mut stream = raw(server.addr, b"").await;
    for byte in b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n" {
        if stream.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(read_until_closed(&mut stream).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connection_is_closed() {
    let server = start(quick()).await;
    let request = format!("{}{{}}x", head("Content-Length: 3"));
    let mut stream = raw(server.addr, request.as_bytes()).await;
    // Answered (not JSON), kept alive, then closed as idle.
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_body_is_408() {
    let server = start(quick()).await; // body_timeout 400 ms
    let request = format!("{}{{\"jsonrpc\":", head("Content-Length: 100"));
    let started = Instant::now();
    let mut stream = raw(server.addr, request.as_bytes()).await;
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("\"code\":-32000"), "{reply}");
    assert!(started.elapsed() >= Duration::from_millis(350), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_responses_outlive_the_header_and_body_timeouts() {
    let server = start(quick()).await; // 300 ms / 400 ms
    let client = client(&server.url(), None).await.unwrap();
    assert_eq!(call(&client, "sleep", json!({"ms": 900})).await.unwrap(), "slept 900");
    // The same client keeps working after its connections idled out.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(call(&client, "echo", json!({"text": "again"})).await.unwrap(), "again");
}

// ---------------------------------------------------------------- bearer token

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_is_required() {
    let token = "tok-9f8e7d6c5b4a";
    let server = start(HttpOptions { bearer_token: Some(token.into()), ..HttpOptions::default() }).await;
    let wrong = [
        None,
        Some("Bearer tok-9f8e7d6c5b4b".to_owned()),
        Some("Bearer tok-9f8e7d6c5b4".to_owned()),
        Some("Bearer tok-9f8e7d6c5b4aa".to_owned()),
        Some(format!("Basic {token}")),
        Some(format!("Bearer{token}")),
        Some(token.to_owned()),
        Some("Bearer ".to_owned()),
    ];
    for authorization in wrong {
        let headers: Vec<(&str, &str)> = authorization.iter().map(|value| ("authorization", value.as_str())).collect();
        let reply = post(&server.url(), INITIALIZE, &headers).await;
        reply.assert_rpc_error(401, -32000);
        assert_eq!(
            reply.headers.get("www-authenticate").and_then(|value| value.to_str().ok()),
            Some("Bearer realm=\"codemode\""),
            "{authorization:?}"
        );
        assert!(!reply.body.contains(token), "{reply:?}");
    }
    for authorization in [format!("Bearer {token}"), format!("bearer {token}"), format!("BEARER  {token}")] {
        let reply = post(&server.url(), INITIALIZE, &[("authorization", &authorization)]).await;
        assert_eq!(reply.status, 200, "{authorization}: {reply:?}");
    }
    // Host is checked before the token, the token before the path.
    post(&server.url(), INITIALIZE, &[("host", "evil.example")]).await.assert_rpc_error(403, -32000);
    let elsewhere = format!("http://{}/elsewhere", server.addr);
    post(&elsewhere, INITIALIZE, &[]).await.assert_rpc_error(401, -32000);
    let bearer = format!("Bearer {token}");
    post(&elsewhere, INITIALIZE, &[("authorization", &bearer)]).await.assert_rpc_error(404, -32000);

    // rmcp's client without, then with the token.
    assert!(client(&server.url(), None).await.is_err());
    let client = client(&server.url(), Some(token)).await.unwrap();
    assert_eq!(call(&client, "echo", json!({"text": "in"})).await.unwrap(), "in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handler_never_sees_the_authorization_header() {
    let options = HttpOptions { bearer_token: Some("s3cret-token".into()), ..HttpOptions::default() };
    let server = start(options).await;
    let client = client(&server.url(), Some("s3cret-token")).await.unwrap();
    // "true:false": the handler got the request parts, without Authorization.
    assert_eq!(call(&client, "auth_seen", json!({})).await.unwrap(), "true:false");
}

// ---------------------------------------------------------------- malformed JSON-RPC

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_jsonrpc_gets_jsonrpc_errors() {
    let server = start(HttpOptions::default()).await;
    let deep_arrays = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"x":{}{}}}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let long_id = format!(r#"{{"jsonrpc":"2.0","id":"{}","method":"ping"}}"#, "x".repeat(100_000));
    // (case, body, JSON-RPC code, id echoed)
    let cases: Vec<(&str, Vec<u8>, i64, Value)> = vec![
        ("not JSON", b"hello".to_vec(), -32700, Value::Null),
        ("empty body", Vec::new(), -32700, Value::Null),
        ("truncated", br#"{"jsonrpc":"2.0","id":1,"method":"ping""#.to_vec(), -32700, Value::Null),
        (
            "invalid UTF-8",
            b"{\"jsonrpc\":\"2.0\",\"id\":\"\xff\xfe\",\"method\":\"ping\"}".to_vec(),
            -32700,
            Value::Null,
        ),
        ("trailing garbage", br#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#.to_vec(), -32700, Value::Null),
        ("id 1e400", br#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#.to_vec(), -32700, Value::Null),
        ("100k nested arrays", deep_arrays.into_bytes(), -32700, Value::Null),
        ("100k nested objects", deep_objects.into_bytes(), -32700, Value::Null),
        ("empty batch", b"[]".to_vec(), -32600, Value::Null),
        ("batch of garbage", b"[1, \"x\", {}]".to_vec(), -32600, Value::Null),
        ("batch of requests", format!("[{INITIALIZE}]").into_bytes(), -32600, Value::Null),
        ("a string", br#""ping""#.to_vec(), -32600, Value::Null),
        ("null", b"null".to_vec(), -32600, Value::Null),
        ("missing jsonrpc", br#"{"id":1,"method":"ping"}"#.to_vec(), -32600, json!(1)),
        ("jsonrpc 1.0", br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#.to_vec(), -32600, json!(1)),
        ("jsonrpc number", br#"{"jsonrpc":2.0,"id":"a","method":"ping"}"#.to_vec(), -32600, json!("a")),
        ("method not a string", br#"{"jsonrpc":"2.0","id":1,"method":5}"#.to_vec(), -32600, json!(1)),
        ("method null", br#"{"jsonrpc":"2.0","id":1,"method":null}"#.to_vec(), -32600, json!(1)),
        ("id an object", br#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#.to_vec(), -32600, Value::Null),
        ("id null", br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#.to_vec(), -32600, Value::Null),
        ("id fractional", br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#.to_vec(), -32600, Value::Null),
        (
            "id beyond i64",
            br#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"}"#.to_vec(),
            -32600,
            Value::Null,
        ),
        ("100 kB id", long_id.into_bytes(), -32600, Value::Null),
        ("no method, no id", br#"{"jsonrpc":"2.0"}"#.to_vec(), -32600, Value::Null),
        ("result and error", br#"{"jsonrpc":"2.0","id":1,"result":{},"error":{}}"#.to_vec(), -32600, json!(1)),
        ("request with result", br#"{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}"#.to_vec(), -32600, json!(1)),
        ("params a number", br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":5}"#.to_vec(), -32600, json!(7)),
        ("params a list", br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":[1]}"#.to_vec(), -32602, json!(7)),
        (
            "_meta a number",
            br#"{"jsonrpc":"2.0","id":"m","method":"ping","params":{"_meta":5}}"#.to_vec(),
            -32602,
            json!("m"),
        ),
        (
            "notification params a list",
            br#"{"jsonrpc":"2.0","method":"notifications/initialized","params":[]}"#.to_vec(),
            -32602,
            Value::Null,
        ),
        ("error object malformed", br#"{"jsonrpc":"2.0","id":1,"error":"bad"}"#.to_vec(), -32600, Value::Null),
    ];
    for (name, body, code, id) in cases {
        let reply = post(&server.url(), body, &[]).await;
        let seen = reply.assert_rpc_error(400, code);
        assert_eq!(seen, id, "{name}: {reply:?}");
        assert!(reply.body.len() < 1024, "{name}: the reply stays small ({} bytes)", reply.body.len());
    }
    // The server is still fine.
    let client = client(&server.url(), None).await.unwrap();
    assert_eq!(call(&client, "echo", json!({"text": "alive"})).await.unwrap(), "alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_answers_become_jsonrpc_errors_too() {
    let server = start(HttpOptions::default()).await;
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    // A request before initialize: rmcp's "Session ID is required" (400).
    let reply = post(&server.url(), list, &[]).await;
    reply.assert_rpc_error(400, -32600);
    assert!(reply.body.contains("Session ID"), "{reply:?}");
    // An unknown session: 404.
    post(&server.url(), list, &[("mcp-session-id", "nope")]).await.assert_rpc_error(404, -32000);
    // Wrong Accept: 406; wrong Content-Type: 415.
    post(&server.url(), INITIALIZE, &[("accept", "text/html")]).await.assert_rpc_error(406, -32000);
    post(&server.url(), INITIALIZE, &[("content-type", "text/plain")]).await.assert_rpc_error(415, -32000);
    // Another method: 405 with Allow kept.
    let reply = finish(reqwest::Client::new().put(server.url()).body("x")).await;
    reply.assert_rpc_error(405, -32000);
    assert!(reply.headers.get("allow").is_some(), "{reply:?}");
    // GET without a session: 400, as JSON.
    let reply = finish(reqwest::Client::new().get(server.url()).header("accept", "text/event-stream")).await;
    reply.assert_rpc_error(400, -32600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_ends_the_session_with_200() {
    let server = start(HttpOptions::default()).await;
    let session = post(&server.url(), INITIALIZE, &[]).await.session();
    assert_eq!(post(&server.url(), INITIALIZED, &[("mcp-session-id", &session)]).await.status, 202);
    let delete = reqwest::Client::new().delete(server.url()).header("mcp-session-id", &session);
    let reply = finish(delete).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    // The session is gone.
    let request = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
    post(&server.url(), request, &[("mcp-session-id", &session)]).await.assert_rpc_error(404, -32000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_method_in_a_session_is_method_not_found() {
    let server = start(HttpOptions::default()).await;
    let session = post(&server.url(), INITIALIZE, &[]).await.session();
    assert_eq!(post(&server.url(), INITIALIZED, &[("mcp-session-id", &session)]).await.status, 202);
    let sse_error = |reply: Reply| {
        assert_eq!(reply.status, 200, "{reply:?}");
        let data =
            reply.body.lines().filter_map(|line| line.strip_prefix("data:")).find(|data| !data.trim().is_empty());
        let message: Value = serde_json::from_str(data.expect("an SSE data line")).unwrap();
        (message["id"].clone(), message["error"]["code"].clone())
    };
    let body = r#"{"jsonrpc":"2.0","id":42,"method":"no/such/method"}"#;
    let reply = post(&server.url(), body, &[("mcp-session-id", &session)]).await;
    assert_eq!(sse_error(reply), (json!(42), json!(-32601)));
    // rmcp reads a known method whose params do not fit as a custom
    // request, so this is "method not found" too.
    let body = r#"{"jsonrpc":"2.0","id":43,"method":"tools/call","params":{"name":5}}"#;
    let reply = post(&server.url(), body, &[("mcp-session-id", &session)]).await;
    assert_eq!(sse_error(reply), (json!(43), json!(-32601)));
}

// ---------------------------------------------------------------- graceful shutdown

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let grace = Duration::from_secs(60);
    let mut server = start(HttpOptions { shutdown_grace: grace, ..HttpOptions::default() }).await;
    let client = client(&server.url(), None).await.unwrap();
    let call = tokio::spawn(async move { call(&client, "sleep", json!({"ms": 500})).await });
    let stats = server.stats.clone();
    eventually("the call reaches the handler", || stats.started.load(Ordering::SeqCst) == 1).await;
    let started = Instant::now();
    let task = server.shutdown();
    assert_eq!(call.await.unwrap().unwrap(), "slept 500");
    task.await.unwrap().unwrap();
    // It returned once the call was done, long before the grace was over.
    assert!(started.elapsed() < grace / 2, "{:?}", started.elapsed());
    // The listener is closed.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err(), "the listener is closed");
    assert_eq!(server.stats.completed.load(Ordering::SeqCst), 1);
    assert_eq!(server.stats.cancelled.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_requests_finish_new_work_gets_503_and_sessions_can_still_close() {
    let mut server = start(HttpOptions { shutdown_grace: Duration::from_secs(60), ..HttpOptions::default() }).await;
    let session = post(&server.url(), INITIALIZE, &[]).await.session();
    assert_eq!(post(&server.url(), INITIALIZED, &[("mcp-session-id", &session)]).await.status, 202);
    let client = client(&server.url(), None).await.unwrap();
    let call = tokio::spawn(async move { call(&client, "sleep", json!({"ms": 60_000})).await });
    let stats = server.stats.clone();
    eventually("the call reaches the handler", || stats.started.load(Ordering::SeqCst) == 1).await;
    let task = server.shutdown();

    // A new request is answered, not refused at the socket: 503, its id
    // echoed, and the connection closes.
    let request = r#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#;
    let deadline = Instant::now() + PATIENCE;
    let reply = loop {
        let reply = post(&server.url(), request, &[("mcp-session-id", &session)]).await;
        if reply.status == 503 || Instant::now() > deadline {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(reply.assert_rpc_error(503, -32000), json!(7));
    assert_eq!(reply.json()["error"]["message"], "the server is shutting down");
    assert_eq!(reply.headers.get("connection").map(|value| value.to_str().unwrap()), Some("close"));
    // So is a new stream.
    let get = reqwest::Client::new().get(server.url()).header("accept", "text/event-stream");
    finish(get.header("mcp-session-id", &session)).await.assert_rpc_error(503, -32000);
    // A notification still reaches its session, and the session can end.
    let cancelled = r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}"#;
    assert_eq!(post(&server.url(), cancelled, &[("mcp-session-id", &session)]).await.status, 202);
    let delete = reqwest::Client::new().delete(server.url()).header("mcp-session-id", &session);
    assert_eq!(finish(delete).await.status, 200);

    assert!(!task.is_finished() && !call.is_finished(), "the call in flight still runs");
    assert_eq!(stats.completed.load(Ordering::SeqCst) + stats.cancelled.load(Ordering::SeqCst), 0);
    task.abort();
    call.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_cancels_what_outlives_the_grace() {
    let grace = Duration::from_millis(300);
    let mut server = start(HttpOptions { shutdown_grace: grace, ..HttpOptions::default() }).await;
    let client = client(&server.url(), None).await.unwrap();
    let call = tokio::spawn(async move { call(&client, "sleep", json!({"ms": 600_000})).await });
    let stats = server.stats.clone();
    eventually("the call reaches the handler", || stats.started.load(Ordering::SeqCst) == 1).await;
    let started = Instant::now();
    tokio::time::timeout(PATIENCE, server.shutdown()).await.expect("serve returns").unwrap().unwrap();
    assert!(started.elapsed() >= grace - Duration::from_millis(20), "{:?}", started.elapsed());
    // The client's call did not succeed (rmcp's client may keep retrying
    // its stream for a while before giving up, so it is not awaited).
    assert!(!call.is_finished() || call.await.unwrap().is_err());
    // The handler saw its context cancelled.
    eventually("the handler is cancelled", || stats.cancelled.load(Ordering::SeqCst) == 1).await;
    assert_eq!(stats.completed.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_idle_connections() {
    // Idle connections would hold a shutdown for the header timeout and
    // streams for the grace, if they were waited for: an hour each.
    let hour = Duration::from_secs(3600);
    let mut server = start(HttpOptions { header_timeout: hour, shutdown_grace: hour, ..HttpOptions::default() }).await;
    // An rmcp client holds its standalone GET stream open.
    let client = client(&server.url(), None).await.unwrap();
    call(&client, "echo", json!({"text": "x"})).await.unwrap();
    // A raw connection sits idle mid-head.
    let _stream = raw(server.addr, b"POST /mcp HTTP/1.1\r\n").await;
    tokio::time::timeout(PATIENCE, server.shutdown()).await.expect("serve returns").unwrap().unwrap();
}

// ---------------------------------------------------------------- concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_are_served_concurrently_in_separate_sessions() {
    let server = start(HttpOptions::default()).await;
    let url = server.url();
    let (a, b) = tokio::join!(client(&url, None), client(&url, None));
    let (a, b) = (a.unwrap(), b.unwrap());
    let session_a = call(&a, "session", json!({})).await.unwrap();
    let session_b = call(&b, "session", json!({})).await.unwrap();
    assert_ne!(session_a, session_b);
    assert_eq!(call(&a, "session", json!({})).await.unwrap(), session_a);

    // `meet` returns only once both calls are inside the server at once.
    let (x, y) = tokio::join!(call(&a, "meet", json!({})), call(&b, "meet", json!({})));
    assert_eq!((x.unwrap(), y.unwrap()), ("met".into(), "met".into()));

    // Closing one session leaves the other working.
    a.cancel().await.unwrap();
    assert_eq!(call(&b, "echo", json!({"text": "still"})).await.unwrap(), "still");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_their_turn() {
    let hour = Duration::from_secs(3600);
    let server = start(HttpOptions { max_connections: 1, header_timeout: hour, ..HttpOptions::default() }).await;
    // The only slot goes to a connection that never sends anything...
    let idle = raw(server.addr, b"").await;
    // ...so a complete request behind it is not answered...
    let request =
        format!("{}{INITIALIZE}", head(&format!("Content-Length: {}\r\nConnection: close", INITIALIZE.len())));
    let mut waiting = raw(server.addr, request.as_bytes()).await;
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut byte)).await;
    assert!(early.is_err(), "answered beyond the cap: {early:?}");
    // ...until the slot is free.
    drop(idle);
    let reply = read_until_closed(&mut waiting).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}
