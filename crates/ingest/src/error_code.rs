//! The one error-code table: every error hannun answers carries an
//! `ErrorCode`, and both its HTTP status and its gRPC code follow from it
//! (after Quickwit's `ServiceErrorCode`).

use http::StatusCode;
use tonic::Code;

/// What kind of failure an error is, independent of the transport. A closed,
/// deliberately small set: add a variant only for a new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    /// The caller presented no API key or an unknown one.
    Unauthenticated,
    NotFound,
    /// A limit on stored objects was reached.
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// A request hit a budget of its own (query memory, row limit).
    LimitExceeded,
    /// Backpressure: retry later.
    TooManyRequests,
    Timeout,
    /// Shutting down: retry elsewhere or later.
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Every code, for tables and tests.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::LimitExceeded,
        ErrorCode::TooManyRequests,
        ErrorCode::Timeout,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The table. OTLP clients retry RESOURCE_EXHAUSTED and UNAVAILABLE
    /// (and HTTP 429 and 503), so only backpressure and shutdown map there.
    fn statuses(self) -> (StatusCode, Code) {
        match self {
            ErrorCode::BadRequest => (StatusCode::BAD_REQUEST, Code::InvalidArgument),
            ErrorCode::Unauthenticated => (StatusCode::UNAUTHORIZED, Code::Unauthenticated),
            ErrorCode::NotFound => (StatusCode::NOT_FOUND, Code::NotFound),
            ErrorCode::Conflict => (StatusCode::CONFLICT, Code::FailedPrecondition),
            ErrorCode::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, Code::InvalidArgument),
            ErrorCode::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, Code::Unimplemented)
            }
            ErrorCode::LimitExceeded => (StatusCode::UNPROCESSABLE_ENTITY, Code::OutOfRange),
            ErrorCode::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, Code::ResourceExhausted),
            ErrorCode::Timeout => (StatusCode::GATEWAY_TIMEOUT, Code::DeadlineExceeded),
            ErrorCode::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable),
            ErrorCode::Internal => (StatusCode::INTERNAL_SERVER_ERROR, Code::Internal),
        }
    }

    pub fn http_status(self) -> StatusCode {
        self.statuses().0
    }

    pub fn grpc_code(self) -> Code {
        self.statuses().1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_http_status_and_a_grpc_code() {
        let table: Vec<(ErrorCode, u16, Code)> = ErrorCode::ALL
            .iter()
            .map(|c| (*c, c.http_status().as_u16(), c.grpc_code()))
            .collect();
        let want = vec![
            (ErrorCode::BadRequest, 400, Code::InvalidArgument),
            (ErrorCode::Unauthenticated, 401, Code::Unauthenticated),
            (ErrorCode::NotFound, 404, Code::NotFound),
            (ErrorCode::Conflict, 409, Code::FailedPrecondition),
            (ErrorCode::PayloadTooLarge, 413, Code::InvalidArgument),
            (ErrorCode::UnsupportedMediaType, 415, Code::Unimplemented),
            (ErrorCode::LimitExceeded, 422, Code::OutOfRange),
            (ErrorCode::TooManyRequests, 429, Code::ResourceExhausted),
            (ErrorCode::Timeout, 504, Code::DeadlineExceeded),
            (ErrorCode::Unavailable, 503, Code::Unavailable),
            (ErrorCode::Internal, 500, Code::Internal),
        ];
        assert_eq!(table, want);
    }

    #[test]
    fn all_lists_every_code_once() {
        // A new variant breaks this match until it gets a number here and a
        // place in ALL and in the table above.
        let mut numbers: Vec<usize> = ErrorCode::ALL
            .iter()
            .map(|code| match code {
                ErrorCode::BadRequest => 0,
                ErrorCode::Unauthenticated => 1,
                ErrorCode::NotFound => 2,
                ErrorCode::Conflict => 3,
                ErrorCode::PayloadTooLarge => 4,
                ErrorCode::UnsupportedMediaType => 5,
                ErrorCode::LimitExceeded => 6,
                ErrorCode::TooManyRequests => 7,
                ErrorCode::Timeout => 8,
                ErrorCode::Unavailable => 9,
                ErrorCode::Internal => 10,
            })
            .collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (0..11).collect::<Vec<_>>());
    }
}
