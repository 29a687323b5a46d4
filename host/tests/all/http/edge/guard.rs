//! The request guard of the edge: `Host` and `Origin` checks, the body cap
//! (from `Content-Length` and for chunked bodies) and the bearer token (and
//! that the handler never sees it).

use std::time::Duration;

use codemode::server::http::HttpOptions;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::http::support::*;

use super::head;

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
