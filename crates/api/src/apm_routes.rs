//! APM and error tracking: services, service pages, the service map, trace
//! search and traces, issues and their status (kept by `crates/saved`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use query::{RangeInput, TimeRange};
use saved::Kind;
use serde_json::Value;

use crate::error::{ApiError, ErrorBody, ItemFailures, ListFailures};
use crate::extract::{params, parse_json};
use crate::state::AppState;

/// The last hour, as an APM page opens.
const DEFAULT_RANGE_NS: i64 = 3_600_000_000_000;

fn range_or_last_hour(
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<TimeRange, ApiError> {
    Ok(params(range)?
        .optional()?
        .unwrap_or_else(|| TimeRange::last(DEFAULT_RANGE_NS)))
}

/// Query parameters of the service pages besides the time range.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ServicesParams {
    env: Option<String>,
    /// Apdex threshold T in ms (tolerating up to 4T).
    #[param(default = 500)]
    apdex_ms: Option<f64>,
}

/// The service catalog
///
/// Per service and environment, requests, errors, error rate, rate per second, average and p50/p95/p99 latency and Apdex of entry spans (server and consumer kinds), from the RED rollups derived at ingest (span_metrics per minute, span_metrics_1h per hour for the whole hours of long ranges; percentiles from 1/8-octave latency buckets, about 4% relative error), with per-bucket request and error series for sparklines; the last hour when no range is given.
#[utoipa::path(
    get,
    path = "/api/v1/apm/services",
    tag = "apm",
    params(RangeInput, ServicesParams),
    responses(
        (status = 200, body = apm::ServicesResponse),
        ListFailures,
    )
)]
pub(crate) async fn services(
    State(state): State<AppState>,
    p: Result<Query<ServicesParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::ServicesResponse>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_hour(range)?;
    let threshold = p.apdex_ms.unwrap_or(500.0);
    Ok(Json(
        apm::services(&state.engine, range, p.env.as_deref(), threshold).await?,
    ))
}

/// One service's page
///
/// RED summary, requests/errors/p95 series, endpoints (HTTP route, RPC method, messaging destination or span name of entry spans) and dependencies (peers of client and producer spans: services, databases, queues, external hosts, each with the instrumented service seen answering its calls, if any), from the span_metrics rollups; 404 when the service has no spans in the range.
#[utoipa::path(
    get,
    path = "/api/v1/apm/services/{service}",
    tag = "apm",
    params(("service" = String, Path, description = "service name"), RangeInput, ServicesParams),
    responses(
        (status = 200, body = apm::ServiceDetail),
        ItemFailures,
    )
)]
pub(crate) async fn service(
    State(state): State<AppState>,
    Path(service): Path<String>,
    p: Result<Query<ServicesParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::ServiceDetail>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_hour(range)?;
    let threshold = p.apdex_ms.unwrap_or(500.0);
    Ok(Json(
        apm::service_detail(&state.engine, &service, range, p.env.as_deref(), threshold).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MapParams {
    env: Option<String>,
}

/// The service map
///
/// Services, databases, queues and external hosts as nodes, calls as edges with rate, errors and latency, read from the callers' rollups. A peer whose client or producer spans were seen answered by a server or consumer span of another service (paired at ingest) is that service, and the edge is paired (a peer answered by several services is split by their shares); calls never paired go to the peer the span names (peer.service or service.peer.name, db.system, messaging destination, server address), a virtual node when nothing instrumented answers there.
#[utoipa::path(
    get,
    path = "/api/v1/apm/service-map",
    tag = "apm",
    params(RangeInput, MapParams),
    responses(
        (status = 200, body = apm::ServiceMap),
        ListFailures,
    )
)]
pub(crate) async fn service_map(
    State(state): State<AppState>,
    p: Result<Query<MapParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::ServiceMap>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_hour(range)?;
    Ok(Json(
        apm::service_map(&state.engine, range, p.env.as_deref()).await?,
    ))
}

/// Trace search
///
/// Traces with a span matching the filters (root spans by default, service entry spans by default with service, or all spans with scope=all), newest first, with span and error counts and the services each crosses.
#[utoipa::path(
    get,
    path = "/api/v1/apm/traces",
    tag = "apm",
    params(RangeInput, apm::TraceSearch),
    responses(
        (status = 200, body = apm::TraceSearchResponse),
        ListFailures,
    )
)]
pub(crate) async fn traces(
    State(state): State<AppState>,
    search: Result<Query<apm::TraceSearch>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::TraceSearchResponse>, ApiError> {
    let search = params(search)?;
    let range = range_or_last_hour(range)?;
    Ok(Json(
        apm::search_traces(&state.engine, range, &search).await?,
    ))
}

/// One trace as a span tree
///
/// Waterfall order, depth, self time, critical path, missing parents, duplicate ids, clock skew, with the logs that carry its id; at most 10,000 spans and 1,000 log lines (truncated flags say when cut). The time range is optional (faster with one).
#[utoipa::path(
    get,
    path = "/api/v1/apm/traces/{trace_id}",
    tag = "apm",
    params(("trace_id" = String, Path, pattern = "^[0-9a-fA-F]{1,64}$"), RangeInput),
    responses(
        (status = 200, body = apm::TraceResponse),
        ItemFailures,
    )
)]
pub(crate) async fn trace(
    State(state): State<AppState>,
    Path(trace_id): Path<String>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::TraceResponse>, ApiError> {
    let range = params(range)?.optional()?;
    Ok(Json(
        apm::fetch_trace(&state.engine, &trace_id, range).await?,
    ))
}

/// Issue statuses as the saved store keeps them, by fingerprint.
fn issue_states(state: &AppState) -> HashMap<String, apm::IssueState> {
    state
        .saved
        .list(Kind::IssueStates)
        .into_iter()
        .filter_map(|doc| {
            let id = doc.get("id")?.as_str()?.to_owned();
            let status = doc.get("status")?.as_str()?.parse().ok()?;
            let resolved_at = doc.get("resolved_at").and_then(Value::as_i64);
            Some((
                id,
                apm::IssueState {
                    status,
                    resolved_at,
                },
            ))
        })
        .collect()
}

/// Error tracking: issues
///
/// Error occurrences (span exception events, failed spans with error.type, logs with exception attributes) grouped into issues by fingerprint (type + normalised message + top in-app stack frame; error.fingerprint from the client wins), with count in the range, first and last seen over all data, affected services, status and a series; the last hour when no range is given.
#[utoipa::path(
    get,
    path = "/api/v1/issues",
    tag = "issues",
    params(RangeInput, apm::IssueQuery),
    responses(
        (status = 200, body = apm::IssuesResponse),
        ListFailures,
    )
)]
pub(crate) async fn issues(
    State(state): State<AppState>,
    query: Result<Query<apm::IssueQuery>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::IssuesResponse>, ApiError> {
    let query = params(query)?;
    let range = range_or_last_hour(range)?;
    let states = issue_states(&state);
    Ok(Json(
        apm::list_issues(&state.engine, range, &query, &states).await?,
    ))
}

/// One issue
///
/// Summary, occurrences over time, the latest stack trace and the latest occurrences with their trace ids.
#[utoipa::path(
    get,
    path = "/api/v1/issues/{fingerprint}",
    tag = "issues",
    params(("fingerprint" = String, Path, description = "16 hexadecimal digits"), RangeInput),
    responses(
        (status = 200, body = apm::IssueDetail),
        ItemFailures,
    )
)]
pub(crate) async fn issue(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<apm::IssueDetail>, ApiError> {
    let range = range_or_last_hour(range)?;
    let states = issue_states(&state);
    Ok(Json(
        apm::issue_detail(&state.engine, &fingerprint, range, &states).await?,
    ))
}

/// The status to set.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct StatusBody {
    #[schema(value_type = apm::IssueStatus)]
    status: String,
}

/// An issue's status as stored.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct IssueStatusReply {
    fingerprint: String,
    status: apm::IssueStatus,
    /// When it was marked resolved, ns since the epoch.
    #[schema(required = true)]
    resolved_at: Option<i64>,
    /// RFC 3339.
    #[schema(required = true)]
    updated_at: Option<String>,
}

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Sets an issue's status: open, resolved (an occurrence after now reopens it as a regression) or ignored
#[utoipa::path(
    put,
    path = "/api/v1/issues/{fingerprint}/status",
    tag = "issues",
    params(("fingerprint" = String, Path, description = "16 hexadecimal digits")),
    request_body = StatusBody,
    responses(
        (status = 200, body = IssueStatusReply),
        (status = 400, response = ErrorBody),
        (status = 415, response = ErrorBody),
        (status = "default", response = ErrorBody),
    )
)]
pub(crate) async fn set_issue_status(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<IssueStatusReply>, ApiError> {
    let fingerprint = apm::check_fingerprint(&fingerprint)?;
    let request: StatusBody = parse_json(&headers, &body)?;
    let status: apm::IssueStatus = request.status.parse().map_err(ApiError::BadRequest)?;
    let mut doc = serde_json::json!({ "status": status });
    if status == apm::IssueStatus::Resolved {
        doc["resolved_at"] = Value::from(now_nanos());
    }
    let saved = state.saved.clone();
    let id = fingerprint.clone();
    let stored = tokio::task::spawn_blocking(move || saved.upsert(Kind::IssueStates, &id, doc))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(IssueStatusReply {
        fingerprint,
        status,
        resolved_at: stored.get("resolved_at").and_then(Value::as_i64),
        updated_at: stored
            .get("updated_at")
            .and_then(Value::as_str)
            .map(str::to_owned),
    }))
}
