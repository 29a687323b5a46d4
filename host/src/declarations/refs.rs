//! `$ref` resolution and the names of the types refs point at. A tool has up to
//! two documents (input and output schema); a local ref (`#`, `#/$defs/X`,
//! `#/definitions/X`, or any other JSON pointer) resolves inside its own
//! document and becomes a named type, so recursion never needs expanding.
//! Names are unique within one tool: the tool's own TypeScript namespace is
//! what keeps them apart from other tools'. Remote refs are not followed.

use serde_json::Value;

use super::names::type_name;

/// Global types the declarations use, which a named type must not shadow.
const RESERVED: [&str; 2] = ["Record", "Promise"];

/// Keywords whose next pointer segment is a name the user chose.
const NAMING_KEYWORDS: [&str; 4] = ["$defs", "definitions", "properties", "patternProperties"];

/// One named type: the schema at `pointer` in document `doc`.
struct Named {
    doc: usize,
    pointer: String,
    name: String,
    /// False when an equal definition of another document already has the name.
    emit: bool,
}

/// A definition waiting to be declared.
pub(super) struct Pending<'a> {
    /// The document the definition lives in (its own refs resolve there).
    pub(super) doc: usize,
    /// Where in it.
    pub(super) pointer: String,
    /// The definition's schema.
    pub(super) schema: &'a Value,
    /// Its unique name.
    pub(super) name: String,
}

/// The documents of one tool and the names handed out for their refs.
pub(super) struct Refs<'a> {
    /// Each document with the name its root gets when `#` refers to it.
    docs: Vec<(&'a Value, &'static str)>,
    named: Vec<Named>,
    /// How many of `named` were already handed out by [`Refs::next_pending`].
    declared: usize,
}

impl<'a> Refs<'a> {
    /// No names yet for `docs` (each with the name its root would get).
    pub(super) fn new(docs: Vec<(&'a Value, &'static str)>) -> Self {
        Self { docs, named: Vec::new(), declared: 0 }
    }

    /// The document `doc`.
    pub(super) fn doc(&self, doc: usize) -> &'a Value {
        self.docs[doc].0
    }

    /// The schema `reference` points at from document `doc`, if it is local and exists.
    pub(super) fn resolve(&self, doc: usize, reference: &str) -> Option<&'a Value> {
        self.doc(doc).pointer(&pointer(reference)?)
    }

    /// The type name for `reference` in document `doc`, handing out a new one
    /// (and queueing the definition) on first sight; `None` when it does not resolve.
    pub(super) fn name(&mut self, doc: usize, reference: &str) -> Option<String> {
        let pointer = pointer(reference)?;
        let target = self.doc(doc).pointer(&pointer)?;
        if let Some(known) = self.named.iter().find(|n| n.doc == doc && n.pointer == pointer) {
            return Some(known.name.clone());
        }
        // An equal definition in the other document shares its name; roots
        // never do, so that `Args` and `Result` each say which side they are.
        let twin = self.named.iter().find(|n| {
            n.emit && !pointer.is_empty() && n.pointer == pointer && self.same(n.doc, doc, &pointer, &mut Vec::new())
        });
        let (name, emit) = match twin {
            Some(twin) => (twin.name.clone(), false),
            None => (self.unique(&self.base_name(doc, &pointer, target)), true),
        };
        self.named.push(Named { doc, pointer, name: name.clone(), emit });
        Some(name)
    }

    /// The next definition that was named but not yet declared.
    pub(super) fn next_pending(&mut self) -> Option<Pending<'a>> {
        while let Some(named) = self.named.get(self.declared) {
            self.declared += 1;
            if named.emit {
                let schema = self.doc(named.doc).pointer(&named.pointer)?;
                return Some(Pending {
                    doc: named.doc,
                    pointer: named.pointer.clone(),
                    schema,
                    name: named.name.clone(),
                });
            }
        }
        None
    }

    /// Whether document `doc` refers to its own root (`#`), so the root must be a named type.
    pub(super) fn is_recursive(&self, doc: usize) -> bool {
        let mut refs = Vec::new();
        refs_in(self.doc(doc), &mut refs);
        refs.iter().any(|reference| pointer(reference).is_some_and(|p| p.is_empty()))
    }

    /// Whether following `reference` from document `doc` leads to the schema
    /// at `target` without passing an object member or array element: only
    /// through `$ref`s and the branches of `allOf`, `anyOf` and `oneOf`,
    /// which a type alias expands at once.
    pub(super) fn reaches(&self, doc: usize, reference: &str, target: &str) -> bool {
        let mut seen: Vec<String> = Vec::new();
        let mut next: Vec<String> = pointer(reference).into_iter().collect();
        while let Some(at) = next.pop() {
            if at == target {
                return true;
            }
            if seen.contains(&at) {
                continue;
            }
            let mut refs = Vec::new();
            if let Some(schema) = self.doc(doc).pointer(&at) {
                immediate_refs(schema, &mut refs);
            }
            next.extend(refs.into_iter().filter_map(pointer));
            seen.push(at);
        }
        false
    }

    /// Whether `pointer` means the same schema in documents `a` and `b`: equal
    /// JSON whose refs, followed in each document, are the same too. `seen`
    /// holds the pointers already being compared (assumed equal, for cycles).
    fn same(&self, a: usize, b: usize, pointer: &str, seen: &mut Vec<String>) -> bool {
        let right = self.doc(b).pointer(pointer);
        let Some(left) = self.doc(a).pointer(pointer).filter(|left| Some(*left) == right) else {
            return false;
        };
        if seen.iter().any(|p| p == pointer) {
            return true;
        }
        seen.push(pointer.to_owned());
        let mut refs = Vec::new();
        refs_in(left, &mut refs);
        refs.into_iter().all(|reference| match self::pointer(reference) {
            Some(inner) => self.same(a, b, &inner, seen),
            None => true,
        })
    }

    /// The readable name of the schema at `pointer`: the root's name, else [`pointer_name`].
    fn base_name(&self, doc: usize, pointer: &str, target: &Value) -> String {
        if pointer.is_empty() {
            return self.docs[doc].1.to_owned();
        }
        pointer_name(pointer, target.get("title").and_then(Value::as_str))
    }

    /// `base`, or `base2`, `base3`, ... whichever is not taken yet.
    fn unique(&self, base: &str) -> String {
        let taken = |name: &str| RESERVED.contains(&name) || self.named.iter().any(|n| n.name == name);
        let mut name = base.to_owned();
        for n in 2.. {
            if !taken(&name) {
                break;
            }
            name = format!("{base}{n}");
        }
        name
    }
}

/// The name a local ref to a non-root schema would get, without looking it
/// up (for messages, where the definitions may not be at hand).
pub(super) fn display_name(reference: &str) -> Option<String> {
    pointer(reference).filter(|pointer| !pointer.is_empty()).map(|pointer| pointer_name(&pointer, None))
}

/// The type name for a non-root `pointer`: the `$defs`/`definitions`/property
/// key it sits under, else `title`, else its last segment.
fn pointer_name(pointer: &str, title: Option<&str>) -> String {
    let segments: Vec<String> = pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let keyed =
        segments.windows(2).rev().find(|pair| NAMING_KEYWORDS.contains(&pair[0].as_str())).map(|pair| pair[1].as_str());
    type_name(keyed.or(title).unwrap_or(&segments[segments.len() - 1]))
}

/// The JSON pointer of a local ref, percent-decoded: `#/a/b` -> `/a/b`, `#` -> the empty pointer.
fn pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let bytes = fragment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = fragment.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).ok().filter(|p| p.is_empty() || p.starts_with('/'))
}

/// The `$ref`s of `schema` itself and of its `allOf`, `anyOf` and `oneOf`
/// branches, recursively: those a type alias of it would expand at once.
fn immediate_refs<'v>(schema: &'v Value, out: &mut Vec<&'v str>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        out.push(reference);
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        for branch in schema.get(keyword).and_then(Value::as_array).into_iter().flatten() {
            immediate_refs(branch, out);
        }
    }
}

/// Every `$ref` string inside `schema`, in document order.
fn refs_in<'v>(schema: &'v Value, out: &mut Vec<&'v str>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    _ => refs_in(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, out)),
        _ => {}
    }
}
