//! Upstream connections against real servers: the misbehaving stdio server
//! in `tests/servers/faulty_server.py` (every fault provoked for real) and
//! the demo server over streamable HTTP on loopback.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use codemode::config::{Config, ServerConfig, ServerOptions, Transport};
use codemode::upstream::{Server, UpstreamError, UpstreamErrorKind, Upstreams};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

const FAULTY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/servers/faulty_server.py");

/// A credential planted in a server's `env` or `headers`.
const SECRET: &str = "planted-s3cr3t-9f2c71d4";

fn options(call_timeout: Duration) -> ServerOptions {
    ServerOptions { call_timeout, ..ServerOptions::default() }
}

fn faulty(env: &[(&str, &str)], options: ServerOptions) -> ServerConfig {
    ServerConfig {
        name: "faulty".to_owned(),
        transport: Transport::Stdio {
            command: "python3".to_owned(),
            args: vec![FAULTY.to_owned()],
            env: env.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
            cwd: None,
        },
        options,
    }
}

async fn connect(servers: Vec<ServerConfig>) -> Upstreams {
    Upstreams::connect(&Config { servers, ..Config::default() }).await.expect("connect")
}

/// The text of a result's first content block.
fn text(result: &CallToolResult) -> String {
    result.content[0].as_text().expect("a text block").text.clone()
}

async fn call_json(server: &Server, tool: &str) -> Value {
    let result = server.call(tool, None).await.unwrap_or_else(|err| panic!("{tool}: {err}"));
    serde_json::from_str(&text(&result)).expect("JSON text")
}

/// A fresh path in the temporary folder.
fn temp_path(name: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("codemode-upstream-{}-{n}-{name}", std::process::id()))
}

fn expect_err(result: Result<CallToolResult, UpstreamError>, kind: UpstreamErrorKind) -> UpstreamError {
    let err = result.expect_err("the call should fail");
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.server(), "faulty");
    err
}

#[tokio::test]
async fn values_marked_in_secrets_are_masked_too() {
    // Neither its name nor its shape says CUSTOMER_ID is a credential; the
    // user's `codemode.secrets` does.
    let options = ServerOptions { secrets: vec!["customer_*".to_owned()], ..ServerOptions::default() };
    let upstreams = connect(vec![faulty(&[("CUSTOMER_ID", "acme-corp-42"), ("REGION", "eu-west-1")], options)]).await;
    let context = call_json(upstreams.get("faulty").unwrap(), "context").await;
    assert_eq!(
        (&context["env"]["CUSTOMER_ID"], &context["env"]["REGION"]),
        (&json!("<redacted>"), &json!("eu-west-1"))
    );
    upstreams.shutdown().await;
}

#[tokio::test]
async fn lists_every_page_applies_deny_and_calls_tools() {
    let deny = ServerOptions { deny: vec!["flood_*".to_owned()], ..ServerOptions::default() };
    let upstreams = connect(vec![faulty(&[], deny)]).await;
    let server = upstreams.get("faulty").unwrap();
    let names: Vec<String> = server.tools().iter().map(|tool| tool.name.to_string()).collect();
    // Three pages of tools/list (6 + 6 + 5), minus the two denied ones.
    assert_eq!(names.len(), 15, "{names:?}");
    assert!(names.contains(&"change_tools".to_owned()) && !names.contains(&"flood_stderr".to_owned()));
    assert_eq!(server.instructions(), Some("A server that fails on request."));

    let arguments = json!({ "n": 1, "s": "x" }).as_object().cloned();
    let echoed = server.call("echo", arguments).await.unwrap();
    assert_eq!(text(&echoed), r#"{"n": 1, "s": "x"}"#);

    let failed = server.call("is_error", None).await.expect("isError is a result, not an error");
    assert_eq!(failed.is_error, Some(true));
    upstreams.shutdown().await;
}

#[tokio::test]
async fn stdio_gets_args_cwd_env_and_only_a_minimal_inherited_environment() {
    let cwd = temp_path("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let mut config = faulty(&[("API_TOKEN", SECRET), ("PLAIN", "ok")], ServerOptions::default());
    if let Transport::Stdio { args, cwd: dir, .. } = &mut config.transport {
        args.push("--flag".to_owned());
        *dir = Some(cwd.clone());
    }
    let upstreams = connect(vec![config]).await;
    let context = call_json(upstreams.get("faulty").unwrap(), "context").await;

    assert_eq!(context["argv"], json!(["--flag"]));
    assert_eq!(PathBuf::from(context["cwd"].as_str().unwrap()), cwd.canonicalize().unwrap());
    // The value arrived (and, being a credential, came back masked); an
    // ordinary value comes back as it is.
    assert_eq!(context["env"]["API_TOKEN"], "<redacted>");
    assert_eq!(context["env"]["PLAIN"], "ok");
    assert!(context["env"]["PATH"].is_string(), "PATH is inherited");
    let inherited = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR", "LANG", "LC_ALL"];
    // What a launcher between us and Python may set itself: a shell script
    // (pyenv's shim) sets PWD, SHLVL and _, Python sets LC_CTYPE (PEP 538).
    let set_by_launcher =
        |name: &str| ["PWD", "OLDPWD", "SHLVL", "_", "LC_CTYPE"].contains(&name) || name.starts_with("PYENV");
    let mut checked = 0;
    for (name, _) in std::env::vars() {
        if !inherited.contains(&name.as_str()) && !set_by_launcher(&name) {
            assert!(context["env"].get(&name).is_none(), "{name} leaked from codemode's environment into the child");
            checked += 1;
        }
    }
    assert!(checked > 0, "the test process has variables that must not be inherited");
    upstreams.shutdown().await;
    std::fs::remove_dir_all(&cwd).unwrap();
}

#[tokio::test]
async fn a_crash_fails_the_call_and_the_next_call_restarts_the_server() {
    let upstreams = connect(vec![faulty(&[], ServerOptions::default())]).await;
    let server = upstreams.get("faulty").unwrap();
    let before = call_json(server, "context").await["pid"].clone();

    let err = expect_err(server.call("crash", None).await, UpstreamErrorKind::Crashed);
    let message = err.to_string();
    assert!(message.contains("exit status: 1"), "{message}");
    assert!(message.contains("crashing on purpose"), "the end of stderr is quoted: {message}");

    let after = call_json(server, "context").await["pid"].clone();
    assert_ne!(before, after, "a new process serves the next call");
    upstreams.shutdown().await;
}

/// The seconds until the restart that an `Unavailable` error announces.
fn retry_in(err: &UpstreamError) -> f64 {
    let (_, rest) = err.message().split_once("restarts in ").expect("says when it retries");
    rest.split_once(" s").and_then(|(seconds, _)| seconds.parse().ok()).expect("a number of seconds")
}

#[tokio::test]
async fn restarts_of_a_server_that_dies_at_start_back_off() {
    let crash_file = temp_path("crash");
    let crash_path = crash_file.to_str().unwrap();
    let upstreams = connect(vec![faulty(&[("FAULTY_CRASH_FILE", crash_path)], ServerOptions::default())]).await;
    let server = upstreams.get("faulty").unwrap();
    std::fs::write(&crash_file, "").unwrap();

    expect_err(server.call("crash", None).await, UpstreamErrorKind::Crashed);
    // First restart: immediate, and it fails.
    let err = expect_err(server.call("echo", None).await, UpstreamErrorKind::Connect);
    assert!(err.message().contains("exit status: 3") && err.message().contains("refusing to start"), "{err}");
    // Second: not before 250 ms.
    let err = expect_err(server.call("echo", None).await, UpstreamErrorKind::Unavailable);
    assert!((0.0..=0.25).contains(&retry_in(&err)), "{err}");
    assert!(err.message().contains("refusing to start"), "says why it is down: {err}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    expect_err(server.call("echo", None).await, UpstreamErrorKind::Connect);
    // Third: the delay doubled.
    let err = expect_err(server.call("echo", None).await, UpstreamErrorKind::Unavailable);
    assert!((0.3..=0.5).contains(&retry_in(&err)), "{err}");

    std::fs::remove_file(&crash_file).unwrap();
    tokio::time::sleep(Duration::from_millis(550)).await;
    server.call("echo", None).await.expect("restarted once the server can start");
    upstreams.shutdown().await;
}

#[tokio::test]
async fn a_hung_call_times_out_and_is_cancelled_upstream() {
    let upstreams = connect(vec![faulty(&[], options(Duration::from_millis(400)))]).await;
    let server = upstreams.get("faulty").unwrap();

    let started = Instant::now();
    let err = expect_err(server.call("hang", None).await, UpstreamErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(err.message().contains("400ms"), "{err}");

    // A call whose future is dropped is cancelled too.
    let dropped = tokio::time::timeout(Duration::from_millis(100), server.call("hang", None)).await;
    assert!(dropped.is_err());

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let seen = call_json(server, "cancellations").await;
        if seen.as_array().unwrap().len() == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the server saw only these cancellations: {seen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    upstreams.shutdown().await;
}

#[tokio::test]
async fn calls_beyond_max_concurrent_calls_wait_for_a_slot() {
    let one = ServerOptions { max_concurrent_calls: 1, ..ServerOptions::default() };
    let upstreams = connect(vec![faulty(&[], one)]).await;
    let server = Arc::clone(upstreams.get("faulty").unwrap());

    let hanging = tokio::spawn({
        let server = Arc::clone(&server);
        async move { server.call("hang", None).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let queued = tokio::time::timeout(Duration::from_millis(300), server.call("echo", None)).await;
    assert!(queued.is_err(), "the second call waits while the first holds the only slot");

    // Dropping the hung call frees its slot (and cancels it upstream).
    hanging.abort();
    let echoed = tokio::time::timeout(Duration::from_secs(5), server.call("echo", None)).await;
    echoed.expect("the slot was freed").expect("echo");
    upstreams.shutdown().await;
}

#[tokio::test]
async fn garbage_on_stdout_fails_fast_with_a_protocol_error() {
    let upstreams = connect(vec![faulty(&[], options(Duration::from_secs(20)))]).await;
    let server = upstreams.get("faulty").unwrap();

    let started = Instant::now();
    let err = expect_err(server.call("garbage", None).await, UpstreamErrorKind::Protocol);
    assert!(started.elapsed() < Duration::from_secs(5), "no waiting for the timeout: {:?}", started.elapsed());
    assert!(err.message().contains("not JSON") && err.message().contains("this is not JSON-RPC {{{"), "{err}");

    server.call("echo", None).await.expect("the next call restarts the server");
    upstreams.shutdown().await;
}

#[tokio::test]
async fn a_stderr_flood_neither_blocks_the_server_nor_bloats_the_host() {
    let upstreams = connect(vec![faulty(&[], options(Duration::from_secs(20)))]).await;
    let server = upstreams.get("faulty").unwrap();

    // 5 MB of stderr: a pipe nobody drained would block the server long
    // before it answers.
    let flooded = server.call("flood_stderr", None).await.expect("answers after the flood");
    assert_eq!(text(&flooded), "flooded");

    // Only the end of stderr is kept for the crash report.
    let err = expect_err(server.call("crash", None).await, UpstreamErrorKind::Crashed);
    let message = err.message();
    assert!(message.contains("flood done") && message.contains("crashing on purpose"), "{message}");
    assert!(message.len() < 5 * 1024, "{} bytes of message", message.len());
    upstreams.shutdown().await;
}

#[tokio::test]
async fn json_rpc_errors_keep_their_code_and_message() {
    let upstreams = connect(vec![faulty(&[], ServerOptions::default())]).await;
    let server = upstreams.get("faulty").unwrap();
    let err = expect_err(server.call("rpc_error", None).await, UpstreamErrorKind::Rpc);
    assert_eq!(err.rpc_code(), Some(-32000));
    assert_eq!(err.message(), "the database is on fire");
    assert_eq!(err.to_string(), r#"server "faulty": JSON-RPC error -32000: the database is on fire"#);
    server.call("echo", None).await.expect("the server is still up");
    upstreams.shutdown().await;
}

#[tokio::test]
async fn tool_list_changes_are_followed() {
    let upstreams = connect(vec![faulty(&[], ServerOptions::default())]).await;
    let server = upstreams.get("faulty").unwrap();
    let mut changes = server.changes();
    assert!(!server.tools().iter().any(|tool| tool.name == "added"));

    server.call("change_tools", None).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), changes.changed()).await.expect("a change").unwrap();
    assert!(server.tools().iter().any(|tool| tool.name == "added"));
    assert_eq!(text(&server.call("added", None).await.unwrap()), "added works");
    upstreams.shutdown().await;
}

/// Whether process `pid` exists (a zombie counts: it is not reaped).
#[cfg(target_os = "linux")]
fn exists(pid: &Value) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn children_are_reaped_on_shutdown_and_on_drop() {
    let upstreams = connect(vec![faulty(&[], ServerOptions::default())]).await;
    let server = Arc::clone(upstreams.get("faulty").unwrap());
    let pid = call_json(&server, "context").await["pid"].clone();
    assert!(exists(&pid));
    upstreams.shutdown().await;
    assert!(!exists(&pid), "reaped when shutdown returns");
    let err = server.call("echo", None).await.expect_err("shut down");
    assert_eq!(err.kind(), UpstreamErrorKind::Unavailable, "{err}");

    let upstreams = connect(vec![faulty(&[], ServerOptions::default())]).await;
    let pid = call_json(upstreams.get("faulty").unwrap(), "context").await["pid"].clone();
    drop(upstreams);
    let deadline = Instant::now() + Duration::from_secs(5);
    while exists(&pid) {
        assert!(Instant::now() < deadline, "process {pid} outlived its Upstreams");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Strict: one server that cannot start fails the whole start (else see
/// `degraded`).
#[tokio::test]
async fn a_server_that_cannot_start_is_an_error_naming_it() {
    let mut missing = faulty(&[], ServerOptions::default());
    missing.name = "missing".to_owned();
    missing.transport = Transport::Stdio {
        command: "/nonexistent/codemode-test-server".to_owned(),
        args: Vec::new(),
        env: Vec::new(),
        cwd: None,
    };
    let err = Upstreams::connect(&Config {
        servers: vec![faulty(&[], ServerOptions::default()), missing],
        strict: true,
        ..Config::default()
    })
    .await
    .expect_err("one server cannot start");
    assert_eq!(err.kind(), UpstreamErrorKind::Spawn);
    assert_eq!(err.server(), "missing");
    assert!(err.to_string().contains("/nonexistent/codemode-test-server"), "{err}");

    let mut config = faulty(&[], ServerOptions::default());
    if let Transport::Stdio { args, .. } = &mut config.transport {
        *args = vec!["-c".to_owned(), "import sys; sys.stderr.write('no MCP here'); sys.exit(4)".to_owned()];
    }
    let err = Upstreams::connect(&Config { servers: vec![config], strict: true, ..Config::default() })
        .await
        .expect_err("exits before initialize");
    assert_eq!(err.kind(), UpstreamErrorKind::Connect);
    assert!(err.message().contains("exit status: 4") && err.message().contains("no MCP here"), "{err}");
}

/// Starts the demo server over streamable HTTP on loopback; returns its URL.
async fn demo_over_http() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(codemode_demo::server::serve_http(listener));
    format!("http://{address}/mcp")
}

fn http(url: String, headers: &[(&str, &str)]) -> ServerConfig {
    ServerConfig {
        name: "demo".to_owned(),
        transport: Transport::Http {
            url,
            headers: headers.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
        },
        options: ServerOptions::default(),
    }
}

#[tokio::test]
async fn streamable_http_with_headers() {
    let url = demo_over_http().await;
    let headers = [("Authorization", "Bearer planted-s3cr3t-9f2c71d4"), ("X-Api-Key", SECRET)];
    let upstreams = connect(vec![http(url, &headers)]).await;
    let server = upstreams.get("demo").unwrap();
    assert_eq!(&*server.tools(), codemode_demo::tools::tool_list().as_slice());
    assert!(server.instructions().is_some_and(|text| text.contains("Sample sales data")));

    let result = server.call("get_today", None).await.unwrap();
    assert_eq!(result.is_error, Some(false));
    assert!(result.structured_content.is_some());
    let err = server.call("no_such_tool", None).await.expect_err("unknown tool");
    assert_eq!((err.kind(), err.rpc_code()), (UpstreamErrorKind::Rpc, Some(-32602)), "{err}");
    upstreams.shutdown().await;
}

/// Every event logged by codemode and the SDK from the first call on,
/// formatted, in one buffer.
fn captured_logs() -> &'static Mutex<String> {
    static LOGS: OnceLock<Arc<Mutex<String>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(String::new()));
        let _ = tracing::subscriber::set_global_default(capture::Capture(Arc::clone(&logs)));
        logs
    })
}

/// Ordinary `env` values, beside the planted secret: they are no credentials
/// and must come through intact.
const ORDINARY: [(&str, &str); 3] = [("NODE_ENV", "production"), ("LOG_LEVEL", "info"), ("REGION", "eu-west-1")];

#[tokio::test]
async fn planted_secrets_never_leak() {
    let logs = captured_logs();
    let mut surfaced = Vec::new();

    // stdio: the server echoes its environment in a result, in a log
    // notification and on stderr just before it crashes.
    let env = [[("API_TOKEN", SECRET)].as_slice(), &ORDINARY].concat();
    let upstreams = connect(vec![faulty(&env, ServerOptions::default())]).await;
    let server = upstreams.get("faulty").unwrap();
    surfaced.push(format!("{upstreams:?} {:?} {:?}", server.tools(), server.instructions()));
    let context = server.call("context", None).await.unwrap();
    surfaced.push(format!("{context:?}"));
    let context: Value = serde_json::from_str(&text(&context)).unwrap();
    for (name, value) in ORDINARY {
        assert_eq!(context["env"][name], value, "an ordinary value is not masked");
    }
    let arguments = json!({ "s": "production info eu-west-1 1" }).as_object().cloned();
    let echoed = server.call("echo", arguments).await.unwrap();
    assert_eq!(text(&echoed), r#"{"s": "production info eu-west-1 1"}"#);
    let err = expect_err(server.call("print_env", None).await, UpstreamErrorKind::Crashed);
    assert!(err.message().contains("API_TOKEN=<redacted>"), "stderr is quoted, masked: {err}");
    surfaced.push(format!("{err} {err:?}"));
    let err = expect_err(server.call("garbage", None).await, UpstreamErrorKind::Protocol);
    surfaced.push(format!("{err} {err:?}"));
    upstreams.shutdown().await;

    // HTTP: a server that works, and one that is not there, both with the
    // secret in headers and in the URL's query.
    let headers = [("Authorization", "Bearer planted-s3cr3t-9f2c71d4"), ("X-Api-Key", SECRET)];
    let url = format!("{}?region=eu&api_key={SECRET}", demo_over_http().await);
    let upstreams = connect(vec![http(url, &headers)]).await;
    surfaced.push(format!("{upstreams:?}"));
    upstreams.shutdown().await;
    // The SDK's own line on a failed connection (`worker quit with fatal`,
    // off unless RUST_LOG turns on `rmcp`) quotes the URL as it is: the
    // log lines are checked up to here.
    surfaced.push(logs.lock().unwrap().clone());
    assert!(surfaced.last().unwrap().contains("received notification"), "the SDK's log lines were captured");
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp?region=eu&api_key={SECRET}", closed.local_addr().unwrap());
    drop(closed);
    let err = Upstreams::connect(&Config { servers: vec![http(url, &headers)], strict: true, ..Config::default() })
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind(), UpstreamErrorKind::Connect, "{err}");
    assert!(err.message().contains("/mcp?region=eu&api_key=<redacted>"), "the URL is quoted, masked: {err}");
    surfaced.push(format!("{err} {err:?}"));

    for text in &surfaced {
        assert!(!text.contains(SECRET), "a planted secret leaked: {text}");
    }
}

/// A minimal `tracing` subscriber that formats events of codemode and the
/// MCP SDK into a buffer.
mod capture {
    use std::fmt::Write;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    pub struct Capture(pub Arc<Mutex<String>>);

    struct Line<'a>(&'a mut String);

    impl Visit for Line<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target().starts_with("rmcp") || metadata.target().starts_with("codemode")
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = String::new();
            event.record(&mut Line(&mut line));
            let mut logs = self.0.lock().unwrap();
            logs.push_str(&line);
            logs.push('\n');
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}
