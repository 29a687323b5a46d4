//! Resume tokens through `codemode serve`, against the official memory
//! server: a failed program's writes are not made again when the corrected
//! program runs with its token (the memory server's own file shows it), and
//! a token that was changed, expired, sealed elsewhere or oversized is
//! refused with nothing run.

use serde_json::{Value, json};

use crate::interop::{self, graph as entities, memory_file};
use crate::mcp::TempFile;
use crate::serve::{call, envelope, serve_with, text};

fn memory_config(file: &TempFile, name: &str) -> TempFile {
    interop::memory_config(file, name, Value::Null)
}

fn create(name: &str) -> String {
    format!(
        "await memory.create_entities({{ entities: [{{ name: {name:?}, entityType: 't', observations: ['o'] }}] }});"
    )
}

const FAILING: &str = "await memory.create_entities({ entities: [{ name: 'a', entityType: 't', observations: ['o'] }] });\n\
                       await memory.create_entities({ entities: [{ name: 'b', entityType: 't', observations: ['o'] }] });\n\
                       throw new Error('forgot c');";

#[tokio::test]
async fn a_resumed_program_skips_exactly_the_recorded_writes() {
    let graph = memory_file("resume-graph.jsonl");
    let config = memory_config(&graph, "resume-config.json");
    let client = serve_with(&config.0, &[]).await;

    let failed = call(&client, "execute", json!({ "code": FAILING })).await;
    assert_eq!(failed.is_error, Some(true));
    let token = envelope(&failed)["resume"].as_str().expect("a resume token").to_owned();
    assert!(text(&failed).contains(&format!("\nresume: {token}\n")), "a model reading only text sees it too");
    assert_eq!(entities(&graph), ["a", "b"]);

    // The same writes again, then the one that was missing: `a` answers
    // from the record (a live call would now create nothing and say so).
    let fixed = format!(
        "const a = await memory.create_entities({{ entities: [{{ name: 'a', entityType: 't', observations: ['o'] }}] }});\n{}\n{}\nreturn a;",
        create("b"),
        create("c")
    );
    let resumed = call(&client, "execute", json!({ "code": fixed, "resume": token })).await;
    let result = envelope(&resumed);
    assert_eq!(resumed.is_error, Some(false), "{}", text(&resumed));
    assert_eq!(result["value"]["entities"][0]["name"], "a", "{result}");
    assert_eq!(result["receipt"]["replayed_calls"], 2);
    assert_eq!(result["receipt"]["tool_calls"], 3);
    assert!(result.get("resume").is_none(), "a success carries no token");
    assert_eq!(entities(&graph), ["a", "b", "c"]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_tokens_are_refused_and_nothing_runs() {
    let graph = memory_file("resume-bad-graph.jsonl");
    let config = memory_config(&graph, "resume-bad-config.json");
    let key = TempFile::new("resume-key", &"5a".repeat(32));
    let other_key = TempFile::new("resume-other-key", &"a5".repeat(32));
    // Tokens live 3 s (to the whole second: 3 to 4 s), long enough to be used
    // on a loaded machine, short enough to wait out at the end; every server
    // starts before the token is made.
    let args = ["--state-key-file", key.0.to_str().unwrap(), "--state-ttl", "3", "--max-state-bytes", "8192"];
    let client = serve_with(&config.0, &args).await;
    // A second process sharing the key opens it (as a replica would).
    let replica = serve_with(&config.0, &args).await;
    let elsewhere = serve_with(&config.0, &["--state-key-file", other_key.0.to_str().unwrap()]).await;
    let failed = call(&client, "execute", json!({ "code": FAILING })).await;
    let issued = std::time::Instant::now();
    let token = envelope(&failed)["resume"].as_str().expect("a resume token").to_owned();

    let probe = format!("{}\nreturn 'ran';", create("d"));
    let resumed = call(&replica, "execute", json!({ "code": probe, "resume": token })).await;
    assert_eq!(envelope(&resumed)["value"], "ran", "{}", text(&resumed));
    assert!(envelope(&resumed)["receipt"].get("replayed_calls").is_none(), "none answered from the record");
    assert_eq!(entities(&graph), ["a", "b", "d"]);

    let mut changed = token.clone().into_bytes();
    let at = changed.len() / 2;
    changed[at] = if changed[at] == b'x' { b'y' } else { b'x' };
    let changed = String::from_utf8(changed).unwrap();
    let probe = format!("{}\nreturn 'ran';", create("e"));
    let cases = [
        (&client, changed.as_str(), "does not open"),
        (&elsewhere, token.as_str(), "does not open"),
        (&client, "hello", "not a codemode resume token"),
        (&client, &"x".repeat(9000), "above the 8 KiB cap"),
    ];
    for (server, bad, expected) in cases {
        let refused = call(server, "execute", json!({ "code": probe, "resume": bad })).await;
        assert_eq!(refused.is_error, Some(true));
        assert!(text(&refused).contains(expected) && text(&refused).contains("Nothing was run"), "{}", text(&refused));
    }
    let expiry = std::time::Duration::from_millis(4100);
    tokio::time::sleep(expiry.saturating_sub(issued.elapsed())).await;
    let expired = call(&client, "execute", json!({ "code": probe, "resume": token })).await;
    assert!(text(&expired).contains("expired"), "{}", text(&expired));
    assert_eq!(entities(&graph), ["a", "b", "d"], "no refused program ran");
    for client in [client, replica, elsewhere] {
        client.cancel().await.unwrap();
    }
}

#[test]
fn a_bad_state_key_stops_serve_naming_the_flag() {
    let key = TempFile::new("resume-short-key", "abc");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["serve", "--config", "/nonexistent.json", "--state-key-file"])
        .arg(&key.0)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("--state-key-file") && stderr.contains("64 hex digits"), "{stderr}");
}
