//! The BERT uncased tokenizer of the embedding model: normalization (clean,
//! CJK spacing, accents stripped, lowercase), pre-tokenization (whitespace,
//! each punctuation character a word of its own) and greedy longest-match
//! WordPiece. It reproduces HF `tokenizers`' `BertNormalizer` +
//! `BertPreTokenizer` + `WordPiece` as the model's `tokenizer.json`
//! configures them (the rules, and the strings they were checked on, are in
//! `scripts/embedding/static_ref.py`); only the vocabulary comes from the
//! model file.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// A WordPiece vocabulary: each token's row in the model.
#[derive(Debug)]
pub(super) struct Vocabulary {
    /// Token -> row; continuation pieces carry their `##`. Looked up for
    /// every piece tried, so with a fast hash.
    rows: HashMap<&'static str, u32, RandomState>,
    /// The row of `[UNK]`.
    pub(super) unk: u32,
    /// Longer words (in characters) are `[UNK]` whole.
    max_chars: usize,
}

impl Vocabulary {
    /// The vocabulary of `tokens` (row order).
    pub(super) fn new(tokens: impl Iterator<Item = &'static str>, unk: u32, max_chars: usize) -> Self {
        let rows = tokens.enumerate().map(|(row, token)| (token, row as u32)).collect();
        Self { rows, unk, max_chars }
    }

    /// Appends the rows of `text`'s tokens to `out` (`[UNK]` included).
    pub(super) fn tokenize(&self, text: &str, out: &mut Vec<u32>) {
        let normalized = normalize(text);
        let mut piece = String::new();
        for_each_word(&normalized, |word| self.word_pieces(word, &mut piece, out));
    }

    /// Appends the pieces of one pre-tokenized `word`, or one `[UNK]` when
    /// some part of it has no piece; `piece` is scratch space.
    fn word_pieces(&self, word: &str, piece: &mut String, out: &mut Vec<u32>) {
        let chars = word.chars().count();
        if chars > self.max_chars {
            out.push(self.unk);
            return;
        }
        let start_len = out.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let found = loop {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&row) = self.rows.get(piece.as_str()) {
                    break Some(row);
                }
                match word[start..end].char_indices().next_back() {
                    Some((last, _)) if last > 0 => end = start + last,
                    _ => break None,
                }
            };
            let Some(row) = found else {
                out.truncate(start_len);
                out.push(self.unk);
                return;
            };
            out.push(row);
            start = end;
        }
    }
}

/// Calls `f` with each word of normalized `text`: runs of characters
/// between whitespace, and each punctuation character alone.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut start = None;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() || is_punctuation(c) {
            if let Some(from) = start.take() {
                f(&text[from..at]);
            }
            if !c.is_whitespace() {
                f(&text[at..at + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(at);
        }
    }
    if let Some(from) = start {
        f(&text[from..]);
    }
}

/// Cleaned (controls dropped, whitespace made spaces), CJK ideographs
/// spaced, accents stripped and lowercased, in that order.
fn normalize(text: &str) -> String {
    if text.is_ascii() {
        // The same steps, for the common case: no accents, no CJK, no
        // categories beyond ASCII's controls.
        return text
            .chars()
            .filter(|&c| !c.is_ascii_control() || matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c.is_whitespace() { ' ' } else { c.to_ascii_lowercase() })
            .collect();
    }
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if c.is_whitespace() {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.extend([' ', c, ' ']);
        } else {
            cleaned.push(c);
        }
    }
    cleaned
        .nfd()
        .filter(|&c| get_general_category(c) != GeneralCategory::NonspacingMark)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Categories Cc, Cf, Co and Cs, but for the whitespace among them.
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::PrivateUse | GeneralCategory::Surrogate
    )
}

/// ASCII punctuation (`$`, `+`, `<`, `=`, `>`, `^`, `` ` ``, `|`, `~`
/// included) and category P*.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            GeneralCategory::ConnectorPunctuation
                | GeneralCategory::DashPunctuation
                | GeneralCategory::OpenPunctuation
                | GeneralCategory::ClosePunctuation
                | GeneralCategory::InitialPunctuation
                | GeneralCategory::FinalPunctuation
                | GeneralCategory::OtherPunctuation
        )
}

/// The CJK ideograph blocks BERT spaces out (HF's ranges: its Rust code
/// starts the sixth at U+2B920 where Google's Python has U+2B820).
fn is_cjk(c: char) -> bool {
    matches!(
        u32::from(c),
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}
