//! Three real instrumented services: Flask apps with the OpenTelemetry
//! Flask, requests and sqlite3 instrumentations (`apm_flask.py`), shop-web
//! calling orders-api (calling SQLite) and pricing, both on one host, with
//! no peer.service. hannun derives the service map edges, the endpoint RED
//! numbers, the waterfall and the error issues from their spans.

use std::process::Command;

use serde_json::Value;

use crate::harness::{Server, client, python};

fn get(server: &Server, path: &str) -> Value {
    let reply = client().get(server.url(path)).send().unwrap();
    let status = reply.status();
    let body: Value = reply.json().unwrap_or(Value::Null);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value:?} in {list}"))
}

/// Sends NDJSON span lines; every line must be accepted.
fn post_spans(server: &Server, lines: String) {
    let expected = lines.lines().count();
    let reply = client()
        .post(server.url("/api/v1/ingest/spans"))
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .unwrap();
    assert_eq!(reply.status(), 200);
    let outcome: Value = reply.json().unwrap();
    assert_eq!(outcome["accepted"], expected, "{outcome}");
}

#[test]
fn flask_services_map_endpoints_waterfall_and_issues() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/apm_flask.py");
    let output = Command::new(python())
        .arg(script)
        .arg("drive")
        .arg(format!("http://{}", server.otlp_http))
        .output()
        .expect("run the Flask services");
    assert!(
        output.status.success(),
        "apm_flask.py failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let sent: Value = serde_json::from_slice(output.stdout.trim_ascii()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"ok": 12, "failed": 3, "priced": 4, "unpriced": 4})
    );
    let range = "env=flask-e2e";

    // The service map: shop-web -> orders-api and shop-web -> pricing paired
    // through the HTTP client and server spans, each call on its own edge
    // although both services listen on 127.0.0.1 (their ports differ);
    // orders-api -> the SQLite database, a virtual node.
    let map = get(&server, &format!("/api/v1/apm/service-map?{range}"));
    let edges = &map["edges"];
    for (callee, requests, errors) in [("orders-api", 15, 3), ("pricing", 8, 4)] {
        let target = format!("service:{callee}");
        let call = edges
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["source"] == "service:shop-web" && e["target"] == target)
            .unwrap_or_else(|| panic!("no shop-web -> {callee} edge: {map}"));
        assert_eq!(call["requests"], requests, "{call}");
        assert_eq!(call["errors"], errors, "{call}");
        assert_eq!(call["paired"], true);
    }
    let db = edges
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["source"] == "service:orders-api"
                && e["target"].as_str().unwrap().starts_with("database:sqlite")
        })
        .unwrap_or_else(|| panic!("no orders-api -> sqlite edge: {map}"));
    assert_eq!(db["requests"], 15, "{db}");
    assert_eq!(db["paired"], false);
    let db_node = find(&map["nodes"], "id", db["target"].as_str().unwrap());
    assert_eq!(db_node["kind"], "database");
    assert_eq!(db_node["virtual"], true);
    assert_eq!(map["edges"].as_array().unwrap().len(), 3, "{map}");

    // Endpoint RED from the rollups derived at ingest.
    let orders = get(&server, &format!("/api/v1/apm/services/orders-api?{range}"));
    let endpoint = find(
        &orders["endpoints"],
        "endpoint",
        "GET /orders/<int:order_id>",
    );
    assert_eq!(endpoint["requests"], 15, "{orders}");
    assert_eq!(endpoint["errors"], 3);
    assert_eq!(endpoint["kind"], "server");
    assert!(endpoint["p95_ms"].as_f64().unwrap() >= endpoint["p50_ms"].as_f64().unwrap());
    assert_eq!(orders["summary"]["requests"], 15);
    assert!((orders["summary"]["error_rate"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    let dependency = &orders["dependencies"][0];
    assert_eq!(dependency["peer_kind"], "database", "{orders}");
    assert!(dependency["peer"].as_str().unwrap().starts_with("sqlite"));
    assert_eq!(dependency["requests"], 15);
    assert_eq!(
        dependency["callee"],
        Value::Null,
        "nothing instrumented answers SQLite"
    );
    let series_total: u64 = orders["series"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(series_total, 15);
    let shop = get(&server, &format!("/api/v1/apm/services/shop-web?{range}"));
    let endpoint = find(
        &shop["endpoints"],
        "endpoint",
        "GET /shop/orders/<int:order_id>",
    );
    assert_eq!(endpoint["requests"], 15, "{shop}");
    assert_eq!(endpoint["errors"], 3);
    // Its HTTP client calls go to two ports of one host, each seen answered
    // by one service.
    for (callee, requests, errors) in [("orders-api", 15, 3), ("pricing", 8, 4)] {
        let dependency = find(&shop["dependencies"], "callee", callee);
        assert!(
            dependency["peer"]
                .as_str()
                .unwrap()
                .starts_with("127.0.0.1:"),
            "{dependency}"
        );
        assert_eq!(dependency["requests"], requests, "{dependency}");
        assert_eq!(dependency["errors"], errors, "{dependency}");
    }
    let catalog = get(&server, &format!("/api/v1/apm/services?{range}"));
    assert_eq!(
        catalog["services"].as_array().unwrap().len(),
        3,
        "{catalog}"
    );
    // pricing's failures are its own issue.
    let issues = get(&server, "/api/v1/issues?service=pricing");
    let issue = &issues["issues"][0];
    assert!(
        issue["title"]
            .as_str()
            .unwrap_or_default()
            .contains("PriceUnavailable"),
        "{issues}"
    );
    assert_eq!(issue["count"], 4, "{issue}");

    // Trace search finds the three failed requests; the waterfall of one is
    // shop-web server -> HTTP client -> orders-api server -> SQLite query.
    let found = get(&server, "/api/v1/apm/traces?service=shop-web&status=error");
    let traces = found["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 3, "{found}");
    assert_eq!(
        traces[0]["services"],
        serde_json::json!(["orders-api", "shop-web"])
    );
    assert_eq!(traces[0]["endpoint"], "GET /shop/orders/<int:order_id>");
    // Filters match root spans unless the scope says otherwise: the SQLite
    // client spans are deep in each trace.
    let db_spans = "q=service:orders-api%20kind:client";
    let roots = get(&server, &format!("/api/v1/apm/traces?{db_spans}"));
    assert_eq!(roots["traces"].as_array().unwrap().len(), 0, "{roots}");
    let any = get(&server, &format!("/api/v1/apm/traces?scope=all&{db_spans}"));
    let any = any["traces"].as_array().unwrap();
    assert_eq!(any.len(), 15, "{any:?}");
    assert_eq!(any[0]["service"], "orders-api");
    assert!(any[0]["span_id"].is_string());
    assert_eq!(
        any[0]["services"],
        serde_json::json!(["orders-api", "shop-web"])
    );
    // A trace with hundreds of matching spans does not crowd out an older
    // trace with one.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let mut lines = String::new();
    for (trace, spans, age_s) in [("f1", 500, 60), ("f2", 1, 120)] {
        for i in 0..spans {
            let parent = if i == 0 {
                String::new()
            } else {
                format!(r#","parent_span_id":"{trace}-0""#)
            };
            lines.push_str(&format!(
                r#"{{"timestamp":{},"duration_ns":1000,"service":"loader","env":"flask-e2e","trace_id":"{trace}","span_id":"{trace}-{i}"{parent},"name":"write-rows","kind":"internal"}}"#,
                now - age_s * 1_000_000_000 + i as i64
            ));
            lines.push('\n');
        }
    }
    post_spans(&server, lines);
    let found = get(
        &server,
        "/api/v1/apm/traces?scope=all&q=name:write-rows&limit=5",
    );
    let ids: Vec<&str> = found["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trace_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["f1", "f2"], "{found}");
    assert_eq!(found["traces"][0]["span_id"], "f1-499");
    assert_eq!(found["traces"][0]["span_count"], 500);

    // Long ranges read hourly rollups for their whole hours and minute
    // rollups at the ends: the totals match a short range's minute rollups.
    let hour_ns: i64 = 3_600_000_000_000;
    let old = (now - 72 * hour_ns).div_euclid(hour_ns) * hour_ns + 10 * 60_000_000_000;
    let mut lines = String::new();
    for i in 0..10i64 {
        let status = if i < 2 { "error" } else { "ok" };
        lines.push_str(&format!(
            r#"{{"timestamp":{},"duration_ns":{},"service":"history","env":"flask-e2e","trace_id":"h{i}","span_id":"h{i}","name":"GET /old","kind":"server","status_code":"{status}"}}"#,
            old + i * 7 * 60_000_000_000,
            (i + 1) * 1_000_000
        ));
        lines.push('\n');
    }
    post_spans(&server, lines);
    // The hourly rollup holds the ten spans in one row per latency bucket.
    let hourly: Value = client()
        .post(server.url("/api/v1/sql"))
        .json(&serde_json::json!({"sql": "SELECT sum(count) AS n, count(DISTINCT \"timestamp\") AS hours FROM span_metrics_1h WHERE service = 'history'"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(hourly["rows"][0]["n"], 10, "{hourly}");
    assert_eq!(hourly["rows"][0]["hours"], 2, "{hourly}");
    let week = format!("from={}&to={now}", now - 7 * 24 * hour_ns);
    let short = format!("from={}&to={}", old - hour_ns, old + 2 * hour_ns);
    for range in [&week, &short] {
        let page = get(&server, &format!("/api/v1/apm/services/history?{range}"));
        assert_eq!(page["summary"]["requests"], 10, "{range}: {page}");
        assert_eq!(page["summary"]["errors"], 2);
        let charted: u64 = page["series"]["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(charted, 10, "{range}");
        let p95 = page["summary"]["p95_ms"].as_f64().unwrap();
        assert!((9.0..=10.5).contains(&p95), "{p95}");
    }
    let page = get(&server, &format!("/api/v1/apm/services/history?{week}"));
    assert_eq!(page["bucket_seconds"].as_i64().unwrap() % 3600, 0);
    assert_eq!(
        page["series"]["timestamps_ms"][0].as_i64().unwrap() % 3_600_000,
        0,
        "hour-wide buckets start on the hour"
    );
    let catalog = get(
        &server,
        &format!("/api/v1/apm/services?{week}&env=flask-e2e"),
    );
    assert_eq!(
        find(&catalog["services"], "service", "history")["requests"],
        10
    );

    let trace_id = traces[0]["trace_id"].as_str().unwrap();
    let trace = get(&server, &format!("/api/v1/apm/traces/{trace_id}"));
    let rows: Vec<(String, String, u64)> = trace["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap().to_owned(),
                s["fields"]["kind"].as_str().unwrap().to_owned(),
                s["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, u64)> = [
        ("shop-web", "server", 0),
        ("shop-web", "client", 1),
        ("orders-api", "server", 2),
        ("orders-api", "client", 3),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
    .collect();
    assert_eq!(rows, expected, "{trace}");
    assert_eq!(trace["missing_parents"], 0);
    assert_eq!(trace["spans"][2]["error"], true);

    // The exception orders-api raised is one issue, blamed on the handler.
    let issues = get(&server, "/api/v1/issues?service=orders-api");
    let list = issues["issues"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{issues}");
    let issue = &list[0];
    assert!(
        issue["title"]
            .as_str()
            .unwrap()
            .contains("OrderNotFound: order"),
        "{issue}"
    );
    assert_eq!(issue["count"], 3, "{issue}");
    assert_eq!(issue["status"], "open");
    assert_eq!(issue["services"], serde_json::json!(["orders-api"]));
    let culprit = issue["culprit"].as_str().unwrap();
    assert!(
        culprit.starts_with("get_order (") && culprit.contains("apm_flask.py"),
        "{culprit}"
    );
    let fingerprint = issue["fingerprint"].as_str().unwrap();
    let detail = get(&server, &format!("/api/v1/issues/{fingerprint}"));
    assert!(
        detail["stack"]
            .as_str()
            .unwrap()
            .contains("raise OrderNotFound"),
        "{detail}"
    );
    assert_eq!(detail["samples"].as_array().unwrap().len(), 3);
    assert!(detail["samples"][0]["trace_id"].is_string());
    let counted: u64 = detail["series"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 3);

    // A status or list parameter outside its vocabulary is refused, naming it.
    let reply = client()
        .put(server.url(&format!("/api/v1/issues/{fingerprint}/status")))
        .json(&serde_json::json!({"status": "fixed"}))
        .send()
        .unwrap();
    assert_eq!(reply.status(), 400);
    let text = reply.text().unwrap();
    assert!(
        text.contains("status must be open, resolved or ignored"),
        "{text}"
    );
    for bad in [
        "issues?sort=oldest",
        "issues?status=closed",
        "apm/traces?scope=every",
    ] {
        let reply = client()
            .get(server.url(&format!("/api/v1/{bad}")))
            .send()
            .unwrap();
        assert_eq!(reply.status(), 400, "{bad}");
        let text = reply.text().unwrap();
        assert!(text.contains("must be"), "{bad}: {text}");
    }

    // Resolving it hides it from the open list; it is listed as resolved.
    let reply = client()
        .put(server.url(&format!("/api/v1/issues/{fingerprint}/status")))
        .json(&serde_json::json!({"status": "resolved"}))
        .send()
        .unwrap();
    assert_eq!(reply.status(), 200);
    let open = get(&server, "/api/v1/issues?service=orders-api");
    assert_eq!(open["issues"].as_array().unwrap().len(), 0, "{open}");
    let resolved = get(&server, "/api/v1/issues?service=orders-api&status=resolved");
    assert_eq!(resolved["issues"][0]["fingerprint"], fingerprint);
    assert_eq!(resolved["issues"][0]["regressed"], false);

    // The same error again, after it was resolved: a regression, open again.
    let now = crate::harness::now_nanos();
    let events = serde_json::json!([{
        "name": "exception",
        "attributes": {
            "exception.type": issue["error_type"],
            "exception.message": "order 5 does not exist",
            "exception.stacktrace": detail["stack"],
        }
    }]);
    let span = serde_json::json!({
        "timestamp": now, "duration_ns": 1_000_000, "service": "orders-api",
        "env": "flask-e2e", "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "span_id": "b7ad6b7169203331", "name": "GET /orders/<int:order_id>",
        "kind": "server", "status_code": "error", "events": events.to_string(),
    });
    let reply = client()
        .post(server.url("/api/v1/ingest/spans"))
        .header("content-type", "application/x-ndjson")
        .body(span.to_string())
        .send()
        .unwrap();
    assert_eq!(reply.status(), 200);
    let open = get(&server, "/api/v1/issues?service=orders-api");
    let again = &open["issues"][0];
    assert_eq!(again["fingerprint"], fingerprint, "{open}");
    assert_eq!(again["status"], "open");
    assert_eq!(again["regressed"], true);
    assert_eq!(again["count"], 4);

    // Derived datasets are not writable directly.
    let reply = client()
        .post(server.url("/api/v1/ingest/errors"))
        .header("content-type", "application/x-ndjson")
        .body("{\"message\": \"x\"}")
        .send()
        .unwrap();
    assert_eq!(reply.status(), 400);
}
