//! The one OTLP reply builder: an export response with partial success
//! (how many records were rejected and why), for gRPC and HTTP, in protobuf
//! or JSON.

use formats::OtlpEncoding;
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

use crate::otlp::OtlpSignal;
use crate::pipeline::IngestOutcome;

/// The export response of `signal` for `outcome`, encoded as `encoding`.
/// Partial success is set only when records were rejected, as OTLP asks.
pub(crate) fn encode_reply(
    signal: OtlpSignal,
    encoding: OtlpEncoding,
    outcome: &IngestOutcome,
) -> Vec<u8> {
    let partial = (outcome.rejected > 0).then(|| (outcome.rejected as i64, message(outcome)));
    match signal {
        OtlpSignal::Logs => encode(
            &ExportLogsServiceResponse {
                partial_success: partial.map(|(rejected, error_message)| {
                    ExportLogsPartialSuccess {
                        rejected_log_records: rejected,
                        error_message,
                    }
                }),
            },
            encoding,
        ),
        OtlpSignal::Traces => encode(
            &ExportTraceServiceResponse {
                partial_success: partial.map(|(rejected, error_message)| {
                    ExportTracePartialSuccess {
                        rejected_spans: rejected,
                        error_message,
                    }
                }),
            },
            encoding,
        ),
        OtlpSignal::Metrics => encode(
            &ExportMetricsServiceResponse {
                partial_success: partial.map(|(rejected, error_message)| {
                    ExportMetricsPartialSuccess {
                        rejected_data_points: rejected,
                        error_message,
                    }
                }),
            },
            encoding,
        ),
    }
}

fn encode<M: Message + serde::Serialize>(response: &M, encoding: OtlpEncoding) -> Vec<u8> {
    match encoding {
        OtlpEncoding::Protobuf => response.encode_to_vec(),
        OtlpEncoding::Json => serde_json::to_vec(response).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

/// The partial-success message: the count and the first reject's reason.
fn message(outcome: &IngestOutcome) -> String {
    match outcome.rejects.first() {
        Some(r) => format!(
            "{} records rejected; first: record {}: {}",
            outcome.rejected, r.record, r.reason
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use formats::Reject;

    use super::*;

    fn outcome(rejected: usize) -> IngestOutcome {
        IngestOutcome {
            accepted: 5,
            rejected,
            rejects: (0..rejected)
                .map(|i| Reject {
                    record: i + 2,
                    reason: format!("reason {i}"),
                })
                .collect(),
        }
    }

    /// (rejected count, message) of each signal's reply, decoded back.
    fn partial(
        signal: OtlpSignal,
        encoding: OtlpEncoding,
        o: &IngestOutcome,
    ) -> Option<(i64, String)> {
        let bytes = encode_reply(signal, encoding, o);
        let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
        match (signal, encoding) {
            (OtlpSignal::Logs, OtlpEncoding::Protobuf) => {
                ExportLogsServiceResponse::decode(&bytes[..])
                    .unwrap()
                    .partial_success
                    .map(|p| (p.rejected_log_records, p.error_message))
            }
            (OtlpSignal::Traces, OtlpEncoding::Protobuf) => {
                ExportTraceServiceResponse::decode(&bytes[..])
                    .unwrap()
                    .partial_success
                    .map(|p| (p.rejected_spans, p.error_message))
            }
            (OtlpSignal::Metrics, OtlpEncoding::Protobuf) => {
                ExportMetricsServiceResponse::decode(&bytes[..])
                    .unwrap()
                    .partial_success
                    .map(|p| (p.rejected_data_points, p.error_message))
            }
            (_, OtlpEncoding::Json) => {
                let field = match signal {
                    OtlpSignal::Logs => "rejectedLogRecords",
                    OtlpSignal::Traces => "rejectedSpans",
                    OtlpSignal::Metrics => "rejectedDataPoints",
                };
                let v = json(&bytes);
                let p = v.get("partialSuccess").filter(|p| !p.is_null())?;
                let rejected = match &p[field] {
                    serde_json::Value::String(s) => s.parse().unwrap(),
                    n => n.as_i64().unwrap(),
                };
                Some((rejected, p["errorMessage"].as_str().unwrap().to_owned()))
            }
        }
    }

    #[test]
    fn partial_success_only_when_records_were_rejected() {
        for signal in [OtlpSignal::Logs, OtlpSignal::Traces, OtlpSignal::Metrics] {
            for encoding in [OtlpEncoding::Protobuf, OtlpEncoding::Json] {
                assert_eq!(
                    partial(signal, encoding, &outcome(0)),
                    None,
                    "{signal:?} {encoding:?}"
                );
                assert_eq!(
                    partial(signal, encoding, &outcome(3)),
                    Some((
                        3,
                        "3 records rejected; first: record 2: reason 0".to_owned()
                    )),
                    "{signal:?} {encoding:?}"
                );
            }
        }
    }
}
