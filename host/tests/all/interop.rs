//! Interop with MCP servers nobody here wrote: the official reference
//! servers `@modelcontextprotocol/server-everything` and
//! `@modelcontextprotocol/server-memory`, from npm (`scripts/test.sh`
//! installs them into `node_modules/`), run with node over stdio. Their
//! tools are listed, their declarations compile with the real `tsc --strict`,
//! and programs call them and get every kind of content back.

use std::path::{Path, PathBuf};
use std::process::Command;

use codemode::McpTools;
use codemode::config::Config;
use serde_json::json;

use crate::mcp::{TempFile, config, demo_config, run_against, value};

/// The workspace's `node_modules`.
pub fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules")
}

/// The entry point of an npm reference server, or a failure that says how
/// to install it.
pub fn entry(package: &str) -> String {
    let path = node_modules().join("@modelcontextprotocol").join(package).join("dist/index.js");
    assert!(
        path.exists(),
        "{} is missing: run scripts/test.sh (it installs the reference servers from npm)",
        path.display()
    );
    path.to_str().expect("a Unicode path").to_owned()
}

/// Both reference servers, as `everything` and `memory`; memory keeps its
/// graph in `file` (a fresh one per test).
pub fn reference_servers(file: &TempFile) -> Config {
    let (everything, memory) = (entry("server-everything"), entry("server-memory"));
    let mut config = config(&[("everything", "node", &[&everything, "stdio"]), ("memory", "node", &[&memory])]);
    let codemode::config::Transport::Stdio { env, .. } = &mut config.servers[1].transport else { unreachable!() };
    env.push(("MEMORY_FILE_PATH".to_owned(), file.0.to_str().unwrap().to_owned()));
    config
}

/// A config file `name` naming the memory server as `memory`, its graph
/// in `graph`, with `codemode` as its options (`null`: none).
pub fn memory_config(graph: &TempFile, name: &str, codemode: serde_json::Value) -> TempFile {
    let mut server =
        json!({ "command": "node", "args": [entry("server-memory")], "env": { "MEMORY_FILE_PATH": graph.0 } });
    if !codemode.is_null() {
        server["codemode"] = codemode;
    }
    TempFile::new(name, &json!({ "mcpServers": { "memory": server } }).to_string())
}

/// What the memory server's file holds, in order, with repeats: each
/// entity as its name, each relation as `from->to`.
pub fn graph(file: &TempFile) -> Vec<String> {
    std::fs::read_to_string(&file.0)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|item| match item["type"].as_str() {
            Some("relation") => {
                format!("{}->{}", item["from"].as_str().unwrap_or("?"), item["to"].as_str().unwrap_or("?"))
            }
            _ => item["name"].as_str().unwrap_or("?").to_owned(),
        })
        .collect()
}

pub fn memory_file(name: &str) -> TempFile {
    let file = TempFile::new(name, "");
    std::fs::remove_file(&file.0).unwrap();
    file
}

/// `tsc`: `CODEMODE_TSC`, else `node_modules/.bin/tsc`, as the declaration
/// tests find it.
pub fn tsc() -> PathBuf {
    std::env::var_os("CODEMODE_TSC").map(PathBuf::from).unwrap_or_else(|| {
        let local = node_modules().join(".bin/tsc");
        assert!(local.exists(), "tsc is missing: run scripts/test.sh (it installs typescript from npm)");
        local
    })
}

/// Their declarations and the demo server's, together in one program.
#[tokio::test]
async fn their_tools_are_listed_and_their_declarations_compile() {
    let file = memory_file("memory-types.jsonl");
    let mut config = reference_servers(&file);
    config.servers.extend(demo_config().servers);
    let tools = McpTools::connect_with(&config, None).await.expect("the servers start");
    let catalog = tools.catalog();
    tools.shutdown().await;
    let names: Vec<String> = catalog.specs().iter().map(|spec| spec.qualified_name()).collect();
    for name in ["everything.echo", "everything.get_sum", "memory.create_entities", "memory.read_graph"] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    // The declarations, and a program using them, through the real compiler.
    let usage = r#"
        async function main(): Promise<number> {
          const sum: unknown = await everything.get_sum({ a: 1, b: 2 });
          const today: string = (await demo.get_today()).today;
          const groups = await demo.aggregate_orders({ region: "EU", group_by: ["customer_id"] });
          console.log(today, groups.items.map((group) => group.sum + 1));
          await memory.create_entities({ entities: [{ name: "x", entityType: "t", observations: [] }] });
          return typeof sum === "number" ? sum : 0;
        }
        main();
    "#;
    let declarations = TempFile::new("reference.d.ts", &catalog.declarations());
    let program = TempFile::new("reference-usage.ts", usage);
    let output = Command::new(tsc())
        .args(["--strict", "--noEmit", "--target", "es2022", "--lib", "es2022"])
        .args([&declarations.0, &program.0])
        .output()
        .expect("tsc runs");
    assert!(
        output.status.success(),
        "tsc rejected the declarations:\n{}{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        catalog.declarations()
    );
}

#[tokio::test]
async fn programs_call_them_and_get_every_kind_of_content() {
    let file = memory_file("memory-calls.jsonl");
    let source = r#"
        const [echo, sum, image, reference, links, structured] = await Promise.all([
          everything.echo({ message: "hi" }),
          everything.get_sum({ a: 2, b: 3 }),
          everything.get_tiny_image(),
          everything.get_resource_reference({ resourceType: "Text", resourceId: 1 }),
          everything.get_resource_links({ count: 1 }),
          everything.get_structured_content({ location: "New York" }),
        ]);
        let failed;
        try { await everything.get_resource_reference({ resourceId: -1 }); } catch (e) { failed = { code: e.code, message: e.message }; }
        let invalid;
        try { await everything.get_sum({ a: "2" }); } catch (e) { invalid = e.details.errors.map((p) => p.pointer); }
        await memory.create_entities({ entities: [{ name: "quickjs", entityType: "engine", observations: ["runs code"] }] });
        await memory.add_observations({ observations: [{ entityName: "quickjs", contents: ["in wasm"] }] });
        const graph = await memory.read_graph();
        return { echo, sum, image, reference, links, structured, failed, invalid, graph };
    "#;
    let envelope = run_against(&reference_servers(&file), source).await;
    let value = value(&envelope);
    // One text block that is not JSON: a string.
    assert_eq!(value["echo"], "Echo: hi");
    assert!(value["sum"].as_str().unwrap().contains('5'), "{}", value["sum"]);
    // Several blocks: an array, text as strings, an image as its MCP object.
    let image = value["image"].as_array().unwrap();
    assert_eq!(image.len(), 3, "{image:?}");
    assert!(image[0].is_string());
    assert_eq!((&image[1]["type"], &image[1]["mimeType"]), (&json!("image"), &json!("image/png")));
    assert!(image[1]["data"].as_str().unwrap().starts_with("iVBOR"));
    let resource = value["reference"].as_array().unwrap().iter().find(|b| b["type"] == "resource").unwrap();
    assert!(resource["resource"]["uri"].as_str().unwrap().starts_with("demo://"), "{resource}");
    assert!(resource["resource"]["text"].is_string(), "{resource}");
    let link = value["links"].as_array().unwrap().iter().find(|b| b["type"] == "resource_link").unwrap();
    assert!(link["uri"].is_string() && link["name"].is_string(), "{link}");
    // structuredContent wins over its text rendering.
    assert!(value["structured"]["temperature"].is_number(), "{}", value["structured"]);
    // A thrown error in the server: isError, so tool_failed with its text.
    assert_eq!(value["failed"]["code"], "tool_failed", "{}", value["failed"]);
    assert!(value["failed"]["message"].as_str().unwrap().contains("resourceId"), "{}", value["failed"]);
    // Checked against the zod-made schema before sending.
    assert_eq!(value["invalid"], json!(["/a", ""]));
    // memory: a single JSON text block arrives parsed.
    let entity = &value["graph"]["entities"][0];
    assert_eq!(entity["name"], "quickjs");
    assert_eq!(entity["observations"], json!(["runs code", "in wasm"]));
}
