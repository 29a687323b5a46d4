//! JSON Schema -> TypeScript type expressions. Knows the keywords that shape a
//! type (`type`, `enum`, `const`, combinators, objects, arrays, tuples,
//! `nullable`) and how the results nest (parentheses, indentation); names of
//! referenced types come from `refs`, comment text from `jsdoc`, object types
//! from `object`. Every other keyword is ignored.

use serde_json::{Map, Value};

use super::jsdoc;
use super::names::{literal_type, pad};
use super::refs::{self, Refs};

/// Keywords that make a schema without `type` an object schema.
const OBJECT_KEYWORDS: [&str; 3] = ["properties", "additionalProperties", "patternProperties"];

/// Keywords that make a schema without `type` an array schema.
const ARRAY_KEYWORDS: [&str; 2] = ["items", "prefixItems"];

/// Keywords besides `anyOf`/`oneOf` that add to a schema's type; a schema with
/// none of them is a plain union whose branches can carry their own comments.
const SHAPING_KEYWORDS: [&str; 6] = ["$ref", "allOf", "type", "enum", "const", "nullable"];

/// How tightly a type expression binds, loosest first: a looser one gets
/// parentheses where a tighter one is expected.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    /// `A | B`
    Union,
    /// `A & B`
    Intersection,
    /// Names, keywords, literals, arrays, tuples, `Record<..>`.
    Atom,
    /// An object literal type `{ ... }`, which can also be an interface body.
    Object,
}

/// A rendered type expression.
pub(super) struct Ty {
    /// The source text; starts with a line break when it is a multi-line
    /// union with a comment per branch.
    pub(super) text: String,
    /// How tightly `text` binds.
    pub(super) prec: Prec,
}

impl Ty {
    /// A type of precedence `prec`.
    pub(super) fn new(text: impl Into<String>, prec: Prec) -> Self {
        Self { text: text.into(), prec }
    }

    /// A type that needs no parentheses anywhere.
    pub(super) fn atom(text: impl Into<String>) -> Self {
        Self::new(text, Prec::Atom)
    }

    /// The text, parenthesized if it binds looser than `at_least`.
    fn wrapped(&self, at_least: Prec) -> String {
        if self.prec < at_least { format!("({})", self.text) } else { self.text.clone() }
    }
}

/// `sep` followed by `text`: a space between them unless `text` starts on its own line.
pub(super) fn after(sep: &str, text: &str) -> String {
    if text.starts_with('\n') { format!("{sep}{text}") } else { format!("{sep} {text}") }
}

/// `members` joined with `|` (`op` = Union) or `&` (`op` = Intersection),
/// deduplicated, with `unknown`/`never` absorbing or vanishing as they do in TypeScript.
fn combine(members: Vec<Ty>, op: Prec) -> Ty {
    let (absorbing, neutral, sep) = match op {
        Prec::Union => ("unknown", "never", " | "),
        _ => ("never", "unknown", " & "),
    };
    let mut kept: Vec<Ty> = Vec::new();
    for member in members {
        if member.text == absorbing {
            return Ty::atom(absorbing);
        }
        if member.text != neutral && !kept.iter().any(|k| k.text == member.text) {
            kept.push(member);
        }
    }
    if kept.len() > 1 {
        let texts: Vec<String> = kept.iter().map(|member| member.wrapped(op)).collect();
        return Ty::new(texts.join(sep), op);
    }
    kept.pop().unwrap_or_else(|| Ty::atom(neutral))
}

/// The union of `members`.
pub(super) fn union(members: Vec<Ty>) -> Ty {
    combine(members, Prec::Union)
}

/// The values of an array-valued keyword (none when absent or not an array).
pub(super) fn list<'a>(schema: &'a Map<String, Value>, keyword: &str) -> &'a [Value] {
    schema.get(keyword).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Renders schemas of one tool (or one message) into type expressions.
pub(super) struct Renderer<'a> {
    /// The documents and the named types handed out so far.
    pub(super) refs: Refs<'a>,
    /// Written before every named type: `tool.` outside the tool's namespace, else empty.
    pub(super) qualifier: String,
    /// The object whose properties are documented by `@param` lines instead
    /// of comments of their own (the tool's arguments).
    pub(super) params: Option<&'a Map<String, Value>>,
    /// Multi-line objects with comments (declarations), or single lines without (messages).
    pub(super) block: bool,
    /// The named type being declared, as (document, pointer), when it is
    /// one: a reference that leads back to it outside any object member or
    /// array element would make an alias TypeScript refuses (TS2456).
    pub(super) declaring: Option<(usize, String)>,
    /// How many object members or array elements the current schema sits
    /// in: TypeScript resolves names there lazily, so cycles are fine.
    deferred: usize,
    /// How many named types were written so far.
    named: usize,
}

impl<'a> Renderer<'a> {
    /// A renderer for the documents in `refs`; `block` selects the declaration layout.
    pub(super) fn new(refs: Refs<'a>, block: bool) -> Self {
        Self { refs, qualifier: String::new(), params: None, block, declaring: None, deferred: 0, named: 0 }
    }

    /// `render` inside an object member or an array element.
    pub(super) fn deferred<T>(&mut self, render: impl FnOnce(&mut Self) -> T) -> T {
        self.deferred += 1;
        let rendered = render(self);
        self.deferred -= 1;
        rendered
    }

    /// `render`, and whether what it wrote names a type.
    pub(super) fn naming<T>(&mut self, render: impl FnOnce(&mut Self) -> T) -> (T, bool) {
        let before = self.named;
        let rendered = render(self);
        (rendered, self.named > before)
    }

    /// The type of `schema` (in document `doc`), laid out for nesting level `indent`.
    pub(super) fn render(&mut self, schema: &'a Value, doc: usize, indent: usize) -> Ty {
        let map = match schema {
            Value::Bool(false) => return Ty::atom("never"),
            Value::Object(map) => map,
            _ => return Ty::atom("unknown"),
        };
        let mut parts = Vec::new();
        if let Some(reference) = jsdoc::string(map, "$ref") {
            parts.push(self.reference(reference, doc));
        }
        parts.extend(self.base(map, doc, indent));
        for part in list(map, "allOf") {
            parts.push(self.render(part, doc, indent));
        }
        for keyword in ["anyOf", "oneOf"] {
            if map.contains_key(keyword) {
                let branches = list(map, keyword).iter().map(|branch| self.render(branch, doc, indent)).collect();
                parts.push(union(branches));
            }
        }
        let ty = combine(parts, Prec::Intersection);
        if map.get("nullable") == Some(&Value::Bool(true)) { union(vec![ty, Ty::atom("null")]) } else { ty }
    }

    /// Like [`Renderer::render`], but in declarations a plain union whose
    /// branches have descriptions (schemars' documented enums) is written one
    /// branch per line, each under its comment; its plain form comes second
    /// (for index signatures). For property types and named types only: the
    /// documented form cannot be nested further.
    pub(super) fn member(&mut self, schema: &'a Value, doc: usize, indent: usize) -> (Ty, Option<Ty>) {
        match self.documented_union(schema, doc, indent) {
            Some((documented, plain)) => (documented, Some(plain)),
            None => (self.render(schema, doc, indent), None),
        }
    }

    fn documented_union(&mut self, schema: &'a Value, doc: usize, indent: usize) -> Option<(Ty, Ty)> {
        let map = schema.as_object().filter(|_| self.block)?;
        let mut shaped = SHAPING_KEYWORDS.iter().chain(&OBJECT_KEYWORDS).chain(&ARRAY_KEYWORDS);
        if shaped.any(|keyword| map.contains_key(*keyword)) {
            return None;
        }
        let branches = match (map.get("anyOf"), map.get("oneOf")) {
            (Some(Value::Array(branches)), None) | (None, Some(Value::Array(branches))) => branches,
            _ => return None,
        };
        // Decided before rendering, so that no schema is rendered twice: a
        // second rendering per nesting level would be exponential.
        if !branches.iter().any(jsdoc::described) {
            return None;
        }
        let inner = indent + 1;
        let mut text = String::new();
        let mut types = Vec::new();
        for branch in branches {
            let ty = self.render(branch, doc, inner);
            text.push('\n');
            jsdoc::write(&mut text, &jsdoc::schema_doc(branch, ""), inner);
            text.push_str(&format!("{}| {}", pad(inner), ty.wrapped(Prec::Intersection)));
            types.push(ty);
        }
        Some((Ty::new(text, Prec::Union), union(types)))
    }

    /// The named type `reference` points at from document `doc`; `unknown`
    /// when it does not resolve, or when it would close a cycle of aliases.
    pub(super) fn reference(&mut self, reference: &str, doc: usize) -> Ty {
        if self.deferred == 0
            && let Some((declaring_doc, declaring)) = &self.declaring
            && *declaring_doc == doc
            && self.refs.reaches(doc, reference, declaring)
        {
            return Ty::atom("unknown");
        }
        // Messages name a ref even when its target is not at hand (a
        // property's schema cut out of its document); declarations must not.
        let unresolved = || refs::display_name(reference).filter(|_| !self.block);
        match self.refs.name(doc, reference).or_else(unresolved) {
            Some(name) => {
                self.named += 1;
                Ty::atom(format!("{}{name}", self.qualifier))
            }
            None => Ty::atom("unknown"),
        }
    }

    /// The type from `const`, `enum` or `type` (inferred from object or array
    /// keywords when absent); `None` when the schema says nothing of these.
    fn base(&mut self, map: &'a Map<String, Value>, doc: usize, indent: usize) -> Option<Ty> {
        if let Some(value) = map.get("const") {
            return Some(Ty::atom(literal_type(value)));
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return Some(union(values.iter().map(|value| Ty::atom(literal_type(value))).collect()));
        }
        let has = |keywords: &[&str]| keywords.iter().any(|keyword| map.contains_key(*keyword));
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(name)) => vec![name],
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ if has(&OBJECT_KEYWORDS) => vec!["object"],
            _ if has(&ARRAY_KEYWORDS) => vec!["array"],
            _ => return None,
        };
        let members = types
            .into_iter()
            .map(|name| match name {
                "string" | "boolean" | "null" => Ty::atom(name),
                "number" | "integer" => Ty::atom("number"),
                "array" => self.array(map, doc, indent),
                "object" => self.object(map, doc, indent),
                _ => Ty::atom("unknown"),
            })
            .collect();
        Some(union(members))
    }

    /// `T[]` for `items`, a tuple for `prefixItems` or draft-07 array-form `items`.
    fn array(&mut self, map: &'a Map<String, Value>, doc: usize, indent: usize) -> Ty {
        let (prefix, rest) = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(prefix)), rest) => (prefix, rest),
            (_, Some(Value::Array(prefix))) => (prefix, map.get("additionalItems")),
            (_, Some(items)) => {
                let items = self.deferred(|this| this.render(items, doc, indent));
                return Ty::atom(format!("{}[]", items.wrapped(Prec::Atom)));
            }
            _ => return Ty::atom("unknown[]"),
        };
        let count = |keyword: &str| map.get(keyword).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
        let required = count("minItems").unwrap_or(0);
        let closed = rest == Some(&Value::Bool(false)) || count("maxItems").is_some_and(|max| max <= prefix.len());
        let mut elements: Vec<String> = Vec::new();
        for (i, item) in prefix.iter().enumerate() {
            let ty = self.deferred(|this| this.render(item, doc, indent));
            elements.push(if i < required { ty.text } else { format!("{}?", ty.wrapped(Prec::Atom)) });
        }
        if !closed {
            let rest =
                rest.map_or_else(|| Ty::atom("unknown"), |rest| self.deferred(|this| this.render(rest, doc, indent)));
            elements.push(format!("...{}[]", rest.wrapped(Prec::Atom)));
        }
        Ty::atom(format!("[{}]", elements.join(", ")))
    }
}
