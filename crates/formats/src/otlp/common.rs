//! Pieces shared by the OTLP signals: resources, attribute values, ids.

use model::{BatchBuilder, Value};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;

/// Resource attributes with a core column of their own; the rest are attributes.
fn resource_core_column(key: &str) -> Option<&'static str> {
    match key {
        "service.name" => Some("service"),
        "deployment.environment" | "deployment.environment.name" => Some("env"),
        "host.name" => Some("host"),
        _ => None,
    }
}

/// The resource of a batch of records, resolved once and applied to each row.
pub(crate) struct ResourceColumns<'a> {
    core: Vec<(usize, &'a str)>,
    attributes: &'a [KeyValue],
}

impl<'a> ResourceColumns<'a> {
    pub(crate) fn new(
        builder: &BatchBuilder,
        resource: Option<&'a Resource>,
    ) -> ResourceColumns<'a> {
        let attributes = resource.map(|r| r.attributes.as_slice()).unwrap_or(&[]);
        let mut core = Vec::new();
        for kv in attributes {
            if let (Some(column), Some(any_value::Value::StringValue(s))) = (
                resource_core_column(&kv.key),
                kv.value.as_ref().and_then(|v| v.value.as_ref()),
            ) && let Some(index) = builder.core_index(column)
            {
                core.push((index, s.as_str()));
            }
        }
        ResourceColumns { core, attributes }
    }

    /// Sets the resource's columns on the current row; call after the
    /// record's own attributes, which win on a name clash.
    pub(crate) fn apply(&self, builder: &mut BatchBuilder) {
        for (index, value) in &self.core {
            builder.set_core(*index, Value::Text(value));
        }
        for kv in self.attributes {
            if resource_core_column(&kv.key).is_none() {
                set_attribute(builder, &kv.key, kv.value.as_ref());
            }
        }
    }
}

pub(crate) fn set_attributes(builder: &mut BatchBuilder, attributes: &[KeyValue]) {
    for kv in attributes {
        set_attribute(builder, &kv.key, kv.value.as_ref());
    }
}

pub(crate) fn set_attribute(builder: &mut BatchBuilder, key: &str, value: Option<&AnyValue>) {
    match value.and_then(|v| v.value.as_ref()) {
        None => {}
        Some(any_value::Value::StringValue(s)) => builder.set_attribute(key, Value::Text(s)),
        Some(any_value::Value::BoolValue(b)) => builder.set_attribute(key, Value::Bool(*b)),
        Some(any_value::Value::IntValue(i)) => builder.set_attribute(key, Value::Int(*i)),
        Some(any_value::Value::DoubleValue(f)) => builder.set_attribute(key, Value::Float(*f)),
        Some(other) => builder.set_attribute_json(key, any_to_json(other)),
    }
}

/// An attribute value as JSON, for arrays, maps and bytes.
pub(crate) fn any_to_json(value: &any_value::Value) -> serde_json::Value {
    match value {
        any_value::Value::StringValue(s) => s.clone().into(),
        any_value::Value::BoolValue(b) => (*b).into(),
        any_value::Value::IntValue(i) => (*i).into(),
        any_value::Value::DoubleValue(f) => (*f).into(),
        any_value::Value::ArrayValue(a) => serde_json::Value::Array(
            a.values
                .iter()
                .filter_map(|v| v.value.as_ref())
                .map(any_to_json)
                .collect(),
        ),
        any_value::Value::KvlistValue(list) => {
            serde_json::Value::Object(key_values_to_json(&list.values))
        }
        any_value::Value::BytesValue(b) => hex(b).into(),
        any_value::Value::StringValueStrindex(i) => (*i).into(),
    }
}

pub(crate) fn key_values_to_json(
    values: &[KeyValue],
) -> serde_json::Map<String, serde_json::Value> {
    values
        .iter()
        .filter_map(|kv| {
            Some((
                kv.key.clone(),
                any_to_json(kv.value.as_ref()?.value.as_ref()?),
            ))
        })
        .collect()
}

/// Text of a log body: strings as they are, anything else as JSON.
pub(crate) fn body_text(value: Option<&AnyValue>) -> Option<String> {
    match value?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s.clone()),
        other => Some(any_to_json(other).to_string()),
    }
}

/// Lowercase hex of an id; None for an empty or all-zero (invalid) id.
pub(crate) fn hex_id(bytes: &[u8]) -> Option<String> {
    if bytes.iter().all(|&b| b == 0) {
        None
    } else {
        Some(hex(bytes))
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// An OTLP time (0 = unset) as nanoseconds.
pub(crate) fn otlp_time(nanos: u64) -> Option<i64> {
    if nanos == 0 {
        None
    } else {
        i64::try_from(nanos).ok()
    }
}
