//! Approvals and `llm.ask` through `codemode serve`, driven by the official
//! MCP Python SDK (`tests/interop/asking.py`) against the official memory
//! server whose `create_*` tools need approval: over stdio and streamable
//! HTTP, on protocol 2025-11-25 (server-initiated elicitation and sampling
//! while the program waits) and 2026-07-28 (`input_required`, retried with
//! `inputResponses` and the sealed `requestState`). The memory server's own
//! file shows what was made, and that no call was made twice.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::http::real::Codemode;
use crate::interop::{graph as entities, memory_config, memory_file};
use crate::mcp::TempFile;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/asking.py")
}

/// The memory server, its `create_*` tools needing approval, its graph in `graph`.
fn config(graph: &TempFile, name: &str) -> TempFile {
    memory_config(graph, name, json!({ "approve": ["create_*"] }))
}

/// Three approvals at once, answered yes ("a"), no ("b") and dismissed
/// ("c"); then two in a row; then a read that needs none.
const PROGRAMS: [&str; 3] = [
    "const r = await Promise.allSettled(['a', 'b', 'c'].map((name) => memory.create_entities({ entities: [{ name, entityType: 't', observations: ['o'] }] })));\n\
     return r.map((x) => x.status === 'fulfilled' ? x.value.entities[0].name : x.reason.code);",
    "const t0 = Date.now();\n\
     await memory.create_entities({ entities: [{ name: 'd', entityType: 't', observations: [] }] });\n\
     await memory.create_entities({ entities: [{ name: 'e', entityType: 't', observations: [] }] });\n\
     const g = await memory.read_graph();\n\
     return { names: g.entities.map((e) => e.name), clock: Date.now() >= t0 };",
    "return (await memory.read_graph()).entities.length;",
];

pub async fn client(args: &[&str], programs: &[&str]) -> Value {
    let file = TempFile::new(
        &format!("approvals-programs-{}", args.join("-").replace(['/', ':', '.'], "")),
        &json!(programs).to_string(),
    );
    let python = std::env::var("CODEMODE_TEST_PYTHON").expect("CODEMODE_TEST_PYTHON (scripts/test.sh sets it)");
    let (transport, rest) = args.split_at(1);
    let output = tokio::process::Command::new(python)
        .arg(script())
        .arg(transport[0])
        .arg("--programs")
        .arg(&file.0)
        .args(rest)
        .output()
        .await
        .expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("no report ({e}): {stderr}"));
    assert_eq!(report["ok"], true, "{report:#}\n{stderr}");
    report
}

fn check_answers(report: &Value, era: &str, graph: &TempFile) {
    assert_eq!(report["protocol_version"], era);
    let programs = report["programs"].as_array().unwrap();
    let [all, two, read] = programs.as_slice() else { panic!("{report:#}") };
    assert_eq!(all["structured"]["value"], json!(["a", "declined", "declined"]), "{all:#}");
    assert_eq!(all["asked"].as_array().unwrap().len(), 3);
    assert!(all["asked"][0].as_str().unwrap().contains("memory.create_entities"), "{all:#}");
    assert_eq!(two["structured"]["value"], json!({ "names": ["a", "d", "e"], "clock": true }), "{two:#}");
    assert_eq!(read["structured"]["value"], 3);
    assert_eq!(read["asked"], json!([]));
    // 2026-07-28 pauses once per wave of questions; 2025-11-25 asks in the call.
    let rounds: Vec<&Value> = programs.iter().map(|p| &p["rounds"]).collect();
    let expected = if era == "2026-07-28" { [1, 2, 0] } else { [0, 0, 0] };
    assert_eq!(rounds, expected.map(|n| json!(n)).iter().collect::<Vec<_>>());
    assert_eq!(entities(graph), ["a", "d", "e"], "each approved call made once, the others never");
}

#[tokio::test]
async fn approvals_over_stdio_in_both_protocol_versions() {
    for era in ["legacy", "2026-07-28"] {
        let graph = memory_file(&format!("approvals-stdio-{era}.jsonl"));
        let config = config(&graph, &format!("approvals-stdio-{era}.json"));
        let codemode = env!("CARGO_BIN_EXE_codemode");
        let config_path = config.0.to_str().unwrap();
        let report =
            client(&["stdio", "--era", era, "--", codemode, "serve", "--config", config_path], &PROGRAMS).await;
        check_answers(&report, if era == "legacy" { "2025-11-25" } else { era }, &graph);
    }
}

#[tokio::test]
async fn approvals_over_streamable_http_in_both_protocol_versions() {
    for era in ["legacy", "2026-07-28"] {
        let graph = memory_file(&format!("approvals-http-{era}.jsonl"));
        let config = config(&graph, &format!("approvals-http-{era}.json"));
        let server = Codemode::start_with(&config.0, &[], &[]).await;
        let report = client(&["http", "--era", era, &server.url], &PROGRAMS).await;
        check_answers(&report, if era == "legacy" { "2025-11-25" } else { era }, &graph);
    }
}

#[tokio::test]
async fn a_client_without_elicitation_gets_approval_required_and_nothing_is_made() {
    for era in ["legacy", "2026-07-28"] {
        let graph = memory_file(&format!("approvals-none-{era}.jsonl"));
        let config = config(&graph, &format!("approvals-none-{era}.json"));
        let codemode = env!("CARGO_BIN_EXE_codemode");
        let args = [
            "stdio",
            "--era",
            era,
            "--no-elicitation",
            "--",
            codemode,
            "serve",
            "--config",
            config.0.to_str().unwrap(),
        ];
        let report = client(&args, &PROGRAMS[..1]).await;
        let program = &report["programs"][0];
        assert_eq!(
            program["structured"]["value"],
            json!(["approval_required", "approval_required", "approval_required"])
        );
        assert_eq!(program["rounds"], 0);
        assert!(entities(&graph).is_empty());
    }
    // What the message says, through an uncaught one.
    let graph = memory_file("approvals-none-message.jsonl");
    let config = config(&graph, "approvals-none-message.json");
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let uncaught = ["await memory.create_entities({ entities: [{ name: 'z', entityType: 't', observations: [] }] });"];
    let args = ["stdio", "--no-elicitation", "--", codemode, "serve", "--config", config.0.to_str().unwrap()];
    let report = client(&args, &uncaught).await;
    let error = &report["programs"][0]["structured"]["error"];
    assert_eq!(error["code"], "approval_required");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("\"approve\" option") && message.contains("declared no elicitation"), "{message}");
}

#[tokio::test]
async fn bad_retries_are_refused_and_nothing_runs() {
    let graph = memory_file("approvals-bad.jsonl");
    let config = config(&graph, "approvals-bad.json");
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let config_path = config.0.to_str().unwrap();
    let args = [
        "stdio",
        "--scenario",
        "bad",
        "--wait",
        "4.2",
        "--",
        codemode,
        "serve",
        "--config",
        config_path,
        "--state-ttl",
        "3",
    ];
    let one = "await memory.create_entities({ entities: [{ name: 'a', entityType: 't', observations: [] }] }); return 'made';";
    let report = client(&args, &[one]).await;
    for (case, says) in [
        ("changed_state", "does not open"),
        ("other_request", "inputResponses answer call-999 but this requestState asked call-0"),
        ("other_program", "belongs to another program"),
        ("answers_without_state", "without the requestState"),
        ("oversized_state", "above the 512 KiB cap"),
    ] {
        let refused = &report["refused"][case];
        assert_eq!(refused["is_error"], true, "{case}: {refused}");
        let text = refused["text"].as_str().unwrap();
        assert!(text.contains(says) && text.ends_with("Nothing was run."), "{case}: {text}");
    }
    assert_eq!(report["first_retry"]["structured"]["value"], "made");
    let second = report["second_retry"]["text"].as_str().unwrap();
    assert!(second.contains("answered already") && second.ends_with("Nothing was run."), "{second}");
    assert!(report["late"]["text"].as_str().unwrap().contains("expired"), "{:#}", report["late"]);
    assert_eq!(entities(&graph), ["a"], "the approved call made once, by the first real retry only");
}

/// The model in the middle: one question with options, two at once, and
/// a tool call between them.
const ASKING: &str = "const a = await llm.ask('What is the capital of France?', { system: 'Be brief.', maxTokens: 20 });\n\
     const g = await memory.read_graph();\n\
     const [b, c] = await Promise.all([llm.ask('echo one'), llm.ask('echo two')]);\n\
     return [a, b, c, g.entities.length];";

#[tokio::test]
async fn llm_ask_is_answered_by_the_clients_model_in_both_protocol_versions() {
    for (transport, era) in [("stdio", "legacy"), ("stdio", "2026-07-28"), ("http", "legacy"), ("http", "2026-07-28")] {
        let graph = memory_file(&format!("asking-llm-{transport}-{era}.jsonl"));
        let config = config(&graph, &format!("asking-llm-{transport}-{era}.json"));
        let codemode = env!("CARGO_BIN_EXE_codemode");
        let config_path = config.0.to_str().unwrap();
        let server = match transport {
            "http" => Some(Codemode::start_with(&config.0, &[], &[]).await),
            _ => None,
        };
        let report = match &server {
            Some(server) => client(&["http", "--era", era, &server.url], &[ASKING]).await,
            None => client(&["stdio", "--era", era, "--", codemode, "serve", "--config", config_path], &[ASKING]).await,
        };
        let program = &report["programs"][0];
        assert_eq!(program["structured"]["value"], json!(["Paris", "one", "two", 0]), "{transport} {era}: {program:#}");
        let sampled = program["sampled"].as_array().unwrap();
        assert_eq!(sampled.len(), 3, "each question asked once: {sampled:#?}");
        assert_eq!(
            sampled[0],
            json!({ "prompt": "What is the capital of France?", "system": "Be brief.", "max_tokens": 20 })
        );
        assert_eq!(program["rounds"], if era == "legacy" { 0 } else { 2 });
    }
}

#[tokio::test]
async fn llm_ask_without_sampling_or_past_its_quota_rejects() {
    let graph = memory_file("asking-llm-limits.jsonl");
    let config = config(&graph, "asking-llm-limits.json");
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let config_path = config.0.to_str().unwrap();
    let program = "const r = await Promise.allSettled([llm.ask('echo a'), llm.ask('echo b')]);\n\
                   return r.map((x) => x.status === 'fulfilled' ? x.value : [x.reason.code, x.reason.message]);";
    let args = ["stdio", "--no-sampling", "--", codemode, "serve", "--config", config_path];
    let report = client(&args, &[program]).await;
    let value = &report["programs"][0]["structured"]["value"];
    assert_eq!(value[0][0], "unavailable", "{value}");
    assert!(value[0][1].as_str().unwrap().contains("declared no sampling"), "{value}");
    let args = ["stdio", "--", codemode, "serve", "--config", config_path, "--max-llm-calls", "1"];
    let report = client(&args, &[program]).await;
    let value = &report["programs"][0]["structured"]["value"];
    assert_eq!(value[0], "a");
    assert_eq!(value[1], json!(["quota_exceeded", "this execution may ask the model at most 1 time"]));
}

#[tokio::test]
async fn destructive_asks_about_the_tools_not_annotated_harmless() {
    let graph = memory_file("asking-destructive.jsonl");
    let config = memory_config(&graph, "asking-destructive.json", json!({ "approve": "destructive" }));
    // create_entities says destructiveHint: false, read_graph readOnlyHint:
    // true; delete_entities says destructiveHint: true.
    let program = "await memory.create_entities({ entities: [{ name: 'a', entityType: 't', observations: [] }, { name: 'x', entityType: 't', observations: [] }] });\n\
                   await memory.delete_entities({ entityNames: ['x'] });\n\
                   return (await memory.read_graph()).entities.map((e) => e.name);";
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let report = client(&["stdio", "--", codemode, "serve", "--config", config.0.to_str().unwrap()], &[program]).await;
    let run = &report["programs"][0];
    assert_eq!(run["structured"]["value"], json!(["a"]), "{run:#}");
    let asked = run["asked"].as_array().unwrap();
    assert_eq!(asked.len(), 1, "{asked:#?}");
    assert!(asked[0].as_str().unwrap().contains("memory.delete_entities"), "{asked:#?}");
}

#[tokio::test]
async fn a_question_masks_the_servers_credentials() {
    let graph = memory_file("asking-secret.jsonl");
    let secret = "tok-3f9a8b7c6d5e4f3a2b1c0d9e";
    let config = json!({ "mcpServers": { "memory": {
        "command": "node", "args": [crate::interop::entry("server-memory")],
        "env": { "MEMORY_FILE_PATH": graph.0, "SERVICE_TOKEN": secret },
        "codemode": { "approve": ["create_*"] },
    } } });
    let config = TempFile::new("asking-secret.json", &config.to_string());
    let program = format!(
        "await memory.create_entities({{ entities: [{{ name: 'a', entityType: {secret:?}, observations: [] }}] }}); return 1;"
    );
    let codemode = env!("CARGO_BIN_EXE_codemode");
    for era in ["legacy", "2026-07-28"] {
        let args = ["stdio", "--era", era, "--", codemode, "serve", "--config", config.0.to_str().unwrap()];
        let report = client(&args, &[program.as_str()]).await;
        let asked = report["programs"][0]["asked"][0].as_str().unwrap().to_owned();
        assert!(asked.contains("memory.create_entities") && !asked.contains(secret), "{era}: {asked}");
    }
}

#[test]
fn codemode_run_refuses_approvals_unless_told_to_approve_all() {
    let graph = memory_file("asking-run.jsonl");
    let config = config(&graph, "asking-run.json");
    let program = TempFile::new(
        "asking-run.js",
        "try { await memory.create_entities({ entities: [{ name: 'r', entityType: 't', observations: [] }] }); return 'made'; }\n\
         catch (e) { return [e.code, e.message]; }",
    );
    let run = |extra: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
            .args(["run", "--compact", "--config"])
            .arg(&config.0)
            .args(extra)
            .arg(&program.0)
            .output()
            .unwrap();
        let envelope: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {output:?}"));
        envelope["value"].clone()
    };
    let refused = run(&[]);
    assert_eq!(refused[0], "approval_required", "{refused}");
    assert!(refused[1].as_str().unwrap().contains("--approve-all"), "{refused}");
    assert!(entities(&graph).is_empty());
    assert_eq!(run(&["--approve-all"]), "made");
    assert_eq!(entities(&graph), ["r"]);
    // The declarations say which tools ask, and only those.
    let types = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["types", "--config"])
        .arg(&config.0)
        .output()
        .unwrap();
    let types = String::from_utf8(types.stdout).unwrap();
    let asks = |tool: &str| {
        let at = types.find(&format!("function {tool}(")).unwrap_or_else(|| panic!("{tool}: {types}"));
        let doc = &types[types[..at].rfind("/**").unwrap()..at];
        doc.contains("Each call waits for a person to approve it")
    };
    assert!(asks("create_entities") && asks("create_relations"), "{types}");
    assert!(!asks("read_graph") && !asks("delete_entities"), "{types}");
}
