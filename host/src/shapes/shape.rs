//! The shape of the values seen at one place of a tool's results: which JSON
//! kinds occurred there, and for arrays and objects the shapes inside. A
//! shape is built from a result's JSON text without building the value
//! ([`Shape::observe`]) and merged with the shapes seen before
//! ([`Shape::merge`]).
//!
//! A shape never holds a value: strings and numbers are only `string` and
//! `number`. The one text it keeps is an object's keys, and only keys that
//! look like field names; an object whose keys look like data (ids, dates,
//! long or high-entropy strings), or that has more keys than a record of
//! fields would, becomes a map (`Record<string, T>`), its keys forgotten.
//!
//! Shapes are bounded: past [`MAX_DEPTH`] levels a value is `unknown`, a
//! union of more than [`MAX_KINDS`] kinds widens to `unknown`, and a shape
//! larger than [`MAX_NODES`] is cut to fewer levels until it fits.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Levels of nesting a shape describes; deeper values are `unknown`.
pub const MAX_DEPTH: usize = 8;
/// Kinds a union may have (besides `null`) before it widens to `unknown`.
pub const MAX_KINDS: usize = 3;
/// Object keys before an object counts as a map rather than a record.
pub const MAX_FIELDS: usize = 48;
/// Nodes (kinds and fields) one tool's shape may have.
pub const MAX_NODES: usize = 400;
/// Elements of one array that are looked at: the first ones, then an even
/// sample of the rest.
const SAMPLED_ELEMENTS: usize = 256;

/// What is known about the values at one place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Shape {
    /// `null` occurred.
    #[serde(skip_serializing_if = "is_false")]
    pub null: bool,
    /// A boolean occurred.
    #[serde(skip_serializing_if = "is_false")]
    pub boolean: bool,
    /// A number occurred.
    #[serde(skip_serializing_if = "is_false")]
    pub number: bool,
    /// A string occurred.
    #[serde(skip_serializing_if = "is_false")]
    pub string: bool,
    /// Arrays occurred, with this shape of their elements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub array: Option<Box<Shape>>,
    /// Objects occurred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Object>,
    /// MCP content blocks occurred (image, audio, embedded resource,
    /// resource link): these kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Content>,
    /// Anything may occur: the shape was widened.
    #[serde(skip_serializing_if = "is_false")]
    pub unknown: bool,
}

/// The objects seen at one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Object {
    /// Records: each key a field, in the order first seen, with how many of
    /// the `seen` objects had it.
    Fields {
        /// The fields.
        fields: Vec<(String, Field)>,
        /// How many objects were seen here.
        seen: u32,
    },
    /// Maps from data keys to values of one shape.
    Record(Box<Shape>),
}

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Its values' shape.
    pub shape: Shape,
    /// How many objects had it.
    pub seen: u32,
}

/// The MCP content blocks a shape knows by their kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// `{ type: "image", data, mimeType }`
    Image,
    /// `{ type: "audio", data, mimeType }`
    Audio,
    /// `{ type: "resource", resource }`
    Resource,
    /// `{ type: "resource_link", uri, name, ... }`
    ResourceLink,
}

impl Content {
    /// The block kind whose `type` tag is `tag`, with the key that block
    /// always has besides `type`.
    fn from_tag(tag: &str) -> Option<(Self, &'static str)> {
        Some(match tag {
            "image" => (Content::Image, "data"),
            "audio" => (Content::Audio, "data"),
            "resource" => (Content::Resource, "resource"),
            "resource_link" => (Content::ResourceLink, "uri"),
            _ => return None,
        })
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Shape {
    /// The shape of the JSON text `json`, or `None` if it is not JSON.
    pub fn observe(json: &str) -> Option<Shape> {
        let mut parser = serde_json::Deserializer::from_str(json);
        let observed = ShapeSeed { depth: 0 }.deserialize(&mut parser).ok()?;
        parser.end().ok()?;
        let mut shape = observed.shape;
        shape.fit();
        Some(shape)
    }

    /// The shape of text that is not JSON: a string.
    pub fn string() -> Shape {
        Shape { string: true, ..Shape::default() }
    }

    /// Whether nothing occurred here.
    pub fn is_empty(&self) -> bool {
        *self == Shape::default()
    }

    /// Adds what `other` saw.
    pub fn merge(&mut self, other: Shape) {
        if self.unknown || other.unknown {
            *self = Shape { unknown: true, ..Shape::default() };
            return;
        }
        self.null |= other.null;
        self.boolean |= other.boolean;
        self.number |= other.number;
        self.string |= other.string;
        match (&mut self.array, other.array) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        match (&mut self.object, other.object) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        for content in other.content {
            if !self.content.contains(&content) {
                self.content.push(content);
                self.content.sort_unstable();
            }
        }
    }

    /// Applies the bounds: too many kinds widen, records with too many or
    /// data-like keys become maps, and the whole fits in [`MAX_NODES`].
    pub fn fit(&mut self) {
        self.normalize(0);
        let mut depth = MAX_DEPTH;
        while self.nodes() > MAX_NODES && depth > 0 {
            depth -= 1;
            self.cut(depth);
        }
    }

    /// The kinds present besides `null`.
    fn kinds(&self) -> usize {
        [self.boolean, self.number, self.string, self.array.is_some(), self.object.is_some()]
            .iter()
            .filter(|&&k| k)
            .count()
            + self.content.len()
    }

    fn normalize(&mut self, depth: usize) {
        if self.unknown || depth > MAX_DEPTH || self.kinds() > MAX_KINDS {
            *self = Shape { unknown: true, ..Shape::default() };
            return;
        }
        if let Some(array) = &mut self.array {
            array.normalize(depth + 1);
        }
        if let Some(object) = &mut self.object {
            if let Object::Fields { fields, .. } = object
                && (fields.len() > MAX_FIELDS
                    || fields.iter().any(|(key, _)| looks_like_data(key))
                    || numbered(fields.iter().map(|(key, _)| key.as_str())))
            {
                let mut values = Shape::default();
                for (_, field) in std::mem::take(fields) {
                    values.merge(field.shape);
                }
                *object = Object::Record(Box::new(values));
            }
            match object {
                Object::Fields { fields, .. } => fields.iter_mut().for_each(|(_, f)| f.shape.normalize(depth + 1)),
                Object::Record(values) => values.normalize(depth + 1),
            }
        }
    }

    /// Kinds and fields in this shape, all levels.
    fn nodes(&self) -> usize {
        let inner = self.array.as_ref().map_or(0, |a| a.nodes())
            + match &self.object {
                Some(Object::Fields { fields, .. }) => fields.iter().map(|(_, f)| 1 + f.shape.nodes()).sum(),
                Some(Object::Record(values)) => values.nodes(),
                None => 0,
            };
        self.kinds().max(1) + inner
    }

    /// Widens everything below `depth` levels to `unknown`.
    fn cut(&mut self, depth: usize) {
        if depth == 0 {
            if self.array.is_some() || self.object.is_some() {
                *self = Shape { unknown: true, ..Shape::default() };
            }
            return;
        }
        if let Some(array) = &mut self.array {
            array.cut(depth - 1);
        }
        match &mut self.object {
            Some(Object::Fields { fields, .. }) => fields.iter_mut().for_each(|(_, f)| f.shape.cut(depth - 1)),
            Some(Object::Record(values)) => values.cut(depth - 1),
            None => {}
        }
    }
}

impl Object {
    fn merge(&mut self, other: Object) {
        match (self, other) {
            (Object::Fields { fields, seen }, Object::Fields { fields: theirs, seen: their_seen }) => {
                *seen = seen.saturating_add(their_seen);
                for (key, field) in theirs {
                    match fields.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, mine)) => {
                            mine.shape.merge(field.shape);
                            mine.seen = mine.seen.saturating_add(field.seen);
                        }
                        None => fields.push((key, field)),
                    }
                }
            }
            (Object::Record(values), Object::Record(theirs)) => values.merge(*theirs),
            (Object::Record(values), Object::Fields { fields, .. }) => {
                fields.into_iter().for_each(|(_, field)| values.merge(field.shape));
            }
            (mine @ Object::Fields { .. }, Object::Record(mut theirs)) => {
                if let Object::Fields { fields, .. } = std::mem::replace(mine, Object::Record(Box::default())) {
                    fields.into_iter().for_each(|(_, field)| theirs.merge(field.shape));
                }
                *mine = Object::Record(theirs);
            }
        }
    }
}

/// Whether an object key is data (an id, a date, a name with spaces, a
/// token) rather than the name of a field.
pub fn looks_like_data(key: &str) -> bool {
    let chars = key.chars().count();
    if chars == 0 || chars > 40 {
        return true;
    }
    let identifier = key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.' | ':' | '@'));
    if !identifier || key.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let digits = key.chars().filter(char::is_ascii_digit).count();
    let upper = key.chars().filter(char::is_ascii_uppercase).count();
    let lower = key.chars().filter(char::is_ascii_lowercase).count();
    // Tokens and hashes: long, with many digits or mixed case throughout.
    (chars >= 16 && digits >= 4) || (chars >= 20 && upper >= 4 && lower >= 4 && digits >= 2) || digits * 2 > chars
}

/// Whether two or more `keys` are the same word numbered differently
/// (`c001`, `c002`; `y2024`, `y2025`): ids or dates, not fields. One such
/// key alone (`sha256`) is a field.
fn numbered<'k>(keys: impl Iterator<Item = &'k str>) -> bool {
    let mut skeletons = std::collections::HashSet::new();
    for key in keys {
        let bytes = key.as_bytes();
        let numbered = bytes.windows(2).any(|pair| pair[0].is_ascii_digit() && pair[1].is_ascii_digit());
        if !numbered {
            continue;
        }
        let mut skeleton = String::with_capacity(key.len());
        for c in key.chars() {
            if !c.is_ascii_digit() {
                skeleton.push(c);
            } else if !skeleton.ends_with('#') {
                skeleton.push('#');
            }
        }
        if !skeletons.insert(skeleton) {
            return true;
        }
    }
    false
}

/// A shape, and the content-block tag when the value was a string that is
/// one (the tag only decides the kind of its object; it is never kept).
struct Observed {
    shape: Shape,
    tag: Option<&'static str>,
}

/// Builds the shape of one value from the deserializer, `depth` levels down.
struct ShapeSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ShapeSeed {
    type Value = Observed;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Observed, D::Error> {
        if self.depth > MAX_DEPTH {
            IgnoredAny::deserialize(deserializer)?;
            return Ok(Observed { shape: Shape { unknown: true, ..Shape::default() }, tag: None });
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ShapeSeed {
    type Value = Observed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Observed, E> {
        Ok(plain(Shape { boolean: true, ..Shape::default() }))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Observed, E> {
        Ok(plain(Shape { number: true, ..Shape::default() }))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Observed, E> {
        Ok(plain(Shape { number: true, ..Shape::default() }))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Observed, E> {
        Ok(plain(Shape { number: true, ..Shape::default() }))
    }

    fn visit_str<E>(self, text: &str) -> Result<Observed, E> {
        let tag = ["image", "audio", "resource", "resource_link"].into_iter().find(|tag| *tag == text);
        Ok(Observed { shape: Shape::string(), tag })
    }

    fn visit_unit<E>(self) -> Result<Observed, E> {
        Ok(plain(Shape { null: true, ..Shape::default() }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Observed, A::Error> {
        let mut elements = Shape::default();
        let mut index = 0usize;
        loop {
            // The first elements, then every 16th: arrays of records repeat
            // one shape, and a value skipped is only tokenized.
            let looked_at = index < SAMPLED_ELEMENTS || index.is_multiple_of(16);
            let more = if looked_at {
                seq.next_element_seed(ShapeSeed { depth: self.depth + 1 })?.map(|o| elements.merge(o.shape))
            } else {
                seq.next_element::<IgnoredAny>()?.map(drop)
            };
            if more.is_none() {
                break;
            }
            index += 1;
        }
        Ok(plain(Shape { array: Some(Box::new(elements)), ..Shape::default() }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Observed, A::Error> {
        let mut fields: Vec<(String, Field)> = Vec::new();
        let mut tag = None;
        while let Some(key) = map.next_key::<String>()? {
            let observed = map.next_value_seed(ShapeSeed { depth: self.depth + 1 })?;
            if key == "type" {
                tag = observed.tag;
            }
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some((_, field)) => field.shape = observed.shape,
                None => fields.push((key, Field { shape: observed.shape, seen: 1 })),
            }
        }
        let content = tag.and_then(Content::from_tag).filter(|(_, key)| fields.iter().any(|(k, _)| k == key));
        if let Some((content, _)) = content {
            return Ok(plain(Shape { content: vec![content], ..Shape::default() }));
        }
        Ok(plain(Shape { object: Some(Object::Fields { fields, seen: 1 }), ..Shape::default() }))
    }
}

fn plain(shape: Shape) -> Observed {
    Observed { shape, tag: None }
}

#[cfg(test)]
mod tests;
