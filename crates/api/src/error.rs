//! One error type for every handler, and its rows of the error table: each
//! error's JSON `code` name and its `ingest::ErrorCode`, from which the
//! HTTP status follows (the gRPC code follows from the same table).

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ingest::{ErrorCode, IngestError};
use query::QueryError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
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

/// Every error reply: `{"error": {"code", "message"}}`.
#[derive(serde::Serialize, utoipa::ToSchema, utoipa::ToResponse)]
#[response(description = "An error naming the problem")]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// A stable name for programs, e.g. bad_request, not_found,
    /// unauthorized, payload_too_large, backpressure, invalid_search,
    /// unknown_dataset, query_timeout, query_row_limit, invalid_document.
    code: &'static str,
    /// What went wrong, for people.
    message: String,
}

/// Declares a set of error replies for `#[utoipa::path]`'s `responses`: each
/// status refers to the one error reply.
macro_rules! error_replies {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $status:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(utoipa::IntoResponses)]
        #[allow(dead_code)] // never built: it lists the error statuses of routes
        pub(crate) enum $name {
            $(
                #[response(status = $status)]
                $variant(#[ref_response] ErrorBody),
            )+
        }
    };
}

/// What a receiver refuses: a bad payload or key, too large, an unsupported
/// encoding, a full write buffer.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // never built: it lists the error statuses of routes
pub(crate) enum IngestFailures {
    #[response(status = 400)]
    BadRequest(#[ref_response] ErrorBody),
    #[response(status = 401)]
    Unauthorized(#[ref_response] ErrorBody),
    #[response(status = 413)]
    TooLarge(#[ref_response] ErrorBody),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] ErrorBody),
    /// Write buffer full: retry after the Retry-After header
    #[response(status = 429)]
    Busy(#[to_schema] ErrorBody),
    #[response(status = "default")]
    Other(#[ref_response] ErrorBody),
}

error_replies!(
    /// What a query meets: a bad request or search, an unknown dataset, a
    /// limit, the timeout.
    QueryFailures {
        BadRequest = 400,
        NotFound = 404,
        LimitExceeded = 422,
        Timeout = 504,
        Other = "default",
    }
);

error_replies!(
    /// What a list (of services, traces, issues...) meets: a bad parameter,
    /// the timeout.
    ListFailures { BadRequest = 400, Timeout = 504, Other = "default" }
);

error_replies!(
    /// What a request for one thing (a service, trace, issue, a field's
    /// values) meets: a bad parameter, nothing found, the timeout.
    ItemFailures { BadRequest = 400, NotFound = 404, Timeout = 504, Other = "default" }
);

error_replies!(
    /// What storing a new saved document meets: an invalid document, too
    /// many of its kind, a body that is not JSON.
    CreateFailures { BadRequest = 400, TooMany = 409, UnsupportedMediaType = 415, Other = "default" }
);

error_replies!(
    /// What reading or deleting a saved document meets: no such document.
    LookupFailures { NotFound = 404, Other = "default" }
);

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
    /// The table: the name clients see and the code the status follows from.
    fn code(&self) -> (&'static str, ErrorCode) {
        match self {
            ApiError::BadRequest(_) => ("bad_request", ErrorCode::BadRequest),
            ApiError::NotFound(_) => ("not_found", ErrorCode::NotFound),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported_media_type", ErrorCode::UnsupportedMediaType)
            }
            ApiError::Ingest(e) => e.code(),
            ApiError::Query(QueryError::Invalid(_)) => ("invalid_query", ErrorCode::BadRequest),
            ApiError::Query(QueryError::Search(_)) => ("invalid_search", ErrorCode::BadRequest),
            ApiError::Query(QueryError::UnknownDataset(_)) => {
                ("unknown_dataset", ErrorCode::NotFound)
            }
            ApiError::Query(QueryError::Timeout { .. }) => ("query_timeout", ErrorCode::Timeout),
            ApiError::Query(QueryError::MemoryBudget { .. }) => {
                ("query_memory_budget", ErrorCode::LimitExceeded)
            }
            ApiError::Query(QueryError::RowLimit { .. }) => {
                ("query_row_limit", ErrorCode::LimitExceeded)
            }
            ApiError::Query(QueryError::ResultSize { .. }) => {
                ("query_result_size", ErrorCode::LimitExceeded)
            }
            ApiError::Query(QueryError::Execution(_)) => ("query_failed", ErrorCode::Internal),
            ApiError::Saved(saved::SavedError::Invalid(_)) => {
                ("invalid_document", ErrorCode::BadRequest)
            }
            ApiError::Saved(saved::SavedError::NotFound { .. }) => {
                ("not_found", ErrorCode::NotFound)
            }
            ApiError::Saved(saved::SavedError::TooMany { .. }) => ("too_many", ErrorCode::Conflict),
            ApiError::Saved(_) => ("storage_error", ErrorCode::Internal),
            ApiError::Internal(_) => ("internal", ErrorCode::Internal),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Ingest(e) => e.retry_after_seconds(),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (name, code) = self.code();
        let status = code.http_status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: name,
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use ingest::PayloadProblem;

    use super::*;

    /// Every error's name and HTTP status, as clients saw them before the
    /// statuses moved to `ingest::ErrorCode` (whose test checks gRPC codes).
    #[test]
    fn every_error_has_its_name_and_status() {
        let s = String::new;
        let payload = |problem| {
            ApiError::from(IngestError::Payload {
                problem,
                message: s(),
            })
        };
        let cases: Vec<(ApiError, &str, u16)> = vec![
            (ApiError::BadRequest(s()), "bad_request", 400),
            (ApiError::NotFound(s()), "not_found", 404),
            (
                ApiError::UnsupportedMediaType(s()),
                "unsupported_media_type",
                415,
            ),
            (IngestError::BadRequest(s()).into(), "bad_request", 400),
            (IngestError::Unauthenticated.into(), "unauthorized", 401),
            (payload(PayloadProblem::Malformed), "bad_request", 400),
            (payload(PayloadProblem::BadCompression), "bad_request", 400),
            (payload(PayloadProblem::TooLarge), "payload_too_large", 413),
            (
                payload(PayloadProblem::UnsupportedEncoding),
                "unsupported_media_type",
                415,
            ),
            (
                IngestError::Backpressure(s(), 1).into(),
                "backpressure",
                429,
            ),
            (IngestError::Closed.into(), "shutting_down", 503),
            (IngestError::Storage(s()).into(), "storage_error", 500),
            (QueryError::Invalid(s()).into(), "invalid_query", 400),
            (QueryError::Search(s()).into(), "invalid_search", 400),
            (
                QueryError::UnknownDataset(s()).into(),
                "unknown_dataset",
                404,
            ),
            (
                QueryError::Timeout { seconds: 1 }.into(),
                "query_timeout",
                504,
            ),
            (
                QueryError::MemoryBudget {
                    megabytes: 1,
                    detail: s(),
                }
                .into(),
                "query_memory_budget",
                422,
            ),
            (
                QueryError::RowLimit { limit: 1 }.into(),
                "query_row_limit",
                422,
            ),
            (
                QueryError::ResultSize { megabytes: 1 }.into(),
                "query_result_size",
                422,
            ),
            (QueryError::Execution(s()).into(), "query_failed", 500),
            (
                saved::SavedError::Invalid(s()).into(),
                "invalid_document",
                400,
            ),
            (
                saved::SavedError::NotFound {
                    kind: "views",
                    id: s(),
                }
                .into(),
                "not_found",
                404,
            ),
            (
                saved::SavedError::TooMany {
                    kind: "views",
                    max: 1,
                }
                .into(),
                "too_many",
                409,
            ),
            (
                saved::SavedError::Corrupt {
                    path: "x".into(),
                    detail: s(),
                }
                .into(),
                "storage_error",
                500,
            ),
            (ApiError::Internal(s()), "internal", 500),
        ];
        for (error, name, status) in cases {
            let (got, code) = error.code();
            assert_eq!(
                (got, code.http_status().as_u16()),
                (name, status),
                "{error:?}"
            );
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
        }
    }

    #[test]
    fn retryable_ingest_errors_say_when() {
        let response = ApiError::from(IngestError::Backpressure("full".into(), 1)).into_response();
        assert_eq!(response.headers()["retry-after"], "1");
        let response = ApiError::from(IngestError::Closed).into_response();
        assert_eq!(response.headers()["retry-after"], "5");
        let response = ApiError::BadRequest("x".into()).into_response();
        assert!(response.headers().get("retry-after").is_none());
    }
}
