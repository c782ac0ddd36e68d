//! Receivers and the ingest pipeline: check the key, decompress and decode
//! off the async threads, append durably, count what was accepted and
//! rejected, push back when full; the one error-code table of the server.
//!
//! The receivers live here: OTLP/gRPC and OTLP/HTTP in `otlp/`, NDJSON in
//! `receiver.rs`; `api` only routes HTTP requests to them.

mod auth;
mod counters;
mod error;
mod error_code;
mod import;
mod otlp;
mod payload;
mod pipeline;
mod receiver;
mod schemas;
pub mod sources;

pub use auth::ApiKeys;
pub use counters::{DatasetIngestStats, IngestStats};
pub use error::{IngestError, PayloadProblem};
pub use error_code::ErrorCode;
pub use import::{
    DetectionSink, ImportKind, ImportStatus, Importer, KindImportStats, MAX_OBJECT_DECODED_BYTES,
    ObjectReport, SourceStatus, import_order,
};
pub use otlp::{OtlpHttpReply, OtlpSignal, serve_otlp_grpc};
pub use payload::{MAX_BODY_BYTES, MAX_DECODED_BYTES, media_type};
pub use pipeline::{DerivingWriter, IngestOutcome, Pipeline, PipelineConfig};
pub use receiver::{MAX_IMPORT_BODY_BYTES, Receiver};
