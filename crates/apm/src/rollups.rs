//! Reading the `span_metrics` rollups that ingest derives from spans (crate
//! `derived`): requests, errors and latency histograms per group, over a
//! range or per time bucket. Percentiles and Apdex come from the summed
//! histograms, so a 7-day page reads minutes, not spans.

use std::collections::BTreeMap;

use model::DatasetName;
use query::{QueryEngine, TimeRange};
use serde_json::{Map, Value};

use crate::trace::ApmError;

const MINUTE_NS: i64 = 60_000_000_000;

/// Requests, errors and latency of one group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Red {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) duration_sum_ns: f64,
    /// `(latency bucket, spans)`.
    pub(crate) histogram: Vec<(i64, u64)>,
}

/// RED of a group over a range, as the API returns it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RedSummary {
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    /// Requests per second over the range.
    pub rate_per_s: f64,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// (satisfied + tolerating / 2) / requests, threshold T (tolerating to 4T).
    pub apdex: Option<f64>,
}

impl Red {
    fn add(&mut self, bucket: Option<i64>, count: u64, errors: u64, duration_ns: f64) {
        self.requests += count;
        self.errors += errors;
        self.duration_sum_ns += duration_ns;
        if let Some(b) = bucket {
            self.add_to_histogram(b, count);
        }
    }

    fn add_to_histogram(&mut self, bucket: i64, count: u64) {
        match self.histogram.iter_mut().find(|(x, _)| *x == bucket) {
            Some(entry) => entry.1 += count,
            None => self.histogram.push((bucket, count)),
        }
    }

    pub(crate) fn merge(&mut self, other: &Red) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.duration_sum_ns += other.duration_sum_ns;
        for &(b, c) in &other.histogram {
            self.add_to_histogram(b, c);
        }
    }

    /// A part of this group: `requests` and `errors` of it, with the
    /// duration and histogram scaled by `fraction` (the same latency shape).
    pub(crate) fn scaled(&self, requests: u64, errors: u64, fraction: f64) -> Red {
        Red {
            requests,
            errors,
            duration_sum_ns: self.duration_sum_ns * fraction,
            histogram: self
                .histogram
                .iter()
                .map(|&(b, c)| (b, (c as f64 * fraction).round() as u64))
                .filter(|&(_, c)| c > 0)
                .collect(),
        }
    }

    pub(crate) fn quantile_ms(&self, q: f64) -> Option<f64> {
        derived::quantile_ns(&self.histogram, q).map(|ns| ns / 1e6)
    }

    pub(crate) fn summary(&self, range_s: f64, apdex_t_ns: f64) -> RedSummary {
        let n = self.requests as f64;
        RedSummary {
            requests: self.requests,
            errors: self.errors,
            error_rate: if n > 0.0 { self.errors as f64 / n } else { 0.0 },
            rate_per_s: n / range_s.max(1e-9),
            avg_ms: (n > 0.0).then(|| self.duration_sum_ns / n / 1e6),
            p50_ms: self.quantile_ms(0.5),
            p95_ms: self.quantile_ms(0.95),
            p99_ms: self.quantile_ms(0.99),
            apdex: derived::apdex(&self.histogram, apdex_t_ns),
        }
    }
}

pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub(crate) fn num(row: &Map<String, Value>, key: &str) -> f64 {
    row.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

pub(crate) fn text(row: &Map<String, Value>, key: &str) -> Option<String> {
    row.get(key).and_then(Value::as_str).map(String::from)
}

/// The range with its start moved back to the whole minute, as rollup rows
/// are stamped: a row's minute then falls in exactly one series bucket.
pub(crate) fn aligned(range: TimeRange) -> TimeRange {
    TimeRange {
        from: range.from.div_euclid(MINUTE_NS) * MINUTE_NS,
        to: range.to,
    }
}

/// The value of an optional text parameter, `None` when blank.
pub(crate) fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A group's key: the values of the grouping columns, in order.
pub(crate) type GroupKey = Vec<Option<String>>;

fn key_of(row: &Map<String, Value>, groups: &[&str]) -> GroupKey {
    groups.iter().map(|g| text(row, g)).collect()
}

/// RED per group of `groups` columns for rollup rows matching `filter`.
pub(crate) async fn grouped(
    engine: &QueryEngine,
    filter: &str,
    groups: &[&str],
) -> Result<BTreeMap<GroupKey, Red>, ApmError> {
    let mut out: BTreeMap<GroupKey, Red> = BTreeMap::new();
    if !engine.has_dataset(&DatasetName::span_metrics()) {
        return Ok(out);
    }
    let cols: String = groups.iter().map(|g| format!("{g}, ")).collect();
    let sql = format!(
        "SELECT {cols}latency_bucket, sum(count) AS n, sum(errors) AS e, \
         CAST(sum(duration_sum_ns) AS DOUBLE) AS d FROM span_metrics WHERE {filter} \
         GROUP BY {cols}latency_bucket"
    );
    for row in engine.sql(&sql).await?.rows {
        out.entry(key_of(&row, groups)).or_default().add(
            row.get("latency_bucket").and_then(Value::as_i64),
            num(&row, "n") as u64,
            num(&row, "e") as u64,
            num(&row, "d"),
        );
    }
    Ok(out)
}

/// Per group, RED per time bucket of `seconds` from the range's start
/// (with histograms only when `histograms`). The range should be `aligned`.
pub(crate) async fn series(
    engine: &QueryEngine,
    filter: &str,
    groups: &[&str],
    range: TimeRange,
    seconds: i64,
    histograms: bool,
) -> Result<BTreeMap<GroupKey, Vec<Red>>, ApmError> {
    let mut out: BTreeMap<GroupKey, Vec<Red>> = BTreeMap::new();
    if !engine.has_dataset(&DatasetName::span_metrics()) {
        return Ok(out);
    }
    let buckets = bucket_count(range, seconds);
    let cols: String = groups.iter().map(|g| format!("{g}, ")).collect();
    let latency = if histograms { "latency_bucket, " } else { "" };
    let sql = format!(
        "SELECT {cols}{latency}CAST(date_bin(INTERVAL '{seconds} seconds', \"timestamp\", {}) AS BIGINT) AS t, \
         sum(count) AS n, sum(errors) AS e, CAST(sum(duration_sum_ns) AS DOUBLE) AS d \
         FROM span_metrics WHERE {filter} GROUP BY {cols}{latency}t",
        query::time_literal(range.from)
    );
    for row in engine.sql(&sql).await?.rows {
        let Some(t) = row.get("t").and_then(Value::as_i64) else {
            continue;
        };
        let index = (t - range.from).div_euclid(seconds * 1_000_000_000);
        if index < 0 || index as usize >= buckets {
            continue;
        }
        let slots = out
            .entry(key_of(&row, groups))
            .or_insert_with(|| vec![Red::default(); buckets]);
        slots[index as usize].add(
            row.get("latency_bucket").and_then(Value::as_i64),
            num(&row, "n") as u64,
            num(&row, "e") as u64,
            num(&row, "d"),
        );
    }
    Ok(out)
}

pub(crate) fn bucket_count(range: TimeRange, seconds: i64) -> usize {
    let width = seconds * 1_000_000_000;
    ((range.nanos() + width - 1) / width).max(1) as usize
}

/// Bucket width giving about `buckets` buckets over the range, in whole
/// minutes (the rollups' resolution).
pub(crate) fn bucket_seconds(range: TimeRange, buckets: i64) -> i64 {
    let raw = (range.nanos() / 1_000_000_000) / buckets.max(1);
    (raw.max(60) / 60) * 60
}
