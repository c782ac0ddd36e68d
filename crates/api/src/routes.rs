//! The routers and the JSON handlers.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use model::DatasetName;
use query::SearchRequest;

use crate::body::{MAX_BODY_BYTES, decode_body, media_type, presented_key};
use crate::error::ApiError;
use crate::otlp_http;
use crate::state::AppState;

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
    ("get", "/api/v1/stats"),
    ("post", "/v1/logs"),
    ("post", "/v1/traces"),
    ("post", "/v1/metrics"),
];

/// The UI and API router (:8080). OTLP/HTTP paths are served here too, so a
/// single port is enough behind a proxy.
pub fn app_router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/ingest/{dataset}", post(ingest_ndjson))
        .route("/api/v1/ingest/stats", get(ingest_stats))
        .route("/api/v1/sql", post(sql))
        .route("/api/v1/search", post(search))
        .route("/api/v1/datasets", get(datasets))
        .route("/api/v1/datasets/{dataset}", get(dataset))
        .route("/api/v1/stats", get(stats))
        .merge(otlp_routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

fn otlp_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/logs", post(otlp_http::logs))
        .route("/v1/traces", post(otlp_http::traces))
        .route("/v1/metrics", post(otlp_http::metrics))
}

/// The OTLP/HTTP router (:4318).
pub fn otlp_router(state: AppState) -> Router {
    otlp_routes()
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see /api/v1/openapi.json".into())
}

async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
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
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ingest::IngestOutcome>, ApiError> {
    if !state.ingest_keys.allows(presented_key(&headers)) {
        return Err(ApiError::Unauthorized);
    }
    let dataset = DatasetName::new(&dataset).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    match media_type(&headers).as_str() {
        ""
        | "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/json"
        | "text/plain" => {}
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "unsupported Content-Type {other:?}: send NDJSON as application/x-ndjson"
            )));
        }
    }
    let body = decode_body(&headers, body)?;
    Ok(Json(state.pipeline.ingest_ndjson(dataset, body).await?))
}

async fn ingest_stats(State(state): State<AppState>) -> Json<ingest::IngestStats> {
    Json(state.pipeline.stats())
}

#[derive(serde::Deserialize)]
struct SqlRequest {
    sql: String,
}

fn parse_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    let media = media_type(headers);
    if !media.is_empty() && media != "application/json" {
        return Err(ApiError::UnsupportedMediaType(format!(
            "unsupported Content-Type {media:?}: send application/json"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid request body: {e}")))
}

async fn sql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::QueryResult>, ApiError> {
    let request: SqlRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.sql(&request.sql).await?))
}

async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::SearchResponse>, ApiError> {
    let request: SearchRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.search(&request).await?))
}

async fn datasets(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "datasets": state.engine.store().dataset_stats() }))
}

async fn dataset(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let name = DatasetName::new(&name).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let snapshot = state
        .engine
        .store()
        .snapshot(&name)
        .ok_or_else(|| ApiError::NotFound(format!("unknown dataset {:?}", name.as_str())))?;
    let columns: Vec<serde_json::Value> = snapshot
        .schema
        .fields()
        .iter()
        .map(|f| serde_json::json!({ "name": f.name(), "type": f.data_type().to_string() }))
        .collect();
    let stats = state
        .engine
        .store()
        .dataset_stats()
        .into_iter()
        .find(|s| s.name == name.as_str());
    Ok(Json(
        serde_json::json!({ "name": name.as_str(), "columns": columns, "stats": stats }),
    ))
}

async fn stats(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "store": state.engine.store().stats(),
        "ingest": state.pipeline.stats(),
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
