//! The OTLP/gRPC receiver (:4317): logs, traces and metrics services with
//! partial-success replies, API-key checks, and RESOURCE_EXHAUSTED when full.

use std::net::SocketAddr;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

use crate::error::IngestError;
use crate::pipeline::{IngestOutcome, Pipeline};

/// Largest gRPC message accepted (after decompression).
const MAX_MESSAGE_BYTES: usize = 32 << 20;

/// The ingest API keys; empty means ingest is open.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys(Arc<Vec<String>>);

impl ApiKeys {
    pub fn new(keys: Vec<String>) -> ApiKeys {
        ApiKeys(Arc::new(keys))
    }

    pub fn is_enforced(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether a presented key (from `x-hannun-api-key`, `dd-api-key` or a
    /// bearer token) is one of ours. Compares in constant time per key.
    pub fn allows(&self, presented: Option<&str>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(presented) = presented else {
            return false;
        };
        self.0
            .iter()
            .any(|k| constant_time_eq(k.as_bytes(), presented.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn status_of(e: IngestError) -> Status {
    match e {
        IngestError::BadRequest(m) => Status::invalid_argument(m),
        IngestError::Backpressure(..) | IngestError::Closed => {
            // OTLP: RESOURCE_EXHAUSTED / UNAVAILABLE are retryable; the retry
            // delay travels in google.rpc.RetryInfo, approximated by a header.
            let mut status = if matches!(e, IngestError::Closed) {
                Status::unavailable(e.to_string())
            } else {
                Status::resource_exhausted(e.to_string())
            };
            if let Some(s) = e.retry_after_seconds()
                && let Ok(v) = s.to_string().parse()
            {
                status.metadata_mut().insert("retry-after", v);
            }
            status
        }
        IngestError::Storage(m) => Status::internal(m),
    }
}

fn partial_message(outcome: &IngestOutcome) -> String {
    match outcome.rejects.first() {
        Some(r) => format!(
            "{} records rejected; first: record {}: {}",
            outcome.rejected, r.record, r.reason
        ),
        None => String::new(),
    }
}

#[derive(Clone)]
struct Receiver {
    pipeline: Pipeline,
}

#[tonic::async_trait]
impl LogsService for Receiver {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        let request = request.into_inner();
        let bytes = request.encoded_len();
        let outcome = self
            .pipeline
            .ingest_otlp_logs(request, bytes)
            .await
            .map_err(status_of)?;
        let partial_success = (outcome.rejected > 0).then(|| ExportLogsPartialSuccess {
            rejected_log_records: outcome.rejected as i64,
            error_message: partial_message(&outcome),
        });
        Ok(Response::new(ExportLogsServiceResponse { partial_success }))
    }
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let request = request.into_inner();
        let bytes = request.encoded_len();
        let outcome = self
            .pipeline
            .ingest_otlp_traces(request, bytes)
            .await
            .map_err(status_of)?;
        let partial_success = (outcome.rejected > 0).then(|| ExportTracePartialSuccess {
            rejected_spans: outcome.rejected as i64,
            error_message: partial_message(&outcome),
        });
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success,
        }))
    }
}

#[tonic::async_trait]
impl MetricsService for Receiver {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        let request = request.into_inner();
        let bytes = request.encoded_len();
        let outcome = self
            .pipeline
            .ingest_otlp_metrics(request, bytes)
            .await
            .map_err(status_of)?;
        let partial_success = (outcome.rejected > 0).then(|| ExportMetricsPartialSuccess {
            rejected_data_points: outcome.rejected as i64,
            error_message: partial_message(&outcome),
        });
        Ok(Response::new(ExportMetricsServiceResponse {
            partial_success,
        }))
    }
}

fn presented_key(metadata: &tonic::metadata::MetadataMap) -> Option<String> {
    for header in ["x-hannun-api-key", "dd-api-key"] {
        if let Some(v) = metadata.get(header).and_then(|v| v.to_str().ok()) {
            return Some(v.to_owned());
        }
    }
    metadata
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// Serves OTLP/gRPC on `listener` until `shutdown` completes.
pub async fn serve_otlp_grpc(
    listener: tokio::net::TcpListener,
    pipeline: Pipeline,
    keys: ApiKeys,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let receiver = Receiver { pipeline };
    let check = move |request: Request<()>| {
        if keys.allows(presented_key(request.metadata()).as_deref()) {
            Ok(request)
        } else {
            Err(Status::unauthenticated(
                "missing or unknown API key: send it in the x-hannun-api-key header",
            ))
        }
    };
    let addr: SocketAddr = listener
        .local_addr()
        .expect("bound listener has an address");
    tracing::info!(%addr, "OTLP/gRPC receiver listening");
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tonic::transport::Server::builder()
        .add_service(tonic::service::interceptor::InterceptedService::new(
            LogsServiceServer::new(receiver.clone())
                .accept_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Zstd)
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
            check.clone(),
        ))
        .add_service(tonic::service::interceptor::InterceptedService::new(
            TraceServiceServer::new(receiver.clone())
                .accept_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Zstd)
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
            check.clone(),
        ))
        .add_service(tonic::service::interceptor::InterceptedService::new(
            MetricsServiceServer::new(receiver)
                .accept_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Zstd)
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
            check,
        ))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}
