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
//! JavaScript expects an operand ([`slash`] says how that is told, and what
//! is refused where it cannot be). A backslash outside
//! that text that starts no `\u` escape (four hex digits or `{hex}`) is
//! refused the same way: it cannot be read as anything, and the parser's
//! recovery from it made speculation slower still.

mod slash;

use slash::{Seen, Slash, quote_follows, regex_end, statement_keyword_at};

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
    /// A `/` that may divide or start a regular expression (after a `}`,
    /// a `>`, `await`, `yield`, `default`) with a quote or a backtick after
    /// it on its line: the two readings skip different text.
    AmbiguousSlash(usize),
}

/// One open level: the top level, a parenthesis, a bracket or a brace.
#[derive(Default, Clone, Copy)]
struct Level {
    /// Its `<`s since its last `;` or statement keyword.
    angles: usize,
    /// Whether it counts towards [`MAX_OPEN`] (a parenthesis or bracket).
    deep: bool,
    /// Whether it is the parenthesis of an `if`, `for`, `while` or `with`
    /// (a `/` after it starts a regular expression).
    head: bool,
}

/// The first thing in `source` that stops it before parsing, if any.
pub fn scan(source: &str) -> Option<Refused> {
    let bytes = source.as_bytes();
    // The `<`s of each open level since its last `;` or statement keyword
    // (the top level, then each `(`, `[` and `{`, flagged when it counts
    // towards [`MAX_OPEN`]), and for each template being read, the depth of
    // braces at its `${` (a `}` at that depth goes back to template text).
    let mut open: Vec<Level> = vec![Level::default()];
    let (mut deep, mut braces, mut templates) = (0usize, 0usize, Vec::new());
    // Whether a `/` starts a regular expression depends on what is before it.
    let mut seen = Seen::default();
    let mut quotes_on_line = None;
    let mut i = 0;
    while i < bytes.len() {
        let mut significant = !bytes[i].is_ascii_whitespace();
        match bytes[i] {
            b'(' | b'[' => {
                let head = bytes[i] == b'(' && seen.after_control_keyword(bytes);
                open.push(Level { angles: 0, deep: true, head });
                deep += 1;
                if deep > MAX_OPEN {
                    return Some(Refused::TooDeep(i));
                }
            }
            b'{' => {
                open.push(Level::default());
                braces += 1;
            }
            b'}' if templates.last() == Some(&braces) => {
                templates.pop();
                i = template(bytes, i + 1, &mut templates, braces);
                seen.byte(bytes, i - 1);
                continue;
            }
            b')' | b']' | b'}' => {
                let closed = if open.len() > 1 { open.pop() } else { None };
                deep -= usize::from(closed.is_some_and(|level| level.deep));
                seen.closes_head(i, closed.is_some_and(|level| level.head));
                if bytes[i] == b'}' {
                    braces = braces.saturating_sub(1);
                }
            }
            // A `;` ends what a `<` before it could be read ahead into, and so
            // does a statement keyword starting a line (no type holds one).
            b';' => open.last_mut().expect("the top level stays open").angles = 0,
            b'a'..=b'w' if statement_keyword_at(bytes, i) => {
                open.last_mut().expect("the top level stays open").angles = 0;
            }
            b'<' => {
                open.last_mut().expect("the top level stays open").angles += 1;
                let angles: usize = open.iter().map(|level| level.angles).sum();
                let tries = open.iter().fold(1usize, |product, level| product.saturating_mul(level.angles + 1));
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
                    // A backslash before CRLF continues the line past both.
                    i += match &bytes[i..] {
                        [b'\\', b'\r', b'\n', ..] => 3,
                        [b'\\', ..] => 2,
                        _ => 1,
                    };
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
            b'/' => match seen.slash(bytes) {
                Slash::Regex => i = regex_end(bytes, i + 1) - 1,
                Slash::Division => {}
                // Read as division (which counts what follows), unless what
                // follows holds text only one of the readings would skip.
                Slash::Unsure if quote_follows(bytes, i, &mut quotes_on_line) => {
                    return Some(Refused::AmbiguousSlash(i));
                }
                Slash::Unsure => {}
            },
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

/// Whether `bytes` starts with one of JavaScript's line terminators: `\n`,
/// `\r`, U+2028 or U+2029 (a line comment ends at each).
pub(super) fn line_terminator(bytes: &[u8]) -> bool {
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
            // A division's text is counted, wherever a regular expression could
            // not be: after a postfix `!`, a type's `void`, a private name, an
            // escaped name.
            (format!("a / {}/", "(".repeat(11)), Some(4 + 10)),
            (format!("x = \"a\"! / {}/", "(".repeat(11)), Some(11 + 10)),
            (format!("x = a as void / {}/", "(".repeat(11)), Some(16 + 10)),
            (format!("this.#return / {}/", "(".repeat(11)), Some(15 + 10)),
            (format!("x = \\u{{61}}in / {}/", "(".repeat(11)), Some(15 + 10)),
            // A regular expression's quote starts no string where one is sure.
            (format!("if (x) /'/.test(s) && {}", "(".repeat(11)), Some(22 + 10)),
            (format!("x = 1 + /'/.source + {}", "(".repeat(11)), Some(21 + 10)),
            // A string continued past CRLF goes on to its quote.
            (format!("x = '\\\r\n' + {}", "(".repeat(11)), Some(12 + 10)),
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
            // Code without semicolons: a statement keyword first on its line
            // ends what a `<` could be read ahead into; `let`, which a type may
            // name, does not.
            (
                "const m: Map<string, Array<number>> = new Map<string, Array<number>>()\nif (a < b) x = c < d\n\
                 function f(): Promise<Array<Row>> {\n  return g<Row>(x < y)\n}\n"
                    .repeat(100),
                false,
            ),
            (format!("a<{}", "\nlet<".repeat(500)), true),
            (format!("a<{}", "\nx.const<".repeat(500)), true),
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
            ("if (a) /\\d/", None),
            ("f(a) /\\d/", Some(Refused::StrayBackslash(6))),
            ("n = 1 + /\\d/.source.length * /\\w/.flags.length - /\\s/.lastIndex", None),
            ("a++ /\\d/", Some(Refused::StrayBackslash(5))),
            ("{} /\\d/", Some(Refused::StrayBackslash(4))),
            ("x.return!/\\d/", Some(Refused::StrayBackslash(10))),
            // Where either reading is possible, a quote in what would be a
            // regular expression is refused, the rest read as division.
            ("if (x) {}\n/'/.test(s)", Some(Refused::AmbiguousSlash(10))),
            ("x = await /'/", Some(Refused::AmbiguousSlash(10))),
            ("x = a as B<C> /\"/", Some(Refused::AmbiguousSlash(14))),
            ("x = {} / 2 / y", None),
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
