//! What the check reads of an `inputSchema`: the arguments object's
//! properties, which are required, whether it takes other properties, and
//! whether a literal fits a property's type. It answers only when the schema
//! says so plainly; anything it cannot be sure of is "don't know", which the
//! check never rejects.

use oxc_ast::ast::{Expression, UnaryOperator};
use serde_json::{Map, Value};

use crate::declarations::expected_type;

/// How many local `$ref`s are followed in a row.
const MAX_REFS: usize = 4;

/// The arguments object of a tool, when its schema is a plain object schema.
pub(super) struct ArgsSchema<'a> {
    root: &'a Value,
    object: &'a Map<String, Value>,
}

impl<'a> ArgsSchema<'a> {
    /// The arguments object `schema` describes; `None` when it combines
    /// schemas (`anyOf`, `allOf`, conditionals, ...) or is not an object.
    pub(super) fn of(schema: &'a Value) -> Option<Self> {
        let object = resolve(schema, schema)?.as_object()?;
        let combined = ["anyOf", "oneOf", "allOf", "not", "if", "then", "else", "$ref", "dependentSchemas"];
        if combined.iter().any(|keyword| object.contains_key(*keyword)) {
            return None;
        }
        match object.get("type") {
            None => {}
            Some(Value::String(ty)) if ty == "object" => {}
            Some(_) => return None,
        }
        Some(ArgsSchema { root: schema, object })
    }

    fn properties(&self) -> Option<&'a Map<String, Value>> {
        self.object.get("properties").and_then(Value::as_object)
    }

    /// The schema of property `key`, if the object declares it.
    pub(super) fn property(&self, key: &str) -> Option<&'a Value> {
        self.properties()?.get(key)
    }

    /// The declared property names.
    pub(super) fn names(&self) -> Vec<&'a str> {
        self.properties().into_iter().flatten().map(|(key, _)| key.as_str()).collect()
    }

    /// The required property names.
    pub(super) fn required(&self) -> Vec<&'a str> {
        let required = self.object.get("required").and_then(Value::as_array);
        required.into_iter().flatten().filter_map(Value::as_str).collect()
    }

    /// Whether the object takes no properties but the declared ones, as its
    /// TypeScript declaration says: it declares some, and neither
    /// `additionalProperties` nor `patternProperties` (nor
    /// `unevaluatedProperties`) lets others in.
    pub(super) fn closed(&self) -> bool {
        let opens = |keyword: &str| self.object.get(keyword).is_some_and(|value| *value != Value::Bool(false));
        !self.names().is_empty()
            && !opens("additionalProperties")
            && !opens("unevaluatedProperties")
            && !self.object.contains_key("patternProperties")
    }

    /// The TypeScript type of the whole arguments object.
    pub(super) fn expected(&self) -> String {
        expected_type(self.root, self.root)
    }

    /// The TypeScript type `schema` (a part of this schema) expects.
    pub(super) fn expected_at(&self, schema: &Value) -> String {
        expected_type(self.root, schema)
    }

    /// Whether `literal` fits `schema`: `None` when the schema does not say
    /// plainly.
    pub(super) fn accepts(&self, schema: &Value, literal: &Literal<'_>) -> Option<bool> {
        accepts(self.root, schema, literal, 0)
    }
}

/// `schema` with local `$ref`s followed, a few in a row.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_REFS {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else { return Some(schema) };
        if schema.as_object().is_some_and(|map| map.len() > 1) {
            // A `$ref` beside other keywords: both apply; too much to be sure of.
            return Some(schema);
        }
        schema = root.pointer(reference.strip_prefix('#')?)?;
    }
    None
}

fn accepts(root: &Value, schema: &Value, literal: &Literal<'_>, depth: usize) -> Option<bool> {
    if depth > MAX_REFS {
        return None;
    }
    let map = match schema {
        Value::Bool(b) => return Some(*b),
        Value::Object(map) => map,
        _ => return None,
    };
    let mut verdicts = Vec::new();
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix('#').and_then(|pointer| root.pointer(pointer));
        verdicts.push(target.and_then(|target| accepts(root, target, literal, depth + 1)));
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        verdicts.push(Some(values.iter().any(|value| literal.equals(value))));
    }
    if let Some(value) = map.get("const") {
        verdicts.push(Some(literal.equals(value)));
    }
    if let Some(ty) = map.get("type") {
        // A `type` that is not a name or a list of names is not valid JSON
        // Schema; what it allows is the server's to say, not the check's.
        let types: Option<Vec<&str>> = match ty {
            Value::String(ty) => Some(vec![ty.as_str()]),
            Value::Array(types) if !types.is_empty() => types.iter().map(Value::as_str).collect(),
            _ => None,
        };
        let nullable = map.get("nullable") == Some(&Value::Bool(true)) && matches!(literal, Literal::Null);
        verdicts.push(types.and_then(|types| {
            types
                .iter()
                .map(|ty| literal.is_of(ty))
                .chain([Some(nullable)])
                .try_fold(false, |any, verdict| verdict.map(|fits| any || fits))
        }));
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(alternatives) = map.get(keyword).and_then(Value::as_array) {
            let each: Vec<Option<bool>> =
                alternatives.iter().map(|alternative| accepts(root, alternative, literal, depth + 1)).collect();
            verdicts.push(if each.contains(&Some(true)) {
                Some(true)
            } else if each.iter().all(|verdict| *verdict == Some(false)) {
                Some(false)
            } else {
                None
            });
        }
    }
    if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
        verdicts.extend(parts.iter().map(|part| accepts(root, part, literal, depth + 1)));
    }
    // Every keyword must accept; one that rejects decides, one that does not
    // know leaves the answer open.
    if verdicts.contains(&Some(false)) {
        Some(false)
    } else if !verdicts.is_empty() && verdicts.iter().all(|verdict| *verdict == Some(true)) {
        Some(true)
    } else {
        None
    }
}

/// A value written as a literal in the program.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal<'a> {
    String(&'a str),
    Number(f64),
    Boolean(bool),
    Null,
}

impl<'a> Literal<'a> {
    /// The literal `expression` is, if it is one: a string (or a template
    /// without substitutions), a number (negated or not), a boolean, `null`.
    pub(super) fn of(expression: &'a Expression<'a>) -> Option<Self> {
        Some(match expression.without_parentheses() {
            Expression::StringLiteral(s) => Literal::String(s.value.as_str()),
            Expression::TemplateLiteral(t) if t.expressions.is_empty() && t.quasis.len() == 1 => {
                Literal::String(t.quasis[0].value.cooked.as_ref()?.as_str())
            }
            Expression::NumericLiteral(n) => Literal::Number(n.value),
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::UnaryNegation => match &u.argument {
                Expression::NumericLiteral(n) => Literal::Number(-n.value),
                _ => return None,
            },
            Expression::BooleanLiteral(b) => Literal::Boolean(b.value),
            Expression::NullLiteral(_) => Literal::Null,
            _ => return None,
        })
    }

    /// Whether it is of JSON Schema type `ty`; `None` for a type name that
    /// is not one.
    fn is_of(&self, ty: &str) -> Option<bool> {
        Some(match (ty, self) {
            ("string", Literal::String(_)) | ("boolean", Literal::Boolean(_)) | ("null", Literal::Null) => true,
            // Whether a number is whole is a value's matter, as TypeScript
            // sees it (both are `number`); the run-time check has it.
            ("number" | "integer", Literal::Number(_)) => true,
            ("string" | "number" | "integer" | "boolean" | "null" | "object" | "array", _) => false,
            _ => return None,
        })
    }

    /// Whether it equals the JSON `value`.
    fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Literal::String(s), Value::String(v)) => s == v,
            (Literal::Number(n), Value::Number(v)) => v.as_f64() == Some(*n),
            (Literal::Boolean(b), Value::Bool(v)) => b == v,
            (Literal::Null, Value::Null) => true,
            _ => false,
        }
    }

    /// The literal, for a message: `the string "x"`, `the number 5`.
    pub(super) fn describe(&self) -> String {
        match self {
            Literal::String(s) => format!("the string {s:?}"),
            Literal::Number(n) => format!("the number {n}"),
            Literal::Boolean(b) => format!("{b}"),
            Literal::Null => "null".to_owned(),
        }
    }
}
