//! JSDoc comments: which schema annotations become comment text and tags, and
//! how text is written into a `/** */` block so that it can never end the
//! comment early. Knows nothing about types or declarations.

use serde_json::{Map, Value};

use super::names::pad;

/// Longest `default`/`examples` value (as compact JSON) worth a tag: longer
/// ones cost the model more tokens than they teach it.
const SHORT: usize = 80;

/// How many `examples` are shown at most.
const MAX_EXAMPLES: usize = 3;

/// Keywords shown as `@keyword value` because TypeScript types cannot say them.
const CONSTRAINTS: [&str; 14] = [
    "format",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// `text` as comment lines: split at every line break JavaScript knows,
/// trailing blanks and blank edges dropped.
pub(super) fn text_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .replace("\r\n", "\n")
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(|line| line.trim_end().to_owned())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let leading_blank = lines.iter().take_while(|line| line.is_empty()).count();
    lines.drain(..leading_blank);
    lines
}

/// Appends `lines` as a comment at `indent` (one line `/** x */` when there is
/// a single line), or nothing when there are none. Every `*/` in them is
/// defused here, the one place all comment text passes through.
pub(super) fn write(out: &mut String, lines: &[String], indent: usize) {
    let pad = pad(indent);
    let lines: Vec<String> = lines.iter().map(|line| line.replace("*/", "*\\/")).collect();
    match lines.as_slice() {
        [] => {}
        [line] => out.push_str(&format!("{pad}/** {line} */\n")),
        _ => {
            out.push_str(&format!("{pad}/**\n"));
            for line in &lines {
                let sep = if line.is_empty() { "" } else { " " };
                out.push_str(&format!("{pad} *{sep}{line}\n"));
            }
            out.push_str(&format!("{pad} */\n"));
        }
    }
}

/// Title and description as comment lines. The title is left out when it only
/// repeats `subject` (pydantic titles every property after its name) or the
/// description.
pub(super) fn summary(title: Option<&str>, description: Option<&str>, subject: &str) -> Vec<String> {
    let description = description.map(text_lines).unwrap_or_default();
    let title = title.filter(|title| {
        let key = normalized(title);
        key != normalized(subject) && !description.first().is_some_and(|first| normalized(first).starts_with(&key))
    });
    let mut lines = title.map(text_lines).unwrap_or_default();
    if !lines.is_empty() && !description.is_empty() {
        lines.push(String::new());
    }
    lines.extend(description);
    lines
}

/// Lower-case letters and digits only, to compare titles with names.
fn normalized(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether `schema` has a title or description worth a comment.
pub(super) fn described(schema: &Value) -> bool {
    schema.as_object().is_some_and(|map| !summary(string(map, "title"), string(map, "description"), "").is_empty())
}

/// The full comment of a schema that documents a property or a named type.
pub(super) fn schema_doc(schema: &Value, subject: &str) -> Vec<String> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut lines = summary(string(map, "title"), string(map, "description"), subject);
    lines.extend(annotations(map));
    lines
}

/// The tags for what TypeScript cannot express: constraints (also those of
/// `anyOf`/`oneOf` branches, so `Optional[datetime]`'s format is not lost in
/// `string | null`), short defaults and examples, deprecation.
pub(super) fn annotations(schema: &Map<String, Value>) -> Vec<String> {
    let mut tags = constraints(schema);
    for keyword in ["anyOf", "oneOf"] {
        let branches = schema.get(keyword).and_then(Value::as_array).into_iter().flatten();
        for tag in branches.filter_map(Value::as_object).flat_map(constraints) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    let examples = match (schema.get("examples"), schema.get("example")) {
        (Some(Value::Array(examples)), _) => examples.iter().collect(),
        (_, Some(example)) => vec![example],
        _ => Vec::new(),
    };
    let short = |value: &Value| Some(value.to_string()).filter(|json| json.len() <= SHORT);
    if let Some(default) = schema.get("default").and_then(short) {
        tags.extend(tagged("@default", text_lines(&default)));
    }
    for example in examples.into_iter().filter_map(short).take(MAX_EXAMPLES) {
        tags.extend(tagged("@example", text_lines(&example)));
    }
    if schema.get("deprecated") == Some(&Value::Bool(true)) {
        tags.push("@deprecated".to_owned());
    }
    tags
}

/// `lines` led by `tag` on the first line (`@param args.x First line`).
pub(super) fn tagged(tag: &str, mut lines: Vec<String>) -> Vec<String> {
    match lines.first_mut() {
        Some(first) => *first = format!("{tag} {first}"),
        None => lines.push(tag.to_owned()),
    }
    lines
}

/// `@keyword value` for each constraint keyword of `schema`.
fn constraints(schema: &Map<String, Value>) -> Vec<String> {
    let mut tags = Vec::new();
    for keyword in CONSTRAINTS {
        let Some(value) = schema.get(keyword) else {
            continue;
        };
        // Draft-04 spells an exclusive bound as a flag beside minimum/maximum.
        let exclusive = |flag: &str| schema.get(flag) == Some(&Value::Bool(true));
        let tag = match (keyword, value) {
            ("exclusiveMinimum" | "exclusiveMaximum", Value::Bool(_)) => continue,
            ("minimum", _) if exclusive("exclusiveMinimum") => "exclusiveMinimum",
            ("maximum", _) if exclusive("exclusiveMaximum") => "exclusiveMaximum",
            _ => keyword,
        };
        let value = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        tags.extend(tagged(&format!("@{tag}"), text_lines(&value)));
    }
    tags
}

/// A string-valued keyword of a schema.
pub(super) fn string<'a>(schema: &'a Map<String, Value>, keyword: &str) -> Option<&'a str> {
    schema.get(keyword).and_then(Value::as_str)
}
