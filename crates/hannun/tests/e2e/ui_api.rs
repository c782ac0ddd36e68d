//! What the web UI relies on, over HTTP: aggregations, the SQL time
//! macros, field values, dashboards and saved views that survive a restart,
//! and the embedded UI itself.

use crate::harness::{Server, client, now_nanos};

fn json(response: reqwest::blocking::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(serde_json::Value::Null))
}

fn ingest(server: &Server, now_ms: i64) {
    let lines: String = (0..60)
        .map(|i| {
            let service = ["jobs-api", "cards-api", "ads-api"][i % 3];
            let level = if i % 4 == 0 { "error" } else { "info" };
            format!(
                "{{\"timestamp\":{},\"service\":\"{service}\",\"level\":\"{level}\",\"message\":\"req {i}\",\"duration_ms\":{}}}\n",
                (now_ms - 60_000 * (i as i64 + 1)) as f64 / 1000.0,
                10 * (i + 1)
            )
        })
        .collect();
    let (status, body) = json(
        client()
            .post(server.url("/api/v1/ingest/logs"))
            .header("content-type", "application/x-ndjson")
            .body(lines)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 60);
}

#[test]
fn aggregations_dashboards_views_and_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "");
    let now_ms = now_nanos() / 1_000_000;
    ingest(&server, now_ms);
    let range = serde_json::json!({ "from_ms": now_ms - 7_200_000, "to_ms": now_ms + 1 });
    let post = |path: &str, body: serde_json::Value| {
        json(client().post(server.url(path)).json(&body).send().unwrap())
    };

    // Top list: errors by service (every 4th row is an error: 15 of 60).
    let mut request = serde_json::json!({
        "dataset": "logs", "query": "status:error",
        "measure": { "op": "count" }, "group_by": ["service"], "limit": 10
    });
    request
        .as_object_mut()
        .unwrap()
        .extend(range.as_object().unwrap().clone());
    let (status, body) = post("/api/v1/aggregate", request.clone());
    assert_eq!(status, 200, "{body}");
    let total: f64 = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 15.0, "{body}");
    assert!(body["sql"].as_str().unwrap().contains("GROUP BY"));

    // Time series of p95 duration; a bad measure names the problem.
    request["measure"] = serde_json::json!({ "op": "p95", "field": "duration_ms" });
    request["query"] = "".into();
    request["group_by"] = serde_json::json!([]);
    let (status, body) = post("/api/v1/timeseries", request.clone());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["series"].as_array().unwrap().len(), 1);
    assert!(body["bucket_seconds"].as_i64().unwrap() >= 60);
    request["measure"] = serde_json::json!({ "op": "median" });
    let (status, body) = post("/api/v1/timeseries", request.clone());
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("median"),
        "{body}"
    );

    // SQL with the time macros.
    let mut sql =
        serde_json::json!({ "sql": "SELECT count(*) AS n FROM logs WHERE $__timeFilter" });
    sql.as_object_mut()
        .unwrap()
        .extend(range.as_object().unwrap().clone());
    let (status, body) = post("/api/v1/sql", sql);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"][0]["n"], 60);
    let (status, body) = post(
        "/api/v1/sql",
        serde_json::json!({ "sql": "SELECT 1 WHERE $__timeFilter" }),
    );
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("$__timeFilter")
    );

    // Field values for autocomplete.
    let (status, body) = json(
        client()
            .get(server.url(&format!(
                "/api/v1/datasets/logs/values?field=service&prefix=ca&from_ms={}&to_ms={}",
                now_ms - 7_200_000,
                now_ms + 1
            )))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["values"],
        serde_json::json!([{ "value": "cards-api", "count": 20 }])
    );
    let (status, _) = json(
        client()
            .get(server.url("/api/v1/datasets/logs/values?prefix=x"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400, "field is required");

    // Dashboards and views: create, replace, list, delete, survive a restart.
    let (status, created) = post(
        "/api/v1/dashboards",
        serde_json::json!({ "title": "Jobs", "widgets": [{ "type": "note", "markdown": "hi" }] }),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, replaced) = json(
        client()
            .put(server.url(&format!("/api/v1/dashboards/{id}")))
            .json(&serde_json::json!({ "title": "Jobs v2", "widgets": [] }))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{replaced}");
    let (status, body) = post("/api/v1/dashboards", serde_json::json!({ "widgets": [] }));
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("title"));
    let (status, view) = post(
        "/api/v1/views",
        serde_json::json!({ "name": "errors", "dataset": "logs", "query": "status:error" }),
    );
    assert_eq!(status, 201, "{view}");
    let (status, other) = post("/api/v1/views", serde_json::json!({ "name": "gone" }));
    assert_eq!(status, 201);
    let status = client()
        .delete(server.url(&format!("/api/v1/views/{}", other["id"].as_str().unwrap())))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 204);

    // The UI: index.html at / and at the app's routes, hashed assets, gzip.
    let page = client().get(server.url("/")).send().unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(
        page.contains("<div id=\"root\">"),
        "the binary serves no built UI; scripts/test.sh builds web/ first: {page}"
    );
    let route = client().get(server.url("/dashboards/d123")).send().unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(route.text().unwrap(), page);
    let script = page
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("index.html loads a script");
    let asset = client()
        .get(server.url(script))
        .header("accept-encoding", "gzip")
        .send()
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        asset.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        client()
            .get(server.url("/assets/missing.js"))
            .send()
            .unwrap()
            .status(),
        404
    );
    let (status, body) = json(client().get(server.url("/api/v1/nope")).send().unwrap());
    assert_eq!(status, 404);
    assert!(body["error"]["message"].is_string());

    server.stop();
    let server = Server::start(dir.path(), "");
    let (_, list) = json(
        client()
            .get(server.url("/api/v1/dashboards"))
            .send()
            .unwrap(),
    );
    let dashboards = list["dashboards"].as_array().unwrap();
    assert_eq!(dashboards.len(), 1);
    assert_eq!(dashboards[0]["title"], "Jobs v2");
    assert_eq!(dashboards[0]["id"], id.as_str());
    let (_, list) = json(client().get(server.url("/api/v1/views")).send().unwrap());
    assert_eq!(list["views"], serde_json::json!([view]));
    let status = client()
        .delete(server.url(&format!("/api/v1/dashboards/{id}")))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let (status, _) = json(
        client()
            .get(server.url(&format!("/api/v1/dashboards/{id}")))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
}
