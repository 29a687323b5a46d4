//! Names before text: which tools a query names (a tool's name, a server's
//! name, or a server's name among other words), the rank that gives each
//! tool, and the merge of those ranks with the text scores into one ordered
//! list of hits.
//!
//! Ranks, highest first:
//!
//! 4. a tool whose name the query is, ignoring case: its JavaScript name,
//!    its server's name for it, `namespace.name` or `server.original`;
//! 3. the same with everything but letters and digits ignored (`createIssue`
//!    and `create issue` for `create_issue`, `github create issue` for
//!    `github.create_issue`);
//! 2. every tool of a server whose name the query is (same two spellings),
//!    in the server's order;
//! 1. the tools of a server the query names among other words (`github
//!    create issue`) that match some of those other words, or all its tools
//!    if none does;
//! 0. every other tool with a positive score.

use std::collections::HashMap;
use std::ops::Range;

use super::super::Namespace;
use super::score::Scores;
use super::text::{compact, terms_of};

/// Each way a query may name a tool or a server.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// The documents by each name a query may spell them with, lowercased:
    /// `name`, `original`, `namespace.name`, `server.original`.
    exact: HashMap<String, Vec<u32>>,
    /// The same, with letters and digits only.
    compact: HashMap<String, Vec<u32>>,
    /// What the query is matched against per namespace.
    namespaces: Vec<NamespaceNames>,
}

/// A namespace as the query sees it.
#[derive(Debug, Clone)]
struct NamespaceNames {
    /// Its JavaScript name and its server's name, lowercased.
    exact: [String; 2],
    /// The same, with letters and digits only.
    compact: [String; 2],
    /// The terms of those names, all of which a query must have to name the
    /// server among other words.
    terms: Vec<String>,
    /// Its documents.
    docs: Range<usize>,
}

/// What a query is, as a name: lowercased, and with letters and digits only.
pub(super) struct QueryName {
    exact: String,
    compact: String,
}

impl QueryName {
    /// `query` as a name; `None` when it is blank.
    pub(super) fn of(query: &str) -> Option<Self> {
        let exact = query.trim().to_lowercase();
        (!exact.is_empty()).then(|| Self { compact: compact(&exact), exact })
    }
}

impl Names {
    /// Adds `namespace`, whose documents are `docs` (its tools in order).
    pub(super) fn add_namespace(&mut self, namespace: &Namespace, docs: Range<usize>) {
        for (tool, doc) in namespace.tools.iter().zip(docs.clone()) {
            let spellings = [
                tool.name.to_lowercase(),
                tool.original.to_lowercase(),
                format!("{}.{}", namespace.name, tool.name).to_lowercase(),
                format!("{}.{}", namespace.server, tool.original).to_lowercase(),
            ];
            let doc = u32::try_from(doc).expect("fewer than 2^32 tools");
            for spelling in spellings {
                let compact = compact(&spelling);
                if !compact.is_empty() {
                    add_name(&mut self.compact, compact, doc);
                }
                add_name(&mut self.exact, spelling, doc);
            }
        }
        let mut terms: Vec<String> = [&namespace.name, &namespace.server].iter().flat_map(|n| terms_of(n)).collect();
        terms.sort_unstable();
        terms.dedup();
        let exact = [namespace.name.to_lowercase(), namespace.server.to_lowercase()];
        let compact = [compact(&exact[0]), compact(&exact[1])];
        self.namespaces.push(NamespaceNames { exact, compact, terms, docs });
    }

    /// Per namespace, whether the query's `terms` name its server among
    /// other words.
    pub(super) fn mentioned(&self, terms: &[String]) -> Vec<bool> {
        self.namespaces.iter().map(|ns| !ns.terms.is_empty() && ns.terms.iter().all(|t| terms.contains(t))).collect()
    }

    /// Whether `term` belongs to the name of a `mentioned` server.
    pub(super) fn is_server_term(&self, mentioned: &[bool], term: &str) -> bool {
        self.namespaces.iter().zip(mentioned).any(|(ns, &m)| m && ns.terms.iter().any(|t| t == term))
    }

    /// Each document's rank (see the module docs) for `query`.
    pub(super) fn ranks(&self, docs: usize, query: &QueryName, mentioned: &[bool], scores: &Scores) -> Vec<u8> {
        let mut ranks = vec![0u8; docs];
        for (names, key, rank) in [(&self.exact, &query.exact, 4), (&self.compact, &query.compact, 3)] {
            for &doc in names.get(key.as_str()).into_iter().flatten() {
                ranks[doc as usize] = ranks[doc as usize].max(rank);
            }
        }
        for (ns, &mentioned) in self.namespaces.iter().zip(mentioned) {
            let named =
                ns.exact.contains(&query.exact) || (!query.compact.is_empty() && ns.compact.contains(&query.compact));
            if named {
                ns.docs.clone().for_each(|doc| ranks[doc] = ranks[doc].max(2));
            } else if mentioned {
                let any_other = scores.has_other_terms && ns.docs.clone().any(|doc| scores.other[doc]);
                for doc in ns.docs.clone().filter(|&doc| scores.other[doc] || !any_other) {
                    ranks[doc] = ranks[doc].max(1);
                }
            }
        }
        ranks
    }
}

/// The documents worth listing, best first, at most `limit`, each with one
/// score that orders by rank, then by text score (but for rank 2, which
/// keeps the server's order), then by catalog order; so scores never
/// increase down the list.
pub(super) fn merge(ranks: &[u8], text: &[f32], limit: usize) -> Vec<(usize, f32)> {
    let step = text.iter().fold(0f32, |max, &s| max.max(s)) + 1.0;
    let mut hits: Vec<(usize, f32)> = (0..ranks.len())
        .filter(|&doc| ranks[doc] > 0 || text[doc] > 0.0)
        .map(|doc| {
            let text = if ranks[doc] == 2 { 0.0 } else { text[doc] };
            (doc, f32::from(ranks[doc]) * step + text)
        })
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    hits.truncate(limit);
    hits
}

/// Records that `doc` is called `name`, once.
fn add_name(names: &mut HashMap<String, Vec<u32>>, name: String, doc: u32) {
    let docs = names.entry(name).or_default();
    if docs.last() != Some(&doc) {
        docs.push(doc);
    }
}
