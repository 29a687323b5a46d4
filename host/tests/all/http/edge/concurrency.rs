//! Concurrency: two clients served at once in separate sessions, and
//! connections beyond the cap waiting their turn.

use std::time::Duration;

use codemode::server::http::HttpOptions;
use serde_json::json;
use tokio::io::AsyncReadExt;

use crate::http::support::*;

use super::head;

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
