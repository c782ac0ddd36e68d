//! The OTLP/HTTP receiver (:4318): `/v1/logs`, `/v1/traces`, `/v1/metrics`,
//! protobuf or JSON, replying in the request's encoding with partial success.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use formats::OtlpEncoding;
use ingest::{IngestOutcome, OtlpSignal};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;

use crate::body::{decode_body, media_type, presented_key};
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) async fn logs(
    state: State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    export(state, headers, body, OtlpSignal::Logs).await
}

pub(crate) async fn traces(
    state: State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    export(state, headers, body, OtlpSignal::Traces).await
}

pub(crate) async fn metrics(
    state: State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    export(state, headers, body, OtlpSignal::Metrics).await
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
    signal: OtlpSignal,
) -> Result<Response, ApiError> {
    if !state.ingest_keys.allows(presented_key(&headers)) {
        return Err(ApiError::Unauthorized);
    }
    let encoding = match media_type(&headers).as_str() {
        "application/x-protobuf" | "application/protobuf" => OtlpEncoding::Protobuf,
        "application/json" => OtlpEncoding::Json,
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "unsupported Content-Type {other:?}: OTLP/HTTP takes application/x-protobuf or application/json"
            )));
        }
    };
    let body = decode_body(&headers, body)?;
    let outcome = state
        .pipeline
        .ingest_otlp_http(signal, body, encoding)
        .await?;
    Ok(reply(signal, encoding, &outcome))
}

fn message(outcome: &IngestOutcome) -> String {
    match outcome.rejects.first() {
        Some(r) => format!(
            "{} records rejected; first: record {}: {}",
            outcome.rejected, r.record, r.reason
        ),
        None => String::new(),
    }
}

fn reply(signal: OtlpSignal, encoding: OtlpEncoding, outcome: &IngestOutcome) -> Response {
    let rejected = outcome.rejected as i64;
    let partial = outcome.rejected > 0;
    let (proto, json) = match signal {
        OtlpSignal::Logs => {
            let r = ExportLogsServiceResponse {
                partial_success: partial.then(|| ExportLogsPartialSuccess {
                    rejected_log_records: rejected,
                    error_message: message(outcome),
                }),
            };
            (r.encode_to_vec(), serde_json::to_vec(&r))
        }
        OtlpSignal::Traces => {
            let r = ExportTraceServiceResponse {
                partial_success: partial.then(|| ExportTracePartialSuccess {
                    rejected_spans: rejected,
                    error_message: message(outcome),
                }),
            };
            (r.encode_to_vec(), serde_json::to_vec(&r))
        }
        OtlpSignal::Metrics => {
            let r = ExportMetricsServiceResponse {
                partial_success: partial.then(|| ExportMetricsPartialSuccess {
                    rejected_data_points: rejected,
                    error_message: message(outcome),
                }),
            };
            (r.encode_to_vec(), serde_json::to_vec(&r))
        }
    };
    let (bytes, content_type) = match encoding {
        OtlpEncoding::Protobuf => (proto, "application/x-protobuf"),
        OtlpEncoding::Json => (json.unwrap_or_else(|_| b"{}".to_vec()), "application/json"),
    };
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
