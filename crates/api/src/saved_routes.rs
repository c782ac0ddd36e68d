//! Dashboards and saved views: CRUD over the saved objects store.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use saved::Kind;
use serde_json::{Map, Value};

use crate::error::{ApiError, CreateFailures, ErrorBody, LookupFailures};
use crate::extract::parse_json;
use crate::state::AppState;

type Doc = Json<Map<String, Value>>;

/// A dashboard (needs a non-empty string `title` and an array `widgets`,
/// at most 100) or a saved view (needs a non-empty string `name`); at most
/// 1 MiB. The server adds id, created_at and updated_at and keeps every
/// other field as sent.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // never built: it describes the free-form documents
struct Document(Map<String, Value>);

#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // never built: `list` writes the same shape
struct Dashboards {
    dashboards: Vec<Document>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // never built: `list` writes the same shape
struct Views {
    views: Vec<Document>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, saved::SavedError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

fn list(state: &AppState, kind: Kind) -> Json<Value> {
    let docs = state.saved.list(kind);
    Json(serde_json::json!({ kind.as_str(): docs }))
}

async fn create(
    state: AppState,
    kind: Kind,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Doc), ApiError> {
    let doc: Value = parse_json(&headers, &body)?;
    let doc = blocking(move || state.saved.create(kind, doc)).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// Every dashboard
#[utoipa::path(get, path = "/api/v1/dashboards", tag = "saved", responses((status = 200, body = Dashboards), (status = "default", response = ErrorBody)))]
pub(crate) async fn list_dashboards(State(state): State<AppState>) -> Json<Value> {
    list(&state, Kind::Dashboards)
}

/// Create a dashboard
#[utoipa::path(
    post,
    path = "/api/v1/dashboards",
    tag = "saved",
    request_body = Document,
    responses(
        (status = 201, description = "The stored dashboard, with its id", body = Document),
        CreateFailures,
    )
)]
pub(crate) async fn create_dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Doc), ApiError> {
    create(state, Kind::Dashboards, headers, body).await
}

/// One dashboard
#[utoipa::path(
    get,
    path = "/api/v1/dashboards/{id}",
    tag = "saved",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = Document),
        LookupFailures,
    )
)]
pub(crate) async fn get_dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Doc, ApiError> {
    Ok(Json(state.saved.get(Kind::Dashboards, &id)?))
}

/// Replace a dashboard (id and created_at are kept)
#[utoipa::path(
    put,
    path = "/api/v1/dashboards/{id}",
    tag = "saved",
    params(("id" = String, Path)),
    request_body = Document,
    responses(
        (status = 200, description = "The stored dashboard", body = Document),
        (status = 400, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 415, response = ErrorBody),
        (status = "default", response = ErrorBody),
    )
)]
pub(crate) async fn replace_dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Doc, ApiError> {
    let doc: Value = parse_json(&headers, &body)?;
    let doc = blocking(move || state.saved.replace(Kind::Dashboards, &id, doc)).await?;
    Ok(Json(doc))
}

/// Delete a dashboard
#[utoipa::path(
    delete,
    path = "/api/v1/dashboards/{id}",
    tag = "saved",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        LookupFailures,
    )
)]
pub(crate) async fn delete_dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(move || state.saved.delete(Kind::Dashboards, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every saved view
#[utoipa::path(get, path = "/api/v1/views", tag = "saved", responses((status = 200, body = Views), (status = "default", response = ErrorBody)))]
pub(crate) async fn list_views(State(state): State<AppState>) -> Json<Value> {
    list(&state, Kind::Views)
}

/// Create a saved view
#[utoipa::path(
    post,
    path = "/api/v1/views",
    tag = "saved",
    request_body = Document,
    responses(
        (status = 201, description = "The stored saved view, with its id", body = Document),
        CreateFailures,
    )
)]
pub(crate) async fn create_view(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Doc), ApiError> {
    create(state, Kind::Views, headers, body).await
}

/// Delete a saved view
#[utoipa::path(
    delete,
    path = "/api/v1/views/{id}",
    tag = "saved",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        LookupFailures,
    )
)]
pub(crate) async fn delete_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(move || state.saved.delete(Kind::Views, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
