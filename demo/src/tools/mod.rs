//! The demo's tools, callable in-process: [`tool_list`] describes them as MCP
//! tools and [`call`] runs one on JSON arguments.
//!
//! This is the only implementation of the tools; [`crate::server`] exposes
//! exactly these two functions over MCP, so an in-process call and a stdio
//! call do the same work. Each tool is a `DemoTool`: typed arguments and
//! output whose JSON Schemas become the tool's `inputSchema` and
//! `outputSchema`, and whose doc comments become the parameter docs a model
//! reads. Nothing here knows about transports.

mod aggregate;
mod customers;
mod orders;
mod products;
mod query;
mod today;

use std::{error::Error, fmt, sync::Arc};

use rmcp::{
    handler::server::tool::{schema_for_input, schema_for_output},
    model::{JsonObject, Tool, ToolAnnotations},
};
use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::dataset::{Dataset, TODAY, dataset};

/// Why a tool call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolError {
    /// No tool has this name.
    UnknownTool(String),
    /// The arguments do not fit the tool's input schema, or ask for
    /// something impossible (a limit out of range, `from` after `to`).
    InvalidArguments(String),
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownTool(name) => write!(f, "unknown tool {name:?}"),
            Self::InvalidArguments(message) => write!(f, "invalid arguments: {message}"),
        }
    }
}

impl Error for ToolError {}

/// One tool: its name and docs, its typed arguments and output, and what it does.
trait DemoTool {
    const NAME: &'static str;
    const TITLE: &'static str;
    /// May contain `{today}`, replaced by [`TODAY`].
    const DESCRIPTION: &'static str;
    type Args: DeserializeOwned + JsonSchema + 'static;
    type Output: Serialize + JsonSchema + 'static;

    fn run(data: &Dataset, args: Self::Args) -> Result<Self::Output, ToolError>;
}

/// A [`DemoTool`] with its types erased, so the tools fit in one table.
struct Entry {
    name: &'static str,
    describe: fn() -> Tool,
    invoke: fn(&Dataset, Value) -> Result<Value, ToolError>,
}

impl Entry {
    const fn of<T: DemoTool>() -> Self {
        Self { name: T::NAME, describe: describe::<T>, invoke: invoke::<T> }
    }
}

const TOOLS: [Entry; 5] = [
    Entry::of::<today::GetToday>(),
    Entry::of::<customers::ListCustomers>(),
    Entry::of::<products::ListProducts>(),
    Entry::of::<orders::ListOrders>(),
    Entry::of::<aggregate::AggregateOrders>(),
];

/// Every tool, as `tools/list` reports it, each with an input and an output schema.
pub fn tool_list() -> Vec<Tool> {
    TOOLS.iter().map(|entry| (entry.describe)()).collect()
}

/// Runs the tool `name` on `args` (a JSON object, or null for no arguments)
/// and returns its structured output.
pub fn call(name: &str, args: Value) -> Result<Value, ToolError> {
    let entry = TOOLS.iter().find(|entry| entry.name == name).ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
    (entry.invoke)(dataset(), args)
}

fn describe<T: DemoTool>() -> Tool {
    let description = T::DESCRIPTION.replace("{today}", &TODAY.to_string());
    Tool::new(T::NAME, description, input_schema::<T::Args>())
        .with_title(T::TITLE)
        .with_raw_output_schema(schema_for_output::<T::Output>())
        .with_annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false))
}

/// The arguments' schema, closed to properties it does not name.
///
/// The argument types share fields through `#[serde(flatten)]`, which serde
/// cannot combine with `deny_unknown_fields`; [`reject_unknown`] enforces the
/// closure against the same properties instead, so a misspelt filter fails
/// loudly rather than being ignored.
fn input_schema<A: JsonSchema + 'static>() -> Arc<JsonObject> {
    let mut schema = open_input_schema::<A>().as_ref().clone();
    schema.insert("additionalProperties".into(), Value::Bool(false));
    Arc::new(schema)
}

/// The arguments' schema as schemars derives it; rmcp caches it per type, so
/// this is cheap on every call.
fn open_input_schema<A: JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_input::<A>().expect("tool arguments are structs, whose schemas are objects")
}

fn invoke<T: DemoTool>(data: &Dataset, args: Value) -> Result<Value, ToolError> {
    let args = match args {
        Value::Null => Value::Object(JsonObject::new()),
        Value::Object(_) => args,
        other => {
            return Err(ToolError::InvalidArguments(format!("arguments must be a JSON object, got {other}")));
        }
    };
    reject_unknown::<T>(&args)?;
    let output = T::run(data, parse(&args)?)?;
    Ok(serde_json::to_value(output).expect("tool outputs are plain data with string keys"))
}

fn reject_unknown<T: DemoTool>(args: &Value) -> Result<(), ToolError> {
    let schema = open_input_schema::<T::Args>();
    let known = schema.get("properties").and_then(Value::as_object);
    let Some(unknown) = args
        .as_object()
        .into_iter()
        .flat_map(JsonObject::keys)
        .find(|key| known.is_none_or(|known| !known.contains_key(*key)))
    else {
        return Ok(());
    };
    let expected: Vec<&str> = known.into_iter().flat_map(JsonObject::keys).map(String::as_str).collect();
    let takes = match expected.as_slice() {
        [] => "no arguments".to_owned(),
        names => names.join(", "),
    };
    Err(ToolError::InvalidArguments(format!("unknown argument `{unknown}`; {} takes {takes}", T::NAME)))
}

/// Deserializes the arguments, naming the offending argument on failure.
///
/// serde loses field names inside flattened structs, so its message alone
/// may not say which argument is wrong. Every argument is optional (a test
/// checks that no input schema has `required`), so an object holding just the
/// offending argument fails on its own, and that finds it.
fn parse<A: DeserializeOwned>(args: &Value) -> Result<A, ToolError> {
    A::deserialize(args).map_err(|error| {
        let culprit = args.as_object().into_iter().flatten().find(|(key, value)| {
            let alone = Value::Object(JsonObject::from_iter([((*key).clone(), (*value).clone())]));
            A::deserialize(&alone).is_err()
        });
        ToolError::InvalidArguments(match culprit {
            Some((key, _)) => format!("`{key}`: {error}"),
            None => error.to_string(),
        })
    })
}
