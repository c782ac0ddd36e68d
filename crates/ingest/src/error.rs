//! The one error type of the ingest crate, with its row in the error-code
//! table and its gRPC status.

use crate::error_code::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or unknown API key: send it in the x-hannun-api-key header")]
    Unauthenticated,
    /// The whole request body was refused before any record was read.
    #[error("{message}")]
    Payload {
        problem: PayloadProblem,
        message: String,
    },
    #[error("ingest is over capacity ({0}); retry after {1} s")]
    Backpressure(String, u64),
    #[error("the server is shutting down")]
    Closed,
    #[error("storage failed: {0}")]
    Storage(String),
}

/// Why a whole payload was refused; counted per dataset in the ingest stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PayloadProblem {
    /// Malformed protobuf, JSON or gRPC framing.
    Malformed,
    /// A body that does not decompress per its declared encoding.
    BadCompression,
    /// Too large on the wire or once decompressed.
    TooLarge,
    /// A Content-Type or Content-Encoding (grpc-encoding) we do not read.
    UnsupportedEncoding,
}

impl PayloadProblem {
    /// The name used in the ingest stats.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadProblem::Malformed => "malformed",
            PayloadProblem::BadCompression => "bad_compression",
            PayloadProblem::TooLarge => "too_large",
            PayloadProblem::UnsupportedEncoding => "unsupported_encoding",
        }
    }
}

impl IngestError {
    pub(crate) fn payload(problem: PayloadProblem, message: impl Into<String>) -> IngestError {
        IngestError::Payload {
            problem,
            message: message.into(),
        }
    }

    /// This error's row of the error table: the name clients see in the
    /// JSON `code` field, and its `ErrorCode` (HTTP status, gRPC code).
    pub fn code(&self) -> (&'static str, ErrorCode) {
        match self {
            IngestError::BadRequest(_) => ("bad_request", ErrorCode::BadRequest),
            IngestError::Unauthenticated => ("unauthorized", ErrorCode::Unauthenticated),
            IngestError::Payload { problem, .. } => match problem {
                PayloadProblem::Malformed | PayloadProblem::BadCompression => {
                    ("bad_request", ErrorCode::BadRequest)
                }
                PayloadProblem::TooLarge => ("payload_too_large", ErrorCode::PayloadTooLarge),
                PayloadProblem::UnsupportedEncoding => {
                    ("unsupported_media_type", ErrorCode::UnsupportedMediaType)
                }
            },
            IngestError::Backpressure(..) => ("backpressure", ErrorCode::TooManyRequests),
            IngestError::Closed => ("shutting_down", ErrorCode::Unavailable),
            IngestError::Storage(_) => ("storage_error", ErrorCode::Internal),
        }
    }

    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            IngestError::Backpressure(_, s) => Some(*s),
            IngestError::Closed => Some(5),
            _ => None,
        }
    }

    /// The gRPC status: the code from the table, the message, and the retry
    /// delay (OTLP puts it in google.rpc.RetryInfo; a `retry-after` entry
    /// approximates it).
    pub(crate) fn into_grpc_status(self) -> tonic::Status {
        let mut status = tonic::Status::new(self.code().1.grpc_code(), self.to_string());
        if let Some(seconds) = self.retry_after_seconds() {
            status
                .metadata_mut()
                .insert("retry-after", tonic::metadata::MetadataValue::from(seconds));
        }
        status
    }
}

impl From<store::StoreError> for IngestError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Backpressure { .. } => IngestError::Backpressure(e.to_string(), 1),
            store::StoreError::Closed => IngestError::Closed,
            other => IngestError::Storage(other.to_string()),
        }
    }
}

impl From<formats::FormatError> for IngestError {
    fn from(e: formats::FormatError) -> Self {
        match e {
            formats::FormatError::Protobuf(_) | formats::FormatError::Json(_) => {
                IngestError::payload(PayloadProblem::Malformed, e.to_string())
            }
            formats::FormatError::Model(_) => IngestError::BadRequest(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_name_status_and_grpc_code() {
        use tonic::Code::*;
        let payload = |p| IngestError::payload(p, "x");
        let x = || "x".to_owned();
        #[rustfmt::skip]
        let cases = [
            (IngestError::BadRequest(x()), "bad_request", 400, InvalidArgument),
            (IngestError::Unauthenticated, "unauthorized", 401, Unauthenticated),
            (payload(PayloadProblem::Malformed), "bad_request", 400, InvalidArgument),
            (payload(PayloadProblem::BadCompression), "bad_request", 400, InvalidArgument),
            (payload(PayloadProblem::TooLarge), "payload_too_large", 413, InvalidArgument),
            (payload(PayloadProblem::UnsupportedEncoding), "unsupported_media_type", 415, Unimplemented),
            (IngestError::Backpressure(x(), 1), "backpressure", 429, ResourceExhausted),
            (IngestError::Closed, "shutting_down", 503, Unavailable),
            (IngestError::Storage(x()), "storage_error", 500, Internal),
        ];
        for (error, name, http, grpc) in cases {
            let (got_name, code) = error.code();
            assert_eq!(
                (got_name, code.http_status().as_u16()),
                (name, http),
                "{error:?}"
            );
            let message = error.to_string();
            let status = error.into_grpc_status();
            assert_eq!((status.code(), status.message()), (grpc, message.as_str()));
        }
    }

    #[test]
    fn retryable_errors_carry_their_delay_to_grpc() {
        let status = IngestError::Backpressure("write buffer is full".into(), 1).into_grpc_status();
        assert_eq!(status.metadata().get("retry-after").unwrap(), "1");
        let status = IngestError::Closed.into_grpc_status();
        assert_eq!(status.metadata().get("retry-after").unwrap(), "5");
        let status = IngestError::Unauthenticated.into_grpc_status();
        assert!(status.metadata().get("retry-after").is_none());
    }

    #[test]
    fn malformed_otlp_is_a_payload_problem() {
        let e = IngestError::from(formats::FormatError::Protobuf("bad wire type".into()));
        assert!(matches!(
            e,
            IngestError::Payload {
                problem: PayloadProblem::Malformed,
                ..
            }
        ));
        assert_eq!(e.to_string(), "malformed OTLP protobuf: bad wire type");
    }
}
