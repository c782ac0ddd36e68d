//! Trace search: the traces with a span that matches a service, endpoint,
//! status, duration and search-syntax filter, newest first, with their span
//! and error counts and the services they cross. Which spans are matched is
//! the scope: root spans (the default), service entry spans (the default
//! when a service is given), or all spans.

use std::collections::BTreeMap;

use model::DatasetName;
use query::ir::{self, Expr, Select, column};
use query::{QueryEngine, TimeRange};

use crate::rollups::{entry_spans, non_empty};
use crate::trace::ApmError;
use crate::vocabulary::{SpanStatusFilter, TraceScope, blank_or};

pub const DEFAULT_TRACES: usize = 50;
pub const MAX_TRACES: usize = 500;
/// How far before and after the range a found trace's other spans are looked for.
const TRACE_MARGIN_NS: i64 = 3_600_000_000_000;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TraceSearch {
    pub service: Option<String>,
    /// Endpoint or span name.
    pub endpoint: Option<String>,
    /// Failed spans, or any other (`ok`); all when absent.
    #[serde(default, deserialize_with = "blank_or")]
    pub status: Option<SpanStatusFilter>,
    pub min_duration_ms: Option<f64>,
    pub max_duration_ms: Option<f64>,
    /// Search syntax over the spans' fields, as in Explore.
    pub q: Option<String>,
    /// Which spans the filters match (default: root spans, or the
    /// service's entry spans when a service is given).
    #[serde(default, deserialize_with = "blank_or")]
    pub scope: Option<TraceScope>,
    /// Most traces returned.
    #[param(default = 50, maximum = 500)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TraceSummary {
    pub trace_id: String,
    /// The matching span (the newest, when several match).
    #[schema(required = true)]
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

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TraceSearchResponse {
    pub traces: Vec<TraceSummary>,
    /// The condition the filters became, as SQL (for display).
    pub sql_where: String,
    pub elapsed_ms: f64,
}

/// `parent_span_id IS NULL OR parent_span_id = ''`.
fn root_spans() -> Expr {
    column("parent_span_id")
        .is_null()
        .or(column("parent_span_id").eq(ir::text("")))
}

/// The condition of a search (without the time range).
fn condition(engine: &QueryEngine, search: &TraceSearch) -> Result<Expr, ApmError> {
    let mut parts = vec![column("trace_id").is_not_null()];
    let service = non_empty(&search.service);
    if let Some(service) = service {
        parts.push(column("service").eq(ir::text(service)));
    }
    let entry = || entry_spans().or(root_spans());
    match search.scope {
        Some(TraceScope::All) => {}
        Some(TraceScope::Root) => parts.push(root_spans()),
        Some(TraceScope::Entry) => parts.push(entry()),
        None if service.is_some() => parts.push(entry()),
        None => parts.push(root_spans()),
    }
    if let Some(endpoint) = non_empty(&search.endpoint) {
        parts.push(
            column("endpoint")
                .eq(ir::text(endpoint))
                .or(column("name").eq(ir::text(endpoint))),
        );
    }
    let error = || column("status_code").eq(ir::text("error"));
    match search.status {
        None | Some(SpanStatusFilter::Any) => {}
        Some(SpanStatusFilter::Error) => parts.push(error()),
        Some(SpanStatusFilter::Ok) => parts.push(
            column("status_code")
                .is_null()
                .or(column("status_code").not_eq(ir::text("error"))),
        ),
    }
    for (value, at_least, name) in [
        (search.min_duration_ms, true, "min_duration_ms"),
        (search.max_duration_ms, false, "max_duration_ms"),
    ] {
        if let Some(ms) = value {
            if !(ms.is_finite() && ms >= 0.0) {
                return Err(ApmError::Invalid(format!(
                    "{name} must be a non-negative number of milliseconds"
                )));
            }
            let bound = ir::int((ms * 1e6) as i64);
            parts.push(if at_least {
                column("duration_ns").gt_eq(bound)
            } else {
                column("duration_ns").lt_eq(bound)
            });
        }
    }
    if let Some(q) = non_empty(&search.q) {
        match engine.search_condition(&DatasetName::spans(), q)? {
            Some(predicate) => parts.push(predicate),
            None => parts.push(ir::boolean(false)),
        }
    }
    Ok(ir::all(parts))
}

pub async fn search_traces(
    engine: &QueryEngine,
    range: TimeRange,
    search: &TraceSearch,
) -> Result<TraceSearchResponse, ApmError> {
    let started = std::time::Instant::now();
    let limit = search.limit.unwrap_or(DEFAULT_TRACES).clamp(1, MAX_TRACES);
    let matching = ir::time_in(range).and(condition(engine, search)?);
    let sql_where = ir::sql_text(&matching);
    if !engine.has_dataset(&DatasetName::spans()) {
        return Ok(TraceSearchResponse {
            traces: Vec::new(),
            sql_where,
            elapsed_ms: 0.0,
        });
    }
    let mut traces = newest_matches(engine, &matching, limit).await?;
    if !traces.is_empty() {
        add_trace_counts(engine, range, &mut traces).await?;
    }
    Ok(TraceSearchResponse {
        traces,
        sql_where,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The `limit` traces whose newest matching span is newest, each with that
/// span. A trace can have many matching spans (a fan-out, or every span
/// with scope=all), so traces are picked by their newest one, and only
/// those spans are read.
async fn newest_matches(
    engine: &QueryEngine,
    matching: &Expr,
    limit: usize,
) -> Result<Vec<TraceSummary>, ApmError> {
    let newest = Select::from(DatasetName::spans())
        .filter(matching.clone())
        .group_by([column("trace_id")])
        .aggregate([ir::max(column("timestamp")).alias("last")])
        .order_by(ir::descending(column("last")))
        .limit(limit);
    let newest = engine.fetch(&newest).await?;
    let ids: Vec<String> = newest.texts("trace_id")?.into_iter().flatten().collect();
    let lasts: Vec<i64> = newest.integers("last")?.into_iter().flatten().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let spans = Select::from(DatasetName::spans())
        .filter(matching.clone())
        .filter(ir::in_texts(column("trace_id"), &ids))
        .filter(column("timestamp").in_list(lasts.iter().map(|&t| ir::time(t)).collect(), false))
        .columns([
            column("trace_id"),
            column("span_id"),
            ir::nanos(column("timestamp")).alias("start_ns"),
            column("service"),
            column("endpoint"),
            column("name"),
            column("duration_ns"),
            column("status_code"),
        ]);
    let spans = engine.fetch(&spans).await?;
    let (trace_ids, span_ids, starts, services, endpoints, names, durations, statuses) = (
        spans.texts("trace_id")?,
        spans.texts("span_id")?,
        spans.integers("start_ns")?,
        spans.texts("service")?,
        spans.texts("endpoint")?,
        spans.texts("name")?,
        spans.floats("duration_ns")?,
        spans.texts("status_code")?,
    );
    let last_of: std::collections::HashMap<&str, i64> = ids
        .iter()
        .map(String::as_str)
        .zip(lasts.iter().copied())
        .collect();
    let mut found: BTreeMap<String, TraceSummary> = BTreeMap::new();
    for i in 0..spans.len() {
        let Some(id) = &trace_ids[i] else {
            continue;
        };
        let start = starts[i].unwrap_or(0);
        let wanted = last_of.get(id.as_str()).copied();
        if wanted != Some(start) || found.contains_key(id) {
            continue;
        }
        found.insert(
            id.clone(),
            TraceSummary {
                trace_id: id.clone(),
                span_id: span_ids[i].clone(),
                timestamp: start,
                service: services[i].clone().unwrap_or_default(),
                endpoint: endpoints[i]
                    .clone()
                    .or_else(|| names[i].clone())
                    .unwrap_or_default(),
                duration_ms: durations[i].unwrap_or(0.0) / 1e6,
                status: statuses[i].clone().unwrap_or_else(|| "unset".into()),
                span_count: 0,
                error_count: 0,
                services: Vec::new(),
            },
        );
    }
    // Newest first, as the traces were picked.
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Fills in each trace's span and error counts and the services it
/// crosses, from its spans within an hour of the range.
async fn add_trace_counts(
    engine: &QueryEngine,
    range: TimeRange,
    traces: &mut [TraceSummary],
) -> Result<(), ApmError> {
    let ids: Vec<String> = traces.iter().map(|t| t.trace_id.clone()).collect();
    let around = TimeRange {
        from: range.from - TRACE_MARGIN_NS,
        to: range.to + TRACE_MARGIN_NS,
    };
    let error = column("status_code").eq(ir::text("error"));
    let select = Select::from(DatasetName::spans())
        .filter(ir::time_in(around))
        .filter(ir::in_texts(column("trace_id"), &ids))
        .group_by([column("trace_id"), column("service")])
        .aggregate([
            ir::count_rows().alias("n"),
            ir::sum(ir::if_else(error, ir::int(1), ir::int(0))).alias("e"),
        ]);
    let rows = engine.fetch(&select).await?;
    let (trace_ids, services, spans, errors) = (
        rows.texts("trace_id")?,
        rows.texts("service")?,
        rows.counts("n")?,
        rows.counts("e")?,
    );
    let mut per_trace: BTreeMap<String, (u64, u64, Vec<String>)> = BTreeMap::new();
    for i in 0..rows.len() {
        let entry = per_trace
            .entry(trace_ids[i].clone().unwrap_or_default())
            .or_default();
        entry.0 += spans[i];
        entry.1 += errors[i];
        if let Some(s) = &services[i] {
            entry.2.push(s.clone());
        }
    }
    for t in traces {
        if let Some((n, e, services)) = per_trace.remove(&t.trace_id) {
            t.span_count = n;
            t.error_count = e;
            t.services = services;
            t.services.sort();
        }
    }
    Ok(())
}
