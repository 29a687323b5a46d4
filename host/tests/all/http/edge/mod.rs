//! The network edge ([`codemode::server::http::serve`]) in front of a dummy
//! handler: rmcp's own client for the happy paths, raw HTTP for the hostile
//! ones. Here: the basics (rmcp's client, other paths, a failing handler
//! factory, IPv6, options that cannot work); beside it, one file per area:
//! the request guard (`Host`, `Origin`, body cap, bearer token), slow
//! clients, malformed JSON-RPC, graceful shutdown, concurrency. Timing is
//! only asserted as a lower bound ("waited at least the timeout") or against
//! margins of many seconds.

use std::time::Duration;

use codemode::server::http::{HttpOptions, serve};
use serde_json::json;
use tokio::net::TcpListener;

use super::support::*;

mod concurrency;
mod guard;
mod jsonrpc;
mod shutdown;
mod slow;

/// A POST head up to the blank line, with `framing` (`Content-Length: N` or
/// `Transfer-Encoding: chunked`).
fn head(framing: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{framing}\r\n\r\n"
    )
}

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
        // Each names the flag a CLI user sets it with.
        let flag = if !options.allowed_hosts.is_empty() {
            Some("--allow-host")
        } else {
            (!options.allowed_origins.is_empty()).then_some("--allow-origin")
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error =
            serve(listener, options, || Err::<Dummy, _>(std::io::Error::other("unused")), async {}).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{shown}");
        assert!(!error.to_string().contains("s3cret"), "{error}");
        assert!(flag.is_none_or(|flag| error.to_string().contains(flag)), "{error}");
    }
}
