//! Graceful shutdown: requests in flight finish, new work gets 503 while
//! they do, what outlives the grace is cancelled, and idle connections
//! are not waited for.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use codemode::server::http::HttpOptions;
use serde_json::json;

use crate::http::support::*;

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
