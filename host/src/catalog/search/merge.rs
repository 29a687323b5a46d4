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
//!    create issue`, `in GitHub, create an issue`, `Google Maps directions`)
//!    that match some of those other words, or all its tools if none does;
//! 0. every other tool with a positive score.

use std::collections::HashMap;
use std::ops::Range;

/// The least rank of a tool the query names (ranks 3 and 4).
pub(super) const NAMED_TOOL: u8 = 3;

use super::super::Namespace;
use super::score::Scores;
use super::text::{QueryWords, compact};

/// The most words of a query one server name may span (`google maps api`).
const MAX_NAME_WORDS: usize = 3;

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
    /// The same, with letters and digits only: what a run of the query's
    /// words must spell to name the server among other words.
    compact: [String; 2],
    /// Its documents.
    docs: Range<usize>,
}

/// The servers a query names among other words.
pub(super) struct Mentions {
    /// Per namespace, whether the query names it.
    namespaces: Vec<bool>,
    /// Per plain word of the query, whether it is part of a server's name.
    pub(super) words: Vec<bool>,
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
        let exact = [namespace.name.to_lowercase(), namespace.server.to_lowercase()];
        let compact = [compact(&exact[0]), compact(&exact[1])];
        self.namespaces.push(NamespaceNames { exact, compact, docs });
    }

    /// Which servers `words` name among other words: per namespace, whether
    /// a run of up to [`MAX_NAME_WORDS`] plain words spells its name; and
    /// per plain word, whether it is part of such a name.
    pub(super) fn mentioned(&self, words: &QueryWords) -> Mentions {
        let mut mentions =
            Mentions { namespaces: vec![false; self.namespaces.len()], words: vec![false; words.plain.len()] };
        for start in 0..words.plain.len() {
            let mut spelled = String::new();
            for end in start..words.plain.len().min(start + MAX_NAME_WORDS) {
                spelled.push_str(&words.plain[end]);
                for (ns, mentioned) in self.namespaces.iter().zip(&mut mentions.namespaces) {
                    if ns.compact.iter().any(|name| !name.is_empty() && *name == spelled) {
                        *mentioned = true;
                        mentions.words[start..=end].fill(true);
                    }
                }
            }
        }
        mentions
    }

    /// Each document's rank (see the module docs) for `query`.
    pub(super) fn ranks(&self, docs: usize, query: &QueryName, mentioned: &Mentions, scores: &Scores) -> Vec<u8> {
        let mut ranks = vec![0u8; docs];
        for (names, key, rank) in [(&self.exact, &query.exact, 4), (&self.compact, &query.compact, NAMED_TOOL)] {
            for &doc in names.get(key.as_str()).into_iter().flatten() {
                ranks[doc as usize] = ranks[doc as usize].max(rank);
            }
        }
        for (ns, &mentioned) in self.namespaces.iter().zip(&mentioned.namespaces) {
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

/// The least cosine that makes a tool a hit without a word of the query.
const MIN_SIMILARITY: f32 = 0.3;
/// How much meaning counts in a text score, words counting the rest. Tuned
/// on the tuning half of the evaluation set (`cargo bench --bench search`);
/// more meaning, or reciprocal rank fusion, puts a close meaning before a
/// tool's own words ("write a file" finding `read_file` first).
const MEANING_WEIGHT: f32 = 0.4;

/// Each document's text score: its BM25F score relative to the best one
/// and its cosine with the query's meaning relative to the best one, mixed
/// by [`MEANING_WEIGHT`]; 0 (no hit) for a document that matches no word
/// and is not similar enough in meaning.
pub(super) fn fuse(bm25: &[f32], meaning: Option<&[f32]>) -> Vec<f32> {
    let best = |scores: &[f32]| scores.iter().fold(0f32, |max, &s| max.max(s));
    let (best_bm25, best_meaning) = (best(bm25), meaning.map_or(0.0, best));
    (0..bm25.len())
        .map(|doc| {
            let similarity = meaning.map_or(0.0, |meaning| meaning[doc]);
            if bm25[doc] > 0.0 || similarity >= MIN_SIMILARITY {
                let lexical = if best_bm25 > 0.0 { bm25[doc] / best_bm25 } else { 0.0 };
                let meaning = similarity.max(0.0) / best_meaning.max(f32::MIN_POSITIVE);
                (1.0 - MEANING_WEIGHT) * lexical + MEANING_WEIGHT * meaning
            } else {
                0.0
            }
        })
        .collect()
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
