//! When the write buffer is full, ingest answers 429 with Retry-After over
//! HTTP and RESOURCE_EXHAUSTED over gRPC; nothing accepted is lost and the
//! server keeps serving.

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;

use crate::harness::{Server, client, otlp_logs};

#[test]
fn full_buffer_pushes_back_over_http_and_grpc() {
    let dir = tempfile::tempdir().unwrap();
    // A small buffer that is never flushed during the test.
    let server = Server::start(
        dir.path(),
        "[storage]\nmax_buffer_mb = 16\nflush_mb = 1024\nflush_seconds = 3600\n",
    );
    let chunk: String = (0..20_000)
        .map(|i| {
            format!(
                "{{\"service\":\"bp\",\"message\":\"backpressure line {i} {}\"}}\n",
                "x".repeat(200)
            )
        })
        .collect();
    let mut accepted = 0;
    let mut refused = None;
    for _ in 0..40 {
        let r = client()
            .post(server.url("/api/v1/ingest/logs"))
            .body(chunk.clone())
            .send()
            .unwrap();
        if r.status() == 429 {
            refused = Some(r);
            break;
        }
        assert!(r.status().is_success(), "{}", r.status());
        accepted += 20_000;
    }
    let refused = refused.expect("the buffer never filled");
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: serde_json::Value = refused.json().unwrap();
    assert_eq!(body["error"]["code"], "backpressure");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("write buffer is full"),
        "{body}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        let mut grpc = LogsServiceClient::connect(format!("http://{}", server.otlp_grpc))
            .await
            .unwrap();
        let request = otlp_logs("one more", 0);
        grpc.export(request).await.unwrap_err()
    });
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert_eq!(
        status
            .metadata()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1")
    );

    // Everything acknowledged is there, and queries still run.
    assert_eq!(server.count("SELECT count(*) AS n FROM logs"), accepted);
    let stats = server.ingest_stats();
    assert!(
        stats["backpressure_refusals"].as_u64().unwrap() >= 1
            || stats["datasets"]["logs"]["failed_requests"]
                .as_u64()
                .unwrap()
                >= 1
    );
}
