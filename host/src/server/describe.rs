//! The tool surface codemode shows its clients: the names, descriptions and
//! input schemas of `search` and `execute`. It is built from the catalog's
//! namespaces and the execution limits only, and stays small whatever the
//! catalog holds: servers are named (up to a cap), tools never are, unless
//! the config asks to inline a small catalog's declarations.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::json;

use crate::catalog::{Catalog, LearnedTypes};
use crate::limits::Limits;

/// The name of the discovery tool.
pub const SEARCH: &str = "search";
/// The name of the execution tool.
pub const EXECUTE: &str = "execute";

/// Characters of server names listed in `execute`'s description; the rest
/// are counted, and `search` with an empty query lists them all.
const SERVER_NAMES_BUDGET: usize = 400;

/// A conservative token count for `text`: o200k averages about four bytes a
/// token on English and code, so a third of the bytes over-counts. Used to
/// decide whether declarations fit a budget, where over-counting only means
/// not inlining.
pub fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(3)
}

/// Both tools, described for `catalog` and `limits`. With
/// `inline_budget`, the catalog's full declarations are appended to
/// `execute`'s description when their estimated size is within it.
pub fn tools(
    catalog: &Catalog,
    learned: &LearnedTypes<'_>,
    limits: &Limits,
    inline_budget: Option<usize>,
) -> Vec<Tool> {
    vec![search_tool(), execute_tool(catalog, learned, limits, inline_budget)]
}

fn search_tool() -> Tool {
    let schema = json!({
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "description": "Words, a server name or a tool name. Empty lists the servers."
            },
            "limit": { "type": "integer", "minimum": 1, "maximum": 50, "description": "At most this many tools; default 8." },
            "detail": { "enum": ["brief", "full"], "description": "full: whole descriptions and result types. Default brief." }
        },
        "required": ["query"],
        "additionalProperties": false
    });
    let description = "Find the tools an `execute` program can call, by what you want done, a server or a tool \
                       name. Returns the best matches, each with its TypeScript declaration (arguments and result \
                       types). Search before writing a program.";
    tool(SEARCH, description.into(), schema, true)
}

fn execute_tool(catalog: &Catalog, learned: &LearnedTypes<'_>, limits: &Limits, inline_budget: Option<usize>) -> Tool {
    let schema = json!({
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "description": "JavaScript or TypeScript. A script body with top-level await and return, an async arrow function, or a module with a default-exported function."
            },
            "resume": {
                "type": "string",
                "description": "The `resume` token of a failed run: calls matching its recorded ones are answered from the record."
            }
        },
        "required": ["code"],
        "additionalProperties": false
    });
    let mut description = format!(
        "Run a program in a sandbox that can call tools: `const r = await server.tool({{...}})`. Calls return \
         promises, so run independent ones together with `Promise.all`. A failed call throws a `ToolError` \
         (`code`, `message`); calls that do not fit the tools' types stop the program before it runs (error kind \
         `type`). setTimeout, URL, TextEncoder, structuredClone and crypto.randomUUID work as in a browser. Only \
         the program's return value (as JSON) and its console output come back, so \
         filter and aggregate inside the program and return just the answer. No network, files or imports. \
         Limits per run: {timeout} s, {memory} MiB memory, {calls} tool calls, {output} KiB of output (larger \
         values are truncated). A failed run that made calls returns `resume`: pass it with the corrected \
         program so that its calls already made are not made again.\n\nServers: {servers}. Use `search` to find tools and their exact types.",
        timeout = limits.timeout.as_secs_f64(),
        memory = limits.memory >> 20,
        calls = limits.max_tool_calls,
        output = limits.output >> 10,
        servers = server_list(catalog),
    );
    if let Some(budget) = inline_budget {
        let declarations = catalog.declarations_with(learned);
        if estimate_tokens(&declarations) <= budget {
            description.push_str("\n\nThe complete API:\n\n");
            description.push_str(&declarations);
        }
    }
    tool(EXECUTE, description.into(), schema, false)
}

/// The namespace names, comma-separated, cut to [`SERVER_NAMES_BUDGET`].
fn server_list(catalog: &Catalog) -> String {
    let namespaces = catalog.namespaces();
    if namespaces.is_empty() {
        return "none configured".to_owned();
    }
    let mut out = String::new();
    for (shown, namespace) in namespaces.iter().enumerate() {
        if !out.is_empty() && out.len() + namespace.name.len() > SERVER_NAMES_BUDGET {
            out.push_str(&format!(" and {} more", namespaces.len() - shown));
            break;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&namespace.name);
        if namespace.unavailable.is_some() {
            out.push_str(" (unavailable)");
        }
    }
    out
}

fn tool(name: &'static str, description: Cow<'static, str>, schema: serde_json::Value, read_only: bool) -> Tool {
    let serde_json::Value::Object(schema) = schema else { unreachable!("the schemas above are objects") };
    let schema: Arc<JsonObject> = Arc::new(schema);
    // `execute` reaches whatever the configured servers reach.
    let annotations = ToolAnnotations::from_raw(None, Some(read_only), None, None, Some(!read_only));
    let mut tool = Tool::new(name, description, schema);
    tool.annotations = Some(annotations);
    tool
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rmcp::model::Tool;
    use serde_json::json;

    use super::{EXECUTE, SEARCH, estimate_tokens, tools};
    use crate::catalog::{Catalog, ServerTools};
    use crate::limits::Limits;

    /// o200k tokens of what a client shows the model of `tools`: names,
    /// descriptions and input schemas.
    fn surface_tokens(tools: &[Tool]) -> usize {
        let bpe = tiktoken_rs::o200k_base().expect("the o200k table loads");
        tools
            .iter()
            .map(|tool| {
                let schema = serde_json::to_string(&tool.input_schema).unwrap();
                let text = format!("{}\n{}\n{schema}", tool.name, tool.description.as_deref().unwrap_or_default());
                bpe.encode_with_special_tokens(&text).len()
            })
            .sum()
    }

    /// `servers` servers of `per_server` tools each, with names and
    /// descriptions as long as real ones.
    fn catalog(servers: usize, per_server: usize) -> Catalog {
        let schema = json!({
            "type": "object",
            "properties": {
                "owner": { "type": "string", "description": "The account that owns the repository." },
                "query": { "type": "string", "description": "What to look for." },
                "limit": { "type": "integer", "minimum": 1, "maximum": 100 }
            },
            "required": ["owner"]
        });
        let serde_json::Value::Object(schema) = schema else { unreachable!() };
        let schema = Arc::new(schema);
        let lists: Vec<(String, Vec<Tool>)> = (0..servers)
            .map(|s| {
                let tools = (0..per_server)
                    .map(|t| {
                        let description = format!(
                            "Lists the pull requests of repository {t} that match the query, newest first, with \
                             their authors, labels and review state. Use it before merging anything."
                        );
                        Tool::new(format!("list_pull_requests_for_repository_{t}"), description, schema.clone())
                    })
                    .collect();
                (format!("enterprise_service_{s}"), tools)
            })
            .collect();
        let servers: Vec<ServerTools<'_>> = lists
            .iter()
            .map(|(name, tools)| ServerTools {
                server: name,
                instructions: Some("A server of many tools."),
                tools,
                unavailable: None,
                approve: &crate::config::Approve::Nothing,
            })
            .collect();
        Catalog::new(&servers)
    }

    #[test]
    fn the_surface_is_two_tools() {
        let names: Vec<_> =
            tools(&catalog(1, 1), &|_, _| None, &Limits::default(), None).into_iter().map(|t| t.name).collect();
        assert_eq!(names, [SEARCH, EXECUTE]);
    }

    #[test]
    fn the_surface_stays_within_1000_tokens_for_500_tools() {
        let big = catalog(25, 20);
        assert_eq!(big.specs().len(), 500);
        let surface = tools(&big, &|_, _| None, &Limits::default(), None);
        let tokens = surface_tokens(&surface);
        assert!(tokens <= 1000, "{tokens} tokens");
        // Its size does not grow with the catalog beyond the capped server list.
        let bigger = surface_tokens(&tools(&catalog(100, 20), &|_, _| None, &Limits::default(), None));
        assert!(bigger <= 1000, "{bigger} tokens for 2,000 tools");
    }

    #[test]
    fn execute_names_the_servers_and_the_limits() {
        let description = tools(&catalog(3, 2), &|_, _| None, &Limits::default(), None)[1].description.clone().unwrap();
        assert!(description.contains("Servers: enterprise_service_0, enterprise_service_1, enterprise_service_2."));
        assert!(description.contains("30 s, 64 MiB memory, 500 tool calls, 128 KiB of output"), "{description}");
    }

    #[test]
    fn a_long_server_list_is_cut_and_counted() {
        let description =
            tools(&catalog(100, 1), &|_, _| None, &Limits::default(), None)[1].description.clone().unwrap();
        let listed = description.split("Servers: ").nth(1).unwrap();
        assert!(listed.contains(" more."), "{listed}");
        assert!(!listed.contains("enterprise_service_99,"));
    }

    #[test]
    fn declarations_are_inlined_only_within_the_budget() {
        let small = catalog(1, 2);
        let inline = |budget| tools(&small, &|_, _| None, &Limits::default(), budget)[1].description.clone().unwrap();
        let needed = estimate_tokens(&small.declarations());
        assert!(inline(Some(needed)).contains("function list_pull_requests_for_repository_1("));
        assert!(!inline(Some(needed - 1)).contains("function list_pull_requests_for_repository_1("));
        assert!(!inline(None).contains("declare namespace"));
    }

    #[test]
    fn the_estimate_never_undercounts_o200k() {
        let bpe = tiktoken_rs::o200k_base().unwrap();
        let declarations = catalog(2, 5).declarations();
        assert!(estimate_tokens(&declarations) >= bpe.encode_with_special_tokens(&declarations).len());
    }
}
