//! Malformed JSON-RPC, and rmcp's own refusals, answered as JSON-RPC
//! errors; `DELETE` ending a session; unknown methods in a session.

use codemode::server::http::HttpOptions;
use serde_json::{Value, json};

use crate::http::support::*;

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
