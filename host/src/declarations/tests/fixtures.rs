//! The schema corpus: `tests/fixtures/schemas/NAME.json` holds the tools of
//! one server (a JSON array of MCP tool objects), declared in namespace NAME.

use std::path::PathBuf;

use serde_json::Value;

use super::super::ToolDecl;
use super::super::names::sanitize;

/// The corpus folder: `CODEMODE_FIXTURES` if set (for builds outside the
/// workspace), else `tests/fixtures/schemas` at the workspace root.
pub(super) fn dir() -> PathBuf {
    std::env::var_os("CODEMODE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/schemas"))
}

/// One fixture file.
pub(super) struct Server {
    /// The file stem, used as the namespace.
    pub(super) namespace: String,
    /// The `.json` file.
    pub(super) path: PathBuf,
    /// Each tool object with the function name a catalog would give it.
    tools: Vec<(String, Value)>,
}

impl Server {
    /// The tools as the declarations take them.
    pub(super) fn decls(&self) -> Vec<ToolDecl<'_>> {
        self.tools
            .iter()
            .map(|(name, tool)| ToolDecl {
                name,
                original_name: text(tool, "name").unwrap_or(name),
                title: text(tool, "title"),
                description: text(tool, "description"),
                input_schema: &tool["inputSchema"],
                output_schema: tool.get("outputSchema"),
                learned_output: None,
                result_left_out: false,
                asks_approval: false,
            })
            .collect()
    }
}

/// The string `key` of a tool object.
fn text<'a>(tool: &'a Value, key: &str) -> Option<&'a str> {
    tool.get(key).and_then(Value::as_str)
}

/// Every fixture, in file name order.
pub(super) fn servers() -> Vec<Server> {
    let dir = dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read fixtures in {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("fixture folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no *.json fixtures in {}", dir.display());
    paths.into_iter().map(load).collect()
}

fn load(path: PathBuf) -> Server {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tools: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tools = tools
        .into_iter()
        .map(|tool| (sanitize(tool["name"].as_str().expect("every fixture tool has a name")), tool))
        .collect();
    let namespace = path.file_stem().and_then(|stem| stem.to_str()).expect("UTF-8 file name").to_owned();
    Server { namespace, path, tools }
}
