//! What `search` answers: the best-matching tools as TypeScript
//! declarations, grouped by namespace in rank order, or, for an empty
//! query, the servers with a one-line summary each. Ranking is the
//! catalog's ([`Catalog::search`]); this module only renders.
//!
//! Declarations are brief unless asked otherwise ([`Detail`]): descriptions
//! cut to their first paragraph, argument types whole, and large declared
//! result types left out, marked so in the signature
//! ([`declarations::brief`]), so eight tools fit a context window however
//! long their servers' examples and schemas are. A query that is one tool's
//! exact name gets that tool's whole declaration.

use std::fmt::Write;

use serde::Deserialize;

use crate::catalog::{Catalog, CatalogTool, LearnedTypes, Namespace};
use crate::declarations::brief::BriefParts;
use crate::declarations::{self, ToolDecl};
use crate::shapes::Learned;

/// How much of each tool's documentation an answer shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Descriptions cut to their first paragraph, large result types left
    /// out (said so). A tool the query names exactly is shown in full.
    #[default]
    Brief,
    /// Whole declarations.
    Full,
}

/// Tools returned when the query does not say how many.
pub const DEFAULT_LIMIT: usize = 8;
/// The most tools one search returns.
pub const MAX_LIMIT: usize = 50;

/// `search`'s `limit` argument: 1 to [`MAX_LIMIT`] tools, [`DEFAULT_LIMIT`]
/// when absent. Anything else is refused as serde refuses a value of the
/// wrong type, so that it reads like the other bad arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limit(pub(super) usize);

impl Default for Limit {
    fn default() -> Self {
        Limit(DEFAULT_LIMIT)
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Limit;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "an integer from 1 to {MAX_LIMIT}")
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Limit, E> {
                match usize::try_from(n) {
                    Ok(n @ 1..=MAX_LIMIT) => Ok(Limit(n)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Unsigned(n), &self)),
                }
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Limit, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self)),
                }
            }
        }
        deserializer.deserialize_u64(Visitor)
    }
}

/// Characters of a server's summary line.
const SUMMARY_CHARS: usize = 160;

/// The answer to `query`: declarations of at most `limit` tools in `detail`,
/// or the server list when the query is blank.
pub fn answer(catalog: &Catalog, learned: &LearnedTypes<'_>, query: &str, limit: usize, detail: Detail) -> String {
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
    let mut groups: Vec<(&Namespace, Vec<(&CatalogTool, bool)>)> = Vec::new();
    for found in hits {
        let full = detail == Detail::Full || found.exact;
        match groups.iter_mut().find(|(n, _)| std::ptr::eq(*n, found.namespace)) {
            Some((_, tools)) => tools.push((found.tool, full)),
            None => groups.push((found.namespace, vec![(found.tool, full)])),
        }
    }
    let mut out = String::new();
    for (namespace, tools) in groups {
        let learned: Vec<Option<Learned>> = tools.iter().map(|(tool, _)| learned(namespace, tool)).collect();
        let full: Vec<ToolDecl<'_>> =
            tools.iter().zip(&learned).map(|((tool, _), learned)| tool.decl(learned.as_ref())).collect();
        let briefs: Vec<Option<BriefParts>> =
            tools.iter().zip(&full).map(|((_, is_full), decl)| (!is_full).then(|| BriefParts::of(decl))).collect();
        let decls: Vec<ToolDecl<'_>> = briefs
            .iter()
            .zip(&full)
            .map(|(brief, decl)| brief.as_ref().map_or(*decl, |brief| brief.decl(decl)))
            .collect();
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
