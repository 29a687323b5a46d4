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
//! brackets count with parentheses. And each `<` inside them may start
//! TypeScript type arguments, read ahead and given up: their number, and
//! the product of their counts per level, are bounded too.
//!
//! The count skips strings, comments and template text (not the `${}` in
//! a template) where oxc's lexer does (a line comment ends at any line
//! terminator): where the two disagree, a deep program could slip past the
//! bound. A regular expression's parentheses count, which only matters for
//! one with 10 unclosed groups or classes. A backslash outside text that starts no
//! `\u` escape is refused the same way: it cannot be read as anything, and
//! the parser's recovery from it made speculation slower still.

/// The most parentheses and brackets a program may have open at once.
pub const MAX_OPEN: usize = 10;

/// The most `<` a program may have inside open parentheses and brackets at
/// once: each may start type arguments to a TypeScript parser, which reads
/// ahead for their end and comes back (5,000 in one took 6.5 s).
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
    /// A backslash outside strings, comments and template text that does
    /// not start a `\u` escape: a lexer error whichever way it is read, and
    /// each one multiplies what a speculative parse redoes (fuzzing found
    /// 300-byte programs of them taking seconds).
    StrayBackslash(usize),
    /// The `<` past [`MAX_OPEN_ANGLES`] (or [`MAX_TRIES`]) inside open
    /// parentheses and brackets.
    TooManyAngles(usize),
}

/// The first thing in `source` that stops it before parsing, if any.
pub fn scan(source: &str) -> Option<Refused> {
    let bytes = source.as_bytes();
    // The `<`s inside each open parenthesis or bracket, and for each
    // template being read, the depth of braces at its `${` (a `}` at that
    // depth goes back to template text).
    let (mut open, mut braces, mut templates) = (Vec::<usize>::new(), 0usize, Vec::new());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => {
                open.push(0);
                if open.len() > MAX_OPEN {
                    return Some(Refused::TooDeep(i));
                }
            }
            b')' | b']' => _ = open.pop(),
            b'<' => {
                if let Some(inner) = open.last_mut() {
                    *inner += 1;
                    let angles: usize = open.iter().sum();
                    let tries = open.iter().fold(1usize, |product, &n| product.saturating_mul(n + 1));
                    if angles > MAX_OPEN_ANGLES || tries > MAX_TRIES {
                        return Some(Refused::TooManyAngles(i));
                    }
                }
            }
            b'{' => braces += 1,
            b'}' if templates.last() == Some(&braces) => {
                templates.pop();
                i = template(bytes, i + 1, &mut templates, braces);
                continue;
            }
            b'}' => braces = braces.saturating_sub(1),
            b'`' => {
                i = template(bytes, i + 1, &mut templates, braces);
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
            b'\\' if bytes.get(i + 1) == Some(&b'u') => i += 1,
            b'\\' => return Some(Refused::StrayBackslash(i)),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && !line_terminator(&bytes[i..]) {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
    i
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
        let cases: [(String, Option<usize>); 17] = [
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
        ];
        for (source, expected) in cases {
            assert_eq!(too_deep(&source), expected, "{source:?}");
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
        ];
        for (source, expected) in cases {
            assert_eq!(refused(&source), expected, "{}", &source[..source.len().min(60)]);
        }
    }

    #[test]
    fn a_backslash_outside_text_is_refused_unless_it_starts_a_unicode_escape() {
        let cases: [(&str, Option<Refused>); 9] = [
            ("a\\b", Some(Refused::StrayBackslash(1))),
            ("\\`(`", Some(Refused::StrayBackslash(0))),
            ("x = 1 \\\n", Some(Refused::StrayBackslash(6))),
            ("\\u0061 = 1", None),
            ("'a\\b'", None),
            ("\"a\\\"b\"", None),
            ("`a\\b ${1}`", None),
            ("// a \\ b\n/* \\ */ x", None),
            ("/a\\/b/", Some(Refused::StrayBackslash(2))),
        ];
        for (source, expected) in cases {
            assert_eq!(scan(source), expected, "{source:?}");
        }
    }
}
