//! Slow clients: request heads and bodies that take too long, idle
//! keep-alive connections, and long responses that must outlive both
//! timeouts.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::http::support::*;

use super::head;

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
