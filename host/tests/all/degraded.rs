//! Degraded start, with real processes: of three servers one cannot be
//! started, and the other two still work, through the library, `codemode
//! run`, `codemode types` and `codemode serve`'s `search`; the broken one's
//! calls reject with `unavailable` carrying its start error and try to
//! start it again; `--strict` keeps the all-or-nothing start. The start
//! error of an unreachable HTTP server names its URL with the credentials
//! in its query masked.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codemode::config::{Config, Transport};
use codemode::{Limits, McpTools};
use serde_json::{Value, json};

use crate::mcp::{config, value};
use crate::support::{codemode, codemode_with_env, run_with};

const FAULTY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/servers/faulty_server.py");
const MISSING: &str = "/nonexistent/codemode-test-server";

/// The demo server, the faulty server, and a server whose command does not exist.
fn three() -> Config {
    config(&[
        ("demo", env!("CARGO_BIN_EXE_codemode"), &["demo-server"]),
        ("faulty", "python3", &[FAULTY]),
        ("broken", MISSING, &[]),
    ])
}

/// `config` written to a fresh file, in the `mcpServers` form users write.
fn config_file(name: &str, servers: Value) -> PathBuf {
    let path = std::env::temp_dir().join(format!("codemode-degraded-{}-{name}.json", std::process::id()));
    std::fs::write(&path, json!({ "mcpServers": servers }).to_string()).expect("writing the config");
    path
}

fn three_file() -> PathBuf {
    config_file(
        "three",
        json!({
            "demo": { "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"] },
            "faulty": { "command": "python3", "args": [FAULTY] },
            "broken": { "command": MISSING },
        }),
    )
}

/// A program calling all three servers; what each call gave.
const CALL_ALL: &str = r#"
    const outcome = async (call) => {
        try { return { ok: await call() }; } catch (e) { return { code: e.code, tool: e.tool, message: e.message }; }
    };
    return {
        demo: await outcome(async () => (await demo.get_today()).today.length),
        faulty: await outcome(() => faulty.echo({ n: 1 })),
        broken: await outcome(() => broken.anything({})),
    };
"#;

#[tokio::test]
async fn a_server_that_cannot_start_leaves_the_others_working() {
    let tools = Arc::new(McpTools::connect(&three()).await.expect("not strict: connect succeeds"));
    let unavailable = tools.upstreams().unavailable();
    assert_eq!(unavailable.len(), 1, "{unavailable:?}");
    assert_eq!(unavailable[0].server(), "broken");
    assert!(unavailable[0].message().contains(MISSING), "{}", unavailable[0]);

    let catalog = tools.catalog();
    let declarations = catalog.declarations();
    assert!(declarations.contains("declare namespace demo {"), "{declarations}");
    let broken = declarations.split("declare namespace broken").next().unwrap().rsplit("/**").next().unwrap();
    assert!(broken.contains("Unavailable: cannot start") && broken.contains(MISSING), "{declarations}");

    let envelope = run_with(CALL_ALL, tools.clone(), &Limits::default()).await;
    let got = value(&envelope);
    assert_eq!(got["demo"]["ok"], 10, "{got}");
    assert_eq!(got["faulty"]["ok"], json!({ "n": 1 }), "{got}");
    assert_eq!(got["broken"]["code"], "unavailable", "{got}");
    assert_eq!(got["broken"]["tool"], "anything", "{got}");
    // The call tried to start it again, and says how that went.
    let message = got["broken"]["message"].as_str().unwrap();
    assert!(message.contains(r#"server "broken""#) && message.contains(MISSING), "{message}");

    // The next execution is as fine as the first.
    let envelope = run_with("return (await demo.get_today()).today.length", tools.clone(), &Limits::default()).await;
    assert_eq!(value(&envelope), &json!(10));
    tools.shutdown().await;
}

#[tokio::test]
async fn strict_keeps_the_all_or_nothing_start() {
    let mut strict = three();
    strict.strict = true;
    let started = Instant::now();
    let Err(err) = McpTools::connect(&strict).await else { panic!("strict: one server cannot start") };
    assert_eq!(err.server(), "broken", "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_server_that_failed_to_start_is_started_by_a_later_call() {
    let crash_file = std::env::temp_dir().join(format!("codemode-degraded-{}-crash", std::process::id()));
    std::fs::write(&crash_file, "").unwrap();
    let mut config = config(&[("faulty", "python3", &[FAULTY])]);
    if let Transport::Stdio { env, .. } = &mut config.servers[0].transport {
        env.push(("FAULTY_CRASH_FILE".to_owned(), crash_file.to_str().unwrap().to_owned()));
    }
    let tools = Arc::new(McpTools::connect(&config).await.expect("not strict"));
    let source = "try { await faulty.echo({}); return 'called'; } catch (e) { return e.code + ': ' + e.message; }";

    let envelope = run_with(source, tools.clone(), &Limits::default()).await;
    let message = value(&envelope).as_str().unwrap().to_owned();
    assert!(message.starts_with("unavailable: ") && message.contains("refusing to start"), "{message}");

    std::fs::remove_file(&crash_file).unwrap();
    // The failed tries back off (250 ms after the second); wait it out.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let envelope = run_with(source, tools.clone(), &Limits::default()).await;
    let message = value(&envelope).as_str().unwrap().to_owned();
    assert!(message.contains("is up now"), "{message}");
    assert!(tools.upstreams().unavailable().is_empty());

    // Its tools reach the next program.
    let envelope = run_with(source, tools.clone(), &Limits::default()).await;
    assert_eq!(value(&envelope), "called");
    assert!(!tools.catalog().declarations().contains("Unavailable"));
    tools.shutdown().await;
}

#[tokio::test]
async fn a_server_that_never_answers_initialize_is_stopped_at_its_start_timeout() {
    let mut config = config(&[("silent", "python3", &["-c", "import sys; sys.stdin.read()"])]);
    config.servers[0].options.start_timeout = Duration::from_millis(500);
    let started = Instant::now();
    let tools = McpTools::connect(&config).await.expect("not strict");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let unavailable = tools.upstreams().unavailable();
    let message = unavailable[0].message();
    assert!(message.contains("codemode stopped the server after 500 ms without an answer to initialize"), "{message}");
    assert!(!message.contains("signal"), "not reported as a crash: {message}");
    tools.shutdown().await;
}

#[test]
fn the_cli_warns_and_goes_on_unless_strict() {
    let file = three_file();
    let config = file.to_str().unwrap();

    let (code, stdout, stderr) = codemode(&["run", "--config", config, "-"], "return 1");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap()["value"], 1);
    assert_eq!(stderr.matches("codemode: warning: ").count(), 1, "{stderr}");
    assert!(stderr.contains(r#"server "broken""#) && stderr.contains(MISSING), "{stderr}");

    let (code, stdout, _) = codemode(&["run", "--config", config, "-"], CALL_ALL);
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(code, 0, "{envelope}");
    assert_eq!(envelope["value"]["broken"]["code"], "unavailable", "{envelope}");

    let (code, stdout, stderr) = codemode(&["types", "--config", config], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("declare namespace demo {") && stdout.contains("declare namespace faulty {"));
    assert!(stdout.contains("Unavailable: cannot start") && stdout.contains("declare namespace broken {"), "{stdout}");

    for command in [&["run", "--strict", "--config", config, "-"][..], &["serve", "--strict", "--config", config]] {
        let (code, _, stderr) = codemode(command, "return 1");
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stderr.contains(r#"server "broken""#), "{stderr}");
    }
}

#[test]
fn the_start_timeout_is_a_flag() {
    let file = config_file(
        "silent",
        json!({ "silent": { "command": "python3", "args": ["-c", "import sys; sys.stdin.read()"] } }),
    );
    let started = Instant::now();
    let (code, _, stderr) =
        codemode(&["run", "--start-timeout", "300ms", "--config", file.to_str().unwrap(), "-"], "return 1");
    assert_eq!(code, 0, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(stderr.contains("codemode stopped the server after 300 ms without an answer to initialize"), "{stderr}");
    let (code, _, stderr) = codemode(&["run", "--start-timeout", "soon", "-"], "return 1");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("expected a positive duration"), "{stderr}");
}

#[tokio::test]
async fn search_lists_the_unavailable_server() {
    let client = crate::serve::serve_with(&three_file(), &[]).await;
    let listing = crate::serve::call(&client, "search", json!({ "query": "" })).await;
    let text = crate::serve::text(&listing);
    assert!(text.contains("- demo (") && text.contains("- faulty ("), "{text}");
    assert!(text.contains("- broken (unavailable; its calls fail until it starts): cannot start"), "{text}");
    let tools = client.peer().list_all_tools().await.unwrap();
    let execute = tools.iter().find(|tool| tool.name == "execute").unwrap();
    assert!(execute.description.as_deref().unwrap().contains("broken (unavailable)"), "{execute:?}");
    client.cancel().await.unwrap();
}

/// Credentials planted in the query of HTTP servers' URLs: one named
/// (`api_key`), one that only looks like a key, given in a variable.
const KEY: &str = "8f3kQ9zLm2Xv7bN4pR6tW1yHq5";
const HEX: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn secrets_in_an_unreachable_urls_query_never_show() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let keyed = format!("http://{address}/mcp?region=eu&api_key={KEY}");
    let file = config_file("query", json!({ "keyed": { "url": keyed }, "remote": { "url": "${REMOTE_URL}" } }));
    let config = file.to_str().unwrap();
    let remote = format!("http://{address}/mcp?t={HEX}");
    let env = [("REMOTE_URL", remote.as_str())];
    let program = "const m = async (call) => { try { await call(); } catch (e) { return e.message; } };
        return [await m(() => keyed.x({})), await m(() => remote.x({}))];";

    let (code, stdout, stderr) = codemode_with_env(&["run", "--config", config, "-"], program, &env);
    assert_eq!(code, 0, "{stderr}");
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    let keyed_message = envelope["value"][0].as_str().unwrap();
    assert!(keyed_message.contains(&format!("{address}/mcp?region=eu&api_key=<redacted>")), "{envelope}");
    assert!(envelope["value"][1].as_str().unwrap().contains("?t=<redacted>"), "{envelope}");
    assert!(stderr.contains("api_key=<redacted>"), "the warning still names the URL: {stderr}");
    let (code, types, types_stderr) = codemode_with_env(&["types", "--config", config], "", &env);
    assert_eq!(code, 0, "{types_stderr}");
    assert!(types.contains("Unavailable: ") && types.contains("?t=<redacted>"), "{types}");

    let file = config_file("query-serve", json!({ "keyed": { "url": keyed } }));
    let client = crate::serve::serve_with(&file, &[]).await;
    let listing = crate::serve::call(&client, "search", json!({ "query": "" })).await;
    let listing = crate::serve::text(&listing).to_owned();
    assert!(listing.contains("- keyed (unavailable"), "{listing}");
    client.cancel().await.unwrap();

    for text in [&stdout, &stderr, &types, &types_stderr, &listing] {
        assert!(!text.contains(KEY) && !text.contains(HEX), "a planted secret leaked: {text}");
    }
}
