//! What the JSON handlers read from a request: the body limit, a JSON body
//! and query parameters, each failing with a 400 or 415 naming the problem.
//! Shared by `routes.rs`, `apm_routes.rs` and `saved_routes.rs`.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::HeaderMap;

use crate::error::ApiError;

/// Largest JSON request body (ingest bodies have the receivers' own bounds).
pub(crate) const MAX_BODY_BYTES: usize = 16 << 20;

/// How the ingest routes' API key header reads in the OpenAPI document.
pub(crate) const API_KEY_HELP: &str = "Ingest API key, required when keys are configured (dd-api-key and Authorization: Bearer also accepted)";

/// A JSON body (sent as application/json or without a Content-Type).
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    let media = ingest::media_type(headers);
    if !media.is_empty() && media != "application/json" {
        return Err(ApiError::UnsupportedMediaType(format!(
            "unsupported Content-Type {media:?}: send application/json"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid request body: {e}")))
}

/// Query parameters, parsed into `T` or a 400 naming the problem.
pub(crate) fn params<T>(parsed: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    parsed
        .map(|Query(p)| p)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}
