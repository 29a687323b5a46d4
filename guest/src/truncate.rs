//! Structural truncation: a value too large for the output limit is cut
//! down to one that still is valid JSON, keeps its shape, and says what was
//! dropped.
//!
//! One knob, `width`, bounds everything at once (items kept per array or
//! object, characters per string, depth). The largest width whose result
//! fits is found by binary search, so the answer keeps as much as it can
//! and is deterministic.

use serde_json::{Map, Value};

/// Returns `value` if its JSON fits in `limit` bytes, else the widest
/// truncation of it that fits, and whether it was truncated.
pub fn fit(value: Value, limit: usize) -> (Value, bool) {
    if serialized_len(&value) <= limit {
        return (value, false);
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

fn shrink(value: &Value, width: usize, depth: usize) -> Value {
    let too_deep = depth > width;
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
        Value::Array(items) if too_deep => Value::String(format!("[array of {} items]", items.len())),
        Value::Object(fields) if too_deep => Value::String(format!("[object with {} keys]", fields.len())),
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
