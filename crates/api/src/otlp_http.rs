//! The axum side of OTLP/HTTP (`/v1/logs`, `/v1/traces`, `/v1/metrics` on
//! :4318 and :8080): hands the request to the receiver in `ingest::otlp`
//! and sends its reply; errors go out through `ApiError`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ingest::OtlpSignal;

use crate::error::{ApiError, IngestFailures};
use crate::extract::API_KEY_HELP;
use crate::state::AppState;

/// An OTLP export request as protobuf bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // never built: it describes the request body
struct Protobuf(Vec<u8>);

/// Declares the export handler of one signal and its OpenAPI operation.
macro_rules! otlp_export {
    ($name:ident, $signal:ident, $path:tt, $operation:tt, $summary:tt, $reply:tt) => {
        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            operation_id = $operation,
            tag = "otlp",
            params(("x-hannun-api-key" = Option<String>, Header, description = API_KEY_HELP)),
            request_body(content((Protobuf = "application/x-protobuf"), (Object = "application/json"))),
            responses(
                (status = 200, description = $reply, content((Protobuf = "application/x-protobuf"), (Object = "application/json"))),
                IngestFailures,
            )
        )]
        pub(crate) async fn $name(
            state: State<AppState>,
            request: Request,
        ) -> Result<Response, ApiError> {
            export(state, OtlpSignal::$signal, request).await
        }
    };
}

otlp_export!(
    logs,
    Logs,
    "/v1/logs",
    "otlp_logs",
    "OTLP/HTTP logs export (also on the OTLP port, 4318)",
    "ExportLogsServiceResponse, with partial_success when records were rejected"
);

otlp_export!(
    traces,
    Traces,
    "/v1/traces",
    "otlp_traces",
    "OTLP/HTTP traces export (also on the OTLP port, 4318)",
    "ExportTraceServiceResponse, with partial_success when spans were rejected"
);

otlp_export!(
    metrics,
    Metrics,
    "/v1/metrics",
    "otlp_metrics",
    "OTLP/HTTP metrics export (also on the OTLP port, 4318)",
    "ExportMetricsServiceResponse, with partial_success when points were rejected"
);

async fn export(
    State(state): State<AppState>,
    signal: OtlpSignal,
    request: Request,
) -> Result<Response, ApiError> {
    let reply = state.receiver.otlp_http(signal, request).await?;
    let mut response = reply.body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    use crate::routes::{app_router, otlp_router};

    use super::*;

    fn state(dir: &std::path::Path) -> AppState {
        let (store, _) = store::Store::open(store::StoreConfig::new(dir.join("data"))).unwrap();
        let pipeline = ingest::Pipeline::new(store.clone(), ingest::PipelineConfig::default());
        AppState {
            receiver: ingest::Receiver::new(pipeline, ingest::ApiKeys::default()),
            engine: query::QueryEngine::new(store.clone(), query::QueryLimits::default()),
            saved: Arc::new(saved::Saved::open(dir.join("saved")).unwrap()),
            importer: ingest::Importer::open(store.clone(), Some(&dir.join("network"))).unwrap(),
            sources: ingest::sources::Sources::default(),
            prices: Arc::new(network::PriceTable::embedded()),
            rules: Arc::new(siem::RuleSet::empty()),
            notifications: Default::default(),
        }
    }

    async fn send(
        router: &axum::Router,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = axum::http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = router
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn a_bad_payload_is_a_named_400_counted_and_the_server_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let otlp = otlp_router(state.clone());
        let app = app_router(state);
        let protobuf = [("content-type", "application/x-protobuf")];
        let (status, reply) = send(&otlp, "POST", "/v1/traces", &protobuf, vec![0x0a, 0xff]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
        assert_eq!(reply["error"]["code"], "bad_request");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("malformed OTLP protobuf"), "{message}");

        let gzipped = [
            ("content-type", "application/x-protobuf"),
            ("content-encoding", "gzip"),
        ];
        let (status, reply) =
            send(&app, "POST", "/v1/traces", &gzipped, b"not gzip".to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("invalid gzip body"), "{message}");

        let (status, stats) = send(&app, "GET", "/api/v1/ingest/stats", &[], vec![]).await;
        assert_eq!(status, StatusCode::OK);
        let spans = &stats["datasets"]["spans"];
        assert_eq!(spans["rejected_payloads"], 2, "{stats}");
        assert_eq!(spans["rejected_payloads_by_problem"]["malformed"], 1);
        assert_eq!(spans["rejected_payloads_by_problem"]["bad_compression"], 1);
        assert!(
            spans["last_payload_error"]
                .as_str()
                .unwrap()
                .starts_with("invalid gzip body")
        );
        assert_eq!(spans["rejected_records"], 0);

        // Still serving: an empty export is a protobuf success, gzip and all.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"").unwrap();
        let response = otlp
            .clone()
            .oneshot(
                axum::http::Request::post("/v1/traces")
                    .header("content-type", "application/x-protobuf")
                    .header("content-encoding", "gzip")
                    .body(Body::from(gz.finish().unwrap()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/x-protobuf");
        let (status, _) = send(&app, "GET", "/api/v1/health", &[], vec![]).await;
        assert_eq!(status, StatusCode::OK);
    }
}
