//! Brief declarations: what a tool's documentation keeps when many tools
//! share one context window. A description keeps its first paragraph of
//! prose, cut to a budget at a sentence end or a word, marked `…` where it
//! was cut; what servers append after it
//! for the model (examples, usage hints, argument lists, code, tables) is
//! left out. Detected by shape, not by wording alone: a markdown heading,
//! a code fence, a `<tag>` line, a short line ending in `:` (`Examples:`,
//! `When to use:`), a list after prose, or a blank line. Argument types
//! are never shortened: a brief declaration calls the tool exactly as the
//! full one. A declared result type larger than [`OUTPUT_SCHEMA_BYTES`] is
//! left out, and the declaration says so right in its signature
//! (`Promise<unknown /* omitted: detail "full" */>`, see
//! [`RESULT_LEFT_OUT`]), so a model never takes the missing type for an
//! untyped result; smaller ones, and result types learned from the tool's
//! results, are kept whole.

use std::borrow::Cow;

use serde_json::Value;

use super::ToolDecl;

/// Characters of a tool's description in a brief declaration.
pub const TOOL_CHARS: usize = 200;
/// Characters of a parameter's (or any schema's) description.
pub const SCHEMA_CHARS: usize = 60;
/// The largest output schema (as JSON) a brief declaration keeps; a larger
/// result type is left to the full declaration (`unknown` here, with
/// [`RESULT_LEFT_OUT`]).
pub const OUTPUT_SCHEMA_BYTES: usize = 400;
/// The comment after the `unknown` of a result type left out, pointing to
/// `search`'s `detail` (whose description says `full` shows result types).
/// Every token counts: about one in five tools of the evaluation set has a
/// result type this large, so the note is in most answers, which must stay
/// within their budget (`bench/README.md`); in the signature it costs 8
/// tokens, as a `@returns` paragraph 13.
pub const RESULT_LEFT_OUT: &str = "omitted: detail \"full\"";
/// A line ending in `:` up to this many characters labels what follows
/// (`Examples:`, `🧭 Usage Guidance:`) rather than being prose.
const LABEL_CHARS: usize = 60;

/// The first paragraph of prose of `text`, cut to about `budget`
/// characters (at a sentence end when one is near, else at a word; `…`
/// marks the cut either way). Leading labels are skipped, and a list item
/// that comes first counts as prose.
pub fn brief(text: &str, budget: usize) -> Cow<'_, str> {
    let mut paragraph = String::new();
    for line in text.lines().map(str::trim) {
        let started = !paragraph.is_empty();
        if line.is_empty() {
            if started {
                break;
            }
            continue;
        }
        if starts_block(line) || (started && list_item(line).is_some()) {
            break;
        }
        if is_label(line) {
            if started {
                break;
            }
            continue;
        }
        if started {
            paragraph.push(' ');
        }
        paragraph.push_str(list_item(line).unwrap_or(line));
    }
    if paragraph.is_empty() {
        // All of it is blocks and labels: its first line of text is all there is to say.
        let first = text.lines().map(str::trim).find(|line| !line.is_empty() && !starts_block(line));
        let first = first.unwrap_or_default();
        return cut(first, budget);
    }
    match cut(&paragraph, budget) {
        cut if cut == text => Cow::Borrowed(text),
        cut => Cow::Owned(cut.into_owned()),
    }
}

/// `text` cut to about `budget` characters, ending in `…` when it was: a
/// sentence end is no sure end of what was meant (`e.g.` ends no sentence),
/// and the reader should know that more was said.
fn cut(text: &str, budget: usize) -> Cow<'_, str> {
    let Some((limit, _)) = text.char_indices().nth(budget) else {
        return Cow::Borrowed(text);
    };
    let head = &text[..limit];
    // A sentence end in the second half of the budget, else a word end.
    let sentence = head
        .rmatch_indices(['.', '!', '?'])
        .map(|(at, _)| at + 1)
        .find(|&end| text[end..].starts_with(char::is_whitespace) && head[..end].chars().count() >= budget / 2);
    match sentence {
        Some(end) => Cow::Owned(format!("{} …", &text[..end])),
        None => {
            let end = head.rfind(char::is_whitespace).filter(|&end| end > 0).unwrap_or(limit);
            Cow::Owned(format!("{}…", head[..end].trim_end_matches(|c: char| !c.is_alphanumeric())))
        }
    }
}

/// Whether `line` starts something that is not prose: a heading, a code
/// fence, a table row, an XML-style tag.
fn starts_block(line: &str) -> bool {
    line.starts_with('#')
        || line.starts_with("```")
        || line.starts_with("~~~")
        || line.starts_with('|')
        || (line.starts_with('<') && line[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/'))
}

/// Whether `line` labels a section (`Examples:`, `**Usage:**`).
fn is_label(line: &str) -> bool {
    let bare = line.trim_end_matches('*').trim_end();
    bare.ends_with(':') && bare.chars().count() <= LABEL_CHARS
}

/// The text of `line` when it is a list item (`- x`, `* x`, `• x`, `1. x`,
/// `2) x`).
fn list_item(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix(['-', '*', '•', '+']) {
        return rest.starts_with(' ').then(|| rest.trim_start());
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = line[digits..].strip_prefix(['.', ')'])?;
    (digits > 0 && rest.starts_with(' ')).then(|| rest.trim_start())
}

/// `schema` with every `description` made [`brief`] (to [`SCHEMA_CHARS`]),
/// at any depth; everything else as it is.
pub fn brief_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("description", Value::String(text)) => Value::String(brief(text, SCHEMA_CHARS).into_owned()),
                        // Values, not schemas.
                        ("enum" | "const" | "default" | "examples" | "example", _) => value.clone(),
                        // Property names and definitions are keys, not schemas keywords.
                        ("properties" | "patternProperties" | "$defs" | "definitions", Value::Object(named)) => {
                            Value::Object(
                                named.iter().map(|(name, schema)| (name.clone(), brief_schema(schema))).collect(),
                            )
                        }
                        (_, Value::Object(_) | Value::Array(_)) => brief_schema(value),
                        _ => value.clone(),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(brief_schema).collect()),
        other => other.clone(),
    }
}

/// The owned parts of a tool's brief declaration: its description and
/// schemas made brief.
#[derive(Debug, Clone)]
pub struct BriefParts {
    description: Option<String>,
    input_schema: Value,
    output_schema: Option<Value>,
    result_left_out: bool,
}

impl BriefParts {
    /// The brief parts of `tool`.
    pub fn of(tool: &ToolDecl<'_>) -> Self {
        let output_schema = tool
            .output_schema
            .filter(|schema| serde_json::to_string(schema).is_ok_and(|json| json.len() <= OUTPUT_SCHEMA_BYTES));
        Self {
            description: tool.description.map(|text| brief(text, TOOL_CHARS).into_owned()),
            input_schema: brief_schema(tool.input_schema),
            output_schema: output_schema.map(brief_schema),
            result_left_out: tool.output_schema.is_some() && output_schema.is_none(),
        }
    }

    /// `tool` with these parts.
    pub fn decl<'a>(&'a self, tool: &ToolDecl<'a>) -> ToolDecl<'a> {
        ToolDecl {
            description: self.description.as_deref(),
            input_schema: &self.input_schema,
            output_schema: self.output_schema.as_ref(),
            result_left_out: self.result_left_out,
            ..*tool
        }
    }
}
