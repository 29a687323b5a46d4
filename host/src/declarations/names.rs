//! Lexical rules of the emitted TypeScript: identifiers, property keys and
//! literals. Everything that puts text from a schema into TypeScript source
//! outside a comment goes through here, so nothing can break out of a string
//! literal or produce an invalid name. Comments are `jsdoc`'s business.

use serde_json::Value;

/// Whether `text` can be written as a bare identifier (ASCII only: every
/// TypeScript version and every reader accepts it).
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// `raw` made into an identifier: every run of other characters becomes one
/// `_`, leading and trailing `_` are dropped, and a leading digit gets a `_`.
/// Reserved words are left as they are: callers capitalize or know better.
pub(super) fn sanitize(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '$' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_');
    match out.chars().next() {
        None => "_".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("_{out}"),
        Some(_) => out.to_owned(),
    }
}

/// A type name for `raw`: sanitized, first letter upper-cased. Upper case keeps
/// it clear of every keyword (`string`, `unknown`, `class`, ...), which are all
/// lower case.
pub(super) fn type_name(raw: &str) -> String {
    let mut name = sanitize(raw);
    if let Some(first) = name.get(..1) {
        let upper = first.to_ascii_uppercase();
        name.replace_range(..1, &upper);
    }
    name
}

/// A property key: bare when it is an identifier (reserved words included,
/// which TypeScript accepts as property names), else a string literal.
pub(super) fn property_key(key: &str) -> String {
    if is_identifier(key) { key.to_owned() } else { string_literal(key) }
}

/// A double-quoted string literal. JSON escaping is valid TypeScript and
/// escapes quotes, backslashes and control characters.
pub(super) fn string_literal(text: &str) -> String {
    Value::from(text).to_string()
}

/// The literal type of a JSON value (`enum`/`const` members): strings,
/// numbers, booleans and null as themselves, arrays as tuples and objects as
/// object literal types.
pub(super) fn literal_type(value: &Value) -> String {
    match value {
        Value::String(text) => string_literal(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(literal_type).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let fields: Vec<String> =
                map.iter().map(|(key, value)| format!("{}: {}", property_key(key), literal_type(value))).collect();
            format!("{{ {} }}", fields.join("; "))
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => value.to_string(),
    }
}

/// Two spaces per nesting level.
pub(super) fn pad(level: usize) -> String {
    "  ".repeat(level)
}
