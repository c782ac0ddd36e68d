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

use crate::error::ApiError;
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
#[derive(serde::Deserialize)]
pub(crate) struct ServicesParams {
    env: Option<String>,
    apdex_ms: Option<f64>,
}

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

#[derive(serde::Deserialize)]
pub(crate) struct MapParams {
    env: Option<String>,
}

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

#[derive(serde::Deserialize)]
struct StatusBody {
    status: String,
}

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Sets an issue's status: open, resolved (from now: a later occurrence is
/// a regression) or ignored.
pub(crate) async fn set_issue_status(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(serde_json::json!({
        "fingerprint": fingerprint,
        "status": stored.get("status").cloned().unwrap_or(Value::Null),
        "resolved_at": stored.get("resolved_at").cloned().unwrap_or(Value::Null),
        "updated_at": stored.get("updated_at").cloned().unwrap_or(Value::Null),
    })))
}
