//! Object types: properties (required or optional, quoted when not
//! identifiers, each under its comment), index signatures from
//! `additionalProperties` and `patternProperties`, and `Record<string, T>`
//! when there are no named properties (`{ [key: string]: T }` when T names
//! a type: `Record` is an alias, which a cycle of aliases may not pass
//! through). Part of `render`.

use serde_json::{Map, Value};

use super::jsdoc;
use super::names::{pad, property_key};
use super::render::{Prec, Renderer, Ty, after, list, union};

/// Longest object literal (in characters) still written on one line inside
/// declarations, when none of its properties has a comment.
const INLINE_WIDTH: usize = 60;

/// Longest index signature value type that takes in the property types;
/// past it, `unknown`. Each property type appears in it again, so without a
/// bound nested objects would double the text at every level.
const INDEX_WIDTH: usize = 120;

/// The value type of an index signature beside named properties: every
/// property must fit it (optional ones with `undefined`), so it takes in the
/// property types, unless that gets long or it is `unknown` already.
fn index_value(index: Vec<Ty>, property_types: Vec<Ty>) -> String {
    let extra = union(index);
    if extra.text == "unknown" {
        return extra.text;
    }
    let all = union(std::iter::once(extra).chain(property_types).collect());
    if all.text.contains('\n') || all.text.len() > INDEX_WIDTH { "unknown".to_owned() } else { all.text }
}

impl<'a> Renderer<'a> {
    /// An object literal type, or `Record<string, T>` when there are no named properties.
    pub(super) fn object(&mut self, map: &'a Map<String, Value>, doc: usize, indent: usize) -> Ty {
        let described = !self.params.is_some_and(|params| std::ptr::eq(params, map));
        let required: Vec<&str> = list(map, "required").iter().filter_map(Value::as_str).collect();
        let properties = map.get("properties").and_then(Value::as_object);
        let declared = |key: &str| properties.is_some_and(|properties| properties.contains_key(key));
        let undeclared: Vec<&str> = required.iter().copied().filter(|key| !declared(key)).collect();
        let has_members = properties.is_some_and(|properties| !properties.is_empty()) || !undeclared.is_empty();
        let inner = indent + 1;
        let value_indent = if has_members { inner } else { indent };

        let mut index = Vec::new();
        let mut index_doc = Vec::new();
        let ((), names) = self.naming(|this| {
            for (pattern, schema) in map.get("patternProperties").and_then(Value::as_object).into_iter().flatten() {
                index.push(this.deferred(|this| this.render(schema, doc, value_indent)));
                index_doc.extend(jsdoc::text_lines(&format!("Keys matching `{pattern}`.")));
            }
            match map.get("additionalProperties") {
                None | Some(Value::Bool(false)) => {}
                Some(extra) => index.push(this.deferred(|this| this.render(extra, doc, value_indent))),
            }
        });
        if !has_members {
            let value = match (index.is_empty(), map.get("additionalProperties")) {
                (true, Some(Value::Bool(false))) => Ty::atom("never"),
                (true, _) => Ty::atom("unknown"),
                (false, _) => union(index),
            };
            if names {
                return Ty::new(format!("{{ [key: string]: {} }}", value.text), Prec::Object);
            }
            return Ty::atom(format!("Record<string, {}>", value.text));
        }

        let mut members: Vec<(Vec<String>, String)> = Vec::new();
        let mut property_types = Vec::new();
        for (key, schema) in properties.into_iter().flatten() {
            let (ty, plain) = self.deferred(|this| this.member(schema, doc, inner));
            let comment = match schema.as_object().filter(|_| self.block) {
                None => Vec::new(),
                Some(_) if described => jsdoc::schema_doc(schema, key),
                Some(map) => jsdoc::annotations(map),
            };
            let optional = !required.contains(&key.as_str());
            let mark = if optional { "?" } else { "" };
            let member = format!("{}{mark}{}", property_key(key), after(":", &ty.text));
            members.push((comment, member));
            property_types.push(plain.unwrap_or(ty));
            if optional {
                property_types.push(Ty::atom("undefined"));
            }
        }
        for key in &undeclared {
            members.push((Vec::new(), format!("{}: unknown", property_key(key))));
            property_types.push(Ty::atom("unknown"));
        }
        if !index.is_empty() {
            members.push((index_doc, format!("[key: string]: {}", index_value(index, property_types))));
        }

        let one_line: Vec<&str> = members.iter().map(|(_, member)| member.as_str()).collect();
        let one_line = format!("{{ {} }}", one_line.join("; "));
        let plain = members.iter().all(|(comment, _)| comment.is_empty()) && !one_line.contains('\n');
        if !self.block || (plain && one_line.len() <= INLINE_WIDTH) {
            return Ty::new(one_line, Prec::Object);
        }
        let mut text = "{\n".to_owned();
        for (comment, member) in &members {
            jsdoc::write(&mut text, comment, inner);
            text.push_str(&format!("{}{member};\n", pad(inner)));
        }
        text.push_str(&format!("{}}}", pad(indent)));
        Ty::new(text, Prec::Object)
    }
}
