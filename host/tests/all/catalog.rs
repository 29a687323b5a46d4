//! The catalog's names against the real sandbox: no namespace can shadow a
//! global the sandbox has, and renamed namespaces and tools are callable.

use std::sync::Arc;

use codemode::catalog::{Catalog, ServerTools};
use codemode::{InProcessTools, Limits};
use rmcp::model::Tool;
use serde_json::{Value, json};

use crate::support::{run_with, value};

fn tool(name: &str) -> Tool {
    Tool::new(name.to_owned(), "", Arc::new(serde_json::Map::new()))
}

#[tokio::test]
async fn every_global_of_the_sandbox_is_reserved() {
    let globals = value("return Object.getOwnPropertyNames(globalThis)").await;
    let globals: Vec<&str> = globals.as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
    assert!(globals.contains(&"console") && globals.contains(&"ToolError"), "{globals:?}");
    let no_tools: [Tool; 0] = [];
    let servers: Vec<ServerTools<'_>> = globals
        .iter()
        .map(|&server| ServerTools {
            server,
            instructions: None,
            tools: &no_tools,
            unavailable: None,
            approve: &codemode::config::Approve::Nothing,
        })
        .collect();
    let catalog = Catalog::new(&servers);
    for (global, namespace) in globals.iter().zip(catalog.namespaces()) {
        assert_ne!(*global, namespace.name, "a server named {global} would shadow the global");
    }
}

#[tokio::test]
async fn renamed_namespaces_and_tools_are_callable() {
    let tools = [tool("read-file"), tool("delete"), tool("2fa")];
    let catalog = Catalog::new(&[
        ServerTools {
            server: "JSON",
            instructions: None,
            tools: &tools,
            unavailable: None,
            approve: &codemode::config::Approve::Nothing,
        },
        ServerTools {
            server: "my-files",
            instructions: None,
            tools: &tools,
            unavailable: None,
            approve: &codemode::config::Approve::Nothing,
        },
    ]);
    let mut provider = InProcessTools::new();
    for spec in catalog.specs().iter() {
        let name: Value = spec.qualified_name().into();
        provider = provider.tool(spec.clone(), move |_| {
            let name = name.clone();
            async move { Ok(name.into()) }
        });
    }
    let source =
        "return [await JSON_.read_file(), await my_files.delete_(), await my_files._2fa(), JSON.stringify([1])]";
    let envelope = run_with(source, Arc::new(provider), &Limits::default()).await;
    assert_eq!(
        envelope.value,
        json!(["JSON_.read_file", "my_files.delete_", "my_files._2fa", "[1]"]),
        "{:?}",
        envelope.error
    );
}
