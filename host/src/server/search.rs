//! What `search` answers: the best-matching tools as TypeScript
//! declarations, grouped by namespace in rank order, or, for an empty
//! query, the servers with a one-line summary each. Ranking is the
//! catalog's ([`Catalog::search`]); this module only renders.

use std::fmt::Write;

use crate::catalog::{Catalog, CatalogTool, LearnedTypes, Namespace};
use crate::declarations::{self, ToolDecl};
use crate::shapes::Learned;

/// Tools returned when the query does not say how many.
pub const DEFAULT_LIMIT: usize = 8;
/// The most tools one search returns.
pub const MAX_LIMIT: usize = 50;

/// Characters of a server's summary line.
const SUMMARY_CHARS: usize = 160;

/// The answer to `query`: declarations of at most `limit` tools, or the
/// server list when the query is blank.
pub fn answer(catalog: &Catalog, learned: &LearnedTypes<'_>, query: &str, limit: usize) -> String {
    if query.trim().is_empty() {
        return servers(catalog);
    }
    let hits = catalog.search(query, limit);
    if hits.is_empty() {
        return format!(
            "No tool matches {query:?}. Try other words, a server name, or an empty query to list the servers.\n\n{}",
            servers(catalog)
        );
    }
    // One block per namespace, in the order of each namespace's best hit.
    let mut groups: Vec<(&Namespace, Vec<&CatalogTool>)> = Vec::new();
    for (namespace, tool) in hits {
        match groups.iter_mut().find(|(n, _)| std::ptr::eq(*n, namespace)) {
            Some((_, tools)) => tools.push(tool),
            None => groups.push((namespace, vec![tool])),
        }
    }
    let mut out = String::new();
    for (namespace, tools) in groups {
        let learned: Vec<Option<Learned>> = tools.iter().map(|tool| learned(namespace, tool)).collect();
        let decls: Vec<ToolDecl<'_>> =
            tools.iter().zip(&learned).map(|(tool, learned)| tool.decl(learned.as_ref())).collect();
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&declarations::namespace_declarations(&namespace.name, None, &decls));
    }
    out
}

/// One line per server: its namespace, tool count and summary; or, for a
/// server that could not be started, that it is unavailable and why.
fn servers(catalog: &Catalog) -> String {
    let namespaces = catalog.namespaces();
    if namespaces.is_empty() {
        return "No servers are configured.".to_owned();
    }
    let mut out = String::from("Servers (call their tools as `await <server>.<tool>({...})` in `execute`):\n");
    for namespace in namespaces {
        if let Some(reason) = &namespace.unavailable {
            let _ = writeln!(
                out,
                "- {} (unavailable; its calls fail until it starts): {}",
                namespace.name,
                shorten(reason)
            );
            continue;
        }
        let count = namespace.tools.len();
        let _ = write!(out, "- {} ({count} tool{}): ", namespace.name, if count == 1 { "" } else { "s" });
        out.push_str(&summary(namespace));
        out.push('\n');
    }
    out
}

/// The first sentence of the server's instructions, else its first tools.
fn summary(namespace: &Namespace) -> String {
    if let Some(instructions) = namespace.instructions.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let first_line = instructions.lines().next().unwrap_or_default();
        let sentence = match first_line.find(". ") {
            Some(end) => &first_line[..=end],
            None => first_line,
        };
        return shorten(sentence.trim());
    }
    let names: Vec<&str> = namespace.tools.iter().map(|tool| tool.name.as_str()).collect();
    shorten(&names.join(", "))
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(SUMMARY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
