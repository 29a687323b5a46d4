//! A learned [`Shape`] as a JSON Schema, so that the declarations render it
//! like any declared `outputSchema`: records become `{ a: T; b?: U }` (a
//! field some objects lacked is optional), maps `Record<string, T>`, arrays
//! `T[]`, several kinds a union, a widened place `unknown`, and MCP content
//! blocks the named types of their MCP form (from [`CONTENT_DEFS`], never
//! from the data).

use serde_json::{Map, Value, json};

use super::shape::{Content, Object, Shape};

/// The schemas of the MCP content blocks, by the name their type gets.
fn content_def(content: Content) -> (&'static str, Value) {
    let string = json!({ "type": "string" });
    match content {
        Content::Image | Content::Audio => {
            let (name, tag, what) = match content {
                Content::Image => ("McpImage", "image", "An image"),
                _ => ("McpAudio", "audio", "Audio"),
            };
            let schema = json!({
                "description": format!("{what} from the tool, as MCP sends it: base64 `data` and its `mimeType`."),
                "type": "object",
                "properties": { "type": { "const": tag }, "data": string, "mimeType": string },
                "required": ["type", "data", "mimeType"]
            });
            (name, schema)
        }
        Content::Resource => (
            "McpResource",
            json!({
                "description": "A resource embedded in the result: its `uri`, and `text` or base64 `blob`.",
                "type": "object",
                "properties": {
                    "type": { "const": "resource" },
                    "resource": {
                        "type": "object",
                        "properties": {
                            "uri": string, "mimeType": string, "text": string, "blob": string
                        },
                        "required": ["uri"]
                    }
                },
                "required": ["type", "resource"]
            }),
        ),
        Content::ResourceLink => (
            "McpResourceLink",
            json!({
                "description": "A link to a resource the server can read.",
                "type": "object",
                "properties": {
                    "type": { "const": "resource_link" },
                    "uri": string, "name": string, "title": string, "description": string,
                    "mimeType": string, "size": { "type": "number" }
                },
                "required": ["type", "uri", "name"]
            }),
        ),
    }
}

/// `shape` as a JSON Schema document.
pub fn to_schema(shape: &Shape) -> Value {
    let mut defs = Map::new();
    let mut schema = schema_of(shape, &mut defs);
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    schema
}

fn schema_of(shape: &Shape, defs: &mut Map<String, Value>) -> Value {
    if shape.unknown || shape.is_empty() {
        return json!({});
    }
    let mut members = Vec::new();
    for (present, ty) in [(shape.boolean, "boolean"), (shape.number, "number"), (shape.string, "string")] {
        if present {
            members.push(json!({ "type": ty }));
        }
    }
    if let Some(elements) = &shape.array {
        members.push(json!({ "type": "array", "items": schema_of(elements, defs) }));
    }
    match &shape.object {
        Some(Object::Fields { fields, seen }) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for (key, field) in fields {
                properties.insert(key.clone(), schema_of(&field.shape, defs));
                if field.seen >= *seen {
                    required.push(Value::String(key.clone()));
                }
            }
            members.push(json!({ "type": "object", "properties": properties, "required": required }));
        }
        Some(Object::Record(values)) => {
            members.push(json!({ "type": "object", "additionalProperties": schema_of(values, defs) }));
        }
        None => {}
    }
    for &content in &shape.content {
        let (name, def) = content_def(content);
        defs.entry(name).or_insert(def);
        members.push(json!({ "$ref": format!("#/$defs/{name}") }));
    }
    if shape.null {
        members.push(json!({ "type": "null" }));
    }
    match members.len() {
        1 => members.pop().unwrap_or_default(),
        _ => json!({ "anyOf": members }),
    }
}
