//! The real `codemode serve --http` as a child process, in front of the
//! demo server: two sessions executing at once, a bearer token from
//! `CODEMODE_TOKEN` (required, and never on stderr), `Host` and `Origin`
//! checks, malformed JSON-RPC followed by normal service, and a graceful
//! exit on SIGTERM that lets an execute in flight finish.

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::support::{INITIALIZE, PATIENCE, Reply, eventually, post};
use crate::serve::{Collector, call, demo_config_file, envelope};

/// How long `codemode serve` may take to start (it connects to the demo
/// server and compiles the guest) on a loaded machine.
const STARTUP: Duration = Duration::from_secs(120);

/// A running `codemode serve --http 127.0.0.1:0`.
pub struct Codemode {
    child: Child,
    /// `http://127.0.0.1:PORT/mcp`, from its stderr.
    pub url: String,
    /// Everything it has written to stderr so far.
    stderr: Arc<Mutex<String>>,
    reader: JoinHandle<()>,
}

impl Codemode {
    /// Starts the server with `env` and `args` added, and waits until it listens.
    pub async fn start(env: &[(&str, &str)], args: &[&str]) -> Self {
        Self::start_with(demo_config_file(), env, args).await
    }

    /// Starts the server on `config` with `env` and `args` added, and
    /// waits until it listens.
    pub async fn start_with(config: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_codemode"));
        command
            .arg("serve")
            .arg("--config")
            .arg(config)
            .args(["--http", "127.0.0.1:0"])
            .args(args)
            .env_remove("CODEMODE_TOKEN")
            .env("RUST_LOG", "info,codemode=trace,rmcp=trace")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("codemode starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening, url) = oneshot::channel();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let collected = stderr.clone();
        // Drains stderr to the end, so that the server never blocks on it.
        let reader = tokio::spawn(async move {
            let mut listening = Some(listening);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("codemode: serving MCP at ")
                    && let Some(listening) = listening.take()
                {
                    let _ = listening.send(url.to_owned());
                }
                let mut collected = collected.lock().unwrap();
                collected.push_str(&line);
                collected.push('\n');
            }
        });
        let url = match tokio::time::timeout(STARTUP, url).await {
            Ok(Ok(url)) => url,
            _ => panic!("codemode serve did not start listening; stderr:\n{}", stderr.lock().unwrap()),
        };
        Self { child, url, stderr, reader }
    }

    /// `Host: 127.0.0.1:PORT`, as clients send it.
    fn authority(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches("/mcp")
    }

    /// An rmcp streamable HTTP client, initialized; `token` as bearer.
    async fn client(&self, token: Option<&str>) -> Result<RunningService<RoleClient, Collector>, String> {
        let mut config = StreamableHttpClientTransportConfig::with_uri(self.url.as_str());
        if let Some(token) = token {
            config = config.auth_header(token);
        }
        let transport = StreamableHttpClientTransport::from_config(config);
        Collector::default().serve(transport).await.map_err(|error| error.to_string())
    }

    /// Waits until its stderr contains `text`.
    pub async fn wait_for_stderr(&self, text: &str) {
        let stderr = self.stderr.clone();
        eventually(text, move || stderr.lock().unwrap().contains(text)).await;
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.id().and_then(|pid| rustix::process::Pid::from_raw(pid as i32)).expect("running");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM sent");
    }

    /// Waits for the process to exit (killing it after [`PATIENCE`]) and
    /// returns its status and all of its stderr.
    pub async fn exit(mut self) -> (Option<ExitStatus>, String) {
        let status = match tokio::time::timeout(PATIENCE, self.child.wait()).await {
            Ok(status) => Some(status.expect("waiting for codemode")),
            Err(_) => {
                let _ = self.child.kill().await;
                None
            }
        };
        let _ = tokio::time::timeout(PATIENCE, &mut self.reader).await;
        let stderr = self.stderr.lock().unwrap().clone();
        (status, stderr)
    }
}

/// The value of an `execute` of `code`, asserting it succeeded.
async fn execute(client: &RunningService<RoleClient, Collector>, code: &str) -> Value {
    let result = call(client, "execute", json!({ "code": code })).await;
    let envelope = envelope(&result);
    assert_eq!(envelope["ok"], true, "{envelope}");
    envelope["value"].clone()
}

/// A program that keeps the CPU busy for `ms` milliseconds, then returns `value`.
fn busy(ms: u64, value: &str) -> String {
    format!("const t = Date.now(); while (Date.now() - t < {ms}) {{}} return {value};")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_execute_at_once() {
    let server = Codemode::start(&[], &[]).await;
    let (a, b) = tokio::join!(server.client(None), server.client(None));
    let (a, b) = (a.unwrap(), b.unwrap());
    let (code_a, code_b) = (busy(700, "1"), busy(700, "2"));
    let (one, two) = tokio::join!(execute(&a, &code_a), execute(&b, &code_b));
    assert_eq!((one, two), (json!(1), json!(2)));
    // Each session goes on on its own.
    a.cancel().await.unwrap();
    assert_eq!(execute(&b, "return 'still here';").await, "still here");
    b.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_from_the_environment() {
    const TOKEN: &str = "secret-token-123";
    let server = Codemode::start(&[("CODEMODE_TOKEN", TOKEN)], &[]).await;
    for authorization in [None, Some("Bearer secret-token-124"), Some("secret-token-123")] {
        let headers: Vec<(&str, &str)> = authorization.iter().map(|value| ("authorization", *value)).collect();
        let reply = post(&server.url, INITIALIZE, &headers).await;
        reply.assert_rpc_error(401, -32000);
        assert!(reply.headers.contains_key("www-authenticate"), "{reply:?}");
    }
    assert!(server.client(None).await.is_err(), "rmcp's client without the token is refused");

    let client = server.client(Some(TOKEN)).await.unwrap();
    let tools = client.peer().list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(names, ["search", "execute"]);
    let today = execute(&client, "return (await demo.get_today()).today;").await;
    assert_eq!(today, "2025-06-15");
    client.cancel().await.unwrap();

    server.terminate();
    let (status, stderr) = server.exit().await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}\n{stderr}");
    assert!(stderr.contains("request rejected"), "stderr was captured:\n{stderr}");
    assert!(!stderr.contains(TOKEN), "the token is on stderr:\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_and_origin_are_checked() {
    let server = Codemode::start(&[], &[]).await;
    let port = server.authority().rsplit_once(':').unwrap().1.to_owned();
    let localhost = format!("localhost:{port}");
    let same_origin = format!("http://localhost:{port}");
    let other_port = format!("http://localhost:{}", port.parse::<u16>().unwrap().wrapping_add(1));
    // (Host, Origin, status)
    let cases = [
        (None, None, 200),
        (Some(localhost.as_str()), None, 200),
        (None, Some(same_origin.as_str()), 200),
        (Some("evil.example"), None, 403),
        (Some("evil.example:80"), None, 403),
        (None, Some("http://evil.example"), 403),
        (None, Some(other_port.as_str()), 403),
        (None, Some("null"), 403),
        (Some("evil.example"), Some(same_origin.as_str()), 403),
    ];
    for (host, origin, status) in cases {
        let mut headers = Vec::new();
        headers.extend(host.map(|host| ("host", host)));
        headers.extend(origin.map(|origin| ("origin", origin)));
        let reply = post(&server.url, INITIALIZE, &headers).await;
        if status == 200 {
            assert_eq!(reply.status, 200, "{headers:?}: {reply:?}");
        } else {
            reply.assert_rpc_error(status, -32000);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_jsonrpc_then_normal_service() {
    let server = Codemode::start(&[], &[]).await;
    let huge_id = format!(r#"{{"jsonrpc":"2.0","id":"{}","method":"ping"}}"#, "7".repeat(100_000));
    // (case, body, JSON-RPC code)
    let cases: [(&str, Vec<u8>, i64); 5] = [
        ("not JSON", b"this is not JSON".to_vec(), -32700),
        ("100,000 [", "[".repeat(100_000).into_bytes(), -32700),
        ("100 kB id", huge_id.into_bytes(), -32600),
        ("id beyond i64", br#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"}"#.to_vec(), -32600),
        ("a batch", format!("[{INITIALIZE}]").into_bytes(), -32600),
    ];
    for (name, body, code) in cases {
        let reply: Reply = post(&server.url, body, &[]).await;
        assert_eq!(reply.assert_rpc_error(400, code), Value::Null, "{name}: {reply:?}");
    }
    let client = server.client(None).await.unwrap();
    assert_eq!(execute(&client, "return 6 * 7;").await, 42);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_execute_in_flight_finish() {
    let server = Codemode::start(&[], &[]).await;
    let client = server.client(None).await.unwrap();
    let messages = client.service().messages.clone();
    let code = format!("console.log('started'); {}", busy(1000, "'finished'"));
    let running = tokio::spawn(async move {
        let value = execute(&client, &code).await;
        let _ = client.cancel().await;
        value
    });
    // The program's first console line says it is running.
    eventually("the program starts", || messages.lock().unwrap().iter().any(|m| m.contains("started"))).await;
    server.terminate();
    let value = tokio::time::timeout(PATIENCE, running).await.expect("the execute returns").unwrap();
    assert_eq!(value, "finished");
    let (status, stderr) = server.exit().await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}\n{stderr}");
    // The shutdown began while the execute was in flight.
    let in_flight = stderr
        .lines()
        .filter(|line| line.contains("shutting down: draining requests in flight"))
        .find_map(|line| line.split("in_flight=").nth(1)?.split_whitespace().next()?.parse::<usize>().ok());
    assert!(in_flight.is_some_and(|n| n >= 1), "{in_flight:?}\n{stderr}");
}
