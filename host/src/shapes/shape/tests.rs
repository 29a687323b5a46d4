//! Results -> learned TypeScript type, one line per rule.

use super::{MAX_NODES, Shape, looks_like_data};
use crate::declarations::type_expression;
use crate::shapes::to_schema;

/// The type learned from `results` (JSON texts), as the model reads it.
fn learned(results: &[&str]) -> String {
    let mut shape = Shape::default();
    for result in results {
        shape.merge(Shape::observe(result).expect("JSON"));
        shape.fit();
    }
    type_expression(&to_schema(&shape))
}

#[test]
fn results_to_types() {
    let cases: &[(&[&str], &str)] = &[
        (&["1"], "number"),
        (&["1.5", "2"], "number"),
        (&["\"text\""], "string"),
        (&["true"], "boolean"),
        (&["null"], "null"),
        (&["[]"], "unknown[]"),
        (&["[1, 2]"], "number[]"),
        (&[r#"{"a": 1}"#], "{ a: number }"),
        // A key some results lack is optional.
        (&[r#"{"a": 1, "b": "x"}"#, r#"{"a": 2}"#], "{ a: number; b?: string }"),
        (&[r#"[{"id": 1, "name": "a"}, {"id": 2}]"#], "{ id: number; name?: string }[]"),
        // Differing kinds make a union; null joins it.
        (&[r#"{"a": null}"#, r#"{"a": 1}"#], "{ a: number | null }"),
        (&["1", "\"x\""], "number | string"),
        // More than three kinds widen to unknown.
        (&[r#"[1, "a", true, {"x": 1}]"#], "unknown[]"),
        // Keys that are data make a map.
        (&[r#"{"2024-01-01": 5, "2024-01-02": 7}"#], "Record<string, number>"),
        (&[r#"{"c001": {"n": 1}, "c002": {"n": 2}}"#], "Record<string, { n: number }>"),
        (&[r#"{"sha256": "x", "line1": "y", "line2": "z"}"#], "{ sha256: string; line1: string; line2: string }"),
        (&[r#"{"ghp_16C7e42F292c6912E7710c838347Ae178B4a": {"x": 1}}"#], "Record<string, { x: number }>"),
        (&[r#"{"user name": true}"#], "Record<string, boolean>"),
        // An empty object says nothing about its keys.
        (&["{}"], "Record<string, unknown>"),
        // MCP content blocks are their MCP types.
        (&[r#"{"type": "image", "data": "iVBO", "mimeType": "image/png"}"#], "McpImage"),
        (&[r#"["see:", {"type": "audio", "data": "UklG", "mimeType": "audio/wav"}]"#], "(string | McpAudio)[]"),
        (&[r#"{"type": "resource_link", "uri": "file:///a", "name": "a"}"#], "McpResourceLink"),
        // A `type` field alone does not make a content block.
        (&[r#"{"type": "image", "caption": "x"}"#], "{ type: string; caption: string }"),
    ];
    for (results, expected) in cases {
        assert_eq!(learned(results), *expected, "{results:?}");
    }
}

#[test]
fn many_keys_make_a_map() {
    let object: Vec<String> = (0..60).map(|i| format!("\"field{i}\": {i}")).collect();
    assert_eq!(learned(&[&format!("{{{}}}", object.join(","))]), "Record<string, number>");
}

#[test]
fn deep_values_widen_to_unknown() {
    let deep = format!("{}1{}", "[".repeat(12), "]".repeat(12));
    let text = learned(&[&deep]);
    assert!(text.contains("unknown") && !text.contains("number"), "{text}");
}

#[test]
fn a_large_shape_is_cut_to_fit() {
    let inner: Vec<String> = (0..40).map(|i| format!("\"f{i}\": {{\"g\": {{\"h\": [1, \"x\"]}}}}")).collect();
    let outer: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {{{}}}", inner.join(","))).collect();
    let mut shape = Shape::observe(&format!("{{{}}}", outer.join(","))).unwrap();
    shape.fit();
    assert!(shape.nodes() <= MAX_NODES, "{} nodes", shape.nodes());
}

#[test]
fn no_value_of_a_result_is_kept() {
    const SECRET: &str = "sk_live_51HxYzAbCdEfGh1234567890";
    let results = [
        format!(r#"{{"token": "{SECRET}", "note": "hello", "n": 31337}}"#),
        format!(r#"[{{"{SECRET}": 1}}, {{"id": "{SECRET}"}}]"#),
    ];
    for result in &results {
        let shape = Shape::observe(result).unwrap();
        let stored = serde_json::to_string(&shape).unwrap();
        let rendered = type_expression(&to_schema(&shape));
        for text in [&stored, &rendered] {
            assert!(!text.contains(SECRET) && !text.contains("hello") && !text.contains("31337"), "{text}");
        }
    }
}

#[test]
fn data_keys() {
    for key in [
        "2024-01-01",
        "123",
        "c001",
        "c0ffee00deadbeef1234",
        "user name",
        "",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ] {
        assert!(looks_like_data(key), "{key:?}");
    }
    for key in
        ["id", "name", "createdAt", "user_id", "Content-Type", "html_url", "node_id", "x-request-id", "sha256", "line1"]
    {
        assert!(!looks_like_data(key), "{key:?}");
    }
}

#[test]
fn not_json_is_no_shape() {
    assert_eq!(Shape::observe("{"), None);
    assert_eq!(Shape::observe("1 2"), None);
}
