//! The Python OpenTelemetry SDK, with its OTLP gRPC and HTTP exporters, sends
//! logs, traces and metrics; queries return exactly what it sent.

use std::process::Command;

use crate::harness::{Server, python};

#[test]
fn opentelemetry_sdk_over_grpc_and_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/otel_send.py");
    let output = Command::new(python())
        .arg(script)
        .arg(format!("http://{}", server.otlp_grpc))
        .arg(format!("http://{}", server.otlp_http))
        .output()
        .expect("run the OpenTelemetry SDK script");
    assert!(
        output.status.success(),
        "otel_send.py failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    for transport in ["grpc", "http"] {
        let service = format!("otel-e2e-{transport}");
        // Traces: one checkout trace of three spans, parent links intact.
        let spans = server.sql(&format!(
            "SELECT name, kind, status_code, parent_span_id, span_id, trace_id, \"app.order_id\", env, \"http.route\" \
             FROM spans WHERE service = '{service}' ORDER BY timestamp"
        ));
        assert_eq!(spans.len(), 3, "{transport}: {spans:?}");
        assert_eq!(spans[0]["name"], "POST /checkout");
        assert_eq!(spans[0]["kind"], "server");
        assert_eq!(spans[0]["env"], "e2e");
        assert_eq!(spans[0]["http.route"], "/checkout");
        assert!(spans[0].get("parent_span_id").is_none());
        assert_eq!(spans[1]["name"], "SELECT orders");
        assert_eq!(spans[1]["kind"], "client");
        assert_eq!(spans[1]["parent_span_id"], spans[0]["span_id"]);
        assert_eq!(spans[2]["name"], "charge card");
        assert_eq!(spans[2]["status_code"], "error");
        assert_eq!(spans[2]["parent_span_id"], spans[0]["span_id"]);
        assert!(spans.iter().all(|s| s["trace_id"] == spans[0]["trace_id"]));
        assert_eq!(spans[0]["app.order_id"], 4711);
        let events = server.sql(&format!(
            "SELECT events FROM spans WHERE service = '{service}' AND status_code = 'error'"
        ));
        let events: serde_json::Value =
            serde_json::from_str(events[0]["events"].as_str().unwrap()).unwrap();
        assert_eq!(events[0]["name"], "exception");
        assert_eq!(events[0]["attributes"]["exception.type"], "ValueError");

        // Logs: three records, with levels and the trace they were written in.
        let logs = server.sql(&format!("SELECT level, body, trace_id, \"app.attempt\" FROM logs WHERE service = '{service}' ORDER BY timestamp"));
        let bodies: Vec<&str> = logs.iter().map(|l| l["body"].as_str().unwrap()).collect();
        assert_eq!(
            bodies,
            ["checkout started", "card declined", "checkout finished"],
            "{transport}"
        );
        assert_eq!(logs[1]["level"], "error");
        assert_eq!(logs[1]["app.attempt"], 2);
        assert_eq!(logs[0]["trace_id"], spans[0]["trace_id"]);

        // The trace as a waterfall, with its logs one request away.
        let trace_id = spans[0]["trace_id"].as_str().unwrap();
        let reply = crate::harness::client()
            .get(server.url(&format!("/api/v1/apm/traces/{}", trace_id.to_uppercase())))
            .send()
            .unwrap();
        assert_eq!(reply.status(), 200, "{transport}");
        let trace: serde_json::Value = reply.json().unwrap();
        let rows: Vec<(&str, u64)> = trace["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap(), s["depth"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            rows,
            [
                ("POST /checkout", 0),
                ("SELECT orders", 1),
                ("charge card", 1)
            ],
            "{transport}: {trace}"
        );
        assert_eq!(trace["roots"], serde_json::json!([0]));
        assert_eq!(trace["spans"][0]["children"], serde_json::json!([1, 2]));
        assert_eq!(trace["errors"], 1);
        assert_eq!(trace["spans"][2]["error"], true);
        assert_eq!(trace["spans"][0]["on_critical_path"], true);
        assert_eq!(trace["missing_parents"], 0);
        assert_eq!(trace["services"], serde_json::json!([service]));
        let trace_logs: Vec<&str> = trace["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["body"].as_str().unwrap())
            .collect();
        assert_eq!(trace_logs, bodies, "{transport}");
        // The service catalog: one entry span (POST /checkout), not an error.
        let catalog: serde_json::Value = crate::harness::client()
            .get(server.url("/api/v1/apm/services?env=e2e"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let entry = catalog["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == service)
            .unwrap_or_else(|| panic!("{transport}: {catalog}"));
        assert_eq!(entry["requests"], 1, "{entry}");
        assert_eq!(entry["errors"], 0);
        assert_eq!(entry["env"], "e2e");
        assert!(entry["p95_ms"].as_f64().unwrap() > 0.0);
        assert_eq!(
            entry["requests_series"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>(),
            1
        );
        let missing = crate::harness::client()
            .get(server.url("/api/v1/apm/traces/00000000000000000000000000000001"))
            .send()
            .unwrap();
        assert_eq!(missing.status(), 404);
        let bad = crate::harness::client()
            .get(server.url("/api/v1/apm/traces/not-a-trace"))
            .send()
            .unwrap();
        assert_eq!(bad.status(), 400);

        // Metrics: the counter's sum and the histogram's count and sum.
        let counter = server.sql(&format!(
            "SELECT value, kind, is_monotonic FROM metrics WHERE service = '{service}' AND metric = 'orders.placed' ORDER BY timestamp DESC LIMIT 1"
        ));
        assert_eq!(counter[0]["value"], 5.0, "{transport}: {counter:?}");
        assert_eq!(counter[0]["kind"], "sum");
        assert_eq!(counter[0]["is_monotonic"], true);
        let histogram = server.sql(&format!(
            "SELECT count, sum, min, max, unit FROM metrics WHERE service = '{service}' AND metric = 'checkout.duration' ORDER BY timestamp DESC LIMIT 1"
        ));
        assert_eq!(histogram[0]["count"], 3, "{transport}: {histogram:?}");
        assert_eq!(histogram[0]["sum"], 60.0);
        assert_eq!(histogram[0]["min"], 10.0);
        assert_eq!(histogram[0]["max"], 30.0);
        assert_eq!(histogram[0]["unit"], "ms");
    }
}
