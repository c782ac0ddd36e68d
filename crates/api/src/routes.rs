//! The routers and the JSON handlers. Every route is registered with
//! `routes!`, which reads the handler's `#[utoipa::path]`: the router and
//! the OpenAPI document are built from the same list.

use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use model::DatasetName;
use query::{AggregateRequest, RangeInput, SearchRequest, TimeseriesRequest, ValuesRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::apm_routes as apm;
use crate::error::{ApiError, ErrorBody, IngestFailures, ItemFailures, QueryFailures};
use crate::extract::{API_KEY_HELP, MAX_BODY_BYTES, params, parse_json};
use crate::network_routes as network;
use crate::openapi;
use crate::otlp_http;
use crate::saved_routes as saved;
use crate::siem_routes as siem;
use crate::state::AppState;
use crate::web;

/// Every route of :8080 with its description, before the fallback.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::frame())
        .routes(routes!(health))
        .routes(routes!(serve_openapi))
        .routes(routes!(ingest_ndjson))
        .routes(routes!(ingest_stats))
        .routes(routes!(network::import))
        .routes(routes!(network::import_status))
        .routes(routes!(network::traffic))
        .routes(routes!(network::findings))
        .routes(routes!(siem::signals))
        .routes(routes!(siem::set_signal_status))
        .routes(routes!(siem::signal))
        .routes(routes!(siem::volume))
        .routes(routes!(siem::list_exceptions, siem::create_exception))
        .routes(routes!(siem::delete_exception))
        .routes(routes!(siem::identities))
        .routes(routes!(siem::identity))
        .routes(routes!(siem::rules))
        .routes(routes!(siem::set_rule_state))
        .routes(routes!(siem::test_rule))
        .routes(routes!(siem::run_rule))
        .routes(routes!(siem::rule_source))
        .routes(routes!(siem::notifications))
        .routes(routes!(sql))
        .routes(routes!(search))
        .routes(routes!(datasets))
        .routes(routes!(dataset))
        .routes(routes!(values))
        .routes(routes!(aggregate))
        .routes(routes!(timeseries))
        .routes(routes!(stats))
        .routes(routes!(apm::services))
        .routes(routes!(apm::service))
        .routes(routes!(apm::service_map))
        .routes(routes!(apm::traces))
        .routes(routes!(apm::trace))
        .routes(routes!(apm::issues))
        .routes(routes!(apm::issue))
        .routes(routes!(apm::set_issue_status))
        .routes(routes!(saved::list_dashboards, saved::create_dashboard))
        .routes(routes!(
            saved::get_dashboard,
            saved::replace_dashboard,
            saved::delete_dashboard
        ))
        .routes(routes!(saved::list_views, saved::create_view))
        .routes(routes!(saved::delete_view))
        .merge(otlp_routes())
}

fn otlp_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(otlp_http::logs))
        .routes(routes!(otlp_http::traces))
        .routes(routes!(otlp_http::metrics))
}

/// The OpenAPI document of this API, as served.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_routes().into_openapi()
}

/// The document as served and committed (`crates/api/openapi.json`):
/// pretty JSON with a final newline.
pub fn openapi_json() -> String {
    let mut text = openapi_document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    text.push('\n');
    text
}

/// The UI and API router (:8080). OTLP/HTTP paths are served here too, so a
/// single port is enough behind a proxy.
pub fn app_router(state: AppState) -> Router {
    let (router, _document) = api_routes().split_for_parts();
    router
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The OTLP/HTTP router (:4318). The receiver bounds OTLP bodies itself.
pub fn otlp_router(state: AppState) -> Router {
    let (router, _document) = otlp_routes().split_for_parts();
    router.fallback(not_found).with_state(state)
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

/// Liveness and the server's version.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    /// Always `ok`.
    status: &'static str,
    version: &'static str,
}

/// Liveness and version
#[utoipa::path(get, path = "/api/v1/health", tag = "meta", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

static OPENAPI_TEXT: LazyLock<String> = LazyLock::new(openapi_json);

/// This document
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
async fn serve_openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI_TEXT.as_str(),
    )
        .into_response()
}

/// Ingest NDJSON (one JSON object per line; gzip, deflate or zstd Content-Encoding) into a dataset, created on first write
#[utoipa::path(
    post,
    path = "/api/v1/ingest/{dataset}",
    tag = "ingest",
    params(
        ("dataset" = String, Path, pattern = "^[a-z][a-z0-9_]{0,62}$"),
        ("x-hannun-api-key" = Option<String>, Header, description = API_KEY_HELP),
    ),
    request_body(content = String, content_type = "application/x-ndjson", description = "One JSON object per line"),
    responses(
        (status = 200, description = "Accepted and rejected counts, with the reasons of the first rejects", body = ingest::IngestOutcome),
        IngestFailures,
    )
)]
async fn ingest_ndjson(
    State(state): State<AppState>,
    Path(dataset): Path<String>,
    request: axum::extract::Request,
) -> Result<Json<ingest::IngestOutcome>, ApiError> {
    Ok(Json(state.receiver.ndjson_http(&dataset, request).await?))
}

/// Accepted and rejected records per dataset, with the latest rejects
#[utoipa::path(get, path = "/api/v1/ingest/stats", tag = "ingest", responses((status = 200, body = ingest::IngestStats)))]
async fn ingest_stats(State(state): State<AppState>) -> Json<ingest::IngestStats> {
    Json(state.receiver.pipeline().stats())
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
struct SqlRequest {
    /// One read-only statement (DataFusion dialect).
    sql: String,
    /// Optional range for the `$__timeFilter` and `$__interval` macros.
    #[serde(flatten)]
    range: RangeInput,
}

/// Run one read-only SQL statement (DataFusion dialect); every dataset is a table. With a time range, $__timeFilter, $__interval, $__from and $__to are replaced
#[utoipa::path(
    post,
    path = "/api/v1/sql",
    tag = "query",
    request_body = SqlRequest,
    responses(
        (status = 200, description = "Columns, rows (objects) and the time taken", body = query::QueryResult),
        QueryFailures,
    )
)]
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

/// Search events with the search syntax; returns newest events, counts per time bucket and facet top values
///
/// The time range is from/to (ns) or from_ms/to_ms (ms); without an end it runs to now.
#[utoipa::path(
    post,
    path = "/api/v1/search",
    tag = "query",
    request_body = SearchRequest,
    responses(
        (status = 200, body = query::SearchResponse),
        QueryFailures,
    )
)]
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::SearchResponse>, ApiError> {
    let request: SearchRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.search(&request).await?))
}

/// One measure over the events a search matches, optionally per group (top lists, tables, single values)
#[utoipa::path(
    post,
    path = "/api/v1/aggregate",
    tag = "query",
    request_body = AggregateRequest,
    responses(
        (status = 200, body = query::AggregateResponse),
        QueryFailures,
    )
)]
async fn aggregate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::AggregateResponse>, ApiError> {
    let request: AggregateRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.aggregate(&request).await?))
}

/// One measure per time bucket, one series per group (the top `limit` groups); empty buckets are 0 for counts and null otherwise
#[utoipa::path(
    post,
    path = "/api/v1/timeseries",
    tag = "query",
    request_body = TimeseriesRequest,
    responses(
        (status = 200, body = query::TimeseriesResponse),
        QueryFailures,
    )
)]
async fn timeseries(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<query::TimeseriesResponse>, ApiError> {
    let request: TimeseriesRequest = parse_json(&headers, &body)?;
    Ok(Json(state.engine.timeseries(&request).await?))
}

/// Query parameters of the values endpoint besides the time range.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ValuesParams {
    /// The field whose values are counted.
    field: String,
    /// Only values starting with this (case-insensitive).
    #[serde(default)]
    prefix: String,
    /// Most values returned.
    #[param(default = 20, maximum = 100)]
    limit: Option<usize>,
}

/// Most frequent values of a field (for autocomplete); the last 24 h when no range is given
#[utoipa::path(
    get,
    path = "/api/v1/datasets/{dataset}/values",
    tag = "query",
    params(("dataset" = String, Path), ValuesParams, RangeInput),
    responses(
        (status = 200, body = query::ValuesResponse),
        ItemFailures,
    )
)]
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

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Datasets {
    #[schema(value_type = Vec<query::DatasetStatsSchema>)]
    datasets: Vec<query::DatasetStats>,
}

/// Datasets with rows, files, bytes and time span
#[utoipa::path(get, path = "/api/v1/datasets", tag = "query", responses((status = 200, body = Datasets)))]
async fn datasets(State(state): State<AppState>) -> Json<Datasets> {
    Json(Datasets {
        datasets: state.engine.dataset_stats(),
    })
}

/// Columns and size of one dataset
#[utoipa::path(
    get,
    path = "/api/v1/datasets/{dataset}",
    tag = "query",
    params(("dataset" = String, Path, pattern = "^[a-z][a-z0-9_]{0,62}$")),
    responses(
        (status = 200, body = query::DatasetDescription),
        (status = 400, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = "default", response = ErrorBody),
    )
)]
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

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Stats {
    #[schema(value_type = query::StoreStatsSchema)]
    store: query::StoreStats,
    ingest: ingest::IngestStats,
}

/// Storage and ingest counters
#[utoipa::path(get, path = "/api/v1/stats", tag = "meta", responses((status = 200, body = Stats)))]
async fn stats(State(state): State<AppState>) -> Json<Stats> {
    Json(Stats {
        store: state.engine.storage_stats(),
        ingest: state.receiver.pipeline().stats(),
    })
}
