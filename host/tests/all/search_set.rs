//! The search evaluation set of `tests/fixtures/search`, as the `search`
//! tests and `cargo bench --bench search` (which includes this file) read
//! it: the servers' tool lists and the requests with the tool each expects.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rmcp::model::Tool;
use serde::Deserialize;

/// One server's `tools/list`.
#[derive(Deserialize)]
pub struct ServerFile {
    pub server: String,
    pub tools: Vec<Tool>,
}

/// A request, the tool it expects (`server.tool`) and any other tool that
/// answers it as well.
#[derive(Deserialize)]
pub struct Query {
    pub query: String,
    pub expected: String,
    #[serde(default)]
    pub also: Vec<String>,
    #[cfg_attr(test, allow(dead_code, reason = "the bench reports by style; the tests do not"))]
    pub style: String,
    pub split: String,
}

impl Query {
    /// Whether `name` (`server.tool`) answers the request.
    pub fn is_answered_by(&self, name: &str) -> bool {
        name == self.expected || self.also.iter().any(|also| also == name)
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/search")
}

/// The server files, in the order of their file names.
pub fn servers() -> Result<Vec<ServerFile>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir().join("servers"))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    paths.sort();
    paths
        .iter()
        .map(|path| {
            serde_json::from_slice(&std::fs::read(path)?).with_context(|| format!("parsing {}", path.display()))
        })
        .collect()
}

/// Every request, both halves.
pub fn queries() -> Result<Vec<Query>> {
    let path = dir().join("queries.json");
    serde_json::from_slice(&std::fs::read(&path)?).with_context(|| format!("parsing {}", path.display()))
}
