//! Whether a `/` divides or starts a regular expression, told from what is
//! before it, as the scan reads a program.
//!
//! A lexer cannot tell alone: oxc's parser tells it from where it is in the
//! grammar. The scan has only the bytes before, so it takes a regular
//! expression where JavaScript expects an operand (at the start, after an
//! opening, an operator other than a postfix `++`/`--`, `=>`, a prefix `!`,
//! the keywords that take an expression, and the parenthesis of an `if`,
//! `for`, `while` or `with`), and division after an operand (a name, a
//! number, a string, a `)` or `]`, a postfix `!`). Each misreading would skip
//! text the parser reads: a regular expression taken for division reads its
//! quote as a string; a division taken for a regular expression skips to the
//! next `/`. What stays unsure (after a `}`, which ends a block or an object;
//! after a `>`, which may end type arguments; after `await`, `yield` and
//! `default`, which may be names; after `!!`) is read as division, and
//! refused when a quote or backtick follows on its line, which one reading
//! would take for text and the other not.

use super::line_terminator;

/// How the scan reads a `/`.
pub(super) enum Slash {
    /// It starts a regular expression.
    Regex,
    /// It divides.
    Division,
    /// Either: read as division where no quote or backtick follows on its
    /// line.
    Unsure,
}

/// The keywords after which an expression, so a regular expression, starts.
const BEFORE_EXPRESSION: [&[u8]; 9] =
    [b"return", b"typeof", b"instanceof", b"in", b"new", b"throw", b"case", b"do", b"else"];

/// The words that may be keywords taking an expression, or names.
const MAYBE_BEFORE_EXPRESSION: [&[u8]; 3] = [b"await", b"yield", b"default"];

/// The keywords whose parenthesis a statement, not an operator, follows.
const CONTROL: [&[u8]; 4] = [b"if", b"for", b"while", b"with"];

/// The reserved words that start statements and can never be part of a
/// type (unlike `let`, `async` or `import`, which a type may hold).
const STATEMENT: [&[u8]; 15] = [
    b"const",
    b"var",
    b"function",
    b"class",
    b"if",
    b"for",
    b"while",
    b"do",
    b"return",
    b"throw",
    b"try",
    b"switch",
    b"break",
    b"continue",
    b"export",
];

/// The length of the longest of [`STATEMENT`] (`function`, `continue`).
const LONGEST_STATEMENT: usize = {
    let (mut longest, mut i) = (0, 0);
    while i < STATEMENT.len() {
        if STATEMENT[i].len() > longest {
            longest = STATEMENT[i].len();
        }
        i += 1;
    }
    longest
};

/// Where the last bytes that are not space or comment are.
#[derive(Default)]
pub(super) struct Seen {
    /// The last one.
    last: Option<usize>,
    /// The one before it.
    before: Option<usize>,
    /// The one before the last word (name, keyword or number).
    before_word: Option<usize>,
    /// The last `)` that closed the parenthesis of a control keyword.
    head_closed: Option<usize>,
}

impl Seen {
    /// Records the byte at `at` as the last one.
    pub(super) fn byte(&mut self, bytes: &[u8], at: usize) {
        if word(bytes[at]) && (at == 0 || !word(bytes[at - 1])) {
            self.before_word = self.last;
        }
        (self.before, self.last) = (self.last, Some(at));
    }

    /// Records that the closer at `at` closed a control keyword's
    /// parenthesis (`head`) or not.
    pub(super) fn closes_head(&mut self, at: usize, head: bool) {
        if head {
            self.head_closed = Some(at);
        }
    }

    /// Whether the `(` about to be read is a control keyword's.
    pub(super) fn after_control_keyword(&self, bytes: &[u8]) -> bool {
        self.last.is_some_and(|at| self.keyword(bytes, at, &CONTROL))
    }

    /// How a `/` here reads.
    pub(super) fn slash(&self, bytes: &[u8]) -> Slash {
        match self.last {
            // A prefix `!` stands where an operand is expected; a postfix one
            // (TypeScript's non-null) after an operand.
            Some(at) if bytes[at] == b'!' => match self.before {
                Some(before) if bytes[before] == b'!' => Slash::Unsure,
                before => self.after(bytes, before),
            },
            last => self.after(bytes, last),
        }
    }

    /// How a `/` after the byte at `at` (not a `!`) reads.
    fn after(&self, bytes: &[u8], at: Option<usize>) -> Slash {
        let Some(at) = at else { return Slash::Regex };
        let regex = |yes: bool| if yes { Slash::Regex } else { Slash::Division };
        match bytes[at] {
            // After an operator or an opening, an operand is expected.
            b'(' | b',' | b'=' | b':' | b'[' | b'{' | b';' | b'?' | b'&' | b'|' | b'*' | b'%' | b'^' | b'~' | b'<'
            | b'!' => Slash::Regex,
            // But not after a postfix `++` or `--`.
            b'+' | b'-' => regex(at == 0 || bytes[at - 1] != bytes[at]),
            // `=>`, or a comparison, or the end of TypeScript type arguments.
            b'>' if at > 0 && bytes[at - 1] == b'=' => Slash::Regex,
            b'>' => Slash::Unsure,
            b')' => regex(self.head_closed == Some(at)),
            // The end of a block or of an object.
            b'}' => Slash::Unsure,
            b if word(b) && self.keyword(bytes, at, &MAYBE_BEFORE_EXPRESSION) => Slash::Unsure,
            b if word(b) => regex(self.keyword(bytes, at, &BEFORE_EXPRESSION)),
            _ => Slash::Division,
        }
    }

    /// Whether the word ending at `end` is one of `keywords`, as a keyword:
    /// not a property (`.return`), a private name (`#in`) or the end of an
    /// escaped name (`\u{61}in`).
    fn keyword(&self, bytes: &[u8], end: usize, keywords: &[&[u8]]) -> bool {
        if !word(bytes[end]) {
            return false;
        }
        let start = bytes[..end].iter().rposition(|&b| !word(b)).map_or(0, |p| p + 1);
        let escaped = start > 0 && matches!(bytes[start - 1], b'#' | b'}' | b'\\' | b'.');
        let property = self.before_word.is_some_and(|b| bytes[b] == b'.');
        keywords.contains(&&bytes[start..=end]) && !escaped && !property
    }
}

/// Whether a statement keyword that no type can hold starts at `at`, first
/// on its line.
pub(super) fn statement_keyword_at(bytes: &[u8], at: usize) -> bool {
    // Cheapest first: this is asked at every letter, and a long name must
    // not be read to its end from each of its letters.
    if at > 0 && word(bytes[at - 1]) {
        return false;
    }
    let rest = &bytes[at..bytes.len().min(at + LONGEST_STATEMENT + 1)];
    let end = rest.iter().position(|&b| !word(b)).unwrap_or(rest.len());
    STATEMENT.contains(&&rest[..end])
        && bytes[..at].iter().rposition(|b| !matches!(b, b' ' | b'\t')).is_none_or(|b| line_terminator(&bytes[b..]))
}

/// Whether a quote or backtick follows `at` on its line, with what was
/// found for an earlier `at` on the same line (its line's end and last
/// quote) kept in `line`: many unsure `/` on one line read it once.
pub(super) fn quote_follows(bytes: &[u8], at: usize, line: &mut Option<(usize, Option<usize>)>) -> bool {
    let last = match *line {
        Some((end, last)) if at < end => last,
        _ => {
            let end = (at..bytes.len()).find(|&i| line_terminator(&bytes[i..])).unwrap_or(bytes.len());
            line.insert((end, bytes[at..end].iter().rposition(|b| b"'\"`".contains(b)).map(|n| at + n))).1
        }
    };
    last.is_some_and(|quote| quote > at)
}

/// Whether `b` can be part of a name, keyword or number.
pub(super) fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$') || b >= 0x80
}

/// The index after a regular expression's closing `/` (or its line's end),
/// reading from after the opening one.
pub(super) fn regex_end(bytes: &[u8], mut i: usize) -> usize {
    let mut class = false;
    while i < bytes.len() && !line_terminator(&bytes[i..]) {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i.min(bytes.len())
}
