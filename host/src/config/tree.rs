//! An order-preserving JSON tree, and typed access to it that names the
//! server and field of every error. It knows JSON types only; what the keys
//! mean is for the modules that read it.
//!
//! Why not `serde_json::Value`: without the `preserve_order` feature its
//! objects are sorted, and server order, `env` order and duplicate keys are
//! all visible to users. Why not typed `Deserialize` structs: serde's type
//! errors quote the offending string, which may be a credential, and cannot
//! name the server.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{ConfigError, ConfigErrorKind};

/// A parsed JSON value; objects keep their keys in file order, duplicates
/// included.
pub(super) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON type, as error messages name it.
    fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v).map(Json::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

/// A value and where it sits: the server whose entry holds it (if any) and
/// its field path inside that entry, or from the top level otherwise
/// (`args[2]`, `env.TOKEN`, `codemode.tools.allow`).
#[derive(Clone)]
pub(super) struct Node<'j> {
    value: &'j Json,
    server: Option<&'j str>,
    field: Option<String>,
}

impl<'j> Node<'j> {
    /// The whole file.
    pub(super) fn top(value: &'j Json) -> Self {
        Node { value, server: None, field: None }
    }

    /// The entry of server `name`.
    pub(super) fn server(name: &'j str, value: &'j Json) -> Self {
        Node { value, server: Some(name), field: None }
    }

    pub(super) fn value(&self) -> &'j Json {
        self.value
    }

    /// An error about this value.
    pub(super) fn error(&self, kind: ConfigErrorKind) -> ConfigError {
        ConfigError::new(kind).at(self.server, self.field.clone())
    }

    /// The error for a value of the wrong JSON type (naming only its type).
    pub(super) fn expected(&self, expected: &'static str) -> ConfigError {
        let found = self.value.type_name().to_owned();
        self.error(ConfigErrorKind::InvalidValue { expected, found })
    }

    fn child(&self, value: &'j Json, step: Step<'_>) -> Node<'j> {
        Node { value, server: self.server, field: Some(self.path(step)) }
    }

    /// The field path one step below this value.
    fn path(&self, step: Step<'_>) -> String {
        match (self.field.as_deref(), step) {
            (None, Step::Key(key)) => key.to_owned(),
            (Some(parent), Step::Key(key)) => format!("{parent}.{key}"),
            (parent, Step::Index(i)) => format!("{}[{i}]", parent.unwrap_or_default()),
        }
    }

    pub(super) fn object(&self) -> Result<Object<'j>, ConfigError> {
        match self.value {
            Json::Object(entries) => Ok(Object { node: self.clone(), entries }),
            _ => Err(self.expected("an object")),
        }
    }

    pub(super) fn string(&self) -> Result<&'j str, ConfigError> {
        match self.value {
            Json::String(s) => Ok(s),
            _ => Err(self.expected("a string")),
        }
    }

    pub(super) fn bool(&self) -> Result<bool, ConfigError> {
        match self.value {
            Json::Bool(b) => Ok(*b),
            _ => Err(self.expected("true or false")),
        }
    }

    /// The elements, each named `field[i]`.
    pub(super) fn array(&self) -> Result<Vec<Node<'j>>, ConfigError> {
        match self.value {
            Json::Array(items) => {
                Ok(items.iter().enumerate().map(|(i, item)| self.child(item, Step::Index(i))).collect())
            }
            _ => Err(self.expected("an array")),
        }
    }
}

/// One step down a field path.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A JSON object being read; children are named `field.key`.
pub(super) struct Object<'j> {
    node: Node<'j>,
    entries: &'j [(String, Json)],
}

impl<'j> Object<'j> {
    /// The value of `key`, if present. A key that appears twice is an
    /// error: other clients would silently take one or the other.
    pub(super) fn get(&self, key: &str) -> Result<Option<Node<'j>>, ConfigError> {
        let mut found = self.entries().filter(|(k, _)| *k == key);
        match (found.next(), found.next()) {
            (_, Some(_)) => Err(self.duplicate(key)),
            (first, None) => Ok(first.map(|(_, node)| node)),
        }
    }

    /// Every entry in file order, duplicates included.
    pub(super) fn entries(&self) -> impl Iterator<Item = (&'j str, Node<'j>)> + '_ {
        self.entries.iter().map(|(key, value)| (key.as_str(), self.node.child(value, Step::Key(key))))
    }

    /// Every entry in file order; a repeated key is an error.
    pub(super) fn unique_entries(&self) -> Result<Vec<(&'j str, Node<'j>)>, ConfigError> {
        let mut seen = HashSet::new();
        self.entries()
            .map(|(key, node)| if seen.insert(key) { Ok((key, node)) } else { Err(self.duplicate(key)) })
            .collect()
    }

    /// An error about `key` of this object, whether present or not.
    pub(super) fn error_at(&self, key: &str, kind: ConfigErrorKind) -> ConfigError {
        let field = self.node.path(Step::Key(key));
        ConfigError::new(kind).at(self.node.server, Some(field))
    }

    fn duplicate(&self, key: &str) -> ConfigError {
        self.node.error(ConfigErrorKind::DuplicateKey { key: key.to_owned() })
    }
}
