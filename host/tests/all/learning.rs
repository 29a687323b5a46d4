//! Result types learned from real servers' results: the demo server with its
//! output schemas hidden (learned types match the declared ones), the
//! official reference servers (learned declarations compile under `tsc
//! --strict`), persistence and concurrent writers across `codemode`
//! processes, a corrupt store, `--no-learn` and `--forget`, and a planted
//! secret that no learned type and no written file may contain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use codemode::config::{Config, Transport};
use codemode::shapes::Learner;
use codemode::{ExecuteOptions, McpTools};
use serde_json::{Value, json};

use crate::interop::{entry, memory_file, reference_servers, tsc};
use crate::mcp::{TempFile, demo_config};
use crate::support::executor;

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("codemode-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `source` with `tools`, asserting it returned.
async fn run(tools: Arc<McpTools>, source: &str) -> Value {
    let envelope = executor().execute(source, tools, &ExecuteOptions::new()).await.expect("the sandbox runs");
    assert!(envelope.ok, "{source}: {:#?}", envelope.error);
    envelope.value
}

/// The demo server, listing its tools without output schemas.
fn demo_without_output_schemas() -> Config {
    let mut config = demo_config();
    let Transport::Stdio { env, .. } = &mut config.servers[0].transport else { unreachable!() };
    // codemode_demo::server::HIDE_OUTPUT_SCHEMAS
    env.push(("CODEMODE_DEMO_HIDE_OUTPUT_SCHEMAS".to_owned(), "1".to_owned()));
    config
}

/// The property names and JSON kinds of a schema, with local `$ref`s and
/// `anyOf`s followed: `{ "": kinds, "a": kinds, "a.b": kinds, "a[]": ... }`.
fn structure(root: &Value, schema: &Value, path: &str, out: &mut std::collections::BTreeMap<String, Vec<String>>) {
    let mut schema = schema;
    while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        schema = root.pointer(target.trim_start_matches('#')).unwrap();
    }
    for alternative in schema.get("anyOf").or(schema.get("oneOf")).and_then(Value::as_array).into_iter().flatten() {
        structure(root, alternative, path, out);
    }
    let kinds = out.entry(path.to_owned()).or_default();
    let mut types: Vec<String> = match schema.get("type") {
        Some(Value::String(ty)) => vec![ty.clone()],
        Some(Value::Array(types)) => types.iter().map(|t| t.as_str().unwrap().to_owned()).collect(),
        _ if schema.get("enum").is_some() => vec!["string".to_owned()],
        _ => Vec::new(),
    };
    for ty in &mut types {
        if ty == "integer" {
            *ty = "number".to_owned();
        }
    }
    kinds.extend(types);
    kinds.sort();
    kinds.dedup();
    for (key, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        structure(root, property, &format!("{path}.{key}"), out);
    }
    if let Some(items) = schema.get("items") {
        structure(root, items, &format!("{path}[]"), out);
    }
}

/// Learned types of the demo's tools, with their output schemas hidden,
/// have the declared types' structure: the same fields, no kind the
/// declaration does not allow.
#[tokio::test]
async fn learned_types_match_the_declared_ones() {
    let state = TempDir::new("learn-demo");
    let learner = Learner::new(Some(&state.0));
    let tools = Arc::new(McpTools::connect_with(&demo_without_output_schemas(), Some(learner.clone())).await.unwrap());
    assert!(tools.declarations().contains("function get_today(args?: Record<string, never>): Promise<unknown>;"));
    run(
        tools.clone(),
        r#"
        await demo.get_today();
        await demo.list_customers({ limit: 5 });
        await demo.list_products({ limit: 5 });
        await demo.list_orders({ limit: 5 });
        await demo.aggregate_orders({ group_by: ["region"] });
        await demo.aggregate_orders({ group_by: ["month", "category"] });
        "#,
    )
    .await;
    learner.flush();
    let declared = McpTools::connect_with(&demo_config(), None).await.unwrap();
    for namespace in declared.catalog().namespaces() {
        for tool in &namespace.tools {
            let learned = tools.learned("demo", &tool.name).unwrap_or_else(|| panic!("{} learned nothing", tool.name));
            assert_eq!(learned.observations, if tool.name == "aggregate_orders" { 2 } else { 1 });
            let declared_schema = tool.output_schema.as_ref().unwrap();
            let (mut want, mut got) = (Default::default(), Default::default());
            structure(declared_schema, declared_schema, "", &mut want);
            structure(&learned.schema, &learned.schema, "", &mut got);
            for (path, kinds) in &got {
                let allowed = want.get(path).unwrap_or_else(|| panic!("{}: {path} is not declared", tool.name));
                assert!(
                    kinds.iter().all(|k| allowed.contains(k)),
                    "{}: {path} {kinds:?} not in {allowed:?}",
                    tool.name
                );
            }
            // Every field a result had is there (optional fields a result lacked may not be).
            for field in [".items", ".total", ".next_offset", ".today"] {
                if want.contains_key(field) {
                    assert!(got.contains_key(field), "{}: {field} missing from {got:?}", tool.name);
                }
            }
        }
    }
    let declarations = tools.declarations();
    assert!(declarations.contains("Observed in 2 results, not declared by the server"), "{declarations}");
    declared.shutdown().await;
    tools.shutdown().await;
}

/// After a set of calls, the reference servers' declarations carry learned
/// types, compile under `tsc --strict`, and a program using them
/// type-checks.
#[tokio::test]
async fn learned_declarations_of_the_reference_servers_compile() {
    let state = TempDir::new("learn-reference");
    let file = memory_file("learn-memory.jsonl");
    let learner = Learner::new(Some(&state.0));
    let tools = Arc::new(McpTools::connect_with(&reference_servers(&file), Some(learner.clone())).await.unwrap());
    run(
        tools.clone(),
        r#"
        await everything.echo({ message: "hi" });
        await everything.get_env();
        await everything.get_tiny_image();
        await everything.get_resource_links({ count: 2 });
        await memory.create_entities({ entities: [{ name: "quickjs", entityType: "engine", observations: ["fast"] }] });
        await memory.create_relations({ relations: [{ from: "quickjs", to: "quickjs", relationType: "is" }] });
        await memory.read_graph();
        await memory.search_nodes({ query: "quick" });
        "#,
    )
    .await;
    learner.flush();
    let declarations = tools.declarations();
    tools.shutdown().await;
    assert!(declarations.contains("function echo(args: {"), "{declarations}");
    assert!(declarations.contains("McpImage"), "the tiny image is an MCP image:\n{declarations}");
    let usage = r#"
        async function main(): Promise<string[]> {
          const echoed: string = await everything.echo({ message: "x" });
          const env = await everything.get_env();
          const image = await everything.get_tiny_image();
          const graph = await memory.read_graph();
          const names: string[] = graph.entities.map((entity) => entity.name.toUpperCase());
          console.log(echoed, env.PATH.split(":"), image.length);
          return names;
        }
        main();
    "#;
    let declarations_file = TempFile::new("learned.d.ts", &declarations);
    let program = TempFile::new("learned-usage.ts", usage);
    let output = Command::new(tsc())
        .args(["--strict", "--noEmit", "--target", "es2022", "--lib", "es2022"])
        .args([&declarations_file.0, &program.0])
        .output()
        .expect("tsc runs");
    assert!(
        output.status.success(),
        "tsc rejected the learned declarations:\n{}{}\n{declarations}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// `codemode` with `CODEMODE_STATE_DIR` set to `state` (and its compile
/// cache in `state/cache`, so that every file it writes is under `state`).
fn codemode(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_STATE_DIR", state)
        .env("CODEMODE_CACHE_DIR", state.join("cache"))
        .args(args)
        .output()
        .expect("codemode runs")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The declaration of `namespace.tool` in `types`, from `function` to the
/// next declaration.
fn signature<'t>(types: &'t str, namespace: &str, tool: &str) -> &'t str {
    let namespace = types.find(&format!("declare namespace {namespace} {{")).expect("the namespace");
    let start =
        types[namespace..].find(&format!("function {tool}(")).unwrap_or_else(|| panic!("no {tool} in\n{types}"));
    let rest = &types[namespace + start..];
    let end = ["\n  /**", "\n  function ", "\n}"].iter().filter_map(|next| rest.find(next)).min().unwrap_or(rest.len());
    &rest[..end]
}

/// A config file of the everything reference server and the faulty test
/// server, and the program file `source`.
fn files(name: &str, source: &str) -> (TempFile, TempFile) {
    let faulty = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/servers/faulty_server.py");
    let config = json!({ "mcpServers": {
        "everything": { "command": "node", "args": [entry("server-everything"), "stdio"] },
        "faulty": { "command": "python3", "args": [faulty] }
    } });
    (TempFile::new(&format!("{name}.json"), &config.to_string()), TempFile::new(&format!("{name}.js"), source))
}

/// What a later process sees: `codemode run` learns, `codemode types` (a new
/// process) shows it; two processes learning at once (into one server's
/// file) both get stored; a corrupt file is ignored with a warning and
/// replaced; `--forget` forgets.
#[test]
fn learned_types_persist_across_processes() {
    let state = TempDir::new("learn-persist");
    let (config, env) = files("persist-env", "return await everything.get_env()");
    let (_, echo) = files("persist-echo", "return await faulty.echo({ id: 7, tags: ['a'] })");
    let config = config.0.to_str().unwrap();
    let types = |state: &Path| stdout(&codemode(state, &["types", "--config", config]));
    let before = types(&state.0);
    assert!(signature(&before, "everything", "get_env").contains("Promise<unknown>"), "{before}");
    assert!(signature(&before, "faulty", "echo").contains("Promise<unknown>"), "{before}");

    // Two writers at once.
    let spawn = |program: &TempFile| {
        Command::new(env!("CARGO_BIN_EXE_codemode"))
            .env("CODEMODE_STATE_DIR", &state.0)
            .args(["run", "--config", config])
            .arg(&program.0)
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(&env), spawn(&echo));
    for child in [first, second] {
        assert!(child.wait_with_output().unwrap().status.success());
    }
    let after = types(&state.0);
    assert!(signature(&after, "everything", "get_env").contains("PATH: string;"), "{after}");
    assert!(signature(&after, "faulty", "echo").contains("Promise<{ id: number; tags: string[] }>"), "{after}");
    assert_eq!(after.matches("Observed in 1 result, not declared by the server").count(), 2, "{after}");

    // A corrupt store: ignored with a warning, replaced by the next run.
    let shapes = state.0.join("shapes");
    for file in std::fs::read_dir(&shapes).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            std::fs::write(&path, "{ this is not json").unwrap();
        }
    }
    let output = codemode(&state.0, &["types", "--config", config]);
    assert!(signature(&stdout(&output), "everything", "get_env").contains("Promise<unknown>"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be read"), "{output:?}");
    assert!(codemode(&state.0, &["run", "--config", config, env.0.to_str().unwrap()]).status.success());
    assert!(signature(&types(&state.0), "everything", "get_env").contains("PATH: string;"));

    // Forgetting one server, then all.
    assert!(codemode(&state.0, &["run", "--config", config, echo.0.to_str().unwrap()]).status.success());
    assert!(codemode(&state.0, &["types", "--forget", "everything"]).status.success());
    let forgot = types(&state.0);
    assert!(signature(&forgot, "everything", "get_env").contains("Promise<unknown>"), "{forgot}");
    assert!(signature(&forgot, "faulty", "echo").contains("Promise<{ id: number"), "faulty is still known:\n{forgot}");
    assert!(codemode(&state.0, &["types", "--forget"]).status.success());
    assert!(!types(&state.0).contains("Observed in"));
}

/// `--no-learn` and `"learn": false` write nothing and show nothing learned.
#[test]
fn learning_can_be_turned_off() {
    let state = TempDir::new("learn-off");
    let (config, program) = files("off", "return await everything.get_env()");
    let (config, program) = (config.0.to_str().unwrap(), program.0.to_str().unwrap());
    assert!(codemode(&state.0, &["run", "--no-learn", "--config", config, program]).status.success());
    let off_config = {
        let mut text: Value = serde_json::from_str(&std::fs::read_to_string(config).unwrap()).unwrap();
        text["codemode"] = json!({ "learn": false });
        TempFile::new("off-config.json", &text.to_string())
    };
    let off = off_config.0.to_str().unwrap();
    assert!(codemode(&state.0, &["run", "--config", off, program]).status.success());
    let shapes = state.0.join("shapes");
    assert!(!shapes.exists() || std::fs::read_dir(&shapes).unwrap().next().is_none(), "something was written");
    assert!(!stdout(&codemode(&state.0, &["types", "--config", config])).contains("Observed in"));
}

/// A secret in tool results reaches the program, but no learned type, no
/// `search` answer and no file codemode writes (learned types, compiled
/// guest); an ordinary value beside it does not either.
#[tokio::test]
async fn a_secret_in_results_is_never_learned() {
    const SECRET: &str = "sk_live_plantedSECRET4242deadbeef";
    let state = TempDir::new("learn-secret");
    let source = format!(
        r#"
        const echoed = await faulty.echo({{ token: "{SECRET}", note: "hello there", nested: {{ "{SECRET}": [1] }} }});
        const text = await everything.echo({{ message: "{SECRET}" }});
        return [echoed.token, text];
        "#
    );
    let (config, program) = files("secret", &source);
    let (config, program) = (config.0.to_str().unwrap(), program.0.to_str().unwrap());
    let ran = stdout(&codemode(&state.0, &["run", "--config", config, program]));
    assert!(ran.contains(SECRET), "the program gets its results:\n{ran}");
    let types = stdout(&codemode(&state.0, &["types", "--config", config]));
    assert!(signature(&types, "faulty", "echo").contains("token: string;"), "{types}");
    let search = search(&state.0, config, "faulty echo").await;
    assert!(search.contains("token: string;"), "search shows the learned type:\n{search}");
    for planted in [SECRET, "hello there"] {
        assert!(!types.contains(planted) && !search.contains(planted), "{types}\n{search}");
    }
    let mut written = 0;
    let mut stack = vec![state.0.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                written += 1;
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                assert!(!text.contains(SECRET) && !text.contains("hello there"), "{} holds a value", path.display());
            }
        }
    }
    assert!(written > 0, "nothing was written");
}

/// The text `search` answers `query` with, from `codemode serve --config
/// CONFIG` with `CODEMODE_STATE_DIR` set to `state`.
async fn search(state: &Path, config: &str, query: &str) -> String {
    use rmcp::ServiceExt;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"));
    command.env("CODEMODE_STATE_DIR", state).env("CODEMODE_CACHE_DIR", state.join("cache"));
    command.args(["serve", "--config", config]).stderr(std::process::Stdio::null());
    let transport = rmcp::transport::TokioChildProcess::new(command).expect("codemode serve starts");
    let client = ().serve(transport).await.expect("the MCP session starts");
    let mut request = rmcp::model::CallToolRequestParams::new("search");
    request.arguments = Some(json!({ "query": query }).as_object().unwrap().clone());
    let result = client.peer().call_tool(request).await.expect("search answers");
    client.cancel().await.unwrap();
    result.content[0].as_text().expect("a text block").text.clone()
}

/// The executor can learn without a state directory at all.
#[tokio::test]
async fn a_learner_without_a_directory_learns_in_memory() {
    let learner = Learner::new(None);
    let tools = Arc::new(McpTools::connect_with(&demo_without_output_schemas(), Some(learner.clone())).await.unwrap());
    run(tools.clone(), "return await demo.get_today()").await;
    learner.flush();
    assert!(tools.declarations().contains("function get_today(args?: Record<string, never>): Promise<{"));
    tools.shutdown().await;
}
