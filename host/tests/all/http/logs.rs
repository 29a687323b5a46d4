//! Every log line of an HTTP session with a bearer token, at TRACE level
//! and from every crate, is free of the token: accepted and refused
//! requests, a tool call, a malformed body, shutdown.
//!
//! The subscriber is scoped, not global (other tests share this binary):
//! it is the default of this test's thread only, and the server, the
//! handler and the client all run on that thread, in a current-thread
//! runtime. It sees no other test's events, and no other test sees its.

use std::io::Write;
use std::sync::{Arc, Mutex};

use codemode::server::http::HttpOptions;
use serde_json::json;

use super::support::*;

/// A writer appending to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn logs_never_contain_the_token() {
    // tracing caches per callsite whether any subscriber wants its events.
    // While only one dispatcher is registered it asks the current thread's
    // default only, so a callsite first reached on another test's thread
    // would be cached as "never" for this test too. A second registered
    // dispatcher, alive for the whole test, makes it ask them all.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(session_with_a_token()));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request rejected"), "the subscriber captured the server's logs:\n{logs}");
    assert!(logs.contains("HTTP server stopped"), "and its shutdown:\n{logs}");
    assert!(logs.lines().count() > 20, "{logs}");
    assert!(!logs.contains("Tok3n"), "{logs}");
}

const TOKEN: &str = "Tok3n-7c1d2e9f0a";

async fn session_with_a_token() {
    let bearer = format!("Bearer {TOKEN}");
    let mut server = start(HttpOptions { bearer_token: Some(TOKEN.into()), ..HttpOptions::default() }).await;
    let url = server.url();
    // Raw requests, so that only the server's side logs anything.
    let session = post(&url, INITIALIZE, &[("authorization", &bearer)]).await.session();
    let with_session = [("authorization", bearer.as_str()), ("mcp-session-id", session.as_str())];
    assert_eq!(post(&url, INITIALIZED, &with_session).await.status, 202);
    let call = json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"auth_seen","arguments":{}}});
    let reply = post(&url, call.to_string(), &with_session).await;
    assert!(reply.body.contains("true:false"), "{reply:?}");
    let wrong = format!("Bearer {TOKEN}x");
    post(&url, INITIALIZE, &[("authorization", &wrong), ("host", "evil.example")]).await.assert_rpc_error(403, -32000);
    post(&url, INITIALIZE, &[("authorization", &wrong)]).await.assert_rpc_error(401, -32000);
    post(&url, "not json", &[("authorization", &bearer)]).await.assert_rpc_error(400, -32700);
    tokio::time::timeout(PATIENCE, server.shutdown()).await.expect("serve returns").unwrap().unwrap();
}
