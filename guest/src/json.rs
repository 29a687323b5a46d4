//! JavaScript values to JSON for the events: the engine's own
//! `JSON.stringify` (the standard's semantics, immune to a program that
//! replaced the global), made well-formed, then parsed for truncation.
//!
//! Two things valid in JavaScript strings are not in Rust's: lone UTF-16
//! surrogates (from slicing text between the halves of an emoji) become
//! U+FFFD, as `String.prototype.toWellFormed` does. And the parse has no
//! depth limit, because the text comes from the engine, which has already
//! walked that depth; `truncate` then caps the nesting the host will see.

use rquickjs::{Ctx, Value};
use serde::Deserialize;
use serde_json::Value as Json;
use std::borrow::Cow;

/// Why a value has no JSON form.
pub enum NotJson<'js> {
    /// The engine threw while writing it (a cycle, a BigInt, a throwing
    /// `toJSON`, out of memory): the thrown value.
    Thrown(Value<'js>),
    /// The engine's text did not parse back (a bug; said as it is).
    Unreadable(String),
}

/// `value` as JSON; `undefined` (and functions, symbols) become `null`.
pub fn to_json<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> Result<Json, NotJson<'js>> {
    let text = ctx.json_stringify(value).map_err(|_| NotJson::Thrown(ctx.catch()))?;
    let Some(text) = text else { return Ok(Json::Null) };
    // The engine's JSON text is ASCII-safe: lone surrogates are `\u` escapes.
    let text = text.to_string().map_err(|_| NotJson::Thrown(ctx.catch()))?;
    let text = well_formed(&text);
    let mut parser = serde_json::Deserializer::from_str(&text);
    parser.disable_recursion_limit();
    Json::deserialize(&mut parser)
        .map_err(|e| NotJson::Unreadable(format!("the program's value could not be converted to JSON: {e}")))
}

/// Replaces `\u` escapes of lone surrogates in JSON text with `\ufffd`.
fn well_formed(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let unit_at = |i: usize| -> Option<u16> {
        let hex = text.get(i + 2..i + 6)?;
        (bytes[i + 1] == b'u').then(|| u16::from_str_radix(hex, 16).ok()).flatten()
    };
    let mut out: Option<String> = None;
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = unit_at(i) else {
            i += 2; // any other escape, `\\` included
            continue;
        };
        let paired = match unit {
            0xD800..=0xDBFF => unit_at(i + 6).is_some_and(|next| (0xDC00..=0xDFFF).contains(&next)),
            0xDC00..=0xDFFF => false,
            _ => {
                i += 6;
                continue;
            }
        };
        if paired {
            i += 12;
            continue;
        }
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..i]);
        out.push_str("\\ufffd");
        i += 6;
        copied = i;
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}
