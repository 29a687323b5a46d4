//! Ranking by meaning: each tool's vector in the [`embed`] model's space,
//! from its name (split into words), title, the start of its description
//! and its parameter names; a query's vector from its words; the score is
//! their cosine. It finds `maps_elevation` for "altitude of a city", where
//! no word is shared; the lexical ranking ([`score`](super::score)) stays in
//! charge of exact words, and [`merge`](super::merge) combines the two.

use serde_json::Value;

use super::super::CatalogTool;
use super::embed::Model;
use super::text::tokenize;

/// Characters of a description that go into a tool's vector: its opening,
/// where what the tool does is said; the rest (examples, caveats) would pull
/// the mean toward words every tool has.
const DESCRIPTION_CHARS: usize = 300;

/// The tools' vectors.
#[derive(Debug, Clone, Default)]
pub(super) struct Semantic {
    /// `dim` values per document, in document order; zeros for a tool
    /// without a known token.
    vectors: Vec<f32>,
    dim: usize,
}

impl Semantic {
    /// Appends the vector of `tool`.
    pub(super) fn add_doc(&mut self, tool: &CatalogTool, rows: &mut Vec<u32>) {
        let model = Model::get();
        self.dim = model.dim;
        rows.clear();
        model.tokenize(&tool_text(tool), rows);
        let start = self.vectors.len();
        self.vectors.resize(start + model.dim, 0.0);
        model.embed_rows(rows, &mut self.vectors[start..]);
    }

    /// Each document's cosine with `query`'s meaning; `None` when the query
    /// has no word the model knows.
    pub(super) fn score(&self, query: &str) -> Option<Vec<f32>> {
        let model = Model::get();
        let mut words = String::new();
        let mut seen: Vec<String> = Vec::new();
        tokenize(query, &mut |_, word| {
            // Numbers and identifiers (`PROJ-142`, `v2`) name things, they
            // do not say what to do with them; a word said again adds no
            // meaning, and would drown the others in a long query.
            if !word.chars().any(|c| c.is_numeric()) && !seen.iter().any(|seen| seen == word) {
                seen.push(word.to_owned());
                words.push_str(word);
                words.push(' ');
            }
        });
        let mut vector = vec![0f32; model.dim];
        if !model.embed(&words, &mut vector) || self.dim == 0 {
            return None;
        }
        let scores = self.vectors.chunks_exact(self.dim).map(|tool| dot(tool, &vector)).collect();
        Some(scores)
    }
}

/// The text of a tool's vector: name words, title, the description's
/// opening, parameter names.
fn tool_text(tool: &CatalogTool) -> String {
    let mut text = String::new();
    tokenize(&tool.original, &mut |_, word| {
        text.push_str(word);
        text.push(' ');
    });
    for part in [tool.title.as_deref(), tool.description.as_deref()].into_iter().flatten() {
        text.push_str(". ");
        let end = part.char_indices().nth(DESCRIPTION_CHARS).map_or(part.len(), |(at, _)| at);
        text.push_str(&part[..end]);
    }
    text.push_str(". ");
    if let Some(Value::Object(properties)) = tool.input_schema.get("properties") {
        for name in properties.keys() {
            tokenize(name, &mut |_, word| {
                text.push_str(word);
                text.push(' ');
            });
        }
    }
    text
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
