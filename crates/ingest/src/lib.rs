//! Receivers and the ingest pipeline: decode off the async threads, append
//! durably, count what was accepted and rejected, push back when full.
//!
//! The OTLP/gRPC receiver lives here; HTTP receivers are routes in `api`
//! that call the same pipeline.

mod counters;
mod error;
mod grpc;
mod pipeline;

pub use counters::{DatasetIngestStats, IngestStats};
pub use error::IngestError;
pub use grpc::{ApiKeys, serve_otlp_grpc};
pub use pipeline::{DerivingWriter, IngestOutcome, OtlpSignal, Pipeline, PipelineConfig};
