//! Ranked search over the catalog: which tools a query (a few words, a
//! server name, a tool name) is most likely about, best first.
//!
//! A query goes through four rooms: [`text`] cuts it into terms the way
//! the tools' text was cut, [`score`] ranks every tool's text by BM25F
//! against those terms, [`semantic`] ranks every tool by the cosine of its
//! meaning with the query's (a static embedding model, [`embed`], compiled
//! into the binary), and [`merge`] fuses the two scores, puts tools the
//! query names (a tool, a server) before the rest and orders the whole
//! list. Within a rank, higher scores come first, then catalog order, so
//! the same query always gets the same answer. A [`Hit`]'s score folds the
//! rank in, so scores never increase down the list.
//!
//! It only reads the catalog's text: no typo tolerance, no server calls, no
//! network. The index is a snapshot: a changed catalog needs a new
//! [`SearchIndex`]. A query is read up to [`MAX_QUERY_BYTES`].

mod embed;
mod merge;
mod score;
mod semantic;
mod text;

#[cfg(test)]
mod tests;

use super::Namespace;
use merge::{Names, QueryName};
use score::{Builder, Lexical};
use semantic::Semantic;
use text::QueryWords;

/// The longest query read, in bytes; the rest is ignored.
pub const MAX_QUERY_BYTES: usize = 4096;

/// A search index over one catalog's tools, built once per catalog.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// `(namespace, tool)` of each document, in catalog order.
    docs: Vec<(usize, usize)>,
    /// How a query may name tools and servers.
    names: Names,
    /// The BM25F index of the tools' text.
    lexical: Lexical,
    /// The tools' meaning.
    semantic: Semantic,
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
    /// Whether the query is the tool's name (in any of its spellings).
    pub exact: bool,
}

impl SearchIndex {
    /// The index of the tools of `namespaces`.
    pub fn new(namespaces: &[Namespace]) -> SearchIndex {
        let mut builder = Builder::default();
        let mut semantic = Semantic::default();
        let mut rows = Vec::new();
        let mut docs = Vec::new();
        let mut names = Names::default();
        for (n, namespace) in namespaces.iter().enumerate() {
            let start = docs.len();
            let namespace_names = [namespace.name.as_str(), namespace.server.as_str()];
            for (t, tool) in namespace.tools.iter().enumerate() {
                builder.add_doc(&namespace_names, tool);
                semantic.add_doc(tool, &mut rows);
                docs.push((n, t));
            }
            names.add_namespace(namespace, start..docs.len());
        }
        SearchIndex { docs, names, lexical: builder.finish(), semantic }
    }

    /// The tools that best match `query` (its first [`MAX_QUERY_BYTES`]),
    /// best first; at most `limit` hits, and none for a query with no
    /// term (an empty query, or one of punctuation and stopwords only) or
    /// nothing close enough.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let query = truncate(query, MAX_QUERY_BYTES);
        let Some(name) = QueryName::of(query).filter(|_| limit > 0) else {
            return Vec::new();
        };
        let words = QueryWords::of(query);
        let mentioned = self.names.mentioned(&words);
        let scores = self.lexical.score(self.docs.len(), &words, |term| mentioned.words[words.from[term]]);
        let ranks = self.names.ranks(self.docs.len(), &name, &mentioned, &scores);
        let meaning = if words.terms.is_empty() { None } else { self.semantic.score(query) };
        let text = merge::fuse(&scores.bm25, meaning.as_deref());
        merge::merge(&ranks, &text, limit)
            .into_iter()
            .map(|(doc, score)| {
                let (namespace, tool) = self.docs[doc];
                Hit { namespace, tool, score, exact: ranks[doc] >= merge::NAMED_TOOL }
            })
            .collect()
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    &text[..text.floor_char_boundary(max)]
}
