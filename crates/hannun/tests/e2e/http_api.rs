//! NDJSON ingest, search and SQL over HTTP, and what bad input gets back.

use std::io::Write;

use crate::harness::{Server, client, now_nanos, otlp_logs};

fn ndjson_lines(now: i64) -> String {
    let t = |s: i64| model_time(now - s * 1_000_000_000);
    [
        format!(r#"{{"timestamp":"{}","service":"jobs-api","level":"ERROR","message":"db timeout after 30s","env":"prod","http":{{"status_code":504}},"trace_id":"0af7651916cd43dd8448eb211c80319c"}}"#, t(30)),
        format!(r#"{{"timestamp":"{}","service":"jobs-api","level":"info","message":"GET /v1/jobs 200","env":"prod","http":{{"status_code":200}}}}"#, t(20)),
        format!(r#"{{"timestamp":"{}","service":"cards-api","level":"error","message":"timeout talking to ocr","env":"dev","http":{{"status_code":500}}}}"#, t(10)),
        "{not json".to_owned(),
        "[1,2,3]".to_owned(),
        r#"{"timestamp":"1999-01-01T00:00:00Z","service":"old","message":"from the past"}"#.to_owned(),
    ]
    .join("\n")
}

fn model_time(nanos: i64) -> String {
    // RFC 3339 via the server's own formatter would hide a bug in it; use
    // seconds since the epoch, which every shipper also sends.
    format!("{}.{:09}", nanos / 1_000_000_000, nanos % 1_000_000_000)
}

fn post(
    server: &Server,
    path: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    post_url(&server.url(path), content_type, encoding, body)
}

fn post_url(
    url: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut request = client()
        .post(url)
        .header("content-type", content_type)
        .body(body);
    if let Some(e) = encoding {
        request = request.header("content-encoding", e);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(serde_json::Value::Null))
}

/// A request that must fail: path, content type, encoding, body, status, message part.
type BadInput = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<u8>,
    u16,
    &'static str,
);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn ndjson_search_sql_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "[query]\nmax_rows = 50\n");
    let now = now_nanos();

    let (status, reply) = post(
        &server,
        "/api/v1/ingest/logs",
        "application/x-ndjson",
        None,
        ndjson_lines(now).into_bytes(),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["accepted"], 3);
    assert_eq!(reply["rejected"], 3);
    let reasons: Vec<String> = reply["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_owned())
        .collect();
    assert!(reasons[0].starts_with("invalid JSON"), "{reasons:?}");
    assert_eq!(reasons[1], "expected a JSON object, got an array");
    assert!(reasons[2].contains("in the past"), "{reasons:?}");

    // The same lines gzip-compressed are accepted the same way.
    let (status, reply) = post(
        &server,
        "/api/v1/ingest/logs",
        "application/x-ndjson",
        Some("gzip"),
        gzip(ndjson_lines(now).as_bytes()),
    );
    assert_eq!((status, reply["accepted"].as_i64()), (200, Some(3)));

    // Queries see acknowledged rows at once.
    assert_eq!(server.count("SELECT count(*) AS n FROM logs"), 6);
    assert_eq!(
        server.count(
            "SELECT count(*) AS n FROM logs WHERE level = 'error' AND \"http.status_code\" >= 500"
        ),
        4
    );

    let search = serde_json::json!({
        "dataset": "logs", "query": "service:jobs-api status:error @http.status_code:>=500 \"timeout\" -env:dev",
        "from": now - 3_600_000_000_000i64, "to": now + 60_000_000_000i64, "limit": 10
    });
    let (status, reply) = post(
        &server,
        "/api/v1/search",
        "application/json",
        None,
        search.to_string().into_bytes(),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["total"], 2);
    let events = reply["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["body"], "db timeout after 30s");
    assert_eq!(events[0]["trace_id"], "0af7651916cd43dd8448eb211c80319c");
    let service_facet = reply["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "service")
        .unwrap();
    assert_eq!(
        service_facet["values"][0],
        serde_json::json!({ "value": "jobs-api", "count": 2 })
    );
    assert_eq!(
        reply["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum::<u64>(),
        2
    );

    // A custom dataset whose schema grows batch by batch.
    let (status, _) = post(
        &server,
        "/api/v1/ingest/checkout",
        "application/x-ndjson",
        None,
        br#"{"order_id":"o-1","amount":1200}"#.to_vec(),
    );
    assert_eq!(status, 200);
    let (status, _) = post(
        &server,
        "/api/v1/ingest/checkout",
        "application/x-ndjson",
        None,
        br#"{"order_id":"o-2","coupon":"WELCOME"}"#.to_vec(),
    );
    assert_eq!(status, 200);
    let rows = server.sql("SELECT order_id, amount, coupon FROM checkout ORDER BY order_id");
    assert_eq!(
        rows,
        vec![
            serde_json::json!({"order_id": "o-1", "amount": 1200}),
            serde_json::json!({"order_id": "o-2", "coupon": "WELCOME"})
        ]
    );

    // Bad input: a clear 4xx naming the problem.
    let cases: Vec<BadInput> = vec![
        (
            "/api/v1/ingest/Bad-Name",
            "application/x-ndjson",
            None,
            b"{}".to_vec(),
            400,
            "invalid dataset name",
        ),
        (
            "/api/v1/ingest/logs",
            "text/csv",
            None,
            b"a,b".to_vec(),
            415,
            "unsupported Content-Type",
        ),
        (
            "/api/v1/ingest/logs",
            "application/x-ndjson",
            Some("br"),
            b"x".to_vec(),
            415,
            "unsupported Content-Encoding",
        ),
        (
            "/api/v1/ingest/logs",
            "application/x-ndjson",
            Some("gzip"),
            b"not gzip".to_vec(),
            400,
            "invalid gzip body",
        ),
        (
            "/api/v1/ingest/logs",
            "application/x-ndjson",
            Some("gzip"),
            gzip(&vec![b' '; 80 << 20]),
            413,
            "decompresses to more than",
        ),
        (
            "/api/v1/ingest/logs",
            "application/x-ndjson",
            None,
            vec![b' '; 17 << 20],
            413,
            "",
        ),
        (
            "/v1/logs",
            "application/x-protobuf",
            None,
            vec![0xff, 0xff, 0xff],
            400,
            "malformed OTLP protobuf",
        ),
        (
            "/v1/traces",
            "application/json",
            None,
            b"{\"resourceSpans\": 5}".to_vec(),
            400,
            "malformed OTLP JSON",
        ),
        (
            "/api/v1/sql",
            "application/json",
            None,
            br#"{"sql": "SELEC 1"}"#.to_vec(),
            400,
            "invalid query",
        ),
        (
            "/api/v1/sql",
            "application/json",
            None,
            br#"{"sql": "SELECT * FROM nope"}"#.to_vec(),
            400,
            "nope",
        ),
        (
            "/api/v1/sql",
            "application/json",
            None,
            br#"{"sql": "DROP TABLE logs"}"#.to_vec(),
            400,
            "invalid query",
        ),
        (
            "/api/v1/sql",
            "application/json",
            None,
            br#"{"sql": "SELECT * FROM logs CROSS JOIN logs b CROSS JOIN logs c"}"#.to_vec(),
            422,
            "more than 50 rows",
        ),
        (
            "/api/v1/search",
            "application/json",
            None,
            br#"{"dataset":"nope","query":"","from":0,"to":1}"#.to_vec(),
            404,
            "unknown dataset",
        ),
        (
            "/api/v1/search",
            "application/json",
            None,
            br#"{"dataset":"logs","query":"service:","from":0,"to":1}"#.to_vec(),
            400,
            "missing value after 'service:'",
        ),
        (
            "/api/v1/search",
            "application/json",
            None,
            br#"{"dataset":"logs"}"#.to_vec(),
            400,
            "a time range is required",
        ),
    ];
    for (path, content_type, encoding, body, want_status, want_message) in cases {
        let (status, reply) = post(&server, path, content_type, encoding, body);
        assert_eq!(
            status, want_status,
            "{path} {content_type} {encoding:?}: {reply}"
        );
        if !want_message.is_empty() {
            let message = reply["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(want_message),
                "{path}: {message:?} lacks {want_message:?}"
            );
        }
    }

    // Rejected records are counted and visible.
    let stats = server.ingest_stats();
    assert_eq!(stats["datasets"]["logs"]["rejected_records"], 6);
    assert_eq!(stats["datasets"]["logs"]["accepted_records"], 6);
    assert!(
        !stats["datasets"]["logs"]["recent_rejects"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The server keeps serving, and nothing accepted was lost.
    assert_eq!(
        client()
            .get(server.url("/api/v1/health"))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(server.count("SELECT count(*) AS n FROM logs"), 6);
    let page = client()
        .get(server.url("/"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("hannun"), "{page}");
    let openapi: serde_json::Value = client()
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(openapi["paths"]["/api/v1/search"].is_object());

    // A graceful stop flushes to Parquet; a restart finds every row.
    server.stop();
    let wal_bytes: u64 = std::fs::read_dir(dir.path().join("data/wal"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(wal_bytes, 0, "a clean shutdown leaves nothing to replay");
    let server = Server::start(dir.path(), "");
    assert_eq!(server.count("SELECT count(*) AS n FROM logs"), 6);
    assert_eq!(server.count("SELECT count(*) AS n FROM checkout"), 2);
}

#[test]
fn ingest_api_keys_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let key = "hn_test_key_0123456789";
    let server = Server::start(dir.path(), &format!("[ingest]\napi_keys = [\"{key}\"]\n"));
    let body = br#"{"message":"hello"}"#.to_vec();
    let (status, reply) = post(
        &server,
        "/api/v1/ingest/logs",
        "application/x-ndjson",
        None,
        body.clone(),
    );
    assert_eq!(status, 401, "{reply}");
    let response = client()
        .post(server.url("/api/v1/ingest/logs"))
        .header("x-hannun-api-key", "wrong-key-wrong-key")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = client()
        .post(server.url("/api/v1/ingest/logs"))
        .header("x-hannun-api-key", key)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = client()
        .post(format!("http://{}/v1/logs", server.otlp_http))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[test]
fn bad_otlp_payloads_are_named_counted_and_the_server_goes_on() {
    use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "");
    let otlp_http = |content_type: &str, encoding: Option<&str>, body: Vec<u8>| {
        let url = format!("http://{}/v1/logs", server.otlp_http);
        let (status, reply) = post_url(&url, content_type, encoding, body);
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        (status, message.to_owned())
    };
    let (status, message) = otlp_http("application/x-protobuf", None, vec![0x0a, 0xff]);
    assert_eq!(status, 400, "{message}");
    assert!(message.starts_with("malformed OTLP protobuf"), "{message}");
    let (status, message) = otlp_http("application/x-protobuf", Some("gzip"), b"not gzip".to_vec());
    assert_eq!(status, 400, "{message}");
    assert!(message.starts_with("invalid gzip body"), "{message}");

    // gzip- and zstd-compressed gRPC calls are still accepted.
    let now = now_nanos() as u64;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for encoding in [
            tonic::codec::CompressionEncoding::Gzip,
            tonic::codec::CompressionEncoding::Zstd,
        ] {
            let mut grpc = LogsServiceClient::connect(format!("http://{}", server.otlp_grpc))
                .await
                .unwrap()
                .send_compressed(encoding);
            let request = otlp_logs(&format!("{encoding:?}"), now);
            let reply = grpc.export(request).await.unwrap().into_inner();
            assert_eq!(reply.partial_success, None);
        }
    });

    let stats = server.ingest_stats();
    let logs = &stats["datasets"]["logs"];
    assert_eq!(logs["rejected_payloads"], 2, "{stats}");
    assert_eq!(logs["rejected_payloads_by_problem"]["malformed"], 1);
    assert_eq!(logs["rejected_payloads_by_problem"]["bad_compression"], 1);
    assert!(
        logs["last_payload_error"]
            .as_str()
            .unwrap()
            .starts_with("invalid gzip body")
    );
    assert_eq!(logs["rejected_records"], 0);
    assert_eq!(logs["accepted_records"], 2);
    assert_eq!(server.count("SELECT count(*) AS n FROM logs"), 2);
}
