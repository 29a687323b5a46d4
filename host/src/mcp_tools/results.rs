//! Result mapping: what a program's `await ns.tool(args)` resolves to, or
//! the `ToolError` it rejects with, for every `CallToolResult` a server can
//! send. Pure: it never talks to a server.
//!
//! The rule, in order:
//!
//! 1. `isError: true` rejects with `ToolError` code `tool_failed`: its
//!    `message` is the tool's qualified name and the text of the result's
//!    text blocks, and its `details` is the value steps 2-4 give the result.
//! 2. `structuredContent`, when present, is the value (the content blocks,
//!    which by the spec repeat it as text, are then ignored).
//! 3. A result of exactly one text block is that text parsed as JSON when
//!    it parses, else the text as a string.
//! 4. Otherwise the value is built from the content blocks: none is `null`,
//!    a single non-text block is that block's object, and several are an
//!    array with one item per block. In an array every text block stays a
//!    string (never parsed), so a mixed result keeps its order and its
//!    items their types.
//!
//! A non-text block's object is its MCP form, untouched:
//! `{ type: "image", data, mimeType }`, `{ type: "audio", data, mimeType }`
//! (`data` is base64), `{ type: "resource", resource: { uri, mimeType?,
//! text | blob } }` for an embedded resource, and `{ type: "resource_link",
//! uri, name, title?, description?, mimeType?, size? }` for a link; each
//! also carries `annotations` and `_meta` when the server sent them.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::tools::{ToolCallError, ToolCallErrorKind, ToolOutput};

/// The outcome of a call to `tool` (its qualified name) that returned
/// `result`.
pub(super) fn map(tool: &str, result: CallToolResult) -> Result<ToolOutput, ToolCallError> {
    if result.is_error == Some(true) {
        let text: Vec<&str> = result
            .content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text(text) => Some(text.text.as_str()),
                _ => None,
            })
            .collect();
        let message = match text.as_slice() {
            [] => format!("{tool} failed"),
            text => format!("{tool} failed: {}", text.join("\n")),
        };
        let details = serde_json::from_str(value(result).as_str()).expect("a tool output is JSON");
        return Err(ToolCallError::new(ToolCallErrorKind::ToolFailed, message).with_details(details));
    }
    Ok(value(result))
}

/// Steps 2-4 of the rule.
fn value(result: CallToolResult) -> ToolOutput {
    if let Some(structured) = result.structured_content {
        return structured.into();
    }
    let mut content = result.content;
    match content.as_mut_slice() {
        [ContentBlock::Text(text)] => {
            let text = std::mem::take(&mut text.text);
            match RawValue::from_string(text.clone()) {
                Ok(raw) => ToolOutput::from_raw(raw),
                Err(_) => Value::String(text).into(),
            }
        }
        [] => Value::Null.into(),
        [block] => block_value(block).into(),
        blocks => Value::Array(blocks.iter().map(block_value).collect()).into(),
    }
}

/// One block as an item of a value: text as a string, anything else as its
/// MCP object.
fn block_value(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text(text) => Value::String(text.text.clone()),
        other => serde_json::to_value(other).expect("content blocks serialize"),
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
    use serde_json::{Value, json};

    fn ok(result: CallToolResult) -> Value {
        let output = super::map("s.t", result).expect("a value");
        serde_json::from_str(output.as_str()).unwrap()
    }

    fn failed(result: CallToolResult) -> (String, Value) {
        let error = super::map("s.t", result).expect_err("a ToolError");
        assert_eq!(error.kind, crate::tools::ToolCallErrorKind::ToolFailed);
        (error.message, error.details.unwrap())
    }

    fn text(text: &str) -> ContentBlock {
        ContentBlock::text(text)
    }

    #[test]
    fn values() {
        let image = ContentBlock::image("iVBO", "image/png");
        let structured = CallToolResult::structured(json!({ "n": 1 }));
        assert_eq!(ok(structured), json!({ "n": 1 }));
        assert_eq!(ok(CallToolResult::success(vec![text(r#" {"a": [1, 2]} "#)])), json!({ "a": [1, 2] }));
        assert_eq!(ok(CallToolResult::success(vec![text("42")])), json!(42));
        assert_eq!(ok(CallToolResult::success(vec![text("hello")])), json!("hello"));
        assert_eq!(ok(CallToolResult::success(vec![text("")])), json!(""));
        assert_eq!(ok(CallToolResult::success(vec![])), json!(null));
        assert_eq!(ok(CallToolResult::success(vec![text("1"), text("b")])), json!(["1", "b"]));
        assert_eq!(
            ok(CallToolResult::success(vec![image.clone()])),
            json!({ "type": "image", "data": "iVBO", "mimeType": "image/png" })
        );
        assert_eq!(
            ok(CallToolResult::success(vec![text("a picture:"), image])),
            json!(["a picture:", { "type": "image", "data": "iVBO", "mimeType": "image/png" }])
        );
        assert_eq!(
            ok(CallToolResult::success(vec![ContentBlock::audio("UklG", "audio/wav")])),
            json!({ "type": "audio", "data": "UklG", "mimeType": "audio/wav" })
        );
        assert_eq!(
            ok(CallToolResult::success(vec![ContentBlock::resource(ResourceContents::text("hi", "memo://1"))])),
            json!({ "type": "resource", "resource": { "uri": "memo://1", "mimeType": "text/plain", "text": "hi" } })
        );
    }

    /// A number with more digits than an f64 holds reads as JavaScript reads
    /// it (serde_json without `float_roundtrip` was one unit in the last
    /// place off here; found by fuzzing).
    #[test]
    fn numbers_read_as_javascript_reads_them() {
        let wire = r#"{"content": [], "structuredContent": {"n": -44444444444.4444444444444}}"#;
        let result: CallToolResult = serde_json::from_str(wire).unwrap();
        assert_eq!(ok(result)["n"].as_f64(), Some(-44444444444.44444));
    }

    #[test]
    fn errors() {
        let (message, details) = failed(CallToolResult::error(vec![text("no such city")]));
        assert_eq!((message.as_str(), details), ("s.t failed: no such city", json!("no such city")));
        let (message, details) = failed(CallToolResult::error(vec![text(r#"{"code":404}"#), text("again")]));
        assert_eq!(
            (message.as_str(), details),
            ("s.t failed: {\"code\":404}\nagain", json!(["{\"code\":404}", "again"]))
        );
        let (message, details) = failed(CallToolResult::error(vec![]));
        assert_eq!((message.as_str(), details), ("s.t failed", json!(null)));
    }
}
