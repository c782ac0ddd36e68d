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
use query::{QueryEngine, TimeRange};
use serde_json::{Map, Value};

use crate::rollups::{bucket_count, non_empty, num, quote, text};
use crate::trace::ApmError;

pub const DEFAULT_ISSUES: usize = 100;
pub const MAX_ISSUES: usize = 1_000;
/// Most issues grouped before status filtering and sorting.
const MAX_GROUPS: usize = 5_000;
const SERIES_BUCKETS: i64 = 30;
const MAX_SAMPLES: usize = 20;
const MAX_TITLE_CHARS: usize = 200;

/// What a user said about an issue.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueState {
    /// open, resolved or ignored
    pub status: String,
    /// When it was marked resolved, ns since the epoch.
    pub resolved_at: Option<i64>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct IssueQuery {
    pub service: Option<String>,
    pub env: Option<String>,
    /// open (default), resolved, ignored or all
    pub status: Option<String>,
    /// Search syntax over the errors' fields (message, type, stack...).
    pub q: Option<String>,
    /// last_seen (default), count or first_seen
    pub sort: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct IssueSummary {
    pub fingerprint: String,
    pub title: String,
    pub error_type: String,
    pub message: String,
    pub culprit: Option<String>,
    /// Occurrences in the range.
    pub count: u64,
    /// First and last occurrence over all retained data, ns since the epoch.
    pub first_seen: i64,
    pub last_seen: i64,
    pub services: Vec<String>,
    pub status: String,
    pub regressed: bool,
    pub series: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuesResponse {
    pub issues: Vec<IssueSummary>,
    pub bucket_seconds: i64,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct IssueSeries {
    pub timestamps_ms: Vec<i64>,
    pub counts: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct IssueDetail {
    pub issue: IssueSummary,
    pub bucket_seconds: i64,
    pub series: IssueSeries,
    pub stack: Option<String>,
    pub samples: Vec<Map<String, Value>>,
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
pub fn effective_status(state: Option<&IssueState>, last_seen: i64) -> (String, bool) {
    match state {
        None => ("open".into(), false),
        Some(s) if s.status == "resolved" => match s.resolved_at {
            Some(at) if last_seen > at => ("open".into(), true),
            _ => ("resolved".into(), false),
        },
        Some(s) => (s.status.clone(), false),
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

/// Occurrences, counting once per span those that carry trace ids.
const OCCURRENCES: &str = "sum(CASE WHEN trace_id IS NULL THEN 1 ELSE 0 END) + \
     count(DISTINCT CASE WHEN trace_id IS NOT NULL THEN concat(trace_id, ':', coalesce(span_id, '')) END)";

fn filter_sql(engine: &QueryEngine, query: &IssueQuery) -> Result<String, ApmError> {
    let mut parts = Vec::new();
    if let Some(s) = non_empty(&query.service) {
        parts.push(format!(" AND service = {}", quote(s)));
    }
    if let Some(e) = non_empty(&query.env) {
        parts.push(format!(" AND env = {}", quote(e)));
    }
    if let Some(q) = non_empty(&query.q)
        && let Some(p) = engine.search_predicate(&DatasetName::errors(), q)?
    {
        parts.push(format!(" AND ({p})"));
    }
    Ok(parts.concat())
}

fn id_list(ids: &[String]) -> String {
    ids.iter().map(|f| quote(f)).collect::<Vec<_>>().join(", ")
}

fn bucket_seconds(range: TimeRange) -> i64 {
    ((range.nanos() / 1_000_000_000) / SERIES_BUCKETS).max(1)
}

/// Occurrence counts per fingerprint and bucket.
async fn series(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &str,
    ids: &[String],
    seconds: i64,
) -> Result<HashMap<String, Vec<u64>>, ApmError> {
    let buckets = bucket_count(range, seconds);
    let rows = engine
        .sql(&format!(
            "SELECT fingerprint, CAST(date_bin(INTERVAL '{seconds} seconds', \"timestamp\", {}) AS BIGINT) AS t, \
             {OCCURRENCES} AS n FROM errors WHERE {}{filter} AND fingerprint IN ({}) GROUP BY 1, 2",
            query::time_literal(range.from),
            range.sql_filter(),
            id_list(ids)
        ))
        .await?
        .rows;
    let mut out: HashMap<String, Vec<u64>> = HashMap::new();
    for row in &rows {
        let (Some(fp), Some(t)) = (
            text(row, "fingerprint"),
            row.get("t").and_then(Value::as_i64),
        ) else {
            continue;
        };
        let i = (t - range.from).div_euclid(seconds * 1_000_000_000);
        if i < 0 || i as usize >= buckets {
            continue;
        }
        out.entry(fp).or_insert_with(|| vec![0; buckets])[i as usize] += num(row, "n") as u64;
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
    let status_filter = non_empty(&query.status).unwrap_or("open").to_owned();
    if !matches!(
        status_filter.as_str(),
        "open" | "resolved" | "ignored" | "all"
    ) {
        return Err(ApmError::Invalid(format!(
            "status must be open, resolved, ignored or all, not {status_filter:?}"
        )));
    }
    let sort = non_empty(&query.sort).unwrap_or("last_seen").to_owned();
    if !matches!(sort.as_str(), "last_seen" | "count" | "first_seen") {
        return Err(ApmError::Invalid(format!(
            "sort must be last_seen, count or first_seen, not {sort:?}"
        )));
    }
    let limit = query.limit.unwrap_or(DEFAULT_ISSUES).clamp(1, MAX_ISSUES);
    let empty = IssuesResponse {
        issues: Vec::new(),
        bucket_seconds: seconds,
        elapsed_ms: 0.0,
    };
    if !engine.has_dataset(&DatasetName::errors()) {
        return Ok(empty);
    }
    let filter = filter_sql(engine, query)?;
    let mut issues = grouped(engine, range, &filter, None, states).await?;
    issues.retain(|i| status_filter == "all" || i.status == status_filter);
    match sort.as_str() {
        "count" => issues.sort_by_key(|x| std::cmp::Reverse(x.count)),
        "first_seen" => issues.sort_by_key(|x| std::cmp::Reverse(x.first_seen)),
        _ => issues.sort_by_key(|x| std::cmp::Reverse(x.last_seen)),
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
async fn grouped(
    engine: &QueryEngine,
    range: TimeRange,
    filter: &str,
    only: Option<&str>,
    states: &HashMap<String, IssueState>,
) -> Result<Vec<IssueSummary>, ApmError> {
    let only_sql = only
        .map(|fp| format!(" AND fingerprint = {}", quote(fp)))
        .unwrap_or_default();
    let rows = engine
        .sql(&format!(
            "SELECT fingerprint, {OCCURRENCES} AS n, max(error_type) AS error_type, \
             max(message) AS message, max(culprit) AS culprit, CAST(max(\"timestamp\") AS BIGINT) AS last \
             FROM errors WHERE {}{filter}{only_sql} GROUP BY fingerprint ORDER BY last DESC LIMIT {MAX_GROUPS}",
            range.sql_filter()
        ))
        .await?
        .rows;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().filter_map(|r| text(r, "fingerprint")).collect();
    let list = id_list(&ids);
    let in_range = format!("{}{filter} AND fingerprint IN ({list})", range.sql_filter());
    let all_time_sql = format!(
        "SELECT fingerprint, CAST(min(\"timestamp\") AS BIGINT) AS first, \
         CAST(max(\"timestamp\") AS BIGINT) AS last FROM errors \
         WHERE fingerprint IN ({list}) GROUP BY fingerprint"
    );
    let services_sql = format!(
        "SELECT fingerprint, service, count(*) AS n FROM errors WHERE {in_range} \
         AND service IS NOT NULL GROUP BY 1, 2 ORDER BY n DESC"
    );
    let (all_time, services) = futures::join!(engine.sql(&all_time_sql), engine.sql(&services_sql));
    let mut seen: HashMap<String, (i64, i64)> = HashMap::new();
    for row in &all_time?.rows {
        if let Some(fp) = text(row, "fingerprint") {
            let get = |k: &str| row.get(k).and_then(Value::as_i64).unwrap_or(0);
            seen.insert(fp, (get("first"), get("last")));
        }
    }
    let mut by_service: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &services?.rows {
        if let (Some(fp), Some(s)) = (text(row, "fingerprint"), text(row, "service")) {
            by_service.entry(fp).or_default().push(s);
        }
    }
    Ok(rows
        .iter()
        .filter_map(|row| {
            let fp = text(row, "fingerprint")?;
            let error_type = text(row, "error_type").unwrap_or_else(|| "Error".into());
            let message = text(row, "message").unwrap_or_default();
            let range_last = row.get("last").and_then(Value::as_i64).unwrap_or(0);
            let (first_seen, last_seen) =
                seen.get(&fp).copied().unwrap_or((range_last, range_last));
            let (status, regressed) = effective_status(states.get(&fp), last_seen);
            Some(IssueSummary {
                title: title(&error_type, &message),
                culprit: text(row, "culprit"),
                count: num(row, "n") as u64,
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

/// One issue: its summary, occurrences over time, a stack trace and the
/// latest occurrences.
pub async fn issue_detail(
    engine: &QueryEngine,
    fingerprint: &str,
    range: TimeRange,
    states: &HashMap<String, IssueState>,
) -> Result<IssueDetail, ApmError> {
    let started = std::time::Instant::now();
    let fp = check_fingerprint(fingerprint)?;
    let not_found = || ApmError::NotFound(format!("no issue with fingerprint {fp}"));
    if !engine.has_dataset(&DatasetName::errors()) {
        return Err(not_found());
    }
    let seconds = bucket_seconds(range);
    let mut summary = grouped(engine, range, "", Some(&fp), states).await?;
    let issue = match summary.pop() {
        Some(issue) => issue,
        None => {
            // Known, but not in this range: describe it from all time.
            let whole = TimeRange {
                from: i64::MIN / 4,
                to: i64::MAX / 4,
            };
            let mut all = grouped(engine, whole, "", Some(&fp), states).await?;
            let mut issue = all.pop().ok_or_else(not_found)?;
            issue.count = 0;
            issue.services.clear();
            issue
        }
    };
    let id = quote(&fp);
    let stack_sql = format!(
        "SELECT stack FROM errors WHERE fingerprint = {id} AND stack IS NOT NULL \
         ORDER BY \"timestamp\" DESC LIMIT 1"
    );
    let samples_sql = format!(
        "SELECT CAST(\"timestamp\" AS BIGINT) AS timestamp, service, env, host, source, endpoint, \
         message, trace_id, span_id FROM errors WHERE {} AND fingerprint = {id} \
         ORDER BY \"timestamp\" DESC LIMIT {MAX_SAMPLES}",
        range.sql_filter()
    );
    let (counts, stack, samples) = futures::join!(
        series(engine, range, "", std::slice::from_ref(&fp), seconds),
        engine.sql(&stack_sql),
        engine.sql(&samples_sql),
    );
    let buckets = bucket_count(range, seconds);
    let counts = counts?.remove(&fp).unwrap_or_else(|| vec![0; buckets]);
    let stack = stack?.rows.first().and_then(|r| text(r, "stack"));
    let mut issue = issue;
    issue.series = counts.clone();
    Ok(IssueDetail {
        issue,
        bucket_seconds: seconds,
        series: IssueSeries {
            timestamps_ms: (0..buckets as i64)
                .map(|i| (range.from + i * seconds * 1_000_000_000) / 1_000_000)
                .collect(),
            counts,
        },
        stack,
        samples: samples?.rows,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_regressions() {
        assert_eq!(effective_status(None, 5), ("open".into(), false));
        let resolved = IssueState {
            status: "resolved".into(),
            resolved_at: Some(100),
        };
        assert_eq!(
            effective_status(Some(&resolved), 50),
            ("resolved".into(), false)
        );
        assert_eq!(
            effective_status(Some(&resolved), 150),
            ("open".into(), true)
        );
        let ignored = IssueState {
            status: "ignored".into(),
            resolved_at: None,
        };
        assert_eq!(
            effective_status(Some(&ignored), 150),
            ("ignored".into(), false)
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
