//! OTLP spans into the `spans` dataset.

use model::{BatchBuilder, DatasetSchema, Value, format_rfc3339_nanos};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

use super::common::{ResourceColumns, hex_id, key_values_to_json, otlp_time, set_attributes};
use crate::decoded::{Decoded, TimeWindow};
use crate::error::FormatError;

fn kind_name(kind: i32) -> &'static str {
    match SpanKind::try_from(kind) {
        Ok(SpanKind::Internal) => "internal",
        Ok(SpanKind::Server) => "server",
        Ok(SpanKind::Client) => "client",
        Ok(SpanKind::Producer) => "producer",
        Ok(SpanKind::Consumer) => "consumer",
        _ => "unspecified",
    }
}

fn status_name(code: i32) -> &'static str {
    match StatusCode::try_from(code) {
        Ok(StatusCode::Ok) => "ok",
        Ok(StatusCode::Error) => "error",
        _ => "unset",
    }
}

pub fn decode_otlp_traces(
    request: &ExportTraceServiceRequest,
    schema: &DatasetSchema,
    window: &TimeWindow,
) -> Result<Decoded, FormatError> {
    let mut decoded = Decoded::new();
    let mut builder = BatchBuilder::new(schema);
    let c = |b: &BatchBuilder, name| b.core_index(name).expect("spans core column");
    let end = c(&builder, "end_timestamp");
    let duration = c(&builder, "duration_ns");
    let trace_id = c(&builder, "trace_id");
    let span_id = c(&builder, "span_id");
    let parent = c(&builder, "parent_span_id");
    let name = c(&builder, "name");
    let kind = c(&builder, "kind");
    let status_code = c(&builder, "status_code");
    let status_message = c(&builder, "status_message");
    let scope = c(&builder, "scope");
    let events = c(&builder, "events");
    let links = c(&builder, "links");
    let mut record_index = 0;
    for resource_spans in &request.resource_spans {
        let resource = ResourceColumns::new(&builder, resource_spans.resource.as_ref());
        for scope_spans in &resource_spans.scope_spans {
            let scope_name = scope_spans
                .scope
                .as_ref()
                .map(|s| s.name.as_str())
                .filter(|s| !s.is_empty());
            for span in &scope_spans.spans {
                record_index += 1;
                let Some(trace) = hex_id(&span.trace_id).filter(|_| span.trace_id.len() == 16)
                else {
                    decoded.reject(record_index, "span has no valid 16-byte trace_id");
                    continue;
                };
                let Some(id) = hex_id(&span.span_id).filter(|_| span.span_id.len() == 8) else {
                    decoded.reject(record_index, "span has no valid 8-byte span_id");
                    continue;
                };
                let Some(start) = otlp_time(span.start_time_unix_nano) else {
                    decoded.reject(record_index, "span has no start_time_unix_nano");
                    continue;
                };
                if let Some(reason) = window.check(start) {
                    decoded.reject(record_index, reason);
                    continue;
                }
                builder.set_time(start);
                if let Some(finish) = otlp_time(span.end_time_unix_nano) {
                    builder.set_core(end, Value::Time(finish));
                    // A negative duration (clock skew between hosts) is clamped to
                    // zero; the raw end time is still kept.
                    builder.set_core(duration, Value::Int(finish.saturating_sub(start).max(0)));
                }
                builder.set_core(trace_id, Value::Text(&trace));
                builder.set_core(span_id, Value::Text(&id));
                if let Some(p) = hex_id(&span.parent_span_id) {
                    builder.set_core(parent, Value::Text(&p));
                }
                builder.set_core(name, Value::Text(&span.name));
                builder.set_core(kind, Value::Text(kind_name(span.kind)));
                let status = span.status.as_ref();
                builder.set_core(
                    status_code,
                    Value::Text(status_name(status.map(|s| s.code).unwrap_or(0))),
                );
                if let Some(message) = status.map(|s| s.message.as_str()).filter(|m| !m.is_empty())
                {
                    builder.set_core(status_message, Value::Text(message));
                }
                if let Some(n) = scope_name {
                    builder.set_core(scope, Value::Text(n));
                }
                if !span.events.is_empty() {
                    let json: Vec<serde_json::Value> = span
                        .events
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "name": e.name,
                                "timestamp": format_rfc3339_nanos(otlp_time(e.time_unix_nano).unwrap_or(start)),
                                "attributes": key_values_to_json(&e.attributes),
                            })
                        })
                        .collect();
                    builder.set_core(
                        events,
                        Value::Text(&serde_json::Value::Array(json).to_string()),
                    );
                }
                if !span.links.is_empty() {
                    let json: Vec<serde_json::Value> = span
                        .links
                        .iter()
                        .map(|l| {
                            serde_json::json!({
                                "trace_id": hex_id(&l.trace_id),
                                "span_id": hex_id(&l.span_id),
                                "attributes": key_values_to_json(&l.attributes),
                            })
                        })
                        .collect();
                    builder.set_core(
                        links,
                        Value::Text(&serde_json::Value::Array(json).to_string()),
                    );
                }
                set_attributes(&mut builder, &span.attributes);
                resource.apply(&mut builder);
                builder.end_row();
                decoded.accepted += 1;
            }
        }
    }
    if builder.rows() > 0 {
        decoded.built = Some(builder.finish()?);
    }
    Ok(decoded)
}
