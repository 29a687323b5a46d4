//! How a program's form is told from its text, one rule for the host (which
//! parses the program before it runs: `codemode::program`) and the guest
//! (which compiles it: `codemode-guest`'s `program`), so the two can never
//! read a program differently:
//!
//! - a module if a line starts with `import` or `export` ([`is_module`]);
//! - otherwise an expression if one of [`expression_sources`] is one,
//!   wrapped as `(\n{text}\n)`;
//! - otherwise a script body with top-level `await` and `return`.
//!
//! Text only: no parser, no dependencies, so it builds for the Wasm guest.

/// The most texts the expression form tries after the first: how far it
/// looks behind comments at the end of a program. Each is a parse on the
/// host, so a line of many `//` must not multiply that work.
const MAX_FINAL_COMMENTS: usize = 3;

/// Whether `source` is a module: a line starts with `import` or `export`.
pub fn is_module(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        ["import ", "import{", "export ", "export{"].iter().any(|p| line.starts_with(p))
    })
}

/// The texts the expression form tries, in order: the source less a final
/// `;`, which a model ends `async () => { ... };` with and which would
/// otherwise make it a body whose only statement builds a function and
/// drops it; then, while a comment may end it (`}; // done`), the same cut
/// before that comment too ([`final_comment_cuts`]).
pub fn expression_sources(source: &str) -> Vec<&str> {
    let mut sources = vec![without_semicolon(source)];
    let mut rest = source;
    while sources.len() <= MAX_FINAL_COMMENTS {
        let cuts = final_comment_cuts(rest);
        let Some(&first) = cuts.first() else { break };
        sources.extend(cuts.into_iter().map(without_semicolon));
        rest = first;
    }
    sources.truncate(MAX_FINAL_COMMENTS + 1);
    sources
}

fn without_semicolon(source: &str) -> &str {
    let trimmed = source.trim_end();
    trimmed.strip_suffix(';').unwrap_or(trimmed)
}

/// `source` less the comment it may end with: before a final `/* */`, or
/// before each `//` of its last line, leftmost first (one in a string
/// leaves a text that does not parse, so no form is wrongly taken).
fn final_comment_cuts(source: &str) -> Vec<&str> {
    let trimmed = source.trim_end();
    if let Some(inside) = trimmed.strip_suffix("*/") {
        return inside.rfind("/*").map(|at| &trimmed[..at]).into_iter().collect();
    }
    let line = trimmed
        .rfind(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map_or(0, |at| at + trimmed[at..].chars().next().map_or(1, char::len_utf8));
    trimmed[line..].match_indices("//").map(|(at, _)| &trimmed[..line + at]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_told_by_their_lines() {
        let cases = [
            ("import x from 'y';", true),
            ("  export default 1", true),
            ("export{ a }", true),
            ("const important = 1;", false),
            ("// import x\nreturn 1", false),
            ("exports.a = 1", false),
        ];
        for (source, module) in cases {
            assert_eq!(is_module(source), module, "{source:?}");
        }
    }

    #[test]
    fn the_expression_form_looks_behind_a_final_semicolon_and_comments() {
        let cases: [(&str, &[&str]); 7] = [
            ("f()", &["f()"]),
            ("f(); ", &["f()"]),
            ("f(); // done", &["f(); // done", "f()"]),
            ("f() /* a */", &["f() /* a */", "f()"]),
            ("f();\n// a\n// b\n", &["f();\n// a\n// b", "f();\n// a", "f()"]),
            ("g('//'); // c", &["g('//'); // c", "g('", "g('//')"]),
            ("a\n'//'", &["a\n'//'", "a\n'"]),
        ];
        for (source, expected) in cases {
            assert_eq!(expression_sources(source), expected, "{source:?}");
        }
        // However many comments a program ends with, a few texts are tried.
        assert_eq!(expression_sources(&"x // //".repeat(100)).len(), MAX_FINAL_COMMENTS + 1);
    }
}
