//! BM25F scoring: every tool is one document with six fields (its names,
//! its namespace, its title, its description, its parameter names, and its
//! schema details: nested property names, property descriptions and `enum`
//! strings, which count least). Per-field term frequencies, normalized by
//! field length and weighted by field, are summed and then saturated (`k1`),
//! times the term's IDF over the catalog; all of it is folded into the
//! postings when the index is built, so a query only adds up a few posting
//! lists. A query word also matches, at [`RELATED_WEIGHT`], the words it is a
//! prefix of (`repo` finds `repository`) and its synonyms (`remove` finds
//! `delete`): per word and tool, the best of these counts.

use std::collections::HashMap;

use serde_json::Value;

use super::super::CatalogTool;
use super::text::{QueryWords, synonyms, terms_of, tokenize};

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

/// The lexical index: every term, sorted, and its postings.
#[derive(Debug, Clone, Default)]
pub(super) struct Lexical {
    /// Every term of the index, sorted; a term's id is its position.
    terms: Vec<String>,
    /// Per term id, the documents that have it, by document.
    postings: Vec<Vec<Posting>>,
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

/// What a query scored against the lexical index.
pub(super) struct Scores {
    /// Per document, its BM25F score.
    pub(super) bm25: Vec<f32>,
    /// Per document, whether it matched a word that is not part of a server
    /// name the query mentions.
    pub(super) other: Vec<bool>,
    /// Whether the query has such words at all.
    pub(super) has_other_terms: bool,
}

impl Lexical {
    /// Scores `docs` documents for `words`; `is_server_term` tells the
    /// terms (by index) that belong to a server name the query mentions.
    pub(super) fn score(&self, docs: usize, words: &QueryWords, is_server_term: impl Fn(usize) -> bool) -> Scores {
        let mut scores = Scores { bm25: vec![0f32; docs], other: vec![false; docs], has_other_terms: false };
        let mut best = vec![0f32; docs];
        let mut touched = Vec::new();
        for (index, (term, prefix)) in words.terms.iter().zip(&words.prefixes).enumerate() {
            let server_term = is_server_term(index);
            scores.has_other_terms |= !server_term;
            for (id, weight) in self.matches(term, prefix) {
                for posting in &self.postings[id] {
                    let doc = posting.doc as usize;
                    if best[doc] == 0.0 {
                        touched.push(doc);
                    }
                    best[doc] = best[doc].max(weight * posting.score);
                }
            }
            for doc in touched.drain(..) {
                scores.bm25[doc] += best[doc];
                best[doc] = 0.0;
                scores.other[doc] |= !server_term;
            }
        }
        scores
    }

    /// The terms one query word matches, with their weight: itself, the
    /// longer terms it is a prefix of, and its synonyms.
    fn matches(&self, term: &str, prefix: &str) -> Vec<(usize, f32)> {
        let mut matches: Vec<(usize, f32)> = self.find(term).map(|id| (id, 1.0)).into_iter().collect();
        if prefix.chars().count() >= MIN_PREFIX_CHARS {
            let start = self.terms.partition_point(|t| t.as_str() < prefix);
            let longer = (start..self.terms.len()).take_while(|&id| self.terms[id].starts_with(prefix));
            let longer = longer.filter(|&id| self.terms[id] != term).take(MAX_EXPANSIONS);
            matches.extend(longer.map(|id| (id, RELATED_WEIGHT)));
        }
        matches.extend(synonyms(term).filter_map(|synonym| self.find(&synonym)).map(|id| (id, RELATED_WEIGHT)));
        matches
    }

    /// The id of `term`, if the index has it.
    fn find(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }
}

/// Collects documents' term frequencies, then turns them into postings.
#[derive(Debug, Default)]
pub(super) struct Builder {
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
    pub(super) fn add_doc(&mut self, namespace: &[&str], tool: &CatalogTool) -> u32 {
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

    /// The index: the sorted terms and, in the same order, their postings.
    pub(super) fn finish(self) -> Lexical {
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
        Lexical { terms: terms.into_iter().map(|(term, _)| term).collect(), postings: sorted_postings }
    }
}
