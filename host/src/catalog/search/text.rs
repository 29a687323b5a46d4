//! Text analysis for search: text is cut into words at anything that is not
//! a letter or digit and at camelCase boundaries (`listPullRequests`,
//! `list_pull_requests` and `list-pull-requests` are all `list pull
//! request`), lowercased, stripped of a few stopwords (`the`, `to`, `of`,
//! ...) and lightly stemmed (`issues`, `issue`; `created`, `creating`,
//! `create`). A short list of synonym groups lets a word find the verbs
//! tool descriptions use instead (`send` finds `post`). Pure functions of
//! the text; the same on both sides of the index.

/// The words of a query: each distinct term, the prefix it matches longer
/// terms by, and the plain word (split at anything but letters and digits
/// only, so `GitHub` is one) it came from.
#[derive(Debug, Default)]
pub(super) struct QueryWords {
    /// The query's distinct terms, in order.
    pub(super) terms: Vec<String>,
    /// Per term, the word it came from less a plural `s` (`files` ->
    /// `file`, not the stem `fil`, which would find `filter`).
    pub(super) prefixes: Vec<String>,
    /// Per term, the index in `plain` of the word it first came from.
    pub(super) from: Vec<usize>,
    /// The query's plain words, lowercased, letters and digits only.
    pub(super) plain: Vec<String>,
}

impl QueryWords {
    /// The words of `query`.
    pub(super) fn of(query: &str) -> Self {
        let mut words = Self::default();
        for plain in query.split(|c: char| !c.is_alphanumeric()).filter(|plain| !plain.is_empty()) {
            let index = words.plain.len();
            words.plain.push(compact(plain));
            tokenize(plain, &mut |term, word| {
                if !words.terms.iter().any(|t| t == term) {
                    words.terms.push(term.to_owned());
                    let plural = word.len() > 3 && word.ends_with('s') && !word.ends_with("ss");
                    words.prefixes.push(word[..word.len() - usize::from(plural)].to_owned());
                    words.from.push(index);
                }
            });
        }
        words
    }
}

/// Groups of words that mean the same in tool descriptions, mostly verbs:
/// a query word finds the others of its group, at the weight of a related
/// term (see `score`).
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
pub(super) const STOPWORDS: &[&str] = &[
    "a", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "how",
    "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "should", "so", "some",
    "than", "that", "the", "their", "them", "then", "there", "these", "this", "those", "to", "via", "was", "we",
    "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];
/// The length of the longest of [`STOPWORDS`].
pub(super) const STOPWORD_MAX_LEN: usize = 6;

/// Whether `word` (lowercase) is one of [`STOPWORDS`].
fn is_stopword(word: &str) -> bool {
    word.len() <= STOPWORD_MAX_LEN && STOPWORDS.binary_search(&word).is_ok()
}

/// The terms of the other words of `term`'s group in [`SYNONYMS`].
pub(super) fn synonyms(term: &str) -> impl Iterator<Item = String> {
    let stems = |group: &[&str]| -> Vec<String> { group.iter().map(|word| terms_of(word).concat()).collect() };
    let group = SYNONYMS.iter().map(|group| stems(group)).find(|stems| stems.iter().any(|stem| stem == term));
    let term = term.to_owned();
    group.unwrap_or_default().into_iter().filter(move |stem| *stem != term)
}

/// The terms of `text`.
pub(super) fn terms_of(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    tokenize(text, &mut |term, _| terms.push(term.to_owned()));
    terms
}

/// Calls `f` with each term of `text` and the word it comes from: its words,
/// split at anything but letters and digits and at camelCase boundaries,
/// lowercased, without stopwords and single ASCII characters; the terms
/// stemmed.
pub(super) fn tokenize(text: &str, f: &mut impl FnMut(&str, &str)) {
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
pub(super) fn compact(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}
