//! Tool results into JavaScript values: the JSON text is parsed by
//! serde_json and each value is built directly through the engine's C API,
//! with no JSON parse inside the engine.
//!
//! The engine's own parser (what `JSON.parse` runs) spends most of a large
//! result in its byte-at-a-time tokenizer and in turning every key of every
//! object into an atom again. Here serde_json tokenizes, each distinct key
//! becomes an atom once per result, and an array is built in one piece from
//! its elements. The values are the ones `JSON.parse` gives: integral
//! numbers in the 32-bit range are integers, a repeated key keeps its first
//! position and its last value, `__proto__` is an own property, and floats
//! round as `JSON.parse` rounds them (serde_json's `float_roundtrip`). Text
//! serde_json does not take (a lone surrogate escape, a number beyond the
//! double range, nesting deeper than 128, malformed JSON) is handed to the
//! engine's parser instead, so the value or the `SyntaxError` is then
//! exactly `JSON.parse`'s. The one difference: serde_json reads `-0` as the
//! integer 0, where `JSON.parse` gives negative zero.
//!
//! This is the guest's second FFI edge (after the bindings): raw `JSValue`s
//! are owned by [`Owned`] until handed to the engine, so an error on any
//! path frees what was built.

use rquickjs::{Ctx, Value, qjs};
use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// The value of the JSON text `json`, as `JSON.parse(json)` would give it.
/// Malformed text is a pending `SyntaxError`, as out of memory is a pending
/// exception (both `Error::Exception`).
pub fn parse<'js>(ctx: &Ctx<'js>, json: &str) -> rquickjs::Result<Value<'js>> {
    let builder = Builder { ctx: ctx.as_raw().as_ptr(), atoms: RefCell::default(), threw: Cell::new(false) };
    let mut parser = serde_json::Deserializer::from_str(json);
    let built = ValueSeed(&builder).deserialize(&mut parser).and_then(|value| parser.end().map(|()| value));
    builder.release_atoms();
    match built {
        // SAFETY: `value` is a live value of this context, owned here; the
        // `Value` takes that ownership over.
        #[allow(unsafe_code)]
        Ok(value) => Ok(unsafe { Value::from_raw(ctx.clone(), value.into_raw()) }),
        Err(_) if builder.threw.get() => Err(rquickjs::Error::Exception),
        Err(_) => ctx.json_parse(json),
    }
}

/// What building one result shares: the context, the atoms of the keys seen
/// so far (one reference each, released at the end), and whether the engine
/// threw (then its exception is pending and the parse must not be retried).
struct Builder {
    ctx: *mut qjs::JSContext,
    atoms: RefCell<FxHashMap<String, qjs::JSAtom>>,
    threw: Cell<bool>,
}

impl Builder {
    /// Takes ownership of `value`, which the engine just returned; an
    /// exception marker means the engine threw.
    fn own<E: de::Error>(&self, value: qjs::JSValue) -> Result<Owned, E> {
        let owned = Owned { ctx: self.ctx, value };
        // SAFETY: a tag check on a value the engine returned.
        #[allow(unsafe_code)]
        if unsafe { qjs::JS_IsException(value) } {
            return Err(self.threw());
        }
        Ok(owned)
    }

    fn threw<E: de::Error>(&self) -> E {
        self.threw.set(true);
        E::custom("the engine threw")
    }

    /// The atom of `key`, made once per result.
    fn atom<E: de::Error>(&self, key: &str) -> Result<qjs::JSAtom, E> {
        if let Some(&atom) = self.atoms.borrow().get(key) {
            return Ok(atom);
        }
        // SAFETY: `key` is valid for `key.len()` bytes; the engine copies it.
        #[allow(unsafe_code)]
        let atom = unsafe { qjs::JS_NewAtomLen(self.ctx, key.as_ptr().cast(), key.len() as _) };
        if atom == qjs::JS_ATOM_NULL {
            return Err(self.threw());
        }
        self.atoms.borrow_mut().insert(key.to_owned(), atom);
        Ok(atom)
    }

    fn release_atoms(&self) {
        for (_, atom) in self.atoms.borrow_mut().drain() {
            // SAFETY: each cached atom holds exactly one reference, taken in
            // `atom`, and is released once, here.
            #[allow(unsafe_code)]
            unsafe {
                qjs::JS_FreeAtom(self.ctx, atom)
            };
        }
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<Owned, E> {
        // SAFETY: `s` is valid UTF-8 for `s.len()` bytes; the engine copies it.
        #[allow(unsafe_code)]
        let value = unsafe { qjs::JS_NewStringLen(self.ctx, s.as_ptr().cast(), s.len() as _) };
        self.own(value)
    }

    fn number<E: de::Error>(&self, n: f64) -> Result<Owned, E> {
        // An integer tag when `n` is integral and fits, as the engine does.
        self.own(qjs::JS_NewFloat64(n))
    }
}

/// A value this module owns until it hands it to the engine.
struct Owned {
    ctx: *mut qjs::JSContext,
    value: qjs::JSValue,
}

impl Owned {
    /// Gives up ownership: the caller hands the value to the engine.
    fn into_raw(self) -> qjs::JSValue {
        let value = self.value;
        std::mem::forget(self);
        value
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: `value` is owned here and released once.
        #[allow(unsafe_code)]
        unsafe {
            qjs::JS_FreeValue(self.ctx, self.value)
        };
    }
}

/// Elements of an array being built, freed unless handed over.
struct Elements {
    ctx: *mut qjs::JSContext,
    values: Vec<qjs::JSValue>,
}

impl Drop for Elements {
    fn drop(&mut self) {
        for value in self.values.drain(..) {
            // SAFETY: each element is owned here and released once.
            #[allow(unsafe_code)]
            unsafe {
                qjs::JS_FreeValue(self.ctx, value)
            };
        }
    }
}

struct ValueSeed<'b>(&'b Builder);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Owned;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Owned, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Owned;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Owned, E> {
        self.0.own(qjs::JS_NULL)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Owned, E> {
        self.0.own(if b { qjs::JS_TRUE } else { qjs::JS_FALSE })
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Owned, E> {
        self.0.number(n as f64)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Owned, E> {
        self.0.number(n as f64)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Owned, E> {
        self.0.number(n)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Owned, E> {
        self.0.string(s)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Owned, A::Error> {
        let builder = self.0;
        let mut elements = Elements { ctx: builder.ctx, values: Vec::with_capacity(seq.size_hint().unwrap_or(0)) };
        while let Some(element) = seq.next_element_seed(ValueSeed(builder))? {
            elements.values.push(element.into_raw());
        }
        let count = i32::try_from(elements.values.len()).map_err(|_| de::Error::custom("too many elements"))?;
        // SAFETY: `values` holds `count` owned values, whose ownership the
        // engine takes (it frees them itself if it fails).
        #[allow(unsafe_code)]
        let array = unsafe { qjs::JS_NewArrayFrom(builder.ctx, count, elements.values.as_ptr()) };
        elements.values.clear();
        builder.own(array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Owned, A::Error> {
        let builder = self.0;
        // SAFETY: a plain call into the engine, whose result `own` checks.
        #[allow(unsafe_code)]
        let object = builder.own(unsafe { qjs::JS_NewObject(builder.ctx) })?;
        while let Some(atom) = map.next_key_seed(KeySeed(builder))? {
            let value = map.next_value_seed(ValueSeed(builder))?;
            // SAFETY: `object` is live, `atom` is held by the cache, and the
            // engine takes ownership of `value` whatever the outcome. Like
            // `JSON.parse`, this defines the property (never calling a
            // setter the program put on `Object.prototype`).
            #[allow(unsafe_code)]
            let defined = unsafe {
                qjs::JS_DefinePropertyValue(builder.ctx, object.value, atom, value.into_raw(), qjs::JS_PROP_C_W_E as _)
            };
            if defined < 0 {
                return Err(builder.threw());
            }
        }
        Ok(object)
    }
}

/// An object's key, as its atom.
struct KeySeed<'b>(&'b Builder);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = qjs::JSAtom;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<qjs::JSAtom, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = qjs::JSAtom;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<qjs::JSAtom, E> {
        self.0.atom(key)
    }
}
