//! The OpenAPI document against the real router: every documented route is
//! served, no other method is, the served document is the generated one,
//! the committed copy (`crates/api/openapi.json`, read by the web app's
//! type generator) is current, and the closed vocabularies are string enums.
//!
//! `HANNUN_WRITE_OPENAPI=1 cargo nextest run -p api --test openapi` rewrites
//! the committed copy instead of comparing it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn router(dir: &std::path::Path) -> axum::Router {
    let (store, _) = store::Store::open(store::StoreConfig::new(dir.join("data"))).unwrap();
    let pipeline = ingest::Pipeline::new(store.clone(), ingest::PipelineConfig::default());
    api::app_router(api::AppState {
        receiver: ingest::Receiver::new(pipeline, ingest::ApiKeys::default()),
        engine: query::QueryEngine::new(store.clone(), query::QueryLimits::default()),
        saved: Arc::new(saved::Saved::open(dir.join("saved")).unwrap()),
        importer: ingest::Importer::open(store, Some(&dir.join("network"))).unwrap(),
        sources: ingest::sources::Sources::default(),
        prices: Arc::new(network::PriceTable::embedded()),
        rules: Arc::new(siem::RuleSet::empty()),
        notifications: Default::default(),
    })
}

fn document() -> Value {
    serde_json::from_str(&api::openapi_json()).unwrap()
}

/// `(method, path template)` of every documented operation.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                out.push((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

/// A concrete path for a template: each `{parameter}` gets a sample value.
fn concrete(template: &str) -> String {
    template
        .replace("{dataset}", "logs")
        .replace("{fingerprint}", "0123456789abcdef")
        .replace("{signal_id}", "0123456789abcdef")
        .replace("{trace_id}", "0af7651916cd43dd8448eb211c80319c")
        .replace("{service}", "checkout")
        .replace("{id}", "no-such-id")
}

async fn send(router: &axum::Router, method: &str, path: &str) -> (StatusCode, String) {
    send_body(router, method, path, "{}").await
}

async fn send_body(
    router: &axum::Router,
    method: &str,
    path: &str,
    body: &str,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn every_documented_route_is_served_and_no_other_method() {
    let dir = tempfile::tempdir().unwrap();
    let router = router(dir.path());
    let doc = document();
    let operations = operations(&doc);
    assert!(operations.len() >= 31, "{} operations", operations.len());
    for (method, template) in &operations {
        assert!(!template.contains(':'), "axum-style path {template}");
        let path = concrete(template);
        assert!(!path.contains('{'), "no sample value for {template}");
        let (status, body) = send(&router, method, &path).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            !body.contains("no such route"),
            "{method} {template} is documented but not routed: {status} {body}"
        );
    }
    for template in doc["paths"].as_object().unwrap().keys() {
        let path = concrete(template);
        for method in METHODS {
            if doc["paths"][template].get(method).is_none() {
                let (status, _) = send(&router, method, &path).await;
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template} is routed but not documented"
                );
            }
        }
    }
    let (status, body) = send(&router, "post", "/api/v1/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("no such route"), "{body}");
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let dir = tempfile::tempdir().unwrap();
    let (status, body) = send(&router(dir.path()), "get", "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, api::openapi_json());
}

#[test]
fn the_committed_document_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = api::openapi_json();
    if std::env::var_os("HANNUN_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `HANNUN_WRITE_OPENAPI=1 cargo nextest run -p api --test openapi` \
         then `npm --prefix web run api-types`",
        path.display()
    );
}

/// Every `$ref` in `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target.clone());
            }
            map.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut targets = Vec::new();
    references(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(
            doc.pointer(pointer).is_some(),
            "{target} is not in the document"
        );
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut ids = std::collections::BTreeSet::new();
    for (method, path) in operations(&doc) {
        let id = doc["paths"][&path][&method]["operationId"]
            .as_str()
            .expect("an operationId")
            .to_owned();
        assert!(ids.insert(id.clone()), "{id} names two operations");
    }
}

#[test]
fn closed_vocabularies_are_string_enums() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let cases: [(&str, &[&str]); 6] = [
        ("IssueStatus", &["open", "resolved", "ignored"]),
        ("IssueStatusFilter", &["open", "resolved", "ignored", "all"]),
        ("IssueSort", &["last_seen", "count", "first_seen"]),
        ("TraceScope", &["root", "entry", "all"]),
        ("SpanStatusFilter", &["error", "ok", "any"]),
        ("Order", &["desc", "asc"]),
    ];
    for (name, words) in cases {
        assert_eq!(schemas[name]["type"], "string", "{name}");
        assert_eq!(schemas[name]["enum"], serde_json::json!(words), "{name}");
    }
    let issues = &doc["paths"]["/api/v1/issues"]["get"]["parameters"];
    let sort = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "sort")
        .expect("a sort parameter");
    let sort = serde_json::to_string(&sort["schema"]).unwrap();
    assert!(sort.contains("#/components/schemas/IssueSort"), "{sort}");
}

/// Checks `value` against `schema`: objects have every required key and
/// only described ones (unless extra keys are allowed), arrays check their
/// items, references and `allOf` are followed. Returns what differs.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(Value::String(target)) = schema.get("$ref") {
        let target = doc.pointer(target.trim_start_matches('#')).unwrap();
        return conforms(doc, target, value, at, problems);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // Each part describes some of the keys: merge them before checking.
        let mut merged = serde_json::json!({ "type": "object", "properties": {}, "required": [] });
        for part in parts {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(target) => doc.pointer(target.trim_start_matches('#')).unwrap(),
                None => part,
            };
            for (key, property) in part["properties"].as_object().into_iter().flatten() {
                merged["properties"][key] = property.clone();
            }
            for key in part["required"].as_array().into_iter().flatten() {
                merged["required"].as_array_mut().unwrap().push(key.clone());
            }
        }
        return conforms(doc, &merged, value, at, problems);
    }
    match value {
        Value::Object(map) => {
            let properties = schema["properties"].as_object();
            for key in schema["required"].as_array().into_iter().flatten() {
                if !map.contains_key(key.as_str().unwrap()) {
                    problems.push(format!("{at}: required {key} is missing"));
                }
            }
            for (key, item) in map {
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => {
                        conforms(doc, property, item, &format!("{at}.{key}"), problems)
                    }
                    None if schema.get("additionalProperties").is_some()
                        || properties.is_none() => {}
                    None => problems.push(format!("{at}: {key} is not described")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    conforms(doc, item_schema, item, &format!("{at}[{i}]"), problems);
                }
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn replies_are_what_the_document_says() {
    let dir = tempfile::tempdir().unwrap();
    let router = router(dir.path());
    let doc = document();
    let lines = concat!(
        r#"{"service":"api","message":"hello","level":"info"}"#,
        "\n",
        r#"{"service":"api","message":"boom","level":"error"}"#,
        "\n",
        "not json\n",
    );
    // Records without a time are stamped on arrival: the last hour holds them.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let (from_ms, to_ms) = (now_ms - 3_600_000, now_ms + 60_000);
    let range = format!(r#""from_ms":{from_ms},"to_ms":{to_ms}"#);
    let cases: Vec<(&str, &str, String, &str)> = vec![
        ("POST", "/api/v1/ingest/{dataset}", lines.to_owned(), "200"),
        ("GET", "/api/v1/health", String::new(), "200"),
        ("GET", "/api/v1/ingest/stats", String::new(), "200"),
        ("GET", "/api/v1/stats", String::new(), "200"),
        ("GET", "/api/v1/datasets", String::new(), "200"),
        ("GET", "/api/v1/datasets/{dataset}", String::new(), "200"),
        (
            "GET",
            "/api/v1/datasets/{dataset}/values",
            String::new(),
            "200",
        ),
        (
            "POST",
            "/api/v1/search",
            format!(r#"{{"dataset":"logs",{range}}}"#),
            "200",
        ),
        (
            "POST",
            "/api/v1/sql",
            r#"{"sql":"SELECT * FROM logs"}"#.to_owned(),
            "200",
        ),
        (
            "POST",
            "/api/v1/aggregate",
            format!(r#"{{"dataset":"logs","group_by":["level"],{range}}}"#),
            "200",
        ),
        (
            "POST",
            "/api/v1/timeseries",
            format!(r#"{{"dataset":"logs","group_by":["level"],{range}}}"#),
            "200",
        ),
        ("GET", "/api/v1/apm/services", String::new(), "200"),
        ("GET", "/api/v1/apm/service-map", String::new(), "200"),
        ("GET", "/api/v1/apm/traces", String::new(), "200"),
        ("GET", "/api/v1/issues", String::new(), "200"),
        (
            "PUT",
            "/api/v1/issues/{fingerprint}/status",
            r#"{"status":"resolved"}"#.to_owned(),
            "200",
        ),
        (
            "POST",
            "/api/v1/views",
            r#"{"name":"errors","dataset":"logs"}"#.to_owned(),
            "201",
        ),
        ("GET", "/api/v1/views", String::new(), "200"),
        ("GET", "/api/v1/dashboards/{id}", String::new(), "404"),
        (
            "POST",
            "/api/v1/search",
            r#"{"dataset":"logs","query":"("}"#.to_owned(),
            "400",
        ),
    ];
    let mut problems = Vec::new();
    for (method, template, body, status) in cases {
        let mut path = concrete(template);
        if template.ends_with("/values") {
            path.push_str(&format!("?field=level&from_ms={from_ms}&to_ms={to_ms}"));
        }
        let (got, text) = send_body(&router, method, &path, &body).await;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(got.as_str(), status, "{method} {path}: {value}");
        let operation = &doc["paths"][template][method.to_lowercase()];
        let response = &operation["responses"][status];
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(target) => doc.pointer(target.trim_start_matches('#')).unwrap(),
            None => response,
        };
        let schema = &response["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status} has no JSON schema"
        );
        conforms(
            &doc,
            schema,
            &value,
            &format!("{method} {template}"),
            &mut problems,
        );
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
