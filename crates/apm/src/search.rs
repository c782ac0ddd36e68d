//! Trace search: the traces with a span that matches a service, endpoint,
//! status, duration and search-syntax filter, newest first, with their span
//! and error counts and the services they cross. Which spans are matched is
//! the scope: root spans (the default), service entry spans (the default
//! when a service is given), or all spans.

use std::collections::{BTreeMap, BTreeSet};

use model::DatasetName;
use query::{QueryEngine, TimeRange};
use serde_json::Value;

use crate::rollups::{non_empty, num, quote, text};
use crate::trace::ApmError;

pub const DEFAULT_TRACES: usize = 50;
pub const MAX_TRACES: usize = 500;
/// How far before and after the range a found trace's other spans are looked for.
const TRACE_MARGIN_NS: i64 = 3_600_000_000_000;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TraceSearch {
    pub service: Option<String>,
    pub endpoint: Option<String>,
    /// `error` or `ok` (anything not an error).
    pub status: Option<String>,
    pub min_duration_ms: Option<f64>,
    pub max_duration_ms: Option<f64>,
    /// Search syntax over the spans' fields, as in Explore.
    pub q: Option<String>,
    /// `root`, `entry` or `all`: which spans the filters match.
    pub scope: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TraceSummary {
    pub trace_id: String,
    /// The matching span (the newest, when several match).
    pub span_id: Option<String>,
    /// Start of the matching span, ns since the epoch.
    pub timestamp: i64,
    pub service: String,
    pub endpoint: String,
    pub duration_ms: f64,
    /// error, ok or unset
    pub status: String,
    pub span_count: u64,
    pub error_count: u64,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TraceSearchResponse {
    pub traces: Vec<TraceSummary>,
    /// The SQL condition the filters became.
    pub sql_where: String,
    pub elapsed_ms: f64,
}

/// The SQL condition of a search (without the time range).
fn condition(engine: &QueryEngine, search: &TraceSearch) -> Result<String, ApmError> {
    let mut parts = vec!["trace_id IS NOT NULL".to_owned()];
    let service = non_empty(&search.service);
    if let Some(service) = service {
        parts.push(format!("service = {}", quote(service)));
    }
    const ROOT: &str = "(parent_span_id IS NULL OR parent_span_id = '')";
    match non_empty(&search.scope) {
        Some("all") => {}
        Some("root") => parts.push(ROOT.into()),
        Some("entry") => parts.push(format!("(kind IN ('server', 'consumer') OR {ROOT})")),
        None if service.is_some() => {
            parts.push(format!("(kind IN ('server', 'consumer') OR {ROOT})"))
        }
        None => parts.push(ROOT.into()),
        Some(other) => {
            return Err(ApmError::Invalid(format!(
                "scope must be root, entry or all, not {other:?}"
            )));
        }
    }
    if let Some(endpoint) = non_empty(&search.endpoint) {
        parts.push(format!("(endpoint = {0} OR name = {0})", quote(endpoint)));
    }
    match non_empty(&search.status) {
        None | Some("any") => {}
        Some("error") => parts.push("status_code = 'error'".into()),
        Some("ok") => parts.push("(status_code IS NULL OR status_code <> 'error')".into()),
        Some(other) => {
            return Err(ApmError::Invalid(format!(
                "status must be error, ok or any, not {other:?}"
            )));
        }
    }
    for (value, op, name) in [
        (search.min_duration_ms, ">=", "min_duration_ms"),
        (search.max_duration_ms, "<=", "max_duration_ms"),
    ] {
        if let Some(ms) = value {
            if !(ms.is_finite() && ms >= 0.0) {
                return Err(ApmError::Invalid(format!(
                    "{name} must be a non-negative number of milliseconds"
                )));
            }
            parts.push(format!("duration_ns {op} {}", (ms * 1e6) as i64));
        }
    }
    if let Some(q) = non_empty(&search.q) {
        match engine.search_predicate(&DatasetName::spans(), q)? {
            Some(predicate) => parts.push(format!("({predicate})")),
            None => parts.push("FALSE".into()),
        }
    }
    Ok(parts.join(" AND "))
}

pub async fn search_traces(
    engine: &QueryEngine,
    range: TimeRange,
    search: &TraceSearch,
) -> Result<TraceSearchResponse, ApmError> {
    let started = std::time::Instant::now();
    let limit = search.limit.unwrap_or(DEFAULT_TRACES).clamp(1, MAX_TRACES);
    let condition = condition(engine, search)?;
    let sql_where = format!("{} AND {condition}", range.sql_filter());
    if !engine.has_dataset(&DatasetName::spans()) {
        return Ok(TraceSearchResponse {
            traces: Vec::new(),
            sql_where,
            elapsed_ms: 0.0,
        });
    }
    // A trace can have many matching spans (a fan-out, or every span with
    // scope=all): pick the newest traces by their newest matching span, then
    // that span of each.
    let rows = engine
        .sql(&format!(
            "WITH f AS (SELECT trace_id, span_id, \"timestamp\", service, endpoint, name, \
             duration_ns, status_code FROM spans WHERE {sql_where}), \
             m AS (SELECT trace_id AS tid, max(\"timestamp\") AS last FROM f GROUP BY trace_id \
             ORDER BY last DESC LIMIT {limit}) \
             SELECT f.trace_id, f.span_id, CAST(f.\"timestamp\" AS BIGINT) AS start_ns, f.service, \
             f.endpoint, f.name, f.duration_ns, f.status_code FROM f \
             JOIN m ON f.trace_id = m.tid AND f.\"timestamp\" = m.last \
             ORDER BY f.\"timestamp\" DESC"
        ))
        .await?
        .rows;
    let mut seen = BTreeSet::new();
    let mut traces: Vec<TraceSummary> = Vec::new();
    for row in &rows {
        let Some(id) = text(row, "trace_id") else {
            continue;
        };
        if traces.len() >= limit || !seen.insert(id.clone()) {
            continue;
        }
        traces.push(TraceSummary {
            trace_id: id,
            span_id: text(row, "span_id"),
            timestamp: row.get("start_ns").and_then(Value::as_i64).unwrap_or(0),
            service: text(row, "service").unwrap_or_default(),
            endpoint: text(row, "endpoint")
                .or_else(|| text(row, "name"))
                .unwrap_or_default(),
            duration_ms: num(row, "duration_ns") / 1e6,
            status: text(row, "status_code").unwrap_or_else(|| "unset".into()),
            span_count: 0,
            error_count: 0,
            services: Vec::new(),
        });
    }
    if !traces.is_empty() {
        let ids: Vec<String> = traces.iter().map(|t| quote(&t.trace_id)).collect();
        let around = TimeRange {
            from: range.from - TRACE_MARGIN_NS,
            to: range.to + TRACE_MARGIN_NS,
        };
        let filter = format!(
            "{} AND trace_id IN ({})",
            around.sql_filter(),
            ids.join(", ")
        );
        let rows = engine
            .sql(&format!(
                "SELECT trace_id, service, count(*) AS n, \
                 sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END) AS e \
                 FROM spans WHERE {filter} GROUP BY trace_id, service"
            ))
            .await?
            .rows;
        let mut per_trace: BTreeMap<String, (u64, u64, Vec<String>)> = BTreeMap::new();
        for row in &rows {
            let entry = per_trace
                .entry(text(row, "trace_id").unwrap_or_default())
                .or_default();
            entry.0 += num(row, "n") as u64;
            entry.1 += num(row, "e") as u64;
            if let Some(s) = text(row, "service") {
                entry.2.push(s);
            }
        }
        for t in &mut traces {
            if let Some((n, e, services)) = per_trace.remove(&t.trace_id) {
                t.span_count = n;
                t.error_count = e;
                t.services = services;
                t.services.sort();
            }
        }
    }
    Ok(TraceSearchResponse {
        traces,
        sql_where,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}
