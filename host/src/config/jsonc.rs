//! JSONC to JSON: blanks out comments, trailing commas and a leading
//! byte-order mark so that `serde_json` can parse VS Code's `mcp.json` and
//! hand-edited files. It does not validate anything; `serde_json` does.
//!
//! Everything removed becomes spaces of the same byte length (newlines
//! stay), so `serde_json`'s line and column numbers point into the original
//! text.

/// Returns `text` with `//` and `/* */` comments, commas directly before a
/// closing `}` or `]`, and a leading U+FEFF replaced by spaces.
pub(super) fn to_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    // Where in `out` the last comma after a value is, while only whitespace
    // and comments have followed it. A comma after `[`, `{` or `,` is not
    // trailing but wrong, and is left for serde_json to report.
    let mut comma: Option<usize> = None;
    let mut after_value = false;
    if chars.next_if_eq(&'\u{feff}').is_some() {
        blank(&mut out, '\u{feff}');
    }
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                (comma, after_value) = (None, true);
                out.push(c);
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                blank(&mut out, c);
                while let Some(c) = chars.next_if(|&c| c != '\n') {
                    blank(&mut out, c);
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                blank(&mut out, c);
                blank(&mut out, '*');
                chars.next();
                let mut star = false;
                for c in chars.by_ref() {
                    blank(&mut out, c);
                    if star && c == '/' {
                        break;
                    }
                    star = c == '*';
                }
            }
            ',' => {
                comma = after_value.then_some(out.len());
                after_value = false;
                out.push(c);
            }
            '}' | ']' => {
                if let Some(at) = comma.take() {
                    out.replace_range(at..=at, " ");
                }
                after_value = true;
                out.push(c);
            }
            ' ' | '\t' | '\n' | '\r' => out.push(c),
            _ => {
                comma = None;
                after_value = !matches!(c, '[' | '{' | ':');
                out.push(c);
            }
        }
    }
    out
}

/// Appends `c` as spaces of its UTF-8 length, keeping line breaks.
fn blank(out: &mut String, c: char) {
    match c {
        '\n' | '\r' => out.push(c),
        _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
    }
}

#[cfg(test)]
mod tests {
    use super::to_json;

    /// `test_name: jsonc input => json output;`
    macro_rules! blanks {
        ($($name:ident: $text:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(to_json($text), $want);
            }
        )*};
    }

    blanks! {
        plain_json_unchanged: r#"{"a": [1, "//"]}"# => r#"{"a": [1, "//"]}"#;
        line_comment: "{ // hi\n}" => "{      \n}";
        block_comment: "[/* a\nb */1]" => "[    \n    1]";
        block_comment_stars: "[/** x **/1]" => "[         1]";
        trailing_comma_object: r#"{"a": 1,}"# => r#"{"a": 1 }"#;
        trailing_comma_before_comment: "[1, // x\n]" => "[1      \n]";
        leading_comma_kept: "[,]" => "[,]";
        double_comma_kept: "[1,,]" => "[1,,]";
        inner_comma_kept: "[1, 2]" => "[1, 2]";
        escaped_quote: r#"["a\"//",]"# => r#"["a\"//" ]"#;
        non_ascii_comment_keeps_bytes: "/* é */1" => "        1";
        bom: "\u{feff}{}" => "   {}";
        unterminated_string: r#"{"a"# => r#"{"a"#;
    }
}
