//! OTLP log records into the `logs` dataset.

use model::{BatchBuilder, DatasetSchema, Value};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;

use super::common::{ResourceColumns, body_text, hex_id, otlp_time, set_attributes};
use crate::decoded::{Decoded, TimeWindow};
use crate::error::FormatError;
use crate::ndjson::normalize_level;

/// Level name of an OTLP severity number (1-4 trace, 5-8 debug, ...).
fn level_of_severity(number: i32) -> Option<&'static str> {
    Some(match number {
        1..=4 => "trace",
        5..=8 => "debug",
        9..=12 => "info",
        13..=16 => "warn",
        17..=20 => "error",
        21..=24 => "fatal",
        _ => return None,
    })
}

pub fn decode_otlp_logs(
    request: &ExportLogsServiceRequest,
    schema: &DatasetSchema,
    window: &TimeWindow,
) -> Result<Decoded, FormatError> {
    let mut decoded = Decoded::new();
    let mut builder = BatchBuilder::new(schema);
    let column = |b: &BatchBuilder, name| b.core_index(name).expect("logs core column");
    let (observed, level, severity, body, trace_id, span_id, scope) = (
        column(&builder, "observed_timestamp"),
        column(&builder, "level"),
        column(&builder, "severity_number"),
        column(&builder, "body"),
        column(&builder, "trace_id"),
        column(&builder, "span_id"),
        column(&builder, "scope"),
    );
    let mut record_index = 0;
    for resource_logs in &request.resource_logs {
        let resource = ResourceColumns::new(&builder, resource_logs.resource.as_ref());
        for scope_logs in &resource_logs.scope_logs {
            let scope_name = scope_logs
                .scope
                .as_ref()
                .map(|s| s.name.as_str())
                .filter(|s| !s.is_empty());
            for record in &scope_logs.log_records {
                record_index += 1;
                let time = otlp_time(record.time_unix_nano)
                    .or(otlp_time(record.observed_time_unix_nano))
                    .unwrap_or(window.now_nanos);
                if let Some(reason) = window.check(time) {
                    decoded.reject(record_index, reason);
                    continue;
                }
                builder.set_time(time);
                if let Some(t) = otlp_time(record.observed_time_unix_nano) {
                    builder.set_core(observed, Value::Time(t));
                }
                let level_text = normalize_level(&record.severity_text)
                    .or_else(|| level_of_severity(record.severity_number));
                match level_text {
                    Some(l) => builder.set_core(level, Value::Text(l)),
                    None if !record.severity_text.is_empty() => {
                        builder.set_core(level, Value::Text(&record.severity_text))
                    }
                    None => {}
                }
                if record.severity_number != 0 {
                    builder.set_core(severity, Value::Int(record.severity_number as i64));
                }
                if let Some(text) = body_text(record.body.as_ref()) {
                    builder.set_core(body, Value::Text(&text));
                }
                if let Some(id) = hex_id(&record.trace_id) {
                    builder.set_core(trace_id, Value::Text(&id));
                }
                if let Some(id) = hex_id(&record.span_id) {
                    builder.set_core(span_id, Value::Text(&id));
                }
                if let Some(name) = scope_name {
                    builder.set_core(scope, Value::Text(name));
                }
                set_attributes(&mut builder, &record.attributes);
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
