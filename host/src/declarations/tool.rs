//! One tool's declaration: its JSDoc, its `function` signature, and the
//! `namespace` (merged with the function, named like it) that holds the named
//! types its schemas refer to. Putting each tool's types in its own namespace
//! is what keeps `$defs` of different tools from colliding, and gives a tool
//! the same type names whether it is declared alone or with its server.

use serde_json::Value;

use super::jsdoc;
use super::names::{pad, property_key, string_literal};
use super::refs::Refs;
use super::render::{Prec, Renderer, Ty, after};
use super::{ToolDecl, brief};

/// Name of the input schema's root when it refers to itself (`#`).
const ARGS_ROOT: &str = "Args";

/// Name of the output schema's root when it refers to itself (`#`).
const RESULT_ROOT: &str = "Result";

/// Appends the declaration of `tool` at nesting level `indent`.
pub(super) fn write_tool(out: &mut String, tool: &ToolDecl<'_>, indent: usize) {
    let output = tool.output_schema.or(tool.learned_output.map(|(schema, _)| schema));
    let mut docs = vec![(tool.input_schema, ARGS_ROOT)];
    docs.extend(output.map(|schema| (schema, RESULT_ROOT)));
    let mut renderer = Renderer::new(Refs::new(docs), true);
    renderer.qualifier = format!("{}.", tool.name);

    let args = root_type(&mut renderer, tool.input_schema, 0, indent);
    // Without an output schema (declared or learned) the result may be
    // text, JSON or content blocks: the runtime turns a single JSON text
    // block into its value and other text into a string, so no type
    // narrower than `unknown` is true.
    let result = match output {
        Some(schema) => root_type(&mut renderer, schema, 1, indent),
        None if tool.result_left_out => Ty::atom(format!("unknown /* {} */", brief::RESULT_LEFT_OUT)),
        None => Ty::atom("unknown"),
    };
    let mut comment = jsdoc::summary(tool.title, tool.description, tool.name);
    if tool.original_name != tool.name {
        push_paragraph(
            &mut comment,
            jsdoc::text_lines(&format!("Server tool name: {}.", string_literal(tool.original_name))),
        );
    }
    if tool.asks_approval {
        push_paragraph(
            &mut comment,
            jsdoc::text_lines(
                "Each call waits for a person to approve it; a refusal rejects with ToolError code \"declined\", \
                 and \"approval_required\" when there is no one to ask.",
            ),
        );
    }
    push_paragraph(&mut comment, tags(&renderer, tool));
    jsdoc::write(out, &comment, indent);
    let optional = if requires_args(&renderer.refs, tool.input_schema) { "" } else { "?" };
    out.push_str(&format!(
        "{}function {}(args{optional}: {}): Promise<{}>;\n",
        pad(indent),
        tool.name,
        args.text,
        result.text
    ));
    write_types(out, &mut renderer, tool.name, indent);
}

/// Appends the named types the signature referred to (and those they refer
/// to in turn) inside `namespace NAME { }`, if there are any.
fn write_types(out: &mut String, renderer: &mut Renderer<'_>, name: &str, indent: usize) {
    renderer.qualifier.clear();
    renderer.params = None;
    let inner = indent + 1;
    let mut types = String::new();
    while let Some(pending) = renderer.refs.next_pending() {
        renderer.declaring = Some((pending.doc, pending.pointer));
        let (ty, _) = renderer.member(pending.schema, pending.doc, inner);
        renderer.declaring = None;
        let comment = jsdoc::schema_doc(pending.schema, &pending.name);
        jsdoc::write(&mut types, &comment, inner);
        types.push_str(&match ty.prec {
            Prec::Object => format!("{}interface {} {}\n", pad(inner), pending.name, ty.text),
            _ => format!("{}type {}{};\n", pad(inner), pending.name, after(" =", &ty.text)),
        });
    }
    if !types.is_empty() {
        let outer = pad(indent);
        out.push_str(&format!("{outer}namespace {name} {{\n{types}{outer}}}\n"));
    }
}

/// The type of a document's root: its name when the document refers to its
/// own root, else the expression itself. The arguments object is marked so
/// that its properties are documented by `@param` lines rather than twice.
fn root_type<'a>(renderer: &mut Renderer<'a>, schema: &'a Value, doc: usize, indent: usize) -> Ty {
    if renderer.refs.is_recursive(doc) {
        return renderer.reference("#", doc);
    }
    if doc == 0 {
        renderer.params = schema.as_object();
    }
    renderer.render(schema, doc, indent)
}

/// `lines` after `comment`, separated by a blank line.
fn push_paragraph(comment: &mut Vec<String>, lines: Vec<String>) {
    if !comment.is_empty() && !lines.is_empty() {
        comment.push(String::new());
    }
    comment.extend(lines);
}

/// The `@param` lines (when the arguments object was rendered in place) and `@returns`.
fn tags(renderer: &Renderer<'_>, tool: &ToolDecl<'_>) -> Vec<String> {
    let mut params = Vec::new();
    let properties = renderer.params.and_then(|params| params.get("properties")).and_then(Value::as_object);
    for (key, schema) in properties.into_iter().flatten() {
        let lines = schema.as_object().map_or_else(Vec::new, |map| {
            jsdoc::summary(jsdoc::string(map, "title"), jsdoc::string(map, "description"), key)
        });
        if !lines.is_empty() {
            let path = match property_key(key) {
                quoted if quoted.starts_with('"') => format!("args[{quoted}]"),
                plain => format!("args.{plain}"),
            };
            params.extend(jsdoc::tagged(&format!("@param {path}"), lines));
        }
    }
    let root = tool.input_schema.get("description").and_then(Value::as_str);
    let mut tags = Vec::new();
    if root.is_some() || !params.is_empty() {
        tags.extend(jsdoc::tagged("@param args", root.map(jsdoc::text_lines).unwrap_or_default()));
    }
    tags.extend(params);
    if let Some(returns) = tool.output_schema.and_then(|schema| schema.get("description")).and_then(Value::as_str) {
        tags.extend(jsdoc::tagged("@returns", jsdoc::text_lines(returns)));
    } else if let (None, Some((_, observations))) = (tool.output_schema, tool.learned_output) {
        let results = if observations == 1 { "1 result".to_owned() } else { format!("{observations} results") };
        let remark = format!("Observed in {results}, not declared by the server: it may be incomplete.");
        tags.extend(jsdoc::tagged("@returns", jsdoc::text_lines(&remark)));
    }
    tags
}

/// Whether the tool needs an argument: its input schema (or a schema its root
/// `$ref` chain leads to) requires at least one property.
fn requires_args(refs: &Refs<'_>, input: &Value) -> bool {
    let follow =
        |schema: &&Value| schema.get("$ref").and_then(Value::as_str).and_then(|reference| refs.resolve(0, reference));
    std::iter::successors(Some(input), follow)
        .take(8) // a cycle of root refs must end somewhere
        .any(|schema| schema.get("required").and_then(Value::as_array).is_some_and(|required| !required.is_empty()))
}
