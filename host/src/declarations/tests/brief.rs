//! One row per rule of brief descriptions: text in, what a brief
//! declaration keeps out.

use serde_json::{Value, json};

use super::super::brief::{BriefParts, OUTPUT_SCHEMA_BYTES, SCHEMA_CHARS, brief, brief_schema};
use super::super::{ToolDecl, tool_declaration};

/// `row!(text, budget, expected)`.
macro_rules! row {
    ($text:expr, $budget:expr, $expected:expr) => {
        assert_eq!(brief($text, $budget), $expected, "{:?}", $text)
    };
}

#[test]
fn the_first_paragraph_of_prose() {
    row!("Get a page.", 100, "Get a page.");
    row!("", 100, "");
    row!("Get a page.\n\nIt has blocks.", 100, "Get a page.");
    row!("Get a page\nby its id.", 100, "Get a page by its id.");
    row!("\n\n   Lists files.  \n  ", 100, "Lists files.");
    row!("Create an issue.\r\n\r\nArgs: x", 100, "Create an issue.");
}

#[test]
fn blocks_end_it() {
    row!("Run SQL.\n```sql\nselect 1\n```", 100, "Run SQL.");
    row!("Run SQL.\n# Examples\nselect 1", 100, "Run SQL.");
    row!("Run SQL.\nExamples:\n- select 1", 100, "Run SQL.");
    row!("Run SQL.\n**Usage:**\nsomething", 100, "Run SQL.");
    row!("Run SQL.\n<example>select 1</example>", 100, "Run SQL.");
    row!("Run SQL.\n| a | b |", 100, "Run SQL.");
    row!("Update a subscription.\n  It takes the following arguments:\n  - id (str)", 100, "Update a subscription.");
    row!("Search places.\n- POIs near a point\n- cities", 100, "Search places.");
}

#[test]
fn labels_and_list_items_before_prose() {
    row!("🎯 Purpose:\n  1. Performs searches.\n\n📋 Prerequisites:\n  1. Call x.", 100, "Performs searches.");
    row!("- Lists tools.\n- Other", 100, "Lists tools.");
    row!("```\ncode only\n```", 100, "code only");
    row!(
        "Note: this is prose, not a label, since it goes on.",
        100,
        "Note: this is prose, not a label, since it goes on."
    );
}

#[test]
fn cut_to_the_budget() {
    row!("One sentence here. Another one that is long.", 30, "One sentence here. …");
    row!("Search issues, e.g. by label or by author.", 30, "Search issues, e.g. …");
    row!("Fits. Whole.", 12, "Fits. Whole.");
    row!("Lists the open pull requests of a repository.", 30, "Lists the open pull requests…");
    row!("Words without any sentence end at all here", 20, "Words without any…");
    row!("Short. Then a very long sentence that goes on", 30, "Short. Then a very long…");
    row!("ééééé ééééé ééééé", 8, "ééééé…");
    row!("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij…");
}

#[test]
fn schemas_are_brief_at_every_depth_and_keep_their_values() {
    let long = format!("The id. {}", "More words. ".repeat(40));
    let schema = json!({
        "type": "object",
        "description": long,
        "properties": {
            "description": { "type": "string", "description": "The text.\n\nExample: hi" },
            "items": { "type": "array", "items": { "type": "object", "properties": { "x": { "description": long } } } }
        },
        "$defs": { "T": { "description": "A type.\n```\nx\n```" } },
        "default": { "description": "a value, kept\n\nwhole" },
        "enum": [{ "description": "kept\n\nwhole" }]
    });
    let brief = brief_schema(&schema);
    assert!(brief["description"].as_str().unwrap().chars().count() <= SCHEMA_CHARS + 1);
    assert_eq!(brief["properties"]["description"]["description"], "The text.");
    assert_eq!(brief["properties"]["items"]["items"]["properties"]["x"]["description"], brief["description"]);
    assert_eq!(brief["$defs"]["T"]["description"], "A type.");
    assert_eq!(brief["default"], schema["default"]);
    assert_eq!(brief["enum"], schema["enum"]);
    assert_eq!(brief["properties"]["items"]["type"], "array");
}

/// The brief declaration of a tool with `output` declared and `learned`
/// (a schema and its observations).
fn brief_decl(output: Option<Value>, learned: Option<(Value, u32)>) -> String {
    let input = json!({"type": "object"});
    let tool = ToolDecl {
        name: "tool",
        original_name: "tool",
        title: None,
        description: Some("Does it."),
        input_schema: &input,
        output_schema: output.as_ref(),
        learned_output: learned.as_ref().map(|(schema, observations)| (schema, *observations)),
        result_left_out: false,
        asks_approval: false,
    };
    tool_declaration("ns", &BriefParts::of(&tool).decl(&tool))
}

/// An object schema of `n` required string properties `p0`, `p1`, ...,
/// each with `schema`.
fn properties(n: usize, schema: &Value) -> Value {
    let properties: serde_json::Map<String, Value> = (0..n).map(|i| (format!("p{i}"), schema.clone())).collect();
    json!({"type": "object", "properties": properties, "required": properties.keys().collect::<Vec<_>>()})
}

/// `returns!(output, learned => the result type, the @returns text or "")`.
macro_rules! returns {
    ($output:expr, $learned:expr => $result:expr, $returns:expr) => {{
        let declaration = brief_decl($output, $learned);
        let doc = match &*$returns {
            "" => "  /** Does it. */\n".to_owned(),
            returns => format!("  /**\n   * Does it.\n   *\n   * @returns {returns}\n   */\n"),
        };
        let signature = format!("  function tool(args?: Record<string, unknown>): Promise<{}>;\n", $result);
        assert_eq!(declaration, format!("declare namespace ns {{\n{doc}{signature}}}\n"));
    }};
}

#[test]
fn result_types_in_brief_declarations() {
    let big = properties(12, &json!({"type": "string", "description": "A property."}));
    let learned = properties(20, &json!({"type": "string"}));
    assert!(big.to_string().len() > OUTPUT_SCHEMA_BYTES && learned.to_string().len() > OUTPUT_SCHEMA_BYTES);
    let small = json!({"type": "object", "properties": {"n": {"type": "number", "description": "How many.\n\nMore."}}});
    let observed = "Observed in 3 results, not declared by the server: it may be incomplete.";
    let learned_type: String = (0..20).map(|i| format!("\n    p{i}: string;")).collect();

    returns!(Some(big), None => r#"unknown /* omitted: detail "full" */"#, "");
    returns!(Some(small), None => "{\n    /** How many. */\n    n?: number;\n  }", "");
    returns!(None, None => "unknown", "");
    returns!(None, Some((json!({"type": "integer"}), 1)) => "number", observed.replace("3 results", "1 result"));
    returns!(None, Some((learned, 3)) => format!("{{{learned_type}\n  }}"), observed);
}
