//! Dashboards and saved views: CRUD over the saved objects store.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use saved::Kind;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::parse_json;
use crate::state::AppState;

type Doc = Json<Map<String, Value>>;

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

pub(crate) async fn list_dashboards(State(state): State<AppState>) -> Json<Value> {
    list(&state, Kind::Dashboards)
}

pub(crate) async fn create_dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Doc), ApiError> {
    create(state, Kind::Dashboards, headers, body).await
}

pub(crate) async fn get_dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Doc, ApiError> {
    Ok(Json(state.saved.get(Kind::Dashboards, &id)?))
}

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

pub(crate) async fn delete_dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(move || state.saved.delete(Kind::Dashboards, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn list_views(State(state): State<AppState>) -> Json<Value> {
    list(&state, Kind::Views)
}

pub(crate) async fn create_view(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Doc), ApiError> {
    create(state, Kind::Views, headers, body).await
}

pub(crate) async fn delete_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(move || state.saved.delete(Kind::Views, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
