//! `derive` on batches decoded from NDJSON as the ingest pipeline decodes
//! them: spans get endpoints and peers and give rollups and errors; logs with
//! exceptions give errors; oversized values stay bounded.

use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use arrow::record_batch::RecordBatch;
use derived::derive;
use formats::{OtlpEncoding, TimeWindow, decode_ndjson};
use model::{DatasetName, DatasetSchema};

const NOW: i64 = 1_790_000_000_000_000_000;

fn decode(dataset: &DatasetName, lines: &[serde_json::Value]) -> RecordBatch {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let window = TimeWindow::new(NOW, 86_400_000_000_000, 3_600_000_000_000);
    let decoded = decode_ndjson(
        text.as_bytes(),
        &DatasetSchema::new(dataset.kind()),
        &window,
    )
    .unwrap();
    assert_eq!(decoded.rejected, 0, "{:?}", decoded.reject_samples);
    decoded.built.unwrap().batch
}

fn texts(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let c = batch.column_by_name(column).unwrap().as_string::<i32>();
    (0..c.len())
        .map(|i| (!c.is_null(i)).then(|| c.value(i).to_owned()))
        .collect()
}

fn ints(batch: &RecordBatch, column: &str) -> Vec<i64> {
    let c = batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<Int64Type>();
    c.values().to_vec()
}

fn span(kind: &str, name: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut v = serde_json::json!({
        "timestamp": NOW - 30_000_000_000, "duration_ns": 12_000_000, "service": "jobs-api",
        "env": "prod", "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "span_id": "b7ad6b7169203331", "name": name, "kind": kind, "status_code": "ok",
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

#[test]
fn spans_get_endpoints_peers_rollups_and_errors() {
    let spans = DatasetName::spans();
    let stack = "com.acme.jobs.NotFound: job 42\n\tat com.acme.jobs.JobService.find(JobService.kt:31)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)";
    let events = serde_json::json!([{"name": "exception", "attributes": {
        "exception.type": "com.acme.jobs.NotFound", "exception.message": "job 42",
        "exception.stacktrace": stack}}]);
    let batch = decode(
        &spans,
        &[
            span(
                "server",
                "GET",
                serde_json::json!({"http.request.method": "GET", "http.route": "/v1/jobs/{id}"}),
            ),
            span(
                "server",
                "GET",
                serde_json::json!({"http.request.method": "GET", "http.route": "/v1/jobs/{id}",
                "status_code": "error", "events": events.to_string()}),
            ),
            span(
                "client",
                "SELECT jobs",
                serde_json::json!({"db.system": "postgresql", "db.namespace": "jobs"}),
            ),
            span(
                "client",
                "GET",
                serde_json::json!({"peer.service": "search", "server.address": "search.internal"}),
            ),
            span(
                "producer",
                "publish",
                serde_json::json!({"messaging.system": "aws_sqs", "messaging.destination.name": "emails"}),
            ),
            span("internal", "render", serde_json::json!({})),
            span(
                "server",
                "custom",
                serde_json::json!({"endpoint": "given by the record"}),
            ),
        ],
    );
    let out = derive(&spans, batch).unwrap();
    assert_eq!(
        texts(&out.batch, "endpoint"),
        [
            Some("GET /v1/jobs/{id}"),
            Some("GET /v1/jobs/{id}"),
            Some("SELECT jobs"),
            Some("GET"),
            Some("publish"),
            Some("render"),
            Some("given by the record"),
        ]
        .map(|s| s.map(String::from))
    );
    assert_eq!(
        texts(&out.batch, "peer"),
        [
            None,
            None,
            Some("postgresql jobs"),
            Some("search"),
            Some("emails"),
            None,
            None
        ]
        .map(|s| s.map(String::from))
    );
    assert_eq!(
        texts(&out.batch, "peer_kind"),
        [
            None,
            None,
            Some("database"),
            Some("service"),
            Some("queue"),
            None,
            None
        ]
        .map(|s| s.map(String::from))
    );

    let names: Vec<&str> = out.derived.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(names, ["span_metrics", "span_metrics_1h", "errors"]);
    let rollup = &out.derived[0].1;
    // The two /v1/jobs/{id} spans share a row (same minute and latency
    // bucket); the internal span is not rolled up.
    assert_eq!(rollup.num_rows(), 5);
    let count: i64 = ints(rollup, "count").iter().sum();
    let errors: i64 = ints(rollup, "errors").iter().sum();
    assert_eq!((count, errors), (6, 1));
    let endpoints = texts(rollup, "endpoint");
    let counts = ints(rollup, "count");
    let jobs = endpoints
        .iter()
        .position(|e| e.as_deref() == Some("GET /v1/jobs/{id}"))
        .unwrap();
    assert_eq!(counts[jobs], 2);
    assert_eq!(ints(rollup, "duration_sum_ns")[jobs], 24_000_000);
    let minute = rollup
        .column_by_name("timestamp")
        .unwrap()
        .as_primitive::<arrow::datatypes::TimestampNanosecondType>()
        .value(0);
    assert_eq!(minute % 60_000_000_000, 0);
    // The hourly rollup has the same rows here (one minute of spans), stamped
    // at the hour.
    let hourly = &out.derived[1].1;
    assert_eq!(ints(hourly, "count").iter().sum::<i64>(), 6);
    let hour = hourly
        .column_by_name("timestamp")
        .unwrap()
        .as_primitive::<arrow::datatypes::TimestampNanosecondType>()
        .value(0);
    assert_eq!(hour % 3_600_000_000_000, 0);
    assert!(hour <= minute && minute - hour < 3_600_000_000_000);

    let errors = &out.derived[2].1;
    assert_eq!(errors.num_rows(), 1);
    assert_eq!(
        texts(errors, "error_type")[0].as_deref(),
        Some("com.acme.jobs.NotFound")
    );
    assert_eq!(
        texts(errors, "culprit")[0].as_deref(),
        Some("com.acme.jobs.JobService.find (JobService.kt:31)")
    );
    assert_eq!(texts(errors, "source")[0].as_deref(), Some("span"));
    assert_eq!(
        texts(errors, "endpoint")[0].as_deref(),
        Some("GET /v1/jobs/{id}")
    );
    assert_eq!(texts(errors, "fingerprint")[0].as_ref().unwrap().len(), 16);
}

#[test]
fn exception_logs_become_errors_with_the_same_fingerprint_as_their_span() {
    let logs = DatasetName::logs();
    let stack = "AxiosError: Network Error\n    at AdsClient.fetchSlots (/app/dist/clients/ads.client.js:41:11)";
    let batch = decode(
        &logs,
        &[
            serde_json::json!({"timestamp": NOW - 1_000_000_000, "service": "web-bff", "level": "error",
                "message": "ads call failed", "exception.type": "AxiosError",
                "exception.message": "Network Error", "exception.stacktrace": stack,
                "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"}),
            serde_json::json!({"timestamp": NOW - 1_000_000_000, "service": "web-bff", "level": "error",
                "message": "plain error line, no exception"}),
            serde_json::json!({"timestamp": NOW - 1_000_000_000, "service": "web-bff", "level": "error",
                "message": "grouped by the client", "error.kind": "Timeout", "error.fingerprint": "ads-timeouts"}),
        ],
    );
    let out = derive(&logs, batch).unwrap();
    assert_eq!(out.derived.len(), 1);
    let errors = &out.derived[0].1;
    assert_eq!(errors.num_rows(), 2);
    assert_eq!(texts(errors, "source")[0].as_deref(), Some("log"));
    assert_eq!(
        texts(errors, "trace_id")[0].as_deref(),
        Some("0af7651916cd43dd8448eb211c80319c")
    );
    assert_eq!(
        texts(errors, "message")[1].as_deref(),
        Some("grouped by the client")
    );
    let (span_fp, _) = derived::fingerprint("AxiosError", "Network Error", Some(stack), None);
    assert_eq!(
        texts(errors, "fingerprint")[0].as_deref(),
        Some(span_fp.as_str())
    );
    let (client_fp, _) = derived::fingerprint("Other", "x", None, Some("ads-timeouts"));
    assert_eq!(
        texts(errors, "fingerprint")[1].as_deref(),
        Some(client_fp.as_str())
    );
}

#[test]
fn gigantic_values_stay_bounded() {
    let spans = DatasetName::spans();
    let huge_stack = format!(
        "Boom: x\n\tat com.acme.A.run(A.java:1)\n{}",
        "\tat com.acme.Deep.call(Deep.java:2)\n".repeat(20_000)
    );
    let events = serde_json::json!([{"name": "exception", "attributes": {
        "exception.type": "Boom", "exception.message": "m".repeat(100_000),
        "exception.stacktrace": huge_stack}}]);
    let batch = decode(
        &spans,
        &[span(
            "server",
            &"n".repeat(10_000),
            serde_json::json!({"status_code": "error", "events": events.to_string()}),
        )],
    );
    let out = derive(&spans, batch).unwrap();
    assert_eq!(
        texts(&out.batch, "endpoint")[0]
            .as_ref()
            .unwrap()
            .chars()
            .count(),
        derived::MAX_LABEL_CHARS
    );
    let errors = &out
        .derived
        .iter()
        .find(|(name, _)| name.as_str() == "errors")
        .unwrap()
        .1;
    assert!(texts(errors, "stack")[0].as_ref().unwrap().len() <= derived::MAX_STACK_BYTES);
    assert_eq!(
        texts(errors, "message")[0]
            .as_ref()
            .unwrap()
            .chars()
            .count(),
        derived::MAX_MESSAGE_CHARS
    );
    assert_eq!(
        texts(errors, "culprit")[0].as_deref(),
        Some("com.acme.A.run (A.java:1)")
    );
}

fn call_span(
    service: &str,
    kind: &str,
    trace: &str,
    span_id: &str,
    parent: Option<&str>,
) -> serde_json::Value {
    let mut extra = serde_json::json!({
        "service": service, "trace_id": trace, "span_id": span_id,
        "server.address": "orders.internal", "server.port": 8080,
    });
    if let Some(p) = parent {
        extra["parent_span_id"] = p.into();
    }
    span(kind, "GET", extra)
}

/// (caller, peer, callee, count) rows of a `call_pairs` batch, sorted.
fn pairs(batch: &RecordBatch) -> Vec<(String, String, String, i64)> {
    let (s, p, c) = (
        texts(batch, "service"),
        texts(batch, "peer"),
        texts(batch, "callee"),
    );
    let n = ints(batch, "count");
    let mut out: Vec<_> = (0..batch.num_rows())
        .map(|i| {
            let t = |v: &Vec<Option<String>>| v[i].clone().unwrap_or_default();
            (t(&s), t(&p), t(&c), n[i])
        })
        .collect();
    out.sort();
    out
}

fn enriched(lines: &[serde_json::Value]) -> RecordBatch {
    derive(&DatasetName::spans(), decode(&DatasetName::spans(), lines))
        .unwrap()
        .batch
}

#[test]
fn calls_are_paired_across_batches_in_either_order() {
    let mut pairer = derived::CallPairer::new(1_000);
    // Batch 1: web's client span of trace A, and api's server span of trace
    // B whose client span comes later.
    let first = enriched(&[
        call_span("web", "client", "a1", "c1", Some("r1")),
        call_span("api", "server", "b1", "s2", Some("c2")),
        // A root server span has no caller to wait for.
        call_span("web", "server", "a1", "r1", None),
    ]);
    assert!(pairer.feed(&first).unwrap().is_none());
    assert_eq!(pairer.pending(), 2);
    // Batch 2: the other ends, plus a call within one batch, plus a span
    // whose parent is in another trace (no pair).
    let second = enriched(&[
        call_span("api", "server", "a1", "s1", Some("c1")),
        call_span("web", "client", "b1", "c2", Some("r2")),
        call_span("web", "client", "d1", "c3", None),
        call_span("api", "server", "d1", "s3", Some("c3")),
        call_span("api", "server", "zz", "s4", Some("c1")),
    ]);
    let rows = pairs(&pairer.feed(&second).unwrap().unwrap());
    assert_eq!(
        rows,
        [("web".into(), "orders.internal:8080".into(), "api".into(), 3)]
    );
    assert_eq!(pairer.pending(), 1, "only the stray server span waits");
}

#[test]
fn the_pairer_stays_within_its_bound() {
    let mut pairer = derived::CallPairer::new(100);
    let lines: Vec<_> = (0..1_000)
        .map(|i| call_span("web", "client", &format!("t{i}"), "c", None))
        .collect();
    assert!(pairer.feed(&enriched(&lines)).unwrap().is_none());
    assert_eq!(pairer.pending(), 100);
    assert_eq!(pairer.evicted(), 900);
    // The newest ends are the ones kept.
    let answer = enriched(&[
        call_span("api", "server", "t999", "s", Some("c")),
        call_span("api", "server", "t0", "s", Some("c")),
    ]);
    let rows = pairs(&pairer.feed(&answer).unwrap().unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].3, 1);
}

/// The spans real instrumentations send, one export request per service
/// and line (`test_data/capture_flask_spans.py`): shop calls pricing and
/// orders, two Flask services on one host, with the requests
/// instrumentation; no peer.service anywhere.
fn flask_spans(fixture: &str) -> Vec<RecordBatch> {
    let path = format!("{}/tests/test_data/{fixture}", env!("CARGO_MANIFEST_DIR"));
    // The fixtures keep their capture time: any time is in this window.
    let window = TimeWindow::new(NOW, i64::MAX / 4, i64::MAX / 4);
    let schema = DatasetSchema::new(DatasetName::spans().kind());
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|document| {
            let request =
                formats::parse_otlp_traces(document.as_bytes(), OtlpEncoding::Json).unwrap();
            let decoded = formats::decode_otlp_traces(&request, &schema, &window).unwrap();
            assert_eq!(decoded.rejected, 0, "{:?}", decoded.reject_samples);
            let batch = decoded.built.unwrap().batch;
            derive(&DatasetName::spans(), batch).unwrap().batch
        })
        .collect()
}

/// (peer, calls, errors) of the client rows of a span_metrics rollup.
fn client_calls(spans: &RecordBatch) -> Vec<(String, i64, i64)> {
    let out = derive(&DatasetName::spans(), spans.clone()).unwrap();
    let (_, rollup) = out
        .derived
        .iter()
        .find(|(name, _)| *name == DatasetName::span_metrics())
        .unwrap();
    let (kinds, peers) = (texts(rollup, "kind"), texts(rollup, "peer"));
    let (counts, errors) = (ints(rollup, "count"), ints(rollup, "errors"));
    let mut sums: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for i in 0..rollup.num_rows() {
        if kinds[i].as_deref() == Some("client") {
            let sum = sums
                .entry(peers[i].clone().unwrap_or_default())
                .or_default();
            sum.0 += counts[i];
            sum.1 += errors[i];
        }
    }
    sums.into_iter()
        .map(|(peer, (n, e))| (peer, n, e))
        .collect()
}

#[test]
fn calls_between_real_flask_services_on_one_host_pair_by_host_and_port() {
    let fixtures = [
        // Old HTTP conventions: the client span has http.url only.
        (
            "flask_spans_old_semconv.json",
            "127.0.0.1:38807",
            "127.0.0.1:43355",
        ),
        // OTEL_SEMCONV_STABILITY_OPT_IN=http: server.address, server.port
        // and url.full.
        (
            "flask_spans_http_semconv.json",
            "127.0.0.1:41877",
            "127.0.0.1:45201",
        ),
    ];
    for (fixture, pricing, orders) in fixtures {
        let batches = flask_spans(fixture);
        let shop = &batches[2];
        // Callees' requests first (the caller flushes last), then the other
        // way round: either way each call lands on the service behind its
        // own peer.
        for order in [[0, 1, 2], [2, 1, 0]] {
            let mut pairer = derived::CallPairer::new(1_000);
            let mut rows = Vec::new();
            for i in order {
                if let Some(found) = pairer.feed(&batches[i]).unwrap() {
                    rows.extend(pairs(&found));
                }
            }
            rows.sort_by(|a, b| a.2.cmp(&b.2));
            let row = |peer: &str, callee: &str| {
                ("shop".to_owned(), peer.to_owned(), callee.to_owned(), 2)
            };
            assert_eq!(
                rows,
                [row(orders, "orders"), row(pricing, "pricing")],
                "{fixture}"
            );
        }
        // The caller's rollups name the same peers, so the map finds where
        // each peer lands, and pricing's failure stays on pricing's peer.
        assert_eq!(
            client_calls(shop),
            [(pricing.to_owned(), 2, 1), (orders.to_owned(), 2, 0)],
            "{fixture}"
        );
    }
}
