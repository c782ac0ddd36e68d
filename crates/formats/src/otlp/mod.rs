//! OTLP logs, traces and metrics (protobuf and JSON) decoded straight into
//! Arrow builders, without an intermediate row or JSON form.

mod common;
mod logs;
mod metrics;
mod traces;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::error::FormatError;

pub use logs::decode_otlp_logs;
pub use metrics::decode_otlp_metrics;
pub use traces::decode_otlp_traces;

/// The two OTLP/HTTP encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpEncoding {
    Protobuf,
    Json,
}

fn parse<T: Message + Default + serde::de::DeserializeOwned>(
    body: &[u8],
    encoding: OtlpEncoding,
) -> Result<T, FormatError> {
    match encoding {
        OtlpEncoding::Protobuf => T::decode(body).map_err(|e| FormatError::Protobuf(e.to_string())),
        OtlpEncoding::Json => {
            serde_json::from_slice(body).map_err(|e| FormatError::Json(e.to_string()))
        }
    }
}

pub fn parse_otlp_logs(
    body: &[u8],
    encoding: OtlpEncoding,
) -> Result<ExportLogsServiceRequest, FormatError> {
    parse(body, encoding)
}

pub fn parse_otlp_traces(
    body: &[u8],
    encoding: OtlpEncoding,
) -> Result<ExportTraceServiceRequest, FormatError> {
    parse(body, encoding)
}

pub fn parse_otlp_metrics(
    body: &[u8],
    encoding: OtlpEncoding,
) -> Result<ExportMetricsServiceRequest, FormatError> {
    parse(body, encoding)
}
