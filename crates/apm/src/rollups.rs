//! Reading the `span_metrics` rollups that ingest derives from spans (crate
//! `derived`): requests, errors and latency histograms per group, over a
//! range or per time bucket. Percentiles and Apdex come from the summed
//! histograms, so a page reads minutes, and hours over long ranges, not
//! spans.

use std::collections::BTreeMap;

use model::DatasetName;
use query::ir::{self, Expr, Select, column};
use query::{QueryEngine, Rows, TimeRange};

use crate::trace::ApmError;

const MINUTE_NS: i64 = 60_000_000_000;
const HOUR_NS: i64 = 3_600_000_000_000;

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
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RedSummary {
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    /// Requests per second over the range.
    pub rate_per_s: f64,
    #[schema(required = true)]
    pub avg_ms: Option<f64>,
    #[schema(required = true)]
    pub p50_ms: Option<f64>,
    #[schema(required = true)]
    pub p95_ms: Option<f64>,
    #[schema(required = true)]
    pub p99_ms: Option<f64>,
    /// (satisfied + tolerating / 2) / requests, threshold T (tolerating to 4T).
    #[schema(required = true)]
    pub apdex: Option<f64>,
}

impl Red {
    /// Adds row `i` of a rollup query's result.
    fn add_row(&mut self, totals: &Totals, i: usize) {
        let count = totals.requests[i];
        self.requests += count;
        self.errors += totals.errors[i];
        self.duration_sum_ns += totals.duration_ns[i].unwrap_or(0.0);
        if let Some(b) = totals.latency_bucket.as_ref().and_then(|b| b[i]) {
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

/// The group keys of a result's rows, by the grouping columns.
pub(crate) fn keys_of(rows: &Rows, groups: &[&str]) -> Result<Vec<GroupKey>, ApmError> {
    let columns = groups
        .iter()
        .map(|g| rows.texts(g))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..rows.len())
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect())
}

/// The summed columns of a rollup query's result.
struct Totals {
    requests: Vec<u64>,
    errors: Vec<u64>,
    duration_ns: Vec<Option<f64>>,
    latency_bucket: Option<Vec<Option<i64>>>,
}

impl Totals {
    fn read(rows: &Rows, histograms: bool) -> Result<Totals, ApmError> {
        Ok(Totals {
            requests: rows.counts("n")?,
            errors: rows.counts("e")?,
            duration_ns: rows.floats("d")?,
            latency_bucket: if histograms {
                Some(rows.integers("latency_bucket")?)
            } else {
                None
            },
        })
    }
}

/// `sum(count) AS n, sum(errors) AS e, sum(duration_sum_ns) AS d`.
fn totals() -> [Expr; 3] {
    [
        ir::sum(column("count")).alias("n"),
        ir::sum(column("errors")).alias("e"),
        ir::float(ir::sum(column("duration_sum_ns"))).alias("d"),
    ]
}

/// Spans that enter a service: server and consumer kinds.
pub(crate) fn entry_spans() -> Expr {
    ir::in_texts(column("kind"), &["server".into(), "consumer".into()])
}

/// Spans that leave a service: client and producer kinds.
pub(crate) fn exit_spans() -> Expr {
    ir::in_texts(column("kind"), &["client".into(), "producer".into()])
}

/// Rows of environment `env` (every row when `None` or blank).
pub(crate) fn env_is(env: Option<&str>) -> Expr {
    match env.filter(|e| !e.is_empty()) {
        Some(env) => column("env").eq(ir::text(env)),
        None => ir::boolean(true),
    }
}

/// Entry-span RED per service (all environments merged), for the map.
pub(crate) async fn entry_red_by_service(
    engine: &QueryEngine,
    range: TimeRange,
    env: Option<&str>,
) -> Result<BTreeMap<String, Red>, ApmError> {
    let filter = ir::all([entry_spans(), env_is(env)]);
    let grouped = grouped(engine, aligned(range), &filter, &["service"]).await?;
    Ok(grouped
        .into_iter()
        .map(|(key, red)| (key.into_iter().next().flatten().unwrap_or_default(), red))
        .collect())
}

/// Ranges with at least this many whole hours inside read `span_metrics_1h`
/// for those hours and the minute rows only at the two ends.
const HOURLY_FROM_NS: i64 = 3 * HOUR_NS;

const ROLLUP_COLUMNS: [&str; 11] = [
    "timestamp",
    "service",
    "env",
    "kind",
    "endpoint",
    "peer",
    "peer_kind",
    "latency_bucket",
    "count",
    "errors",
    "duration_sum_ns",
];

/// The rollup rows of `range` that match `filter` (a condition without the
/// time range): the whole hours inside the range from the hourly rollups
/// (when `hourly`), the minutes at its ends from the minute rollups. `None`
/// when there are no rollups. The range should be `aligned`.
fn source(engine: &QueryEngine, range: TimeRange, filter: &Expr, hourly: bool) -> Option<Select> {
    if !engine.has_dataset(&DatasetName::span_metrics()) {
        return None;
    }
    let part = |dataset: DatasetName, r: TimeRange| {
        Select::from(dataset)
            .filter(ir::time_in(r))
            .filter(filter.clone())
            .columns(ROLLUP_COLUMNS.map(column))
    };
    let first_hour = range.from.div_euclid(HOUR_NS) * HOUR_NS
        + if range.from.rem_euclid(HOUR_NS) == 0 {
            0
        } else {
            HOUR_NS
        };
    let last_hour = range.to.div_euclid(HOUR_NS) * HOUR_NS;
    if !hourly
        || last_hour - first_hour < HOURLY_FROM_NS
        || !engine.has_dataset(&DatasetName::span_metrics_hourly())
    {
        return Some(Select::union_all(vec![part(
            DatasetName::span_metrics(),
            range,
        )]));
    }
    let mut parts = vec![part(
        DatasetName::span_metrics_hourly(),
        TimeRange {
            from: first_hour,
            to: last_hour,
        },
    )];
    for (from, to) in [(range.from, first_hour), (last_hour, range.to)] {
        if from < to {
            parts.push(part(DatasetName::span_metrics(), TimeRange { from, to }));
        }
    }
    Some(Select::union_all(parts))
}

/// RED per group of `groups` columns for the rollup rows of `range`
/// (`aligned`) matching `filter` (without the time range).
pub(crate) async fn grouped(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &Expr,
    groups: &[&str],
) -> Result<BTreeMap<GroupKey, Red>, ApmError> {
    let mut out: BTreeMap<GroupKey, Red> = BTreeMap::new();
    let Some(source) = source(engine, range, filter, true) else {
        return Ok(out);
    };
    let select = source
        .group_by(groups.iter().map(|g| column(g)))
        .group_by([column("latency_bucket")])
        .aggregate(totals());
    let rows = engine.fetch(&select).await?;
    let totals = Totals::read(&rows, true)?;
    for (i, key) in keys_of(&rows, groups)?.into_iter().enumerate() {
        out.entry(key).or_default().add_row(&totals, i);
    }
    Ok(out)
}

/// Where a series of `seconds` buckets over `range` starts: at the range's
/// start, or at the whole hour before it when buckets are whole hours (so
/// that an hourly rollup row falls in exactly one bucket).
pub(crate) fn series_start(range: TimeRange, seconds: i64) -> i64 {
    if seconds % 3600 == 0 {
        range.from.div_euclid(HOUR_NS) * HOUR_NS
    } else {
        range.from
    }
}

/// Number of buckets of a series over `range` (see `series_start`).
pub(crate) fn series_buckets(range: TimeRange, seconds: i64) -> usize {
    bucket_count(
        TimeRange {
            from: series_start(range, seconds),
            to: range.to,
        },
        seconds,
    )
}

/// Per group, RED per time bucket of `seconds` from `series_start` (with
/// histograms only when `histograms`). The range should be `aligned`.
pub(crate) async fn series(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &Expr,
    groups: &[&str],
    seconds: i64,
    histograms: bool,
) -> Result<BTreeMap<GroupKey, Vec<Red>>, ApmError> {
    let mut out: BTreeMap<GroupKey, Vec<Red>> = BTreeMap::new();
    // Hourly rows only when each falls in one bucket.
    let Some(source) = source(engine, range, filter, seconds % 3600 == 0) else {
        return Ok(out);
    };
    let start = series_start(range, seconds);
    let buckets = series_buckets(range, seconds);
    let mut select = source.group_by(groups.iter().map(|g| column(g)));
    if histograms {
        select = select.group_by([column("latency_bucket")]);
    }
    let select = select
        .group_by([ir::time_bucket(seconds, start).alias("t")])
        .aggregate(totals());
    let rows = engine.fetch(&select).await?;
    let totals = Totals::read(&rows, histograms)?;
    let times = rows.integers("t")?;
    for (i, key) in keys_of(&rows, groups)?.into_iter().enumerate() {
        let Some(t) = times[i] else {
            continue;
        };
        let index = (t - start).div_euclid(seconds * 1_000_000_000);
        if index < 0 || index as usize >= buckets {
            continue;
        }
        let slots = out
            .entry(key)
            .or_insert_with(|| vec![Red::default(); buckets]);
        slots[index as usize].add_row(&totals, i);
    }
    Ok(out)
}

pub(crate) fn bucket_count(range: TimeRange, seconds: i64) -> usize {
    let width = seconds * 1_000_000_000;
    ((range.nanos() + width - 1) / width).max(1) as usize
}

/// Bucket width giving about `buckets` buckets over the range, in whole
/// minutes (the minute rollups' resolution), or whole hours once buckets
/// are an hour or wider (the hourly rollups').
pub(crate) fn bucket_seconds(range: TimeRange, buckets: i64) -> i64 {
    let raw = (range.nanos() / 1_000_000_000) / buckets.max(1);
    if raw >= 3600 {
        (raw / 3600) * 3600
    } else {
        (raw.max(60) / 60) * 60
    }
}
