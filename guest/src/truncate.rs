//! Structural truncation: a value too large for the output limit is cut
//! down to one that still is valid JSON, keeps its shape, and says what was
//! dropped.
//!
//! One knob, `width`, bounds everything at once (items kept per array or
//! object, characters per string, depth). The largest width whose result
//! fits is found by binary search, so the answer keeps as much as it can
//! and is deterministic.
//!
//! Nesting is capped at [`MAX_DEPTH`] whatever the size, so every event
//! stays well inside the nesting the host's JSON parser accepts (128).

use serde_json::{Map, Value};

/// The deepest nesting kept; deeper arrays and objects become summaries.
pub const MAX_DEPTH: usize = 64;

/// Returns `value` if its JSON fits in `limit` bytes and [`MAX_DEPTH`],
/// else the widest truncation of it that fits, and whether it was
/// truncated.
pub fn fit(mut value: Value, limit: usize) -> (Value, bool) {
    let too_deep = cap_depth(&mut value, 0);
    if serialized_len(&value) <= limit {
        return (value, too_deep);
    }
    let (mut lo, mut hi) = (0usize, 4096usize);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if serialized_len(&shrink(&value, mid, 0)) <= limit {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (shrink(&value, lo, 0), true)
}

fn serialized_len(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

/// Replaces the arrays and objects below [`MAX_DEPTH`] with summaries;
/// returns whether there were any.
fn cap_depth(value: &mut Value, depth: usize) -> bool {
    if depth >= MAX_DEPTH {
        return match summary(value) {
            Some(summary) => {
                *value = summary;
                true
            }
            None => false,
        };
    }
    match value {
        Value::Array(items) => items.iter_mut().fold(false, |cut, v| cap_depth(v, depth + 1) | cut),
        Value::Object(fields) => fields.values_mut().fold(false, |cut, v| cap_depth(v, depth + 1) | cut),
        _ => false,
    }
}

/// What a dropped array or object leaves behind.
fn summary(value: &Value) -> Option<Value> {
    match value {
        Value::Array(items) => Some(Value::String(format!("[array of {} items]", items.len()))),
        Value::Object(fields) => Some(Value::String(format!("[object with {} keys]", fields.len()))),
        _ => None,
    }
}

fn shrink(value: &Value, width: usize, depth: usize) -> Value {
    if depth > width
        && let Some(summary) = summary(value)
    {
        return summary;
    }
    match value {
        Value::String(s) => {
            let keep = width * 16;
            match s.char_indices().nth(keep) {
                Some((cut, _)) => {
                    Value::String(format!("{}… ({} more characters)", &s[..cut], s.chars().count() - keep))
                }
                None => value.clone(),
            }
        }
        Value::Array(items) => {
            let mut kept: Vec<Value> = items.iter().take(width).map(|v| shrink(v, width, depth + 1)).collect();
            if items.len() > width {
                kept.push(Value::String(format!("… {} more items", items.len() - width)));
            }
            Value::Array(kept)
        }
        Value::Object(fields) => {
            let mut kept: Map<String, Value> =
                fields.iter().take(width).map(|(k, v)| (k.clone(), shrink(v, width, depth + 1))).collect();
            if fields.len() > width {
                kept.insert("…".into(), Value::String(format!("{} more keys", fields.len() - width)));
            }
            Value::Object(kept)
        }
        _ => value.clone(),
    }
}
