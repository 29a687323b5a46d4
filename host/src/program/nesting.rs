//! A bound on how deep a program nests parentheses and brackets, checked
//! before it is parsed.
//!
//! oxc (like any JavaScript parser) cannot tell an arrow function's
//! parameters from a parenthesized expression until it reaches the `=>`, so
//! it tries one reading and falls back to the other; with a default value
//! holding another `(` (`(a=b<(c=d<(...`), each level doubles the work.
//! Fuzzing found 250-byte programs that take seconds to parse, on the host,
//! before the sandbox and its limits exist. Programs people and models
//! write do not hold more than a handful of unclosed parentheses at once, so
//! more than [`MAX_OPEN`] is refused as a syntax error at the one that goes
//! too deep. With TypeScript's `<` speculating too, each level can triple
//! the work (fuzzing found 12 levels taking 0.7 s, 14 taking 6 s); 10 keeps
//! the worst found near a tenth of a second. A `[` after a `<` is
//! speculated on alike (`s<r<[s,(a` ten times over took a second), so
//! brackets count with parentheses. And each `<` may start TypeScript type
//! arguments, read ahead (into the parentheses after it, too) and given up:
//! the `<`s of each open level (the top level, each parenthesis, bracket and
//! brace) since that level's last `;` are counted, and their number and the
//! product of their counts per level are bounded.
//!
//! The count skips strings, comments, template text (not the `${}` in a
//! template) and regular expressions where oxc's lexer does (a line comment
//! ends at any line terminator): where the two disagree, a deep program
//! could slip past the bound. A `/` starts a regular expression only where
//! JavaScript has no division; where the scan is unsure it reads division
//! and counts what follows, which can only refuse more. A backslash outside
//! that text that starts no `\u` escape (four hex digits or `{hex}`) is
//! refused the same way: it cannot be read as anything, and the parser's
//! recovery from it made speculation slower still.

/// The most parentheses and brackets a program may have open at once.
pub const MAX_OPEN: usize = 10;

/// The most `<` a program may have open at once (in open levels, each since
/// its last `;`): each may start type arguments to a TypeScript parser,
/// which reads ahead for their end and comes back (5,000 in one parenthesis
/// took 6.5 s, 5,000 in a top-level list 6 s).
pub const MAX_OPEN_ANGLES: usize = 500;
/// The most readings those `<` may multiply into: the product over the open
/// levels of one more than the `<` each holds (five levels of 20 took 18 s;
/// 10,000 keeps the worst found near a tenth of a second).
const MAX_TRIES: usize = 10_000;

/// What stops a program before it is parsed, at a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The first `(` or `[` that opens more than [`MAX_OPEN`].
    TooDeep(usize),
    /// A backslash outside strings, comments, template text and regular
    /// expressions that starts no `\u` escape: a lexer error whichever way
    /// it is read (oxc's TypeScript parser can lose it), and
    /// each one multiplies what a speculative parse redoes (fuzzing found
    /// 300-byte programs of them taking seconds).
    StrayBackslash(usize),
    /// The `<` past [`MAX_OPEN_ANGLES`] (or [`MAX_TRIES`]) open at once.
    TooManyAngles(usize),
}

/// The first thing in `source` that stops it before parsing, if any.
pub fn scan(source: &str) -> Option<Refused> {
    let bytes = source.as_bytes();
    // The `<`s of each open level since its last `;` (the top level, then
    // each `(`, `[` and `{`, flagged when it counts towards [`MAX_OPEN`]),
    // and for each template being read, the depth of braces at its `${` (a
    // `}` at that depth goes back to template text).
    let mut open: Vec<(usize, bool)> = vec![(0, false)];
    let (mut deep, mut braces, mut templates) = (0usize, 0usize, Vec::new());
    // Whether a `/` starts a regular expression depends on what is before it.
    let mut seen = Seen::default();
    let mut i = 0;
    while i < bytes.len() {
        let mut significant = !bytes[i].is_ascii_whitespace();
        match bytes[i] {
            b'(' | b'[' => {
                open.push((0, true));
                deep += 1;
                if deep > MAX_OPEN {
                    return Some(Refused::TooDeep(i));
                }
            }
            b'{' => {
                open.push((0, false));
                braces += 1;
            }
            b'}' if templates.last() == Some(&braces) => {
                templates.pop();
                i = template(bytes, i + 1, &mut templates, braces);
                seen.byte(bytes, i - 1);
                continue;
            }
            b')' | b']' | b'}' => {
                if open.len() > 1 && open.pop().is_some_and(|(_, counts)| counts) {
                    deep -= 1;
                }
                if bytes[i] == b'}' {
                    braces = braces.saturating_sub(1);
                }
            }
            // A `;` ends what a `<` before it could be read ahead into.
            b';' => open.last_mut().expect("the top level stays open").0 = 0,
            b'<' => {
                open.last_mut().expect("the top level stays open").0 += 1;
                let angles: usize = open.iter().map(|(n, _)| n).sum();
                let tries = open.iter().fold(1usize, |product, &(n, _)| product.saturating_mul(n + 1));
                if angles > MAX_OPEN_ANGLES || tries > MAX_TRIES {
                    return Some(Refused::TooManyAngles(i));
                }
            }
            b'`' => {
                i = template(bytes, i + 1, &mut templates, braces);
                seen.byte(bytes, i - 1);
                continue;
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && !matches!(bytes[i], b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // Outside text, a backslash can only start a `\u` escape in a
            // name (the lexer then reads on as the name's).
            b'\\' if unicode_escape(&bytes[i..]) => i += 1,
            b'\\' => return Some(Refused::StrayBackslash(i)),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                significant = false;
                while i < bytes.len() && !line_terminator(&bytes[i..]) {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                significant = false;
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'/' if seen.regex_may_start(bytes) => i = regex_end(bytes, i + 1) - 1,
            _ => {}
        }
        if significant {
            seen.byte(bytes, i.min(bytes.len() - 1));
        }
        i += 1;
    }
    None
}

/// Whether `bytes` starts with a `\u` escape: four hex digits or `{hex}`.
fn unicode_escape(bytes: &[u8]) -> bool {
    match bytes {
        [b'\\', b'u', b'{', rest @ ..] => {
            let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            digits > 0 && rest.get(digits) == Some(&b'}')
        }
        [b'\\', b'u', hex @ ..] => hex.len() >= 4 && hex[..4].iter().all(u8::is_ascii_hexdigit),
        _ => false,
    }
}

/// Where the last bytes that are not space or comment are.
#[derive(Default)]
struct Seen {
    /// The last one.
    last: Option<usize>,
    /// The one before it.
    before: Option<usize>,
    /// The one before the last word (name, keyword or number).
    before_word: Option<usize>,
}

impl Seen {
    fn byte(&mut self, bytes: &[u8], at: usize) {
        if word(bytes[at]) && (at == 0 || !word(bytes[at - 1])) {
            self.before_word = self.last;
        }
        (self.before, self.last) = (self.last, Some(at));
    }

    /// Whether a `/` here starts a regular expression. Only where JavaScript
    /// has no division: at the start, after `( , = : [ { ; ? & |`, `=>`, a
    /// prefix `!` and the keywords that take an expression. Everywhere else
    /// (after a name, a `)`, a `}`, a postfix `!`, `++`, a type's `>`) it is
    /// read as division, whose text is counted: were the scan to take a
    /// division for a regular expression, it would skip what the parser reads.
    fn regex_may_start(&self, bytes: &[u8]) -> bool {
        let Some(at) = self.last else { return true };
        match bytes[at] {
            b'(' | b',' | b'=' | b':' | b'[' | b'{' | b';' | b'?' | b'&' | b'|' => true,
            b'>' => at > 0 && bytes[at - 1] == b'=',
            b'!' => match self.before {
                Some(before) if word(bytes[before]) => self.keyword_ends_at(bytes, before),
                Some(before) => !matches!(bytes[before], b')' | b']'),
                None => true,
            },
            b if word(b) => self.keyword_ends_at(bytes, at),
            _ => false,
        }
    }

    /// Whether the last word, ending at `end`, is a keyword that takes an
    /// expression (not a property of that name).
    fn keyword_ends_at(&self, bytes: &[u8], end: usize) -> bool {
        let start = bytes[..end].iter().rposition(|&b| !word(b)).map_or(0, |p| p + 1);
        let keyword = matches!(
            &bytes[start..=end],
            b"return"
                | b"typeof"
                | b"instanceof"
                | b"in"
                | b"new"
                | b"delete"
                | b"void"
                | b"throw"
                | b"case"
                | b"do"
                | b"else"
        );
        keyword && self.before_word.is_none_or(|b| bytes[b] != b'.')
    }
}

/// Whether `b` can be part of a name, keyword or number.
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$') || b >= 0x80
}

/// The index after a regular expression's closing `/` (or its line's end),
/// reading from after the opening one.
fn regex_end(bytes: &[u8], mut i: usize) -> usize {
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

/// Whether `bytes` starts with one of JavaScript's line terminators: `\n`,
/// `\r`, U+2028 or U+2029 (a line comment ends at each).
fn line_terminator(bytes: &[u8]) -> bool {
    matches!(bytes, [b'\n' | b'\r', ..] | [0xe2, 0x80, 0xa8 | 0xa9, ..])
}

/// Reads template text from `i` to its end (the index after the closing
/// backtick) or to a `${` (the index after it, with the template pushed at
/// brace depth `braces`).
fn template(bytes: &[u8], mut i: usize, templates: &mut Vec<usize>, braces: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                templates.push(braces);
                return i + 2;
            }
            _ => i += 1,
        }
    }
    i.min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_parentheses_and_stray_backslashes_are_found_and_text_is_skipped() {
        let too_deep = |source: &str| match scan(source) {
            Some(Refused::TooDeep(at)) => Some(at),
            _ => None,
        };
        let deep = |n: usize| "(on=a<\n".repeat(n);
        let cases = [
            (deep(10), None),
            (deep(11), Some(10 * 7)),
            ("s<r<[s,(a".repeat(6), Some(5 * 9 + 4)),
            ("[(".repeat(5) + &")]".repeat(5), None),
            ("f(".repeat(10) + &")".repeat(10), None),
            (format!("const s = \"{}\";", "(".repeat(40)), None),
            (format!("const s = '{}';", "(".repeat(40)), None),
            (format!("// {}\nx", "(".repeat(40)), None),
            (format!("/* {} */ x", "(".repeat(40)), None),
            (format!("`{}`", "(".repeat(40)), None),
            (format!("`${{{}}}`", "(".repeat(11)), Some(3 + 10)),
            // Where oxc's lexer reads no text, neither does the count.
            (format!("\\u0061`{}`", "(".repeat(11)), None),
            (format!("\\u0061{}", "(".repeat(11)), Some(6 + 10)),
            (format!("//\r{}", "(".repeat(11)), Some(3 + 10)),
            (format!("//\u{2028}{}", "(".repeat(11)), Some(5 + 10)),
            (format!("'\r{}", "(".repeat(11)), Some(2 + 10)),
            (format!("/\\({}/", "(".repeat(10)), None),
            // A regular expression's quote starts no string, its `//` no comment.
            (format!("s.replace(/\"/g, '') + {}", "(".repeat(11)), Some(22 + 10)),
            (format!("s.replace(/[//]/g, '') + {}", "(".repeat(11)), Some(25 + 10)),
            // A division's text is counted.
            (format!("a / {}/", "(".repeat(11)), Some(4 + 10)),
        ];
        for (source, expected) in cases {
            assert_eq!(too_deep(&source), expected, "{source:?}");
        }
        // Text cut off by the end of the source ends the scan.
        for source in ["`\\", "`${`\\", "'\\", "/\\", "a = /\\", "/*", "//", "`${"] {
            assert_eq!(scan(source), None, "{source:?}");
        }
        // A template's `${}` returns to its text at the matching brace.
        assert_eq!(too_deep(&format!("`${{ {{a:1}} }}{}`", "(".repeat(40))), None);
        assert_eq!(too_deep(&format!("`${{1}}` + {}", "(".repeat(11))), Some(9 + 10));
    }

    #[test]
    fn angles_inside_open_parentheses_are_bounded() {
        let many = |levels: usize, angles: usize| format!("(a=!{}\n", "a<".repeat(angles)).repeat(levels);
        let refused = |source: &str| matches!(scan(source), Some(Refused::TooManyAngles(_)));
        let cases = [
            (many(1, 500), false),
            (many(1, 501), true),
            (many(4, 9), false),
            (many(4, 10), true),
            (many(5, 20), true),
            (format!("{}\n", "a < b;".repeat(5000)), false),
            (format!("f(({}) => 1)", "x: Array<Map<string, number>>, ".repeat(20)), false),
            (format!("(`{}`)", "<".repeat(1000)), false),
            // The top level and blocks are levels too, and a `;` ends what a
            // `<` before it can be read ahead into.
            ("on<".repeat(500), false),
            ("on<".repeat(501), true),
            ("a<b, ".repeat(501), true),
            ("a < b\n".repeat(501), true),
            ("a < b;\n".repeat(501), false),
            (format!("{}({}", "on<".repeat(99), "on<".repeat(99)), false),
            (format!("{}({}", "on<".repeat(99), "on<".repeat(100)), true),
            (format!("xs.map((x) => {{ {} }})", "y = x < 1; ".repeat(1000)), false),
            (format!("for (let i = 0; i < n; i++) {{ {} }}\n", "if (a < b) { c = d < e; }".repeat(1000)), false),
            // The campaign's: a chain at the top level read ahead into parentheses.
            (format!("{}\n(on=a<\n(on=(Clal=an=a<ona<\n([o={}", "on<".repeat(45), "a<".repeat(102)), true),
        ];
        for (source, expected) in cases {
            assert_eq!(refused(&source), expected, "{}", &source[..source.len().min(60)]);
        }
    }

    #[test]
    fn a_backslash_outside_text_is_refused_unless_it_starts_a_unicode_escape() {
        let cases = [
            ("a\\b", Some(Refused::StrayBackslash(1))),
            ("\\`(`", Some(Refused::StrayBackslash(0))),
            ("x = 1 \\\n", Some(Refused::StrayBackslash(6))),
            ("\\u0061 = 1", None),
            ("'a\\b'", None),
            ("\"a\\\"b\"", None),
            ("`a\\b ${1}`", None),
            ("// a \\ b\n/* \\ */ x", None),
            // In a regular expression, escapes are its own.
            ("return s.replace(/a\\/b\\d[/\\]]/g, 'x')", None),
            ("if (!/^\\d+$/.test(s)) x", None),
            ("xs.filter((x) => /\\s/.test(x)) && /\\w/", None),
            ("a = b / 2 / c", None),
            // Where JavaScript divides, so does the scan (and a backslash after
            // it is stray): after a name, a postfix `!`, a `)`, a `}`.
            ("x = a!/\\d/", Some(Refused::StrayBackslash(7))),
            ("x = a.return /\\d/", Some(Refused::StrayBackslash(14))),
            ("if (a) /\\d/", Some(Refused::StrayBackslash(8))),
            ("{} /\\d/", Some(Refused::StrayBackslash(4))),
            ("x.return!/\\d/", Some(Refused::StrayBackslash(10))),
            // Comments between are not looked at.
            ("// x.\nreturn /\\d/", None),
            ("return /* ( */ !/\\d/", None),
            ("x = a /* = */ /\\d/", Some(Refused::StrayBackslash(15))),
            // A `\u` escape is four hex digits or `{hex}`.
            ("\\u{61} = 1", None),
            ("a\\ut", Some(Refused::StrayBackslash(1))),
            ("a\\u006", Some(Refused::StrayBackslash(1))),
            ("a\\u{}", Some(Refused::StrayBackslash(1))),
        ];
        for (source, expected) in cases {
            assert_eq!(scan(source), expected, "{source:?}");
        }
    }
}
