//! NDJSON: one JSON object per line, for any dataset.
//!
//! Top-level keys that name a core column (or one of its aliases, such as
//! `message` for `body`) fill it; nested objects are flattened into dotted
//! attribute names (`http.status_code`); arrays stay JSON.

use model::{BatchBuilder, DatasetSchema, TIME_COLUMN, Value, core_columns};
use serde_json::Value as Json;

use crate::decoded::{Decoded, TimeWindow};
use crate::error::FormatError;

/// Lines longer than this are rejected rather than parsed.
const MAX_LINE_BYTES: usize = 1 << 20;
/// Deeper nesting is kept as JSON instead of flattened.
const MAX_FLATTEN_DEPTH: usize = 8;

/// Decodes an NDJSON payload into rows of `schema`'s dataset.
pub fn decode_ndjson(
    body: &[u8],
    schema: &DatasetSchema,
    window: &TimeWindow,
) -> Result<Decoded, FormatError> {
    let mut decoded = Decoded::new();
    let mut builder = BatchBuilder::new(schema);
    let time_keys: Vec<&str> = std::iter::once(TIME_COLUMN)
        .chain(core_columns(schema.kind)[0].aliases.iter().copied())
        .collect();
    let level_index = builder.core_index("level");
    for (line_number, line) in body.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let record = line_number + 1;
        if line.len() > MAX_LINE_BYTES {
            decoded.reject(
                record,
                format!("line is {} bytes, over the 1 MiB limit", line.len()),
            );
            continue;
        }
        let object = match serde_json::from_slice::<Json>(line) {
            Ok(Json::Object(map)) => map,
            Ok(other) => {
                decoded.reject(
                    record,
                    format!("expected a JSON object, got {}", json_kind(&other)),
                );
                continue;
            }
            Err(e) => {
                decoded.reject(record, format!("invalid JSON: {e}"));
                continue;
            }
        };
        let time_entry = time_keys.iter().find_map(|k| object.get_key_value(*k));
        let time = match time_entry {
            None => window.now_nanos,
            Some((key, value)) => match model::parse_time_value(value) {
                Some(t) => t,
                None => {
                    decoded.reject(
                        record,
                        format!(
                            "field {key:?} is not a timestamp: {}",
                            truncate(&value.to_string())
                        ),
                    );
                    continue;
                }
            },
        };
        if let Some(reason) = window.check(time) {
            decoded.reject(record, reason);
            continue;
        }
        builder.set_time(time);
        let time_key = time_entry.map(|(k, _)| k.as_str());
        for (key, value) in &object {
            if Some(key.as_str()) == time_key {
                continue;
            }
            if key == model::ATTRIBUTES_COLUMN
                && let Json::Object(attributes) = value
            {
                flatten_into(&mut builder, String::new(), attributes, 0);
                continue;
            }
            match builder.core_index(key) {
                Some(0) => builder.set_attribute_json(key, value.clone()),
                Some(index) if Some(index) == level_index => {
                    if let Json::String(s) = value {
                        builder.set_core(index, Value::Text(normalize_level(s).unwrap_or(s)));
                    } else {
                        set_value(&mut builder, Some(index), key, value, 0);
                    }
                }
                Some(index) => set_value(&mut builder, Some(index), key, value, 0),
                None => set_value(&mut builder, None, key, value, 0),
            }
        }
        builder.end_row();
        decoded.accepted += 1;
    }
    if builder.rows() > 0 {
        decoded.built = Some(builder.finish()?);
    }
    Ok(decoded)
}

fn set_value(
    builder: &mut BatchBuilder,
    core: Option<usize>,
    key: &str,
    value: &Json,
    depth: usize,
) {
    let scalar = match value {
        Json::Null => return,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s),
        // A structured value for a core column (span events, histogram
        // buckets) is kept as JSON text in that column.
        Json::Array(_) | Json::Object(_) if core.is_some() => {
            let text = value.to_string();
            builder.set_core(core.expect("checked above"), Value::Text(&text));
            return;
        }
        Json::Array(_) => {
            builder.set_attribute_json(key, value.clone());
            return;
        }
        Json::Object(map) => {
            flatten_into(builder, format!("{key}."), map, depth + 1);
            return;
        }
    };
    match core {
        Some(index) => builder.set_core(index, scalar),
        None => builder.set_attribute(key, scalar),
    }
}

fn flatten_into(
    builder: &mut BatchBuilder,
    prefix: String,
    map: &serde_json::Map<String, Json>,
    depth: usize,
) {
    for (key, value) in map {
        let name = format!("{prefix}{key}");
        if depth >= MAX_FLATTEN_DEPTH && value.is_object() {
            builder.set_attribute_json(&name, value.clone());
        } else {
            set_value(builder, None, &name, value, depth);
        }
    }
}

/// Lower-case level names, with the synonyms shippers use folded together;
/// None for a level this table does not know (kept as written).
pub fn normalize_level(level: &str) -> Option<&'static str> {
    let l = level.trim();
    let eq = |s: &str| l.eq_ignore_ascii_case(s);
    Some(if eq("error") || eq("err") || eq("e") {
        "error"
    } else if eq("warn") || eq("warning") || eq("w") {
        "warn"
    } else if eq("info")
        || eq("information")
        || eq("informational")
        || eq("notice")
        || eq("i")
        || eq("ok")
    {
        "info"
    } else if eq("debug") || eq("d") {
        "debug"
    } else if eq("trace") || eq("t") || eq("verbose") {
        "trace"
    } else if eq("fatal")
        || eq("critical")
        || eq("crit")
        || eq("emerg")
        || eq("emergency")
        || eq("alert")
        || eq("panic")
    {
        "fatal"
    } else {
        return None;
    })
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn truncate(s: &str) -> String {
    if s.len() <= 64 {
        s.to_owned()
    } else {
        format!("{}…", &s[..s.floor_char_boundary(64)])
    }
}
