//! Ranked search over the catalog: which tools a query (a few words, a
//! server name, a tool name) is most likely about, best first.
//!
//! # What is ranked
//!
//! Every tool of every namespace is one document with six fields: its names
//! (the JavaScript name and the server's own name), its namespace (the
//! JavaScript name and the server's name in the config), its title, its
//! description, its parameter names (the top-level `properties` of the
//! input schema), and its schema details (nested property names, property
//! descriptions and `enum` strings, which count least).
//!
//! # How
//!
//! Text is cut into words at anything that is not a letter or digit and at
//! camelCase boundaries (`listPullRequests`, `list_pull_requests` and
//! `list-pull-requests` are all `list pull request`), lowercased, stripped of
//! a few stopwords (`the`, `to`, `of`, ...) and lightly stemmed (`issues`,
//! `issue`; `created`, `creating`, `create`). Documents are scored with BM25F:
//! per-field term frequencies, normalized by field length and weighted by
//! field, are summed and then saturated (`k1`), times the term's IDF over the
//! catalog; all of it is folded into the postings when the index is built, so
//! a query only adds up a few posting lists. A query word also matches, at
//! half weight, the words it is a prefix of (`repo` finds `repository`) and
//! its few synonyms in [`SYNONYMS`] (`send` finds `post`, `remove` finds
//! `delete`): per word and tool, the best of these counts.
//!
//! Names come before text, in this order of precedence:
//!
//! 1. a tool whose name the query is, ignoring case: its JavaScript name,
//!    its server's name for it, `namespace.name` or `server.original`;
//! 2. the same with everything but letters and digits ignored (`createIssue`
//!    and `create issue` for `create_issue`, `github create issue` for
//!    `github.create_issue`);
//! 3. every tool of a server whose name the query is (same two spellings),
//!    in the server's order;
//! 4. the tools of a server the query names among other words (`github
//!    create issue`) that match some of those other words, or all its tools
//!    if none does;
//! 5. every other tool with a positive score.
//!
//! Within a rank, higher scores first (except 3, which keeps the server's
//! order), then catalog order, so the same query always gets the same
//! answer. A [`Hit`]'s score folds the rank in, so scores never increase down
//! the list.
//!
//! # What it never does
//!
//! It only reads the catalog's text: no synonyms beyond that short list, no
//! typo tolerance, no embeddings, no server calls. The index is a snapshot: a
//! changed catalog needs a new [`SearchIndex`].

use std::collections::HashMap;
use std::ops::Range;

use serde_json::Value;

use super::{CatalogTool, Namespace};

/// Field: the tool's JavaScript name and its server's name for it.
const NAME: usize = 0;
/// Field: the namespace's JavaScript name and the server's config name.
const NAMESPACE: usize = 1;
/// Field: the tool's title.
const TITLE: usize = 2;
/// Field: the tool's description.
const DESCRIPTION: usize = 3;
/// Field: the names of the top-level properties of the input schema.
const PARAMS: usize = 4;
/// Field: nested property names, property descriptions and `enum` strings.
const DETAILS: usize = 5;
/// How many fields a document has.
const FIELDS: usize = 6;

/// How much one occurrence of a term counts in each field.
const WEIGHTS: [f32; FIELDS] = [4.0, 1.5, 2.0, 1.0, 1.0, 0.3];
/// BM25's length normalization per field: 0 ignores the field's length, 1
/// scales term frequency by the field's length over the average.
const B: [f32; FIELDS] = [0.5, 0.0, 0.5, 0.75, 0.5, 0.75];
/// BM25's saturation: how quickly more occurrences stop adding score.
const K1: f32 = 1.2;
/// How much a term found by prefix or as a synonym counts, relative to the
/// exact term.
const RELATED_WEIGHT: f32 = 0.5;
/// The shortest query word (in characters) that also matches by prefix.
const MIN_PREFIX_CHARS: usize = 3;
/// How many longer terms one query word may match by prefix.
const MAX_EXPANSIONS: usize = 32;
/// How deep into an input schema property names and descriptions are read.
const MAX_SCHEMA_DEPTH: usize = 8;

/// Groups of words that mean the same in tool descriptions, mostly verbs:
/// a query word finds the others of its group at [`RELATED_WEIGHT`].
const SYNONYMS: &[&[&str]] = &[
    &["send", "post"],
    &["delete", "remove"],
    &["search", "find"],
    &["get", "fetch", "retrieve"],
    &["create", "make", "add"],
    &["update", "edit", "modify", "change"],
    &["list", "show"],
    &["run", "execute"],
    &["reply", "respond", "answer"],
    &["directory", "folder"],
    &["user", "member", "people", "person"],
];

/// Words that say nothing about a tool, dropped from queries and documents.
/// Sorted, for binary search; none longer than [`STOPWORD_MAX_LEN`].
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "how",
    "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "should", "so", "some",
    "than", "that", "the", "their", "them", "then", "there", "these", "this", "those", "to", "via", "was", "we",
    "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];
/// The length of the longest of [`STOPWORDS`].
const STOPWORD_MAX_LEN: usize = 6;

/// Whether `word` (lowercase) is one of [`STOPWORDS`].
fn is_stopword(word: &str) -> bool {
    word.len() <= STOPWORD_MAX_LEN && STOPWORDS.binary_search(&word).is_ok()
}

/// A search index over one catalog's tools, built once per catalog.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// `(namespace, tool)` of each document, in catalog order.
    docs: Vec<(usize, usize)>,
    /// The documents by each name a query may spell them with, lowercased:
    /// `name`, `original`, `namespace.name`, `server.original`.
    names: HashMap<String, Vec<u32>>,
    /// The same, with letters and digits only.
    compact_names: HashMap<String, Vec<u32>>,
    /// What the query is matched against per namespace.
    namespaces: Vec<NamespaceEntry>,
    /// Every term of the index, sorted; a term's id is its position.
    terms: Vec<String>,
    /// Per term id, the documents that have it, by document.
    postings: Vec<Vec<Posting>>,
}

/// A namespace as the query sees it.
#[derive(Debug, Clone)]
struct NamespaceEntry {
    /// Its JavaScript name and its server's name, lowercased.
    names: [String; 2],
    /// The same, with letters and digits only.
    compact_names: [String; 2],
    /// The terms of those names, all of which a query must have to name the
    /// server among other words.
    terms: Vec<String>,
    /// Its documents.
    docs: Range<usize>,
}

/// One document's share of a term's score.
#[derive(Debug, Clone, Copy)]
struct Posting {
    /// The document.
    doc: u32,
    /// The term's BM25F score for the document: IDF times saturated,
    /// weighted, length-normalized term frequency.
    score: f32,
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
        let mut names: HashMap<String, Vec<u32>> = HashMap::new();
        let mut compact_names: HashMap<String, Vec<u32>> = HashMap::new();
        let mut entries = Vec::new();
        for (n, namespace) in namespaces.iter().enumerate() {
            let start = docs.len();
            let namespace_names = [namespace.name.as_str(), namespace.server.as_str()];
            for (t, tool) in namespace.tools.iter().enumerate() {
                let doc = builder.add_doc(&namespace_names, tool);
                docs.push((n, t));
                let spellings = [
                    tool.name.to_lowercase(),
                    tool.original.to_lowercase(),
                    format!("{}.{}", namespace.name, tool.name).to_lowercase(),
                    format!("{}.{}", namespace.server, tool.original).to_lowercase(),
                ];
                for spelling in spellings {
                    let compact = compact(&spelling);
                    if !compact.is_empty() {
                        add_name(&mut compact_names, compact, doc);
                    }
                    add_name(&mut names, spelling, doc);
                }
            }
            let mut terms = Vec::new();
            for name in namespace_names {
                terms.extend(terms_of(name));
            }
            terms.sort_unstable();
            terms.dedup();
            let lowercase = [namespace.name.to_lowercase(), namespace.server.to_lowercase()];
            entries.push(NamespaceEntry {
                compact_names: [compact(&lowercase[0]), compact(&lowercase[1])],
                names: lowercase,
                terms,
                docs: start..docs.len(),
            });
        }
        let (terms, postings) = builder.finish();
        SearchIndex { docs, names, compact_names, namespaces: entries, terms, postings }
    }

    /// The tools that best match `query`, best first; at most `limit` hits,
    /// and none for a query with no matching term (an empty query, or one of
    /// punctuation and stopwords only).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let exact = query.trim().to_lowercase();
        if limit == 0 || exact.is_empty() {
            return Vec::new();
        }
        let compact = compact(&exact);
        // Each word's term and the prefix it matches other terms by: the word
        // itself, less a plural `s` (`files` -> `file`, not the stem `fil`,
        // which would find `filter`).
        let mut terms: Vec<String> = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        tokenize(query, &mut |term, word| {
            if !terms.iter().any(|t| t == term) {
                terms.push(term.to_owned());
                let plural = word.len() > 3 && word.ends_with('s') && !word.ends_with("ss");
                prefixes.push(word[..word.len() - usize::from(plural)].to_owned());
            }
        });

        // Servers the query names among other words, and their terms.
        let mentioned: Vec<bool> = self
            .namespaces
            .iter()
            .map(|ns| !ns.terms.is_empty() && ns.terms.iter().all(|t| terms.contains(t)))
            .collect();
        let server_term =
            |term: &str| self.namespaces.iter().zip(&mentioned).any(|(ns, &m)| m && ns.terms.iter().any(|t| t == term));

        // BM25F, and which documents match a word other than a named server.
        let n = self.docs.len();
        let mut scores = vec![0f32; n];
        let mut other = vec![false; n];
        let mut best = vec![0f32; n];
        let mut touched = Vec::new();
        let mut has_other_terms = false;
        for (term, prefix) in terms.iter().zip(&prefixes) {
            let is_server_term = server_term(term);
            has_other_terms |= !is_server_term;
            let mut matches: Vec<(usize, f32)> = self.find(term).map(|id| (id, 1.0)).into_iter().collect();
            if prefix.chars().count() >= MIN_PREFIX_CHARS {
                let start = self.terms.partition_point(|t| t.as_str() < prefix.as_str());
                let longer = (start..self.terms.len()).take_while(|&id| self.terms[id].starts_with(prefix.as_str()));
                let longer = longer.filter(|&id| self.terms[id] != *term).take(MAX_EXPANSIONS);
                matches.extend(longer.map(|id| (id, RELATED_WEIGHT)));
            }
            matches.extend(synonyms(term).filter_map(|synonym| self.find(&synonym)).map(|id| (id, RELATED_WEIGHT)));
            for (id, weight) in matches {
                for posting in &self.postings[id] {
                    let doc = posting.doc as usize;
                    if best[doc] == 0.0 {
                        touched.push(doc);
                    }
                    best[doc] = best[doc].max(weight * posting.score);
                }
            }
            for doc in touched.drain(..) {
                scores[doc] += best[doc];
                best[doc] = 0.0;
                other[doc] |= !is_server_term;
            }
        }

        // Ranks by name, then one score that orders by rank, then by BM25F.
        let mut ranks = vec![0u8; n];
        for (names, key, rank) in [(&self.names, &exact, 4), (&self.compact_names, &compact, 3)] {
            for &doc in names.get(key.as_str()).into_iter().flatten() {
                ranks[doc as usize] = ranks[doc as usize].max(rank);
            }
        }
        for (ns, &mentioned) in self.namespaces.iter().zip(&mentioned) {
            if ns.names.contains(&exact) || (!compact.is_empty() && ns.compact_names.contains(&compact)) {
                for rank in &mut ranks[ns.docs.clone()] {
                    *rank = (*rank).max(2);
                }
            } else if mentioned {
                let any_other = has_other_terms && ns.docs.clone().any(|doc| other[doc]);
                for doc in ns.docs.clone() {
                    if other[doc] || !any_other {
                        ranks[doc] = ranks[doc].max(1);
                    }
                }
            }
        }
        let step = scores.iter().fold(0f32, |max, &s| max.max(s)) + 1.0;
        let mut hits: Vec<(usize, f32)> = (0..n)
            .filter(|&doc| ranks[doc] > 0 || scores[doc] > 0.0)
            .map(|doc| {
                let text = if ranks[doc] == 2 { 0.0 } else { scores[doc] };
                (doc, f32::from(ranks[doc]) * step + text)
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(doc, score)| {
                let (namespace, tool) = self.docs[doc];
                Hit { namespace, tool, score }
            })
            .collect()
    }

    /// The id of `term`, if the index has it.
    fn find(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }
}

/// The terms of the other words of `term`'s group in [`SYNONYMS`].
fn synonyms(term: &str) -> impl Iterator<Item = String> {
    let stems = |group: &[&str]| -> Vec<String> { group.iter().map(|word| terms_of(word).concat()).collect() };
    let group = SYNONYMS.iter().map(|group| stems(group)).find(|stems| stems.iter().any(|stem| stem == term));
    let term = term.to_owned();
    group.unwrap_or_default().into_iter().filter(move |stem| *stem != term)
}

/// The terms of `text`.
fn terms_of(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    tokenize(text, &mut |term, _| terms.push(term.to_owned()));
    terms
}

/// Records that `doc` is called `name`, once.
fn add_name(names: &mut HashMap<String, Vec<u32>>, name: String, doc: u32) {
    let docs = names.entry(name).or_default();
    if docs.last() != Some(&doc) {
        docs.push(doc);
    }
}

/// Collects documents' term frequencies, then turns them into postings.
#[derive(Debug, Default)]
struct Builder {
    /// Term -> id, in order of first appearance.
    ids: HashMap<String, u32>,
    /// Per id: `(document, occurrences per field)`, by document.
    counts: Vec<Vec<(u32, [u16; FIELDS])>>,
    /// Per document: its length (in terms) per field.
    lengths: Vec<[u32; FIELDS]>,
    /// The current document's occurrences per field, by term id.
    doc: HashMap<u32, [u16; FIELDS]>,
    /// The current document's length per field.
    doc_lengths: [u32; FIELDS],
}

impl Builder {
    /// Adds the next document, `tool` of the namespace called `namespace`,
    /// and returns its id.
    fn add_doc(&mut self, namespace: &[&str], tool: &CatalogTool) -> u32 {
        self.add_distinct(NAME, &[&tool.name, &tool.original]);
        self.add_distinct(NAMESPACE, namespace);
        if let Some(title) = &tool.title {
            self.add(TITLE, title);
        }
        if let Some(description) = &tool.description {
            self.add(DESCRIPTION, description);
        }
        self.add_schema(&tool.input_schema, true, 0);

        let id = u32::try_from(self.lengths.len()).expect("fewer than 2^32 tools");
        let mut terms: Vec<(u32, [u16; FIELDS])> = self.doc.drain().collect();
        terms.sort_unstable_by_key(|&(term, _)| term);
        for (term, counts) in terms {
            self.counts[term as usize].push((id, counts));
        }
        self.lengths.push(std::mem::take(&mut self.doc_lengths));
        id
    }

    /// Adds the terms of `text` to `field` of the current document.
    fn add(&mut self, field: usize, text: &str) {
        tokenize(text, &mut |term, _| self.add_term(field, term));
    }

    /// Adds each term of `texts` once to `field` of the current document,
    /// however many of them have it (a tool's two names are mostly the same
    /// words).
    fn add_distinct(&mut self, field: usize, texts: &[&str]) {
        let mut terms = Vec::new();
        for text in texts {
            terms.extend(terms_of(text));
        }
        terms.sort_unstable();
        terms.dedup();
        for term in terms {
            self.add_term(field, &term);
        }
    }

    /// Adds one occurrence of `term` to `field` of the current document.
    fn add_term(&mut self, field: usize, term: &str) {
        let id = match self.ids.get(term) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.counts.len()).expect("fewer than 2^32 terms");
                self.ids.insert(term.to_owned(), id);
                self.counts.push(Vec::new());
                id
            }
        };
        let counts = self.doc.entry(id).or_default();
        counts[field] = counts[field].saturating_add(1);
        self.doc_lengths[field] += 1;
    }

    /// Adds the property names, descriptions and `enum` strings of `schema`:
    /// names of the top-level properties (`top`) as parameters, the rest as
    /// details.
    fn add_schema(&mut self, schema: &Value, top: bool, depth: usize) {
        let Value::Object(schema) = schema else { return };
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        if let Some(Value::String(description)) = schema.get("description") {
            self.add(DETAILS, description);
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            for value in values {
                if let Value::String(value) = value {
                    self.add(DETAILS, value);
                }
            }
        }
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                self.add(if top { PARAMS } else { DETAILS }, name);
                self.add_schema(property, false, depth + 1);
            }
        }
        // Alternatives of the top level are still the top level.
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(alternatives)) = schema.get(key) {
                for alternative in alternatives {
                    self.add_schema(alternative, top, depth + 1);
                }
            }
        }
        match schema.get("items") {
            Some(Value::Array(items)) => items.iter().for_each(|item| self.add_schema(item, false, depth + 1)),
            Some(items) => self.add_schema(items, false, depth + 1),
            None => {}
        }
        for key in ["$defs", "definitions"] {
            if let Some(Value::Object(definitions)) = schema.get(key) {
                for definition in definitions.values() {
                    self.add_schema(definition, false, depth + 1);
                }
            }
        }
    }

    /// The sorted terms and, in the same order, their postings.
    fn finish(self) -> (Vec<String>, Vec<Vec<Posting>>) {
        let docs = self.lengths.len().max(1) as f32;
        let mut average = [0f32; FIELDS];
        for lengths in &self.lengths {
            for (sum, &length) in average.iter_mut().zip(lengths) {
                *sum += length as f32;
            }
        }
        for sum in &mut average {
            *sum = (*sum / docs).max(1.0);
        }
        let mut postings: Vec<Vec<Posting>> = self
            .counts
            .iter()
            .map(|counts| {
                let df = counts.len() as f32;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                counts
                    .iter()
                    .map(|&(doc, counts)| {
                        let lengths = &self.lengths[doc as usize];
                        let tf: f32 = (0..FIELDS)
                            .filter(|&field| counts[field] > 0)
                            .map(|field| {
                                let norm = 1.0 - B[field] + B[field] * lengths[field] as f32 / average[field];
                                WEIGHTS[field] * f32::from(counts[field]) / norm
                            })
                            .sum();
                        Posting { doc, score: idf * tf * (K1 + 1.0) / (tf + K1) }
                    })
                    .collect()
            })
            .collect();
        let mut terms: Vec<(String, u32)> = self.ids.into_iter().collect();
        terms.sort_unstable();
        let sorted_postings = terms.iter().map(|&(_, id)| std::mem::take(&mut postings[id as usize])).collect();
        (terms.into_iter().map(|(term, _)| term).collect(), sorted_postings)
    }
}

/// Calls `f` with each term of `text` and the word it comes from: its words,
/// split at anything but letters and digits and at camelCase boundaries,
/// lowercased, without stopwords and single ASCII characters; the terms
/// stemmed.
fn tokenize(text: &str, f: &mut impl FnMut(&str, &str)) {
    let mut word = String::new();
    let mut term = String::new();
    let mut previous: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            emit(&mut word, &mut term, f);
            previous = None;
            continue;
        }
        if let Some(p) = previous
            && c.is_uppercase()
        {
            let boundary = if p.is_uppercase() {
                // In `HTTPServer` the last capital starts the next word,
                // unless it is followed by a plural `s` alone (`URLs`).
                let mut ahead = chars.clone();
                match ahead.next() {
                    Some('s') => ahead.next().is_some_and(char::is_lowercase),
                    Some(next) => next.is_lowercase(),
                    None => false,
                }
            } else {
                p.is_lowercase() || p.is_numeric()
            };
            if boundary {
                emit(&mut word, &mut term, f);
            }
        }
        word.extend(c.to_lowercase());
        previous = Some(c);
    }
    emit(&mut word, &mut term, f);
}

/// Passes the finished `word` and its stem (in the buffer `term`) to `f`,
/// unless it is a stopword or a single ASCII character, and clears it.
fn emit(word: &mut String, term: &mut String, f: &mut impl FnMut(&str, &str)) {
    let single_ascii = word.len() == 1;
    if !word.is_empty() && !single_ascii && !is_stopword(word) {
        term.clone_from(word);
        stem(term);
        f(term, word);
    }
    word.clear();
}

/// Strips the common English inflections from a lowercase ASCII word, so
/// that `issue`/`issues`, `query`/`queries`, `create`/`created`/`creating`,
/// `branch`/`branches` meet. Not a real stemmer: only the same word's forms
/// need to meet, not to read well.
fn stem(word: &mut String) {
    if !word.is_ascii() || word.len() < 3 {
        return;
    }
    let n = word.len();
    if word.ends_with("sses") {
        word.truncate(n - 2);
    } else if word.ends_with("ies") && n > 4 {
        word.truncate(n - 3);
        word.push('y');
    } else if n > 4 && ["ses", "xes", "zes", "ches", "shes"].iter().any(|suffix| word.ends_with(suffix)) {
        word.truncate(n - 2);
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|suffix| word.ends_with(suffix)) {
        word.truncate(n - 1);
    }
    let n = word.len();
    if word.ends_with("ied") && n > 4 {
        word.truncate(n - 3);
        word.push('y');
    } else if word.ends_with("ed") && !word.ends_with("eed") && n > 3 && has_vowel(&word[..n - 2]) {
        word.truncate(n - 2);
        undouble(word);
    } else if word.ends_with("ing") && n > 5 && has_vowel(&word[..n - 3]) {
        word.truncate(n - 3);
        undouble(word);
    }
    if word.len() > 2 && word.ends_with('e') && !word.ends_with("ee") {
        word.pop();
    }
}

/// Whether an ASCII word has a vowel (`y` counts after the first letter).
fn has_vowel(word: &str) -> bool {
    word.bytes().enumerate().any(|(i, b)| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u') || (b == b'y' && i > 0))
}

/// `mapp` (of `mapping`) -> `map`; keeps `ll`, `ss`, `zz` and short words
/// (`add` of `added`).
fn undouble(word: &mut String) {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n >= 4
        && bytes[n - 1] == bytes[n - 2]
        && !matches!(bytes[n - 1], b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z')
    {
        word.pop();
    }
}

/// `text` lowercased, with only its letters and digits.
fn compact(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests;
