//! The OTLP receiver, in one place: `http.rs` (OTLP/HTTP, served by the
//! thin axum routes of `api`), `grpc.rs` (OTLP/gRPC :4317), `reply.rs` (the
//! partial-success reply both send). Both read the raw body, check the key
//! (`crate::auth`), and let the pipeline decompress (`crate::payload`) and
//! decode it on a blocking thread; errors follow `crate::error_code`.

mod grpc;
mod http;
mod reply;

use model::DatasetName;

pub use self::grpc::serve_otlp_grpc;
pub use self::http::OtlpHttpReply;

/// The three OTLP signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpSignal {
    Logs,
    Traces,
    Metrics,
}

impl OtlpSignal {
    /// The dataset a signal is stored in (and counted against).
    pub(crate) fn dataset(self) -> DatasetName {
        match self {
            OtlpSignal::Logs => DatasetName::logs(),
            OtlpSignal::Traces => DatasetName::spans(),
            OtlpSignal::Metrics => DatasetName::metrics(),
        }
    }
}
