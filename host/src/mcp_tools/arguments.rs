//! Argument validation: a tool's `inputSchema`, compiled once, checks every
//! call's arguments before anything is sent upstream. It owns the wording
//! of `invalid_arguments` errors and never talks to a server.
//!
//! A rejected call's `ToolError` says, for each problem (at most
//! [`MAX_REPORTED`]), where it is (a JSON pointer into the arguments), what
//! is wrong (the validator's message) and the TypeScript type expected
//! there; `details.errors` holds the same as `{ pointer, message, expected }`
//! objects. `null` or absent arguments are `{}`; arguments that are not an
//! object are rejected whatever the schema says, since MCP arguments are an
//! object. A schema the validator cannot compile (an invalid regex, say)
//! leaves only that object check (and a warning in the log): the server is
//! the judge of its own schema.

use serde_json::{Map, Value, json};

use crate::declarations::{expected_type, type_expression};
use crate::tools::{ToolCallError, ToolCallErrorKind};

/// At most this many problems are reported per call.
const MAX_REPORTED: usize = 5;

/// The compiled `inputSchema` of one tool.
pub(super) struct Arguments {
    schema: Value,
    validator: Option<jsonschema::Validator>,
}

impl Arguments {
    /// Compiles `schema`, the input schema of `tool` (as a warning names
    /// it), with a warning if it does not compile.
    pub(super) fn new(schema: &Value, tool: &str) -> Arguments {
        let validator = jsonschema::validator_for(schema)
            .inspect_err(|error| {
                tracing::warn!(
                    "{tool} has an inputSchema that is not valid JSON Schema ({error}): its arguments are only \
                     checked to be an object"
                );
            })
            .ok();
        Arguments { schema: schema.clone(), validator }
    }

    /// The arguments to send, or the error for `tool` (its qualified name).
    pub(super) fn check(&self, tool: &str, arguments: Value) -> Result<Map<String, Value>, ToolCallError> {
        let instance = if arguments.is_null() { Value::Object(Map::new()) } else { arguments };
        let problems: Vec<Value> = match (&instance, &self.validator) {
            (Value::Object(_), Some(validator)) => {
                validator.iter_errors(&instance).take(MAX_REPORTED).map(|error| self.problem(&error)).collect()
            }
            (Value::Object(_), None) => Vec::new(),
            (other, _) => vec![json!({
                "pointer": "",
                "message": format!("the arguments must be an object, not {}", kind(other)),
                "expected": type_expression(&self.schema),
            })],
        };
        match instance {
            Value::Object(arguments) if problems.is_empty() => Ok(arguments),
            _ => {
                let lines: Vec<String> = problems.iter().map(describe).collect();
                let message = format!("invalid arguments for {tool}: {}", lines.join("; "));
                Err(ToolCallError::new(ToolCallErrorKind::InvalidArguments, message)
                    .with_details(json!({ "errors": problems })))
            }
        }
    }

    /// `{ pointer, message, expected }` for one validation error.
    fn problem(&self, error: &jsonschema::ValidationError<'_>) -> Value {
        let expected =
            subschema(&self.schema, error.schema_path.as_str()).map(|schema| expected_type(&self.schema, schema));
        json!({
            "pointer": error.instance_path.as_str(),
            "message": error.to_string(),
            "expected": expected,
        })
    }
}

/// `at POINTER: MESSAGE (expected TYPE)`, the root written as `arguments`.
fn describe(problem: &Value) -> String {
    let pointer = problem["pointer"].as_str().unwrap_or_default();
    let at = if pointer.is_empty() { "arguments".to_owned() } else { format!("at {pointer}") };
    let message = problem["message"].as_str().unwrap_or_default();
    match problem["expected"].as_str() {
        Some(expected) => format!("{at}: {message} (expected {expected})"),
        None => format!("{at}: {message}"),
    }
}

/// The schema holding the keyword at `path` (a JSON pointer into `root`
/// whose last token is the keyword that failed), following local `$ref`s
/// the path goes through.
fn subschema<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let tokens: Vec<String> = path.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let (_, parents) = tokens.split_last()?;
    let mut at = root;
    for token in parents {
        at = if token == "$ref" {
            let target = at.get("$ref")?.as_str()?.strip_prefix('#')?;
            root.pointer(target)?
        } else {
            match at {
                Value::Object(map) => map.get(token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            }
        };
    }
    at.is_object().then_some(at)
}

/// The JSON type of `value`, as JavaScript programmers name it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::Arguments;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "city": { "type": "string" },
                "days": { "type": "integer", "minimum": 1, "maximum": 7 },
                "unit": { "enum": ["c", "f"] },
                "at": { "$ref": "#/$defs/Point" },
                "region": { "anyOf": [{ "$ref": "#/$defs/Region" }, { "type": "null" }] }
            },
            "required": ["city"],
            "additionalProperties": false,
            "$defs": {
                "Point": { "type": "object", "properties": { "lat": { "type": "number" } } },
                "Region": { "enum": ["EU", "US"] }
            }
        })
    }

    /// (pointer, message, expected) of each problem with `arguments`.
    fn problems(arguments: Value) -> Vec<(String, String, Option<String>)> {
        let error = Arguments::new(&schema(), "w.forecast").check("w.forecast", arguments).expect_err("rejected");
        assert!(error.message.starts_with("invalid arguments for w.forecast: "), "{}", error.message);
        let details = error.details.unwrap();
        let field = |p: &Value, key: &str| p[key].as_str().map(str::to_owned);
        details["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (field(p, "pointer").unwrap(), field(p, "message").unwrap(), field(p, "expected")))
            .collect()
    }

    fn one(arguments: Value) -> (String, String, String) {
        let mut all = problems(arguments);
        assert_eq!(all.len(), 1, "{all:?}");
        let (pointer, message, expected) = all.remove(0);
        (pointer, message, expected.unwrap_or_default())
    }

    #[test]
    fn valid_arguments_pass_and_null_is_empty() {
        let arguments = Arguments::new(&schema(), "w.forecast");
        assert!(arguments.check("w.f", json!({ "city": "Oslo", "days": 3 })).is_ok());
        assert!(Arguments::new(&json!({}), "w.f").check("w.f", Value::Null).unwrap().is_empty());
        assert!(arguments.check("w.f", Value::Null).is_err(), "city is required");
    }

    #[test]
    fn problems_name_the_pointer_the_message_and_the_expected_type() {
        let s = |text: &str| text.to_owned();
        assert_eq!(one(json!({ "city": 5 })), (s("/city"), s("5 is not of type \"string\""), s("string")));
        assert_eq!(
            one(json!({ "city": "a", "days": 9 })),
            (s("/days"), s("9 is greater than the maximum of 7"), s("number"))
        );
        assert_eq!(
            one(json!({ "city": "a", "unit": "k" })),
            (s("/unit"), s(r#""k" is not one of "c" or "f""#), s(r#""c" | "f""#))
        );
        assert_eq!(
            one(json!({ "city": "a", "at": { "lat": "n" } })),
            (s("/at/lat"), s(r#""n" is not of type "number""#), s("number"))
        );
        assert_eq!(one(json!({ "city": "a", "region": "X" })).2, r#""EU" | "US" | null"#);
        assert_eq!(one(json!({})).0, "");
        assert_eq!(one(json!({})).1, r#""city" is a required property"#);
        assert_eq!(
            one(json!({ "city": "a", "cty": 1 })).1,
            "Additional properties are not allowed ('cty' was unexpected)"
        );
        assert_eq!(one(json!([1])).1, "the arguments must be an object, not an array");
    }

    #[test]
    fn the_message_reads_as_one_line() {
        let error = Arguments::new(&schema(), "w.forecast").check("w.forecast", json!({ "city": 5 })).unwrap_err();
        assert_eq!(
            error.message,
            r#"invalid arguments for w.forecast: at /city: 5 is not of type "string" (expected string)"#
        );
    }
}
