//! Error tracking: the `errors` dataset (occurrences derived at ingest, each
//! with its fingerprint) grouped into issues, with counts, first and last
//! seen, affected services and a series, and each issue's status (open,
//! resolved, ignored). A resolved issue that occurs again after it was
//! resolved is open again and flagged as a regression.
//!
//! An exception often arrives twice: as the span's exception event and as
//! the log line written while handling it. Occurrences carrying trace and
//! span ids count once per span.

use std::collections::{BTreeMap, HashMap};

use model::DatasetName;
use query::ir::{self, Expr, Select, column};
use query::{QueryEngine, TimeRange};

use crate::rollups::{bucket_count, non_empty};
use crate::trace::ApmError;
use crate::vocabulary::{IssueSort, IssueStatus, IssueStatusFilter, blank_or};

pub const DEFAULT_ISSUES: usize = 100;
pub const MAX_ISSUES: usize = 1_000;
/// Most issues grouped before status filtering and sorting.
const MAX_GROUPS: usize = 5_000;
const SERIES_BUCKETS: i64 = 30;
const MAX_TITLE_CHARS: usize = 200;

/// What a user said about an issue.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueState {
    pub status: IssueStatus,
    /// When it was marked resolved, ns since the epoch.
    pub resolved_at: Option<i64>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueQuery {
    pub service: Option<String>,
    pub env: Option<String>,
    /// Which issues (default: open ones).
    #[serde(default, deserialize_with = "blank_or")]
    pub status: Option<IssueStatusFilter>,
    /// Search syntax over the errors' fields (message, type, stack...).
    pub q: Option<String>,
    /// The order (default: last seen first).
    #[serde(default, deserialize_with = "blank_or")]
    pub sort: Option<IssueSort>,
    /// Most issues returned.
    #[param(default = 100, maximum = 1000)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssueSummary {
    pub fingerprint: String,
    pub title: String,
    pub error_type: String,
    pub message: String,
    #[schema(required = true)]
    pub culprit: Option<String>,
    /// Occurrences in the range.
    pub count: u64,
    /// First and last occurrence over all retained data, ns since the epoch.
    pub first_seen: i64,
    pub last_seen: i64,
    pub services: Vec<String>,
    pub status: IssueStatus,
    pub regressed: bool,
    pub series: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssuesResponse {
    pub issues: Vec<IssueSummary>,
    pub bucket_seconds: i64,
    pub elapsed_ms: f64,
}

/// A fingerprint as stored: 16 lowercase hex digits.
pub fn check_fingerprint(fingerprint: &str) -> Result<String, ApmError> {
    let fp = fingerprint.trim().to_ascii_lowercase();
    if fp.len() != 16 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApmError::Invalid(format!(
            "{fingerprint:?} is not an issue fingerprint: expected 16 hexadecimal digits"
        )));
    }
    Ok(fp)
}

/// The status shown for an issue last seen at `last_seen`, and whether it
/// regressed (occurred after it was resolved).
pub fn effective_status(state: Option<&IssueState>, last_seen: i64) -> (IssueStatus, bool) {
    match state {
        None => (IssueStatus::Open, false),
        Some(s) if s.status == IssueStatus::Resolved => match s.resolved_at {
            Some(at) if last_seen > at => (IssueStatus::Open, true),
            _ => (IssueStatus::Resolved, false),
        },
        Some(s) => (s.status, false),
    }
}

fn title(error_type: &str, message: &str) -> String {
    let first_line = message.lines().next().unwrap_or("");
    let full = if first_line.is_empty() {
        error_type.to_owned()
    } else {
        format!("{error_type}: {first_line}")
    };
    full.chars().take(MAX_TITLE_CHARS).collect()
}

/// Occurrences, counting once per span those that carry trace ids: the
/// untraced ones and the distinct traced spans, as two aggregates whose sum
/// `occurrence_counts` reads. The distinct count is `FILTER`ed to the
/// traced rows rather than counting a `CASE`: that keeps it in the one
/// aggregation (a lone distinct aggregate without a filter makes DataFusion
/// regroup by every span key first, a second aggregation that took the
/// issues page from 8 to 12 ms on the benchmark's errors).
fn occurrences() -> [Expr; 2] {
    let trace_id = || column("trace_id");
    let untraced = ir::sum(ir::if_else(trace_id().is_null(), ir::int(1), ir::int(0)));
    let span_key = ir::concat(vec![
        trace_id(),
        ir::text(":"),
        ir::coalesce(vec![column("span_id"), ir::text("")]),
    ]);
    [
        untraced.alias("untraced"),
        ir::only_where(ir::count_distinct(span_key), trace_id().is_not_null()).alias("traced"),
    ]
}

/// Per row of a result with `occurrences()`, the occurrences.
fn occurrence_counts(rows: &query::Rows) -> Result<Vec<u64>, ApmError> {
    let untraced = rows.counts("untraced")?;
    let traced = rows.counts("traced")?;
    Ok(untraced
        .into_iter()
        .zip(traced)
        .map(|(u, t)| u + t)
        .collect())
}

/// The query's conditions on the errors (without the time range).
fn filter(engine: &QueryEngine, query: &IssueQuery) -> Result<Expr, ApmError> {
    let mut parts = Vec::new();
    if let Some(s) = non_empty(&query.service) {
        parts.push(column("service").eq(ir::text(s)));
    }
    if let Some(e) = non_empty(&query.env) {
        parts.push(column("env").eq(ir::text(e)));
    }
    if let Some(q) = non_empty(&query.q)
        && let Some(p) = engine.search_condition(&DatasetName::errors(), q)?
    {
        parts.push(p);
    }
    Ok(ir::all(parts))
}

pub(crate) fn bucket_seconds(range: TimeRange) -> i64 {
    ((range.nanos() / 1_000_000_000) / SERIES_BUCKETS).max(1)
}

/// Occurrence counts per fingerprint and bucket.
pub(crate) async fn series(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &Expr,
    ids: &[String],
    seconds: i64,
) -> Result<HashMap<String, Vec<u64>>, ApmError> {
    let buckets = bucket_count(range, seconds);
    let select = Select::from(DatasetName::errors())
        .filter(ir::time_in(range))
        .filter(filter.clone())
        .filter(ir::in_texts(column("fingerprint"), ids))
        .group_by([
            column("fingerprint"),
            ir::time_bucket(seconds, range.from).alias("t"),
        ])
        .aggregate(occurrences());
    let rows = engine.fetch(&select).await?;
    let (fingerprints, times, counts) = (
        rows.texts("fingerprint")?,
        rows.integers("t")?,
        occurrence_counts(&rows)?,
    );
    let mut out: HashMap<String, Vec<u64>> = HashMap::new();
    for ((fp, t), n) in fingerprints.into_iter().zip(times).zip(counts) {
        let (Some(fp), Some(t)) = (fp, t) else {
            continue;
        };
        let i = (t - range.from).div_euclid(seconds * 1_000_000_000);
        if i < 0 || i as usize >= buckets {
            continue;
        }
        out.entry(fp).or_insert_with(|| vec![0; buckets])[i as usize] += n;
    }
    Ok(out)
}

/// Issues in the range matching `query`, with their status from `states`.
pub async fn list_issues(
    engine: &QueryEngine,
    range: TimeRange,
    query: &IssueQuery,
    states: &HashMap<String, IssueState>,
) -> Result<IssuesResponse, ApmError> {
    let started = std::time::Instant::now();
    let seconds = bucket_seconds(range);
    let status_filter = query.status.unwrap_or(IssueStatusFilter::Open);
    let sort = query.sort.unwrap_or(IssueSort::LastSeen);
    let limit = query.limit.unwrap_or(DEFAULT_ISSUES).clamp(1, MAX_ISSUES);
    let empty = IssuesResponse {
        issues: Vec::new(),
        bucket_seconds: seconds,
        elapsed_ms: 0.0,
    };
    if !engine.has_dataset(&DatasetName::errors()) {
        return Ok(empty);
    }
    let filter = filter(engine, query)?;
    let mut issues = grouped(engine, range, &filter, None, states).await?;
    issues.retain(|i| match status_filter {
        IssueStatusFilter::All => true,
        IssueStatusFilter::Open => i.status == IssueStatus::Open,
        IssueStatusFilter::Resolved => i.status == IssueStatus::Resolved,
        IssueStatusFilter::Ignored => i.status == IssueStatus::Ignored,
    });
    match sort {
        IssueSort::Count => issues.sort_by_key(|x| std::cmp::Reverse(x.count)),
        IssueSort::FirstSeen => issues.sort_by_key(|x| std::cmp::Reverse(x.first_seen)),
        IssueSort::LastSeen => issues.sort_by_key(|x| std::cmp::Reverse(x.last_seen)),
    }
    issues.truncate(limit);
    if !issues.is_empty() {
        let ids: Vec<String> = issues.iter().map(|i| i.fingerprint.clone()).collect();
        let mut counts = series(engine, range, &filter, &ids, seconds).await?;
        let buckets = bucket_count(range, seconds);
        for issue in &mut issues {
            issue.series = counts
                .remove(&issue.fingerprint)
                .unwrap_or_else(|| vec![0; buckets]);
        }
    }
    Ok(IssuesResponse {
        issues,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        ..empty
    })
}

/// Issues grouped in the range (all statuses), without series.
pub(crate) async fn grouped(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &Expr,
    only: Option<&str>,
    states: &HashMap<String, IssueState>,
) -> Result<Vec<IssueSummary>, ApmError> {
    let mut matching = ir::time_in(range).and(filter.clone());
    if let Some(fp) = only {
        matching = matching.and(column("fingerprint").eq(ir::text(fp)));
    }
    let select = Select::from(DatasetName::errors())
        .filter(matching.clone())
        .group_by([column("fingerprint")])
        .aggregate(occurrences())
        .aggregate([
            ir::max(column("error_type")).alias("error_type"),
            ir::max(column("message")).alias("message"),
            ir::max(column("culprit")).alias("culprit"),
            ir::nanos(ir::max(column("timestamp"))).alias("last"),
        ])
        .order_by(ir::descending(column("last")))
        .limit(MAX_GROUPS);
    let rows = engine.fetch(&select).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let fingerprints = rows.texts("fingerprint")?;
    let ids: Vec<String> = fingerprints.iter().flatten().cloned().collect();
    let of_ids = || ir::in_texts(column("fingerprint"), &ids);
    let all_time = Select::from(DatasetName::errors())
        .filter(of_ids())
        .group_by([column("fingerprint")])
        .aggregate([
            ir::nanos(ir::min(column("timestamp"))).alias("first"),
            ir::nanos(ir::max(column("timestamp"))).alias("last"),
        ]);
    let services = Select::from(DatasetName::errors())
        .filter(matching)
        .filter(of_ids())
        .filter(column("service").is_not_null())
        .group_by([column("fingerprint"), column("service")])
        .aggregate([ir::count_rows().alias("n")])
        .order_by(ir::descending(column("n")));
    let (all_time, services) = futures::join!(engine.fetch(&all_time), engine.fetch(&services));
    let (all_time, services) = (all_time?, services?);
    let mut seen: HashMap<String, (i64, i64)> = HashMap::new();
    for ((fp, first), last) in all_time
        .texts("fingerprint")?
        .into_iter()
        .zip(all_time.integers("first")?)
        .zip(all_time.integers("last")?)
    {
        if let Some(fp) = fp {
            seen.insert(fp, (first.unwrap_or(0), last.unwrap_or(0)));
        }
    }
    let mut by_service: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (fp, s) in services
        .texts("fingerprint")?
        .into_iter()
        .zip(services.texts("service")?)
    {
        if let (Some(fp), Some(s)) = (fp, s) {
            by_service.entry(fp).or_default().push(s);
        }
    }
    let (counts, error_types, messages, culprits, lasts) = (
        occurrence_counts(&rows)?,
        rows.texts("error_type")?,
        rows.texts("message")?,
        rows.texts("culprit")?,
        rows.integers("last")?,
    );
    Ok(fingerprints
        .into_iter()
        .enumerate()
        .filter_map(|(i, fp)| {
            let fp = fp?;
            let error_type = error_types[i].clone().unwrap_or_else(|| "Error".into());
            let message = messages[i].clone().unwrap_or_default();
            let range_last = lasts[i].unwrap_or(0);
            let (first_seen, last_seen) =
                seen.get(&fp).copied().unwrap_or((range_last, range_last));
            let (status, regressed) = effective_status(states.get(&fp), last_seen);
            Some(IssueSummary {
                title: title(&error_type, &message),
                culprit: culprits[i].clone(),
                count: counts[i],
                first_seen,
                last_seen,
                services: by_service.remove(&fp).unwrap_or_default(),
                status,
                regressed,
                series: Vec::new(),
                fingerprint: fp,
                error_type,
                message,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_regressions() {
        assert_eq!(effective_status(None, 5), (IssueStatus::Open, false));
        let resolved = IssueState {
            status: IssueStatus::Resolved,
            resolved_at: Some(100),
        };
        assert_eq!(
            effective_status(Some(&resolved), 50),
            (IssueStatus::Resolved, false)
        );
        assert_eq!(
            effective_status(Some(&resolved), 150),
            (IssueStatus::Open, true)
        );
        let ignored = IssueState {
            status: IssueStatus::Ignored,
            resolved_at: None,
        };
        assert_eq!(
            effective_status(Some(&ignored), 150),
            (IssueStatus::Ignored, false)
        );
    }

    #[test]
    fn titles_and_fingerprints() {
        assert_eq!(
            title("AxiosError", "Network Error"),
            "AxiosError: Network Error"
        );
        assert_eq!(title("Boom", ""), "Boom");
        assert_eq!(title("E", "line one\nline two"), "E: line one");
        assert!(check_fingerprint("0123456789ABCDEF").is_ok());
        assert!(check_fingerprint("' OR 1=1").is_err());
    }
}
