//! RED rollups of spans: for every minute (and, in a second dataset, every
//! hour), service, environment, span kind,
//! endpoint, peer and latency bucket, the number of spans, of errors and the
//! summed duration. Only spans that cross a process boundary (server,
//! consumer, client, producer) are rolled up. Service and endpoint pages sum
//! these rows instead of reading raw spans.

use std::collections::HashMap;

use arrow::record_batch::RecordBatch;
use model::{BatchBuilder, DatasetKind, DatasetSchema, ModelError, Value};

use crate::latency::bucket_of;
use crate::rows::{Rows, get, text};

/// The two resolutions: `span_metrics` per minute, `span_metrics_1h` per
/// hour (what ranges of days read).
pub(crate) const MINUTE_NS: i64 = 60_000_000_000;
pub(crate) const HOUR_NS: i64 = 3_600_000_000_000;

#[derive(Hash, PartialEq, Eq)]
struct Key<'a> {
    minute: i64,
    service: &'a str,
    env: &'a str,
    kind: &'a str,
    endpoint: &'a str,
    peer: &'a str,
    peer_kind: &'a str,
    bucket: i64,
}

#[derive(Default)]
struct Sums {
    count: i64,
    errors: i64,
    duration_ns: i64,
}

/// The rollup rows of a batch of spans whose `endpoint` and `peer` are
/// already filled (see `spans::enrich`), per `period_ns` (stamped at the
/// period's start); `None` when nothing qualifies.
pub(crate) fn rollup(
    spans: &RecordBatch,
    period_ns: i64,
) -> Result<Option<RecordBatch>, ModelError> {
    let rows = Rows::new(spans);
    let Some(times) = rows.time(model::TIME_COLUMN) else {
        return Ok(None);
    };
    let durations = rows.int("duration_ns");
    let (service, env, kind) = (rows.text("service"), rows.text("env"), rows.text("kind"));
    let (endpoint, peer, peer_kind) = (
        rows.text("endpoint"),
        rows.text("peer"),
        rows.text("peer_kind"),
    );
    let status = rows.text("status_code");
    let mut groups: HashMap<Key<'_>, Sums> = HashMap::new();
    for i in 0..rows.len() {
        let k = get(kind, i).unwrap_or("");
        if !matches!(k, "server" | "consumer" | "client" | "producer") {
            continue;
        }
        let time = times.value(i);
        let duration = durations
            .filter(|d| !arrow::array::Array::is_null(*d, i))
            .map(|d| d.value(i))
            .unwrap_or(0)
            .max(0);
        let key = Key {
            minute: time.div_euclid(period_ns) * period_ns,
            service: get(service, i).unwrap_or(""),
            env: get(env, i).unwrap_or(""),
            kind: k,
            endpoint: get(endpoint, i).unwrap_or(""),
            peer: get(peer, i).unwrap_or(""),
            peer_kind: get(peer_kind, i).unwrap_or(""),
            bucket: bucket_of(duration),
        };
        let sums = groups.entry(key).or_default();
        sums.count += 1;
        sums.errors += i64::from(get(status, i) == Some("error"));
        sums.duration_ns = sums.duration_ns.saturating_add(duration);
    }
    if groups.is_empty() {
        return Ok(None);
    }
    let schema = DatasetSchema::new(DatasetKind::SpanMetrics);
    let mut b = BatchBuilder::new(&schema);
    let index = |name: &str| b.core_index(name).expect("span_metrics core column");
    let columns = [
        index("service"),
        index("env"),
        index("kind"),
        index("endpoint"),
        index("peer"),
        index("peer_kind"),
        index("latency_bucket"),
        index("count"),
        index("errors"),
        index("duration_sum_ns"),
    ];
    for (key, sums) in &groups {
        b.set_time(key.minute);
        let values = [
            text(key.service),
            text(key.env),
            text(key.kind),
            text(key.endpoint),
            text(key.peer),
            text(key.peer_kind),
            Value::Int(key.bucket),
            Value::Int(sums.count),
            Value::Int(sums.errors),
            Value::Int(sums.duration_ns),
        ];
        for (column, value) in columns.iter().zip(values) {
            b.set_core(*column, value);
        }
        b.end_row();
    }
    Ok(Some(b.finish()?.batch))
}
