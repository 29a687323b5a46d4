//! Ranked search over the catalog: which tools a query (a few words, a
//! server name, a tool name) is most likely about, best first.
//!
//! A query goes through three rooms: [`text`] cuts it into terms the way
//! the tools' text was cut, [`score`] ranks every tool's text by BM25F
//! against those terms, and [`merge`] puts tools the query names (a tool, a
//! server) before the rest and orders the whole list. Within a rank, higher
//! scores come first, then catalog order, so the same query always gets the
//! same answer. A [`Hit`]'s score folds the rank in, so scores never
//! increase down the list.
//!
//! It only reads the catalog's text: no synonyms beyond a short list, no
//! typo tolerance, no embeddings, no server calls. The index is a snapshot:
//! a changed catalog needs a new [`SearchIndex`].

mod merge;
mod score;
mod text;

#[cfg(test)]
mod tests;

use super::Namespace;
use merge::{Names, QueryName};
use score::{Builder, Lexical};
use text::QueryWords;

/// A search index over one catalog's tools, built once per catalog.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// `(namespace, tool)` of each document, in catalog order.
    docs: Vec<(usize, usize)>,
    /// How a query may name tools and servers.
    names: Names,
    /// The BM25F index of the tools' text.
    lexical: Lexical,
}

/// One result of [`SearchIndex::search`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The index of the tool's namespace in the catalog.
    pub namespace: usize,
    /// The index of the tool in its namespace.
    pub tool: usize,
    /// How well the tool matches: higher is better, never higher than the
    /// hit before it. Only comparable within one search.
    pub score: f32,
}

impl SearchIndex {
    /// The index of the tools of `namespaces`.
    pub fn new(namespaces: &[Namespace]) -> SearchIndex {
        let mut builder = Builder::default();
        let mut docs = Vec::new();
        let mut names = Names::default();
        for (n, namespace) in namespaces.iter().enumerate() {
            let start = docs.len();
            let namespace_names = [namespace.name.as_str(), namespace.server.as_str()];
            for (t, tool) in namespace.tools.iter().enumerate() {
                builder.add_doc(&namespace_names, tool);
                docs.push((n, t));
            }
            names.add_namespace(namespace, start..docs.len());
        }
        SearchIndex { docs, names, lexical: builder.finish() }
    }

    /// The tools that best match `query`, best first; at most `limit` hits,
    /// and none for a query with no matching term (an empty query, or one of
    /// punctuation and stopwords only).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let Some(name) = QueryName::of(query).filter(|_| limit > 0) else {
            return Vec::new();
        };
        let words = QueryWords::of(query);
        let mentioned = self.names.mentioned(&words.terms);
        let scores = self.lexical.score(self.docs.len(), &words, |term| self.names.is_server_term(&mentioned, term));
        let ranks = self.names.ranks(self.docs.len(), &name, &mentioned, &scores);
        merge::merge(&ranks, &scores.bm25, limit)
            .into_iter()
            .map(|(doc, score)| {
                let (namespace, tool) = self.docs[doc];
                Hit { namespace, tool, score }
            })
            .collect()
    }
}
