//! One row per mapping rule: schema in, TypeScript out.

use serde_json::{Value, json};

use super::super::{ToolDecl, namespace_declarations, tool_declaration, type_expression as ty};

/// `row!(schema, expected)`: the type expression of the schema (JSON, as in
/// `json!`) is exactly `expected`. A macro so that rows stay one line each.
macro_rules! row {
    ($schema:tt, $expected:expr) => {
        assert_eq!(ty(&json!($schema)), $expected)
    };
}

#[test]
fn primitives() {
    row!({"type": "string"}, "string");
    row!({"type": "number"}, "number");
    row!({"type": "integer"}, "number");
    row!({"type": "boolean"}, "boolean");
    row!({"type": "null"}, "null");
    row!({"type": "array"}, "unknown[]");
    row!({"type": "object"}, "Record<string, unknown>");
    row!({"type": "bogus"}, "unknown");
}

#[test]
fn empty_true_false_and_unknown_keywords() {
    row!({}, "unknown");
    row!(true, "unknown");
    row!(false, "never");
    row!({"x-vendor": 1, "description": "d"}, "unknown");
    row!({"type": "string", "x-vendor": {"type": "number"}}, "string");
    row!(42, "unknown");
}

#[test]
fn type_arrays_and_nullable() {
    row!({"type": ["string", "null"]}, "string | null");
    row!({"type": ["integer", "number"]}, "number");
    row!({"type": "string", "nullable": true}, "string | null");
    row!({"type": "array", "items": {"type": "string"}, "nullable": true}, "string[] | null");
    row!({"type": "string", "nullable": false}, "string");
    row!({"nullable": true}, "unknown");
}

#[test]
fn enums_and_consts() {
    row!({"enum": ["a", "b"]}, r#""a" | "b""#);
    row!({"type": "string", "enum": ["a", null]}, r#""a" | null"#);
    row!({"enum": [1, 2.5, -3, true, false, null]}, "1 | 2.5 | -3 | true | false | null");
    row!({"enum": [[1, "x"], {"a-b": null}, {"k": {}}]}, r#"[1, "x"] | { "a-b": null } | { k: {} }"#);
    row!({"enum": []}, "never");
    row!({"const": "fixed"}, r#""fixed""#);
    row!({"const": 0}, "0");
    row!({"const": null}, "null");
    row!({"const": "quote\" and \\ and */"}, r#""quote\" and \\ and */""#);
    row!({"const": "line\nbreak"}, r#""line\nbreak""#);
}

#[test]
fn unions_and_intersections() {
    row!({"anyOf": [{"type": "string"}, {"type": "null"}]}, "string | null");
    row!({"oneOf": [{"type": "string"}, {"type": "number"}]}, "string | number");
    row!({"anyOf": [{"type": "string"}, {"type": "string"}]}, "string");
    row!({"anyOf": [{"type": "string"}, {}]}, "unknown");
    row!({"anyOf": [{"type": "string"}, false]}, "string");
    row!({"anyOf": []}, "never");
    row!({"allOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"properties": {"b": {"type": "number"}}}]}, "{ a: string } & { b?: number }");
    row!({"allOf": [{"anyOf": [{"type": "string"}, {"type": "number"}]}, {"enum": ["x", 1]}]}, r#"(string | number) & ("x" | 1)"#);
    row!({"allOf": [{"type": "string"}, {"description": "only docs"}]}, "string");
    row!({"allOf": [{"type": "string"}, false]}, "never");
    row!({"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, "{ a?: string }");
    row!({"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}]}}, "(string | number)[]");
    row!({"type": "array", "items": {"allOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]}, "$defs": {"A": {}, "B": {}}}, "(A & B)[]");
    row!({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}, "string[] | null");
}

#[test]
fn objects() {
    let object = json!({"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}}, "required": ["city"]});
    assert_eq!(ty(&object), "{ city: string; zip?: number }");
    row!({"properties": {"a": {"type": "boolean"}}}, "{ a?: boolean }");
    row!({"type": "object", "properties": {}}, "Record<string, unknown>");
    row!({"type": "object", "additionalProperties": false}, "Record<string, never>");
    row!({"type": "object", "properties": {"a": {}}, "required": ["a"], "additionalProperties": false}, "{ a: unknown }");
    row!({"type": "object", "required": ["x"]}, "{ x: unknown }");
    row!({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "null"}}}}}, "{ a?: { b?: null } }");
}

#[test]
fn property_names() {
    let one = |key: &str| ty(&json!({"properties": {key: {"type": "string"}}, "required": [key]}));
    assert_eq!(one("plain_1"), "{ plain_1: string }");
    assert_eq!(one("$id"), "{ $id: string }");
    assert_eq!(one("class"), "{ class: string }");
    assert_eq!(one("content-type"), r#"{ "content-type": string }"#);
    assert_eq!(one("2fa"), r#"{ "2fa": string }"#);
    assert_eq!(one(""), r#"{ "": string }"#);
    assert_eq!(one("ünï"), r#"{ "ünï": string }"#);
    assert_eq!(one("a\"b\\"), r#"{ "a\"b\\": string }"#);
    assert_eq!(one("*/"), r#"{ "*/": string }"#);
}

#[test]
fn additional_and_pattern_properties() {
    row!({"type": "object", "additionalProperties": true}, "Record<string, unknown>");
    row!({"type": "object", "additionalProperties": {"type": "number"}}, "Record<string, number>");
    row!({"additionalProperties": {"type": "string"}}, "Record<string, string>");
    row!({"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "number"}}, "Record<string, string | number>");
    row!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": true}, "{ a: string; [key: string]: unknown }");
    row!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": {"type": "number"}}, "{ a: string; [key: string]: number | string }");
    row!({"type": "object", "properties": {"a": {"type": "number"}}, "additionalProperties": {"type": "number"}}, "{ a?: number; [key: string]: number | undefined }");
    row!({"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": {}}}, "{ a?: string; [key: string]: unknown }");
    row!({"type": "object", "additionalProperties": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}, "Record<string, { n: number }>");
}

#[test]
fn index_signatures_take_in_property_types_while_short() {
    let nested = json!({"type": "object", "properties": {"a": {"properties": {"b": {"type": "string"}}}}, "additionalProperties": {"type": "number"}});
    assert_eq!(ty(&nested), "{ a?: { b?: string }; [key: string]: number | { b?: string } | undefined }");
    let long: Vec<String> = (0..30).map(|n| format!("value{n}")).collect();
    let wide = json!({"type": "object", "properties": {"a": {"enum": long}}, "required": ["a"], "additionalProperties": {"type": "number"}});
    assert!(ty(&wide).ends_with("; [key: string]: unknown }"), "{}", ty(&wide));
}

#[test]
fn deep_nesting_renders_each_schema_once() {
    let mut schema = json!({"type": "string"});
    for _ in 0..64 {
        let branches = json!([schema, {"type": "null", "description": "None."}]);
        schema = json!({"type": "object", "properties": {"a": {"anyOf": branches}}, "additionalProperties": {"type": "number"}});
    }
    let text = declare(schema, None);
    assert!(text.len() < 200_000, "{} bytes", text.len());
    assert_eq!(text.matches("/** None. */").count(), 64);
}

/// An index signature must take in every member's type, or tsc refuses
/// the member (TS2411).
#[test]
fn index_signatures_take_in_every_member() {
    row!({"type": "object", "required": ["a"], "additionalProperties": {"type": "number"}}, "{ a: unknown; [key: string]: unknown }");
    row!({"required": ["a"], "properties": {"b": {"type": "string"}}, "patternProperties": {"^x": {"type": "number"}}}, "{ b?: string; a: unknown; [key: string]: unknown }");
}

/// A type alias may refer to itself only from inside an object member or
/// an array element; any other cycle of aliases is one tsc refuses (TS2456),
/// so the reference that closes it is `unknown`, and `Record` (an alias
/// itself) gives way to an index signature when its value names a type.
#[test]
fn alias_cycles_are_broken() {
    let defs = |defs: Value| declare(json!({"properties": {"x": {"$ref": "#/$defs/A"}}, "$defs": defs}), None);
    let text = defs(json!({"A": {"type": "object", "additionalProperties": {"$ref": "#/$defs/A"}}}));
    assert!(text.contains("interface A { [key: string]: A }"), "{text}");
    let text = defs(
        json!({"A": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "string"}]}, "B": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "number"}]}}),
    );
    assert!(text.contains("type A = unknown;") && !text.contains("type B"), "{text}");
    let text = defs(json!({"A": {"$ref": "#/$defs/A"}}));
    assert!(text.contains("type A = unknown;"), "{text}");
    let text = defs(
        json!({"A": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/A"}}, {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}}, {"type": "null"}]}}),
    );
    assert!(text.contains("type A = A[] | { a?: A } | null;"), "deferred references stay: {text}");
    let text = defs(
        json!({"A": {"allOf": [{"$ref": "#/$defs/B"}], "properties": {"n": {"type": "number"}}}, "B": {"properties": {"b": {"$ref": "#/$defs/A"}}}}),
    );
    assert!(text.contains("type A = { n?: number } & B;") && text.contains("interface B { b?: A }"), "{text}");
}

#[test]
fn arrays_and_tuples() {
    row!({"type": "array", "items": {"type": "string"}}, "string[]");
    row!({"type": "array", "items": {"type": "array", "items": {"type": "number"}}}, "number[][]");
    row!({"type": "array", "items": {"type": ["string", "null"]}}, "(string | null)[]");
    row!({"type": "array", "items": true}, "unknown[]");
    row!({"items": {"type": "boolean"}}, "boolean[]");
    let pair = json!([{"type": "number"}, {"type": "string"}]);
    row!({"type": "array", "prefixItems": pair, "minItems": 2, "maxItems": 2}, "[number, string]");
    row!({"type": "array", "prefixItems": pair, "items": false, "minItems": 2}, "[number, string]");
    row!({"type": "array", "prefixItems": pair, "items": {"type": "boolean"}, "minItems": 2}, "[number, string, ...boolean[]]");
    row!({"type": "array", "prefixItems": pair, "minItems": 1}, "[number, string?, ...unknown[]]");
    row!({"type": "array", "items": pair, "minItems": 2, "maxItems": 2}, "[number, string]");
    row!({"type": "array", "items": pair, "additionalItems": {"type": "null"}, "minItems": 2}, "[number, string, ...null[]]");
    row!({"type": "array", "items": pair, "additionalItems": false}, "[number?, string?]");
    row!({"type": "array", "prefixItems": [{"type": ["string", "null"]}, {"anyOf": [{"type": "string"}, {"type": "number"}]}], "minItems": 1, "items": {"enum": [1, 2]}}, "[string | null, (string | number)?, ...(1 | 2)[]]");
}

#[test]
fn refs() {
    let defs = json!({"Pet": {"type": "string"}, "My Type[int]": {"type": "number"}, "a/b~c": {}, "lower": {}});
    let with = |reference: &str| json!({"$ref": reference, "$defs": defs, "definitions": defs});
    assert_eq!(ty(&with("#/$defs/Pet")), "Pet");
    assert_eq!(ty(&with("#/definitions/Pet")), "Pet");
    assert_eq!(ty(&with("#/$defs/My%20Type%5Bint%5D")), "My_Type_int");
    assert_eq!(ty(&with("#/$defs/a~1b~0c")), "A_b_c");
    assert_eq!(ty(&with("#/$defs/lower")), "Lower");
    assert_eq!(ty(&with("#")), "Root");
    assert_eq!(ty(&with("#/$defs/Missing")), "Missing");
    row!({"$ref": "#/definitions/Cut_Out"}, "Cut_Out");
    row!({"$ref": "#"}, "Root");
    assert_eq!(ty(&with("https://example.com/schema.json")), "unknown");
    assert_eq!(ty(&with("other.json#/$defs/Pet")), "unknown");
    row!({"properties": {"p": {"$ref": "#/properties/q"}, "q": {"type": "string"}}}, "{ p?: Q; q?: string }");
    row!({"$ref": "#/$defs/Record", "$defs": {"Record": {}}}, "Record2");
    row!({"$ref": "#/$defs/2fa", "$defs": {"2fa": {}}}, "_2fa");
    row!({"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "$defs": {"Node": {"properties": {"next": {"$ref": "#/$defs/Node"}}}}}, "Node | null");
    row!({"$ref": "#/$defs/Pet", "type": "object", "$defs": defs}, "Pet & Record<string, unknown>");
}

/// The declarations of one tool named `tool` with `input` (and `output`).
fn declare(input: Value, output: Option<Value>) -> String {
    let tool = ToolDecl {
        name: "tool",
        original_name: "tool",
        title: None,
        description: None,
        input_schema: &input,
        output_schema: output.as_ref(),
        learned_output: None,
        result_left_out: false,
        asks_approval: false,
    };
    tool_declaration("ns", &tool)
}

#[test]
fn a_tool_that_asks_for_approval_says_so() {
    let input = json!({"type": "object"});
    let tool = ToolDecl {
        name: "drop_table",
        original_name: "drop_table",
        title: None,
        description: Some("Drops a table."),
        input_schema: &input,
        output_schema: None,
        learned_output: None,
        result_left_out: false,
        asks_approval: true,
    };
    let declared = tool_declaration("db", &tool);
    let expected = "   * Drops a table.\n   *\n   * Each call waits for a person to approve it; a refusal rejects with ToolError code \
                    \"declined\", and \"approval_required\" when there is no one to ask.\n   */\n";
    assert!(declared.contains(expected), "{declared}");
    assert!(!tool_declaration("db", &ToolDecl { asks_approval: false, ..tool }).contains("approve"));
}

#[test]
fn signatures() {
    let none = "declare namespace ns {\n  function tool(args?: Record<string, unknown>): Promise<unknown>;\n}\n";
    assert_eq!(declare(json!({"type": "object"}), None), none);
    let closed = "declare namespace ns {\n  function tool(args?: Record<string, never>): Promise<unknown>;\n}\n";
    assert_eq!(declare(json!({"type": "object", "properties": {}, "additionalProperties": false}), None), closed);
    let required = json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]});
    let typed = "declare namespace ns {\n  function tool(args: { q: string }): Promise<{ n: number }>;\n}\n";
    let output = json!({"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"]});
    assert_eq!(declare(required, Some(output)), typed);
    let optional = json!({"type": "object", "properties": {"q": {"type": "string"}}});
    assert!(declare(optional, None).contains("function tool(args?: { q?: string }): Promise<unknown>;"));
    let dangling = json!({"properties": {"a": {"$ref": "#/$defs/Gone"}}});
    assert!(declare(dangling, None).contains("function tool(args?: { a?: unknown }): Promise<unknown>;"));
    let via_ref =
        json!({"$ref": "#/definitions/In", "definitions": {"In": {"properties": {"q": {}}, "required": ["q"]}}});
    assert!(declare(via_ref, None).contains(
        "function tool(args: tool.In): Promise<unknown>;\n  namespace tool {\n    interface In { q: unknown }\n  }\n"
    ));
}

#[test]
fn named_types_live_in_the_tool_namespace() {
    let input = json!({"properties": {"pet": {"$ref": "#/$defs/Pet"}, "kind": {"$ref": "#/$defs/Kind"}}, "$defs": {
        "Pet": {"type": "object", "description": "A pet.", "properties": {"friend": {"$ref": "#/$defs/Pet"}, "name": {"type": "string"}}, "required": ["name"]},
        "Kind": {"enum": ["cat", "dog"]}
    }});
    let output = json!({"$ref": "#/$defs/Pet", "$defs": {"Pet": {"type": "string"}}});
    let text = declare(input, Some(output));
    assert!(text.contains("function tool(args?: {"), "{text}");
    assert!(text.contains("Promise<tool.Pet2>"), "{text}");
    assert!(text.contains("  namespace tool {\n"), "{text}");
    assert!(text.contains("    /** A pet. */\n    interface Pet { friend?: Pet; name: string }\n"), "{text}");
    assert!(text.contains("    type Kind = \"cat\" | \"dog\";\n"), "{text}");
    assert!(text.contains("    type Pet2 = string;\n"), "{text}");
}

#[test]
fn equal_definitions_of_input_and_output_share_a_name() {
    let defs = json!({"Address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}});
    let input = json!({"properties": {"at": {"$ref": "#/$defs/Address"}}, "$defs": defs});
    let output = json!({"properties": {"home": {"$ref": "#/$defs/Address"}}, "$defs": defs});
    let text = declare(input, Some(output));
    assert_eq!(text.matches("interface Address ").count(), 1, "{text}");
    assert!(!text.contains("Address2"), "{text}");
}

#[test]
fn recursive_roots_are_named() {
    let tree = json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}});
    let text = declare(tree.clone(), Some(tree));
    assert!(text.contains("function tool(args?: tool.Args): Promise<tool.Result>;"), "{text}");
    assert!(text.contains("interface Args { children?: Args[] }"), "{text}");
    assert!(text.contains("interface Result { children?: Result[] }"), "{text}");
}

#[test]
fn jsdoc_for_tools_and_params() {
    let input = json!({"type": "object", "description": "What to look up.", "properties": {
        "city": {"type": "string", "title": "City", "description": "City name.", "minLength": 1},
        "content-type": {"type": "string", "description": "MIME type."},
        "days": {"type": "integer", "minimum": 1, "maximum": 14, "default": 3},
    }, "required": ["city"]});
    let output = json!({"type": "object", "description": "The forecast."});
    let tool = ToolDecl {
        name: "get_weather",
        original_name: "get-weather",
        title: Some("Weather"),
        description: Some("Gets the weather.\n\nUses */ carefully."),
        input_schema: &input,
        output_schema: Some(&output),
        learned_output: None,
        result_left_out: false,
        asks_approval: false,
    };
    let text = namespace_declarations("weather", Some("Weather server */ ok"), &[tool]);
    let expected = [
        "/** Weather server *\\/ ok */",
        "declare namespace weather {",
        "  /**",
        "   * Weather",
        "   *",
        "   * Gets the weather.",
        "   *",
        "   * Uses *\\/ carefully.",
        "   *",
        "   * Server tool name: \"get-weather\".",
        "   *",
        "   * @param args What to look up.",
        "   * @param args.city City name.",
        "   * @param args[\"content-type\"] MIME type.",
        "   * @returns The forecast.",
        "   */",
        "  function get_weather(args: {",
        "    /** @minLength 1 */",
        "    city: string;",
        "    \"content-type\"?: string;",
        "    /**",
        "     * @minimum 1",
        "     * @maximum 14",
        "     * @default 3",
        "     */",
        "    days?: number;",
        "  }): Promise<Record<string, unknown>>;",
        "}",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected.to_vec(), "\n{text}");
}

#[test]
fn jsdoc_for_nested_properties() {
    let input = json!({"type": "object", "properties": {"filter": {"type": "object", "properties": {
        "since": {"type": "string", "format": "date-time", "description": "Start.\r\nInclusive."},
        "id": {"type": "string", "pattern": "^[a-z]+*/$", "examples": ["abc", "x"], "deprecated": true},
        "tags": {"type": "array", "minItems": 1, "maxItems": 5, "uniqueItems": true, "items": {"type": "string"}},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.5},
        "old": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "default": {"too": "x".repeat(100)}},
        "name": {"type": "string", "title": "Name"},
        "label": {"type": "string", "title": "Display label"},
        "ort": {"type": "string", "title": "Ville", "description": "Où."},
    }}}});
    let text = declare(input, None);
    for expected in [
        "      /**\n       * Start.\n       * Inclusive.\n       * @format date-time\n       */\n      since?: string;\n",
        "      /**\n       * @pattern ^[a-z]+*\\/$\n       * @example \"abc\"\n       * @example \"x\"\n       * @deprecated\n       */\n      id?: string;\n",
        "       * @minItems 1\n       * @maxItems 5\n       * @uniqueItems true\n       */\n      tags?: string[];\n",
        "       * @exclusiveMinimum 0\n       * @exclusiveMaximum 1\n       * @multipleOf 0.5\n       */\n      score?: number;\n",
        "      /** @exclusiveMinimum 0 */\n      old?: number;\n",
        "      name?: string;\n",
        "      /** Display label */\n      label?: string;\n",
        "      /**\n       * Ville\n       *\n       * Où.\n       */\n      ort?: string;\n",
    ] {
        assert!(text.contains(expected), "missing:\n{expected}\nin:\n{text}");
    }
}

#[test]
fn documented_unions_get_a_comment_per_branch() {
    let input = json!({"properties": {"mode": {"$ref": "#/$defs/Mode"}}, "$defs": {"Mode": {
        "description": "How fast.",
        "oneOf": [{"const": "fast", "description": "Quick."}, {"type": "string", "enum": ["safe"], "description": "Careful."}]
    }}});
    let text = declare(input, None);
    let expected = "    /** How fast. */\n    type Mode =\n      /** Quick. */\n      | \"fast\"\n      /** Careful. */\n      | \"safe\";\n";
    assert!(text.contains(expected), "{text}");
    row!({"oneOf": [{"const": "a", "description": "A."}, {"const": "b"}]}, r#""a" | "b""#);
}

#[test]
fn no_text_can_close_a_comment_early() {
    let evil = "a */ b\n*/\r\n**/";
    let input = json!({"type": "object", "description": evil, "properties": {
        evil: {"type": "string", "title": evil, "description": evil, "default": evil, "pattern": evil, "examples": [evil], "format": evil},
        "plain": {"anyOf": [{"type": "string", "description": evil}, {"type": "number", "format": evil}]},
        "nested": {"type": "object", "properties": {evil: {"description": evil}}, "patternProperties": {evil: {}}},
    }, "$defs": {evil: {"description": evil}}});
    let output = json!({"description": evil, "properties": {"x": {"$ref": "#/$defs/a%20*~1%20b"}}, "$defs": {"a */ b": {"title": evil, "enum": [evil]}}});
    let tool = ToolDecl {
        name: "tool",
        original_name: evil,
        title: Some(evil),
        description: Some(evil),
        input_schema: &input,
        output_schema: Some(&output),
        learned_output: None,
        result_left_out: false,
        asks_approval: false,
    };
    let text = namespace_declarations("ns", Some(evil), &[tool]);
    assert!(text.contains("a *\\/ b"), "{text}");
    assert_eq!(comment_ends(&text), text.matches("/**").count(), "{text}");
}

/// How many comments `text` has, checking with a small lexer (code, string
/// literals, block comments) that each one ends its line, as generated
/// comments do: one closed early would leave text after its `*/`.
fn comment_ends(text: &str) -> usize {
    let (mut ends, mut in_comment, mut in_string) = (0, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('*', Some('/')) if in_comment => {
                chars.next();
                assert_eq!(chars.peek(), Some(&'\n'), "a comment ends mid-line in:\n{text}");
                (in_comment, ends) = (false, ends + 1);
            }
            ('/', Some('*')) if !in_comment && !in_string => in_comment = true,
            ('\\', _) if in_string => drop(chars.next()),
            ('"', _) if !in_comment => in_string = !in_string,
            ('\n', _) => assert!(!in_string, "a string literal spans lines in:\n{text}"),
            _ => {}
        }
    }
    ends
}
