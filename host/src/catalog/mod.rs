//! The merged tool catalog: every tool of every configured server under one
//! set of JavaScript names. It owns the naming rule ([`names`]), the map from
//! a JavaScript `namespace.name` back to the server and the tool's own name,
//! the [`ToolSpec`]s the sandbox installs, and the TypeScript API of the
//! whole catalog. It is a value built from tool lists: it never talks to a
//! server, never validates arguments and never maps results (`mcp_tools` does).
//!
//! Each server gets one namespace, named after its config key; each tool a
//! function under it, named after the tool. A server that could not be
//! started has a namespace without tools that says so: its declaration
//! carries the reason, and the sandbox gets one binding with an empty name
//! for it, whose calls (any member of the namespace) the provider answers
//! with `unavailable`. Both names follow the rule in
//! [`names`], so they are valid, distinct, stable JavaScript identifiers,
//! and no namespace shadows a global of the sandbox.

mod names;
mod search;

pub use search::MAX_QUERY_BYTES;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rmcp::model::Tool;
use serde_json::Value;

use crate::config::Approve;
use crate::declarations::{self, ToolDecl};
use crate::shapes::Learned;
use crate::tools::{Asks, ToolSpec};

/// The result type learned for a tool of a namespace, if any (see
/// `crate::shapes`).
pub type LearnedTypes<'a> = dyn Fn(&Namespace, &CatalogTool) -> Option<Learned> + 'a;

/// One server's tools, as the catalog is built from them.
#[derive(Debug, Clone, Copy)]
pub struct ServerTools<'a> {
    /// The server's name (its key in the config file).
    pub server: &'a str,
    /// What the server says about itself (`instructions` of `initialize`).
    pub instructions: Option<&'a str>,
    /// Its tools, in the order it lists them.
    pub tools: &'a [Tool],
    /// Why it is unavailable, when it could not be started.
    pub unavailable: Option<&'a str>,
    /// Which of its tools need a person's yes for each call.
    pub approve: &'a Approve,
}

/// The catalog: namespaces in the order of the servers, tools in the order
/// each server lists them.
#[derive(Debug, Clone)]
pub struct Catalog {
    namespaces: Vec<Namespace>,
    specs: Arc<[ToolSpec]>,
    /// `(namespace, name)` -> (index of the namespace, index of the tool).
    index: HashMap<(String, String), (usize, usize)>,
    /// The search index, built on the first search.
    search: OnceLock<search::SearchIndex>,
}

/// One result of [`Catalog::search`].
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The tool's namespace.
    pub namespace: &'a Namespace,
    /// The tool.
    pub tool: &'a CatalogTool,
    /// Whether the query is the tool's name, in one of its spellings.
    pub exact: bool,
}

/// One server's namespace.
#[derive(Debug, Clone)]
pub struct Namespace {
    /// The JavaScript name of the namespace.
    pub name: String,
    /// The server's name in the config file.
    pub server: String,
    /// The server's instructions, shown as the namespace's documentation.
    pub instructions: Option<String>,
    /// Why the server is unavailable, when it could not be started.
    pub unavailable: Option<String>,
    /// Its tools.
    pub tools: Vec<CatalogTool>,
}

/// One tool of the catalog.
#[derive(Debug, Clone)]
pub struct CatalogTool {
    /// The JavaScript function name.
    pub name: String,
    /// The tool's name as the server knows it: the one to call it by.
    pub original: String,
    /// Its human-readable title, if the server gives one.
    pub title: Option<String>,
    /// What it does, if the server says.
    pub description: Option<String>,
    /// The JSON Schema of its arguments.
    pub input_schema: Value,
    /// The JSON Schema of its structured result, if the server gives one.
    pub output_schema: Option<Value>,
    /// Whether each call needs a person's yes (the server's `approve`).
    pub approval: bool,
}

impl Catalog {
    /// The catalog of `servers`, named by the rule of this module.
    pub fn new(servers: &[ServerTools<'_>]) -> Catalog {
        let server_names: Vec<&str> = servers.iter().map(|s| s.server).collect();
        let namespace_names = names::assign(&server_names, &names::is_global);
        let namespaces: Vec<Namespace> = servers
            .iter()
            .zip(namespace_names)
            .map(|(server, name)| {
                let originals: Vec<&str> = server.tools.iter().map(|tool| tool.name.as_ref()).collect();
                let tools = names::assign(&originals, &|_| false)
                    .into_iter()
                    .zip(server.tools)
                    .map(|(name, tool)| CatalogTool::new(name, tool, server.approve))
                    .collect();
                Namespace {
                    name,
                    server: server.server.to_owned(),
                    instructions: server.instructions.map(str::to_owned),
                    unavailable: server.unavailable.map(str::to_owned),
                    tools,
                }
            })
            .collect();
        let mut specs = Vec::new();
        let mut index = HashMap::new();
        for (n, namespace) in namespaces.iter().enumerate() {
            if namespace.unavailable.is_some() {
                specs.push(ToolSpec::new(Some(&namespace.name), ""));
            }
            for (t, tool) in namespace.tools.iter().enumerate() {
                specs.push(tool.spec(&namespace.name));
                index.insert((namespace.name.clone(), tool.name.clone()), (n, t));
            }
        }
        Catalog { namespaces, specs: specs.into(), index, search: OnceLock::new() }
    }

    /// The namespaces, one per server, in the order of the servers.
    pub fn namespaces(&self) -> &[Namespace] {
        &self.namespaces
    }

    /// Every tool as the sandbox installs it: namespaces in order, each
    /// with its tools in order; an unavailable server's namespace has one
    /// spec with an empty name instead (see the module docs).
    pub fn specs(&self) -> Arc<[ToolSpec]> {
        self.specs.clone()
    }

    /// The tool a program calls as `namespace.name`: the index of its
    /// server (in the order given to [`Catalog::new`]) and the tool.
    pub fn lookup(&self, namespace: &str, name: &str) -> Option<(usize, &CatalogTool)> {
        let &(n, t) = self.index.get(&(namespace.to_owned(), name.to_owned()))?;
        Some((n, &self.namespaces[n].tools[t]))
    }

    /// The tools best matching `query`, best first, at most `limit`: ranked
    /// by BM25F over names, titles, descriptions and parameter names fused
    /// with the similarity of their meaning, with a tool or server asked for
    /// by its exact name first (see [`search`]).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Found<'_>> {
        let index = self.search.get_or_init(|| search::SearchIndex::new(&self.namespaces));
        index
            .search(query, limit)
            .into_iter()
            .map(|hit| {
                let namespace = &self.namespaces[hit.namespace];
                Found { namespace, tool: &namespace.tools[hit.tool], exact: hit.exact }
            })
            .collect()
    }

    /// The TypeScript API of the whole catalog: the [`declarations::PRELUDE`],
    /// then one `declare namespace` per server.
    pub fn declarations(&self) -> String {
        self.declarations_with(&|_, _| None)
    }

    /// [`Catalog::declarations`], with the result types `learned` knows for
    /// tools that declare none.
    pub fn declarations_with(&self, learned: &LearnedTypes<'_>) -> String {
        let mut out = declarations::PRELUDE.to_owned();
        for namespace in &self.namespaces {
            let learned: Vec<Option<Learned>> = namespace.tools.iter().map(|tool| learned(namespace, tool)).collect();
            let decls: Vec<ToolDecl<'_>> =
                namespace.tools.iter().zip(&learned).map(|(tool, learned)| tool.decl(learned.as_ref())).collect();
            let note = namespace.unavailable_note();
            out.push('\n');
            out.push_str(&declarations::namespace_declarations(
                &namespace.name,
                note.as_deref().or(namespace.instructions.as_deref()),
                &decls,
            ));
        }
        out
    }
}

impl Namespace {
    /// What to tell a reader of an unavailable server: why, and what its
    /// calls do meanwhile.
    pub fn unavailable_note(&self) -> Option<String> {
        self.unavailable.as_ref().map(|reason| {
            format!(
                "Unavailable: {reason}\nIts tools are unknown; every call to it fails with `unavailable` and \
                 tries to start it again."
            )
        })
    }
}

impl CatalogTool {
    fn new(name: String, tool: &Tool, approve: &Approve) -> CatalogTool {
        let hint = |read: fn(&rmcp::model::ToolAnnotations) -> Option<bool>| tool.annotations.as_ref().and_then(read);
        let approval = approve.needs(&tool.name, hint(|a| a.read_only_hint), hint(|a| a.destructive_hint));
        CatalogTool {
            name,
            original: tool.name.to_string(),
            title: tool.title.clone(),
            description: tool.description.as_deref().map(str::to_owned),
            input_schema: Value::Object(tool.input_schema.as_ref().clone()),
            output_schema: tool.output_schema.as_deref().map(|schema| Value::Object(schema.clone())),
            approval,
        }
    }

    /// The tool's declaration input, with its `learned` result type, if any.
    pub fn decl<'a>(&'a self, learned: Option<&'a Learned>) -> ToolDecl<'a> {
        ToolDecl {
            name: &self.name,
            original_name: &self.original,
            title: self.title.as_deref(),
            description: self.description.as_deref(),
            input_schema: &self.input_schema,
            output_schema: self.output_schema.as_ref(),
            learned_output: learned.map(|learned| (&learned.schema, learned.observations)),
            result_left_out: false,
            asks_approval: self.approval,
        }
    }

    fn spec(&self, namespace: &str) -> ToolSpec {
        ToolSpec {
            namespace: Some(namespace.to_owned()),
            name: self.name.clone(),
            description: self.description.clone(),
            input_schema: self.input_schema.clone(),
            output_schema: self.output_schema.clone(),
            asks: self.approval.then_some(Asks::Approval),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rmcp::model::Tool;
    use serde_json::json;

    use super::{Catalog, ServerTools};
    use crate::config::Approve;

    fn tool(name: &str) -> Tool {
        let schema = json!({ "type": "object", "properties": { "q": { "type": "string" } } });
        let serde_json::Value::Object(schema) = schema else { unreachable!() };
        Tool::new(name.to_owned(), format!("The {name} tool."), Arc::new(schema))
    }

    fn catalog() -> Catalog {
        let files = [tool("read-file"), tool("read_file"), tool("delete")];
        let search = [tool("search")];
        Catalog::new(&[
            ServerTools {
                server: "fs",
                instructions: Some("Files."),
                tools: &files,
                unavailable: None,
                approve: &Approve::Nothing,
            },
            ServerTools {
                server: "JSON",
                instructions: None,
                tools: &search,
                unavailable: None,
                approve: &Approve::Nothing,
            },
            ServerTools {
                server: "json",
                instructions: None,
                tools: &search,
                unavailable: None,
                approve: &Approve::Nothing,
            },
        ])
    }

    #[test]
    fn names_map_back_to_servers_and_tools() {
        let catalog = catalog();
        let names: Vec<String> = catalog.specs().iter().map(|spec| spec.qualified_name()).collect();
        assert_eq!(names, ["fs.read_file_2", "fs.read_file", "fs.delete_", "JSON_.search", "json.search"]);
        let (server, tool) = catalog.lookup("fs", "read_file_2").unwrap();
        assert_eq!((server, tool.original.as_str()), (0, "read-file"));
        let (server, tool) = catalog.lookup("json", "search").unwrap();
        assert_eq!((server, tool.original.as_str()), (2, "search"));
        assert!(catalog.lookup("fs", "read-file").is_none());
        assert!(catalog.lookup("JSON", "search").is_none());
    }

    #[test]
    fn specs_carry_the_schemas_and_descriptions() {
        let catalog = catalog();
        let spec = &catalog.specs()[0];
        assert_eq!(spec.namespace.as_deref(), Some("fs"));
        assert_eq!(spec.description.as_deref(), Some("The read-file tool."));
        assert_eq!(spec.input_schema["properties"]["q"]["type"], "string");
        assert_eq!(spec.output_schema, None);
    }

    #[test]
    fn declarations_have_the_prelude_and_one_namespace_per_server() {
        let text = catalog().declarations();
        assert!(text.starts_with(crate::declarations::PRELUDE));
        for namespace in ["fs", "JSON_", "json"] {
            assert!(text.contains(&format!("declare namespace {namespace} {{")), "{namespace}:\n{text}");
        }
        assert!(text.contains("function read_file_2(args?: { q?: string }): Promise<unknown>;"), "{text}");
        assert!(text.contains("Server tool name: \"read-file\"."), "{text}");
        assert!(text.contains("/** Files. */"), "{text}");
    }

    #[test]
    fn an_unavailable_server_has_a_namespace_that_says_why() {
        let files = [tool("read")];
        let catalog = Catalog::new(&[
            ServerTools {
                server: "fs",
                instructions: None,
                tools: &files,
                unavailable: None,
                approve: &Approve::Nothing,
            },
            ServerTools {
                server: "down",
                instructions: Some("Ignored."),
                tools: &[],
                unavailable: Some("it exited"),
                approve: &Approve::Nothing,
            },
        ]);
        let names: Vec<String> = catalog.specs().iter().map(|spec| spec.qualified_name()).collect();
        assert_eq!(names, ["fs.read", "down."], "one binding with an empty name stands for the namespace");
        let text = catalog.declarations();
        let down = text.split("declare namespace down {").next().unwrap();
        assert!(down.ends_with("* Unavailable: it exited\n * Its tools are unknown; every call to it fails with `unavailable` and tries to start it again.\n */\n"), "{text}");
        assert!(!text.contains("Ignored."), "{text}");
        assert_eq!(catalog.namespaces()[1].unavailable.as_deref(), Some("it exited"));
    }
}
