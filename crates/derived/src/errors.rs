//! Error occurrences: a span's `exception` events (or a failed span's
//! `error.type`), and log records that carry exception attributes. Each
//! becomes one row of the `errors` dataset with its fingerprint, the frame it
//! is blamed on, and the ids of its trace.

use arrow::record_batch::RecordBatch;
use model::{BatchBuilder, DatasetKind, DatasetSchema, ModelError, Value};
use serde_json::Value as Json;

use crate::fingerprint::fingerprint;
use crate::rows::{Row, Rows, get};

/// Longest message kept.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// Longest stack trace kept (a gigantic attribute must not bloat every row).
pub const MAX_STACK_BYTES: usize = 16 * 1024;

fn cut(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

struct Occurrence {
    time: i64,
    row: usize,
    error_type: String,
    message: String,
    stack: Option<String>,
    client_fingerprint: Option<String>,
}

/// The exception event of a span's `events` JSON, if any.
fn exception_event(events: &str) -> Option<(String, String, Option<String>, Option<String>)> {
    if !events.contains("exception") {
        return None;
    }
    let parsed: Json = serde_json::from_str(events).ok()?;
    let event = parsed
        .as_array()?
        .iter()
        .find(|e| e.get("name").and_then(Json::as_str) == Some("exception"))?;
    let attrs = event.get("attributes");
    let text = |key: &str| {
        attrs
            .and_then(|a| a.get(key))
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let error_type = text("exception.type");
    let message = text("exception.message");
    if error_type.is_none() && message.is_none() {
        return None;
    }
    Some((
        error_type.unwrap_or_else(|| "Error".to_owned()),
        message.unwrap_or_default(),
        text("exception.stacktrace"),
        text("error.fingerprint"),
    ))
}

fn text(s: Option<&str>) -> Value<'_> {
    match s {
        Some(s) if !s.is_empty() => Value::Text(s),
        _ => Value::Null,
    }
}

fn client_fingerprint(row: &Row<'_, '_>) -> Option<String> {
    row.first(&["error.fingerprint", "fingerprint"])
        .map(|c| c.into_owned())
}

fn from_spans(rows: &Rows<'_>) -> Vec<Occurrence> {
    let Some(times) = rows.time(model::TIME_COLUMN) else {
        return Vec::new();
    };
    let (events, status, status_message) = (
        rows.text("events"),
        rows.text("status_code"),
        rows.text("status_message"),
    );
    let mut out = Vec::new();
    for i in 0..rows.len() {
        let row = rows.row(i);
        if let Some((error_type, message, stack, fp)) = get(events, i).and_then(exception_event) {
            out.push(Occurrence {
                time: times.value(i),
                row: i,
                error_type,
                message,
                stack,
                client_fingerprint: fp.or_else(|| client_fingerprint(&row)),
            });
        } else if get(status, i) == Some("error")
            && let Some(error_type) = row.attr("error.type")
        {
            out.push(Occurrence {
                time: times.value(i),
                row: i,
                error_type: error_type.into_owned(),
                message: get(status_message, i).unwrap_or("").to_owned(),
                stack: None,
                client_fingerprint: client_fingerprint(&row),
            });
        }
    }
    out
}

fn from_logs(rows: &Rows<'_>) -> Vec<Occurrence> {
    let Some(times) = rows.time(model::TIME_COLUMN) else {
        return Vec::new();
    };
    let body = rows.text("body");
    let mut out = Vec::new();
    for i in 0..rows.len() {
        let row = rows.row(i);
        let error_type = row.first(&["exception.type", "error.kind", "error.type"]);
        let stack = row.first(&["exception.stacktrace", "error.stack"]);
        let message = row.first(&["exception.message", "error.message"]);
        if error_type.is_none() && stack.is_none() && message.is_none() {
            continue;
        }
        out.push(Occurrence {
            time: times.value(i),
            row: i,
            error_type: error_type
                .map(|t| t.into_owned())
                .unwrap_or_else(|| "Error".to_owned()),
            message: message
                .map(|m| m.into_owned())
                .or_else(|| get(body, i).map(String::from))
                .unwrap_or_default(),
            stack: stack.map(|s| s.into_owned()),
            client_fingerprint: client_fingerprint(&row),
        });
    }
    out
}

/// The `errors` rows of a batch of spans or logs; `None` when it has none.
pub(crate) fn extract(
    kind: DatasetKind,
    batch: &RecordBatch,
) -> Result<Option<RecordBatch>, ModelError> {
    let rows = Rows::new(batch);
    let occurrences = match kind {
        DatasetKind::Spans => from_spans(&rows),
        DatasetKind::Logs => from_logs(&rows),
        _ => Vec::new(),
    };
    if occurrences.is_empty() {
        return Ok(None);
    }
    let (service, env, host, trace_id, span_id) = (
        rows.text("service"),
        rows.text("env"),
        rows.text("host"),
        rows.text("trace_id"),
        rows.text("span_id"),
    );
    let endpoint = match kind {
        DatasetKind::Spans => rows.text("endpoint"),
        _ => None,
    };
    let source = if kind == DatasetKind::Spans {
        "span"
    } else {
        "log"
    };
    let schema = DatasetSchema::new(DatasetKind::Errors);
    let mut b = BatchBuilder::new(&schema);
    let index = |name: &str| b.core_index(name).expect("errors core column");
    let names = [
        "service",
        "env",
        "host",
        "fingerprint",
        "error_type",
        "message",
        "culprit",
        "stack",
        "source",
        "endpoint",
        "trace_id",
        "span_id",
    ];
    let columns: Vec<usize> = names.iter().map(|n| index(n)).collect();
    for o in &occurrences {
        let message = cut(&o.message, MAX_MESSAGE_CHARS * 4);
        let message: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
        let error_type: String = o.error_type.chars().take(200).collect();
        let stack = o.stack.as_deref().map(|s| cut(s, MAX_STACK_BYTES));
        let (fp, frame) = fingerprint(
            &error_type,
            &message,
            stack,
            o.client_fingerprint.as_deref(),
        );
        let culprit = frame.map(|f| f.culprit());
        b.set_time(o.time);
        let values = [
            text(get(service, o.row)),
            text(get(env, o.row)),
            text(get(host, o.row)),
            Value::Text(&fp),
            Value::Text(&error_type),
            text(Some(&message)),
            text(culprit.as_deref()),
            text(stack),
            Value::Text(source),
            text(get(endpoint, o.row)),
            text(get(trace_id, o.row)),
            text(get(span_id, o.row)),
        ];
        for (column, value) in columns.iter().zip(values) {
            b.set_core(*column, value);
        }
        b.end_row();
    }
    Ok(Some(b.finish()?.batch))
}
