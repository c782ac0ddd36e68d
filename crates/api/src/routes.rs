//! The routers and the JSON handlers.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model::DatasetName;
use query::{AggregateRequest, RangeInput, SearchRequest, TimeseriesRequest, ValuesRequest};

use crate::apm_routes as apm;
use crate::error::ApiError;
use crate::extract::{MAX_BODY_BYTES, params, parse_json};
use crate::otlp_http;
use crate::saved_routes as saved;
use crate::state::AppState;
use crate::web;

/// The OpenAPI document of this API.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Every route of the main router, `(method, path)`; a test checks the
/// OpenAPI document describes each one.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/ingest/{dataset}"),
    ("get", "/api/v1/ingest/stats"),
    ("post", "/api/v1/sql"),
    ("post", "/api/v1/search"),
    ("get", "/api/v1/datasets"),
    ("get", "/api/v1/datasets/{dataset}"),
    ("get", "/api/v1/datasets/{dataset}/values"),
    ("post", "/api/v1/aggregate"),
    ("post", "/api/v1/timeseries"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/dashboards"),
    ("post", "/api/v1/dashboards"),
    ("get", "/api/v1/dashboards/{id}"),
    ("put", "/api/v1/dashboards/{id}"),
    ("delete", "/api/v1/dashboards/{id}"),
    ("get", "/api/v1/apm/services"),
    ("get", "/api/v1/apm/services/{service}"),
    ("get", "/api/v1/apm/service-map"),
    ("get", "/api/v1/apm/traces"),
    ("get", "/api/v1/apm/traces/{trace_id}"),
    ("get", "/api/v1/issues"),
    ("get", "/api/v1/issues/{fingerprint}"),
    ("put", "/api/v1/issues/{fingerprint}/status"),
    ("get", "/api/v1/views"),
    ("post", "/api/v1/views"),
    ("delete", "/api/v1/views/{id}"),
    ("post", "/v1/logs"),
    ("post", "/v1/traces"),
    ("post", "/v1/metrics"),
];

/// The UI and API router (:8080). OTLP/HTTP paths are served here too, so a
/// single port is enough behind a proxy.
pub fn app_router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/ingest/{dataset}", post(ingest_ndjson))
        .route("/api/v1/ingest/stats", get(ingest_stats))
        .route("/api/v1/sql", post(sql))
        .route("/api/v1/search", post(search))
        .route("/api/v1/datasets", get(datasets))
        .route("/api/v1/datasets/{dataset}", get(dataset))
        .route("/api/v1/datasets/{dataset}/values", get(values))
        .route("/api/v1/aggregate", post(aggregate))
        .route("/api/v1/timeseries", post(timeseries))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/apm/services", get(apm::services))
        .route("/api/v1/apm/services/{service}", get(apm::service))
        .route("/api/v1/apm/service-map", get(apm::service_map))
        .route("/api/v1/apm/traces", get(apm::traces))
        .route("/api/v1/apm/traces/{trace_id}", get(apm::trace))
        .route("/api/v1/issues", get(apm::issues))
        .route("/api/v1/issues/{fingerprint}", get(apm::issue))
        .route(
            "/api/v1/issues/{fingerprint}/status",
            axum::routing::put(apm::set_issue_status),
        )
        .route(
            "/api/v1/dashboards",
            get(saved::list_dashboards).post(saved::create_dashboard),
        )
        .route(
            "/api/v1/dashboards/{id}",
            get(saved::get_dashboard)
                .put(saved::replace_dashboard)
                .delete(saved::delete_dashboard),
        )
        .route(
            "/api/v1/views",
            get(saved::list_views).post(saved::create_view),
        )
        .route(
            "/api/v1/views/{id}",
            axum::routing::delete(saved::delete_view),
        )
        .merge(otlp_routes())
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

fn otlp_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/logs", post(otlp_http::logs))
        .route("/v1/traces", post(otlp_http::traces))
        .route("/v1/metrics", post(otlp_http::metrics))
}

/// The OTLP/HTTP router (:4318). The receiver bounds OTLP bodies itself.
pub fn otlp_router(state: AppState) -> Router {
    otlp_routes().fallback(not_found).with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see /api/v1/openapi.json".into())
}

/// The web UI for GETs (its routes and files), a JSON 404 for the rest.
async fn fallback(
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        web::serve(uri, headers).await
    } else {
        not_found().await.into_response()
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

async fn ingest_ndjson(
    State(state): State<AppState>,
    Path(dataset): Path<String>,
    request: axum::extract::Request,
) -> Result<Json<ingest::IngestOutcome>, ApiError> {
    Ok(Json(state.receiver.ndjson_http(&dataset, request).await?))
}

async fn ingest_stats(State(state): State<AppState>) -> Json<ingest::IngestStats> {
    Json(state.receiver.pipeline().stats())
}

#[derive(serde::Deserialize)]
struct SqlRequest {
    sql: String,
    /// Optional range for the `$__timeFilter` and `$__interval` macros.
    #[serde(flatten)]
    range: RangeInput,
}

async fn sql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::QueryResult>, ApiError> {
    let request: SqlRequest = parse_json(&headers, &body)?;
    let range = request.range.optional()?;
    let sql = query::expand_macros(&request.sql, range)?;
    Ok(Json(state.engine.sql(&sql).await?))
}

async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::SearchResponse>, ApiError> {
    let request: SearchRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.search(&request).await?))
}

async fn aggregate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::AggregateResponse>, ApiError> {
    let request: AggregateRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.aggregate(&request).await?))
}

async fn timeseries(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::TimeseriesResponse>, ApiError> {
    let request: TimeseriesRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.timeseries(&request).await?))
}

/// Query parameters of the values endpoint besides the time range.
#[derive(serde::Deserialize)]
struct ValuesParams {
    field: String,
    #[serde(default)]
    prefix: String,
    limit: Option<usize>,
}

async fn values(
    State(state): State<AppState>,
    Path(dataset): Path<String>,
    values: Result<Query<ValuesParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<query::ValuesResponse>, ApiError> {
    let p = params(values)?;
    let request = ValuesRequest {
        field: p.field,
        prefix: p.prefix,
        range: params(range)?,
        limit: p.limit.unwrap_or(20),
    };
    Ok(Json(state.engine.field_values(&dataset, &request).await?))
}

async fn datasets(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "datasets": state.engine.dataset_stats() }))
}

async fn dataset(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<query::DatasetDescription>, ApiError> {
    let name = DatasetName::new(&name).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let description = state
        .engine
        .describe(&name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown dataset {:?}", name.as_str())))?;
    Ok(Json(description))
}

async fn stats(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "store": state.engine.storage_stats(),
        "ingest": state.receiver.pipeline().stats(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_describes_every_route() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        for (method, path) in ROUTES {
            assert!(
                doc["paths"][path][method].is_object(),
                "openapi.json lacks {method} {path}"
            );
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(
            documented,
            ROUTES.len(),
            "openapi.json documents a route the router does not have"
        );
    }
}
