//! One error type for every handler, and the one table mapping errors to
//! HTTP status codes.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ingest::IngestError;
use query::QueryError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or unknown API key: send it in the x-hannun-api-key header")]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Saved(#[from] saved::SavedError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<apm::ApmError> for ApiError {
    fn from(e: apm::ApmError) -> Self {
        match e {
            apm::ApmError::Invalid(m) => ApiError::BadRequest(m),
            apm::ApmError::NotFound(m) => ApiError::NotFound(m),
            apm::ApmError::Query(q) => ApiError::Query(q),
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Ingest(IngestError::BadRequest(_)) => StatusCode::BAD_REQUEST,
            ApiError::Ingest(IngestError::Backpressure(..)) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Ingest(IngestError::Closed) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Ingest(IngestError::Storage(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Query(QueryError::Invalid(_) | QueryError::Search(_)) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Query(QueryError::UnknownDataset(_)) => StatusCode::NOT_FOUND,
            ApiError::Query(QueryError::Timeout { .. }) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Query(QueryError::MemoryBudget { .. } | QueryError::RowLimit { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Query(QueryError::Execution(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Saved(saved::SavedError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ApiError::Saved(saved::SavedError::NotFound { .. }) => StatusCode::NOT_FOUND,
            ApiError::Saved(saved::SavedError::TooMany { .. }) => StatusCode::CONFLICT,
            ApiError::Saved(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Ingest(IngestError::BadRequest(_)) => "bad_request",
            ApiError::Ingest(IngestError::Backpressure(..)) => "backpressure",
            ApiError::Ingest(IngestError::Closed) => "shutting_down",
            ApiError::Ingest(IngestError::Storage(_)) => "storage_error",
            ApiError::Query(QueryError::Invalid(_)) => "invalid_query",
            ApiError::Query(QueryError::Search(_)) => "invalid_search",
            ApiError::Query(QueryError::UnknownDataset(_)) => "unknown_dataset",
            ApiError::Query(QueryError::Timeout { .. }) => "query_timeout",
            ApiError::Query(QueryError::MemoryBudget { .. }) => "query_memory_budget",
            ApiError::Query(QueryError::RowLimit { .. }) => "query_row_limit",
            ApiError::Query(QueryError::Execution(_)) => "query_failed",
            ApiError::Saved(saved::SavedError::Invalid(_)) => "invalid_document",
            ApiError::Saved(saved::SavedError::NotFound { .. }) => "not_found",
            ApiError::Saved(saved::SavedError::TooMany { .. }) => "too_many",
            ApiError::Saved(_) => "storage_error",
            ApiError::Internal(_) => "internal",
        }
    }

    pub(crate) fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Ingest(e) => e.retry_after_seconds(),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body =
            serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } });
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
