//! The Okta System Log source against a local server that answers as
//! Okta's System Log API documents (`GET /api/v1/logs`): the
//! `Authorization: SSWS` check, `since`, `limit`, `sortOrder`, opaque
//! `after` cursors in `rel="next"` links that polling requests always
//! carry (even under an empty page) beside `rel="self"`, HTTP 429 with the
//! `X-Rate-Limit-*` headers, 500 with Okta's error body, 401 for a token
//! it does not know. The events are real Okta LogEvents: the example of
//! Okta's System Log API reference and Panther's labelled Okta events
//! (`testdata/panther-rule-tests`), top-level keys in Okta's casing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow::array::{Array, AsArray};
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ingest::Importer;
use ingest::sources::{OktaApiConfig, Secret, SourceConfig, Sources};
use model::DatasetName;
use serde_json::{Value, json};
use store::{Store, StoreConfig};
use tokio::sync::watch;

const TOKEN: &str = "00Qx7-hannun-test-token-5c1e9a";
const POLL: Duration = Duration::from_millis(200);

/// Okta's example LogEvent (System Log API reference).
const SESSION_START: &str = r#"{"version":"0","severity":"INFO","client":{"zone":"OFF_NETWORK","device":"Unknown","userAgent":{"os":"Unknown","browser":"UNKNOWN","rawUserAgent":"UNKNOWN-DOWNLOAD"},"ipAddress":"12.97.85.90"},"device":{"id":"guob5wtu7rBggkg9G1d7","name":"MacBookPro16,1","os_platform":"OSX","os_version":"14.3.0","managed":false,"registered":true,"device_integrator":null,"disk_encryption_type":"ALL_INTERNAL_VOLUMES","screen_lock_type":"BIOMETRIC","jailbreak":null,"secure_hardware_present":true},"actor":{"id":"00u1qw1mqitPHM8AJ0g7","type":"User","alternateId":"admin@example.com","displayName":"John Doe"},"outcome":{"result":"SUCCESS"},"uuid":"f790999f-fe87-467a-9880-6982a583986c","published":"2017-09-30T22:23:07.777Z","eventType":"user.session.start","displayMessage":"User login to Okta","transaction":{"type":"WEB","id":"V04Oy4ubUOc5UuG6s9DyNQAABtc"},"debugContext":{"debugData":{"requestUri":"/login/do-login"}},"legacyEventType":"core.user_auth.login_success","authenticationContext":{"authenticationStep":0,"externalSessionId":"1013FfF-DKQSvCI4RVXChzX-w"}}"#;

/// Panther's `okta_app_unauthorized_access_attempt` event.
const UNAUTHORIZED_APP: &str = r#"{"actor":{"alternateId":"homer.simpson@duff.com","displayName":"Homer Simpsons","id":"00ABC123","type":"User"},"authenticationContext":{"authenticationStep":0,"externalSessionId":"xyz1234"},"client":{"device":"Computer","geographicalContext":{"city":"Springfield","country":"United States","geolocation":{"lat":11.111,"lon":-70},"postalCode":"1234","state":"California"},"ipAddress":"1.2.3.4","userAgent":{"browser":"CHROME","os":"Mac OS X","rawUserAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36"},"zone":"null"},"debugContext":{"debugData":{"authnRequestId":"ABC123","deviceFingerprint":"009988771ABC","dtHash":"123abc1234","requestId":"abc-111-adf","requestUri":"/idp/idx/identify","threatSuspected":"false","url":"/idp/idx/identify?"}},"displayMessage":"User attempted unauthorized access to app","eventType":"app.generic.unauth_app_access_attempt","legacyEventType":"app.generic.unauth_app_access_attempt","outcome":{"result":"FAILURE"},"published":"2022-12-13T00:58:19.811Z","request":{"ipChain":[{"geographicalContext":{"city":"Springfield","country":"United States","geolocation":{"lat":11.111,"lon":-70},"postalCode":"1234","state":"California"},"ip":"1.2.3.4","version":"V4"}]},"securityContext":{"asNumber":11351,"asOrg":"charter communications inc","domain":"rr.com","isProxy":false,"isp":"charter communications inc"},"severity":"WARN","target":[{"alternateId":"App (123)","displayName":"App (123)","id":"12345","type":"AppInstance"}],"transaction":{"detail":{},"id":"aaa-bbb-123","type":"WEB"},"uuid":"aa-11-22-33-44-bb","version":"0"}"#;

/// Panther's `okta_api_key_created` event.
const API_TOKEN_CREATED: &str = r#"{"uuid":"2a992f80-d1ad-4f62-900e-8c68bb72a21b","published":"2021-01-08T21:28:34.875Z","eventType":"system.api_token.create","version":"0","severity":"INFO","legacyEventType":"api.token.create","displayMessage":"Create API token","actor":{"alternateId":"user@example.com","displayName":"Test User","id":"00u3q14ei6KUOm4Xi2p4","type":"User"},"outcome":{"result":"SUCCESS"},"request":{},"debugContext":{},"target":[{"id":"00Tpki36zlWjhjQ1u2p4","type":"Token","alternateId":"unknown","displayName":"test_key","details":null}]}"#;

/// Panther's `okta_user_account_locked` event.
const ACCOUNT_LOCKED: &str = r#"{"actor":{"alternateId":"homer.simpson@duff.com","displayName":"Homer Simpson","id":"00abc123","type":"User"},"authenticationContext":{"authenticationStep":0,"externalSessionId":"abcd-1234"},"client":{"device":"Computer","geographicalContext":{"city":"Atlanta","country":"United States","geolocation":{"lat":33,"lon":-80},"postalCode":"30318","state":"Georgia"},"ipAddress":"1.2.3.4","userAgent":{"browser":"CHROME","os":"Mac OS X","rawUserAgent":"Chrome"},"zone":"null"},"debugContext":{"debugData":{"deviceFingerprint":"abc1234","dtHash":"000abc","requestId":"abc1111","requestUri":"/idp/idx/identify","threatSuspected":"false","url":"/idp/idx/identify?"}},"displayMessage":"Account Locked from New Devices - Max sign-in attempts exceeded.","eventType":"user.account.lock","legacyEventType":"core.user_auth.account_locked","outcome":{"reason":"LOCKED_OUT","result":"FAILURE"},"published":"2022-11-22T18:48:49.177Z","request":{"ipChain":[{"geographicalContext":{"city":"Atlanta","country":"United States","geolocation":{"lat":33,"lon":-80},"postalCode":"30318","state":"Georgia"},"ip":"1.2.3.4","version":"V4"}]},"securityContext":{"asNumber":7018,"asOrg":"at&t corp.","domain":"sbcglobal.net","isProxy":false,"isp":"att services inc"},"severity":"DEBUG","transaction":{"detail":{},"id":"12345aaa","type":"WEB"},"uuid":"aa-bb-cc-11","version":"0"}"#;

const TEMPLATES: [&str; 4] = [
    SESSION_START,
    UNAUTHORIZED_APP,
    API_TOKEN_CREATED,
    ACCOUNT_LOCKED,
];

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// RFC 3339 with milliseconds, as Okta writes `published`.
fn okta_time(ms: i64) -> String {
    let text = model::format_rfc3339_nanos(ms * 1_000_000);
    format!("{}Z", &text[..23])
}

/// Event `n` of the templates, published at `ms`, with its own uuid.
fn event(n: usize, ms: i64) -> Value {
    let mut e: Value = serde_json::from_str(TEMPLATES[n % TEMPLATES.len()]).unwrap();
    e["uuid"] = json!(format!("9f1c0a52-0000-4000-8000-{n:012}"));
    e["published"] = json!(okta_time(ms));
    e
}

/// Events `from..to`, a second apart from an hour ago.
fn events(from: usize, to: usize) -> Vec<Value> {
    let start = now_ms() - 3_600_000;
    (from..to)
        .map(|n| event(n, start + n as i64 * 1000))
        .collect()
}

enum Fault {
    RateLimited { reset_s: i64 },
    ServerError,
}

/// One request the server answered.
#[derive(Debug, Clone)]
struct Seen {
    at_ms: i64,
    query: HashMap<String, String>,
    authorization: String,
    accept: String,
    status: u16,
    events: usize,
}

/// The System Log of one org, as the API serves it.
struct Okta {
    base: String,
    token: Mutex<String>,
    /// Sorted by `published`, which here is also when each was persisted.
    events: Mutex<Vec<Value>>,
    /// Answers for the next requests, before anything else is looked at.
    faults: Mutex<VecDeque<Fault>>,
    /// Cursors name their generation: a new one refuses the older ones.
    generation: Mutex<u32>,
    seen: Mutex<Vec<Seen>>,
}

impl Okta {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn add(&self, more: Vec<Value>) {
        let mut events = self.events.lock().unwrap();
        events.extend(more);
        events.sort_by_key(published_ms);
    }
}

fn published_ms(e: &Value) -> i64 {
    model::parse_rfc3339_nanos(e["published"].as_str().unwrap()).unwrap() / 1_000_000
}

fn okta_error(status: StatusCode, code: &str, summary: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(
            json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeQ1NOhLrjSa6tT3vJ8xLzvg", "errorCauses": []})
                .to_string()
                .into(),
        )
        .unwrap()
}

async fn logs(
    State(okta): State<Arc<Okta>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    RawQuery(raw_query): RawQuery,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (status, count, response) = answer(&okta, &header("authorization"), &query, raw_query);
    okta.seen.lock().unwrap().push(Seen {
        at_ms: now_ms(),
        query,
        authorization: header("authorization"),
        accept: header("accept"),
        status,
        events: count,
    });
    response
}

fn answer(
    okta: &Okta,
    authorization: &str,
    query: &HashMap<String, String>,
    raw_query: Option<String>,
) -> (u16, usize, Response) {
    if authorization != format!("SSWS {}", okta.token.lock().unwrap()) {
        // Okta says only "Invalid token provided"; echoing what it was
        // sent checks that the source removes its token from replies.
        let summary = format!("Invalid token provided: {authorization}");
        return (
            401,
            0,
            okta_error(StatusCode::UNAUTHORIZED, "E0000011", &summary),
        );
    }
    match okta.faults.lock().unwrap().pop_front() {
        Some(Fault::RateLimited { reset_s }) => {
            let mut r = okta_error(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            let h = r.headers_mut();
            h.insert("x-rate-limit-limit", "60".parse().unwrap());
            h.insert("x-rate-limit-remaining", "0".parse().unwrap());
            h.insert("x-rate-limit-reset", reset_s.to_string().parse().unwrap());
            return (429, 0, r);
        }
        Some(Fault::ServerError) => {
            let r = okta_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "E0000009",
                "Internal Server Error",
            );
            return (500, 0, r);
        }
        None => {}
    }
    let bad = |summary: &str| {
        (
            400,
            0,
            okta_error(StatusCode::BAD_REQUEST, "E0000001", summary),
        )
    };
    if query.contains_key("since") && query.contains_key("after") {
        return bad("Api validation failed: since and after are mutually exclusive");
    }
    if query.contains_key("until") || query.get("sortOrder").is_some_and(|s| s != "ASCENDING") {
        return bad("this server answers polling requests only");
    }
    let limit: usize = match query.get("limit").map(|l| l.parse()) {
        None => 100,
        Some(Ok(l)) if l <= 1000 => l,
        Some(_) => return bad("Api validation failed: limit"),
    };
    let generation = *okta.generation.lock().unwrap();
    let events = okta.events.lock().unwrap();
    let start = if let Some(after) = query.get("after") {
        let parsed = after
            .strip_prefix(&format!("g{generation}-"))
            .and_then(|i| i.parse::<usize>().ok());
        match parsed {
            Some(i) if i <= events.len() => i,
            _ => return bad("Api validation failed: after"),
        }
    } else {
        let since = match query.get("since").map(|s| model::parse_rfc3339_nanos(s)) {
            Some(Some(ns)) => ns / 1_000_000,
            Some(None) => return bad("Api validation failed: since"),
            None => now_ms() - 7 * 86_400_000,
        };
        events
            .iter()
            .position(|e| published_ms(e) >= since)
            .unwrap_or(events.len())
    };
    let page: Vec<Value> = events.iter().skip(start).take(limit).cloned().collect();
    let next = start + page.len();
    let self_link = format!(
        "<{}/api/v1/logs?{}>; rel=\"self\"",
        okta.base,
        raw_query.unwrap_or_default()
    );
    // Polling: a next link on every page, empty or not.
    let next_link = format!(
        "<{}/api/v1/logs?limit={limit}&sortOrder=ASCENDING&after=g{generation}-{next}>; rel=\"next\"",
        okta.base
    );
    let count = page.len();
    let response = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("link", self_link)
        .header("link", next_link)
        .header("x-rate-limit-limit", "60")
        .header("x-rate-limit-remaining", "59")
        .header("x-rate-limit-reset", (now_ms() / 1000 + 60).to_string())
        .body(Value::Array(page).to_string().into())
        .unwrap();
    (200, count, response)
}

async fn serve_okta(events: Vec<Value>) -> Arc<Okta> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let okta = Arc::new(Okta {
        base,
        token: Mutex::new(TOKEN.to_owned()),
        events: Mutex::new(Vec::new()),
        faults: Mutex::new(VecDeque::new()),
        generation: Mutex::new(1),
        seen: Mutex::new(Vec::new()),
    });
    okta.add(events);
    let app = axum::Router::new()
        .route("/api/v1/logs", axum::routing::get(logs))
        .with_state(okta.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    okta
}

struct Server {
    _dir: tempfile::TempDir,
    sources_dir: std::path::PathBuf,
    store: Store,
    importer: Importer,
}

fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(StoreConfig::new(dir.path().join("data"))).unwrap();
    let detector = detect::Detector::new(
        Arc::new(detect::SigmaRules::load(&[])),
        detect::BuiltinConfig::default(),
        detect::TravelConfig::default(),
        detect::DEFAULT_DEDUP_HOURS,
    );
    let importer = Importer::open(store.clone(), None)
        .unwrap()
        .with_detector(Arc::new(detector));
    Server {
        sources_dir: dir.path().join("sources"),
        _dir: dir,
        store,
        importer,
    }
}

fn source(okta: &Okta, since_ms: Option<i64>, page_limit: u32) -> SourceConfig {
    let mut api = OktaApiConfig::new("OKTA_API_TOKEN", Secret::new(TOKEN));
    api.since_ns = since_ms.map(|ms| ms * 1_000_000);
    api.page_limit = page_limit;
    SourceConfig {
        name: "okta".into(),
        url: okta.base.clone(),
        access: Default::default(),
        poll_interval: POLL,
        kind: None,
        sqs_queue_url: None,
        okta: Some(api),
    }
}

fn start(server: &Server, config: SourceConfig) -> (Sources, watch::Sender<bool>) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sources = ingest::sources::start(
        vec![config],
        server.importer.clone(),
        server.sources_dir.clone(),
        stop_rx,
    );
    (sources, stop_tx)
}

fn status(sources: &Sources) -> ingest::SourceStatus {
    sources.status().into_iter().next().unwrap()
}

async fn wait_until(what: &str, sources: &Sources, done: impl Fn(&ingest::SourceStatus) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = status(sources);
        if done(&s) {
            return;
        }
        assert!(Instant::now() < deadline, "waiting for {what}: {s:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Stops the source and waits until its requests end.
async fn stop(stop: watch::Sender<bool>, okta: &Okta) {
    stop.send(true).unwrap();
    let mut count = okta.seen().len();
    loop {
        tokio::time::sleep(POLL * 4).await;
        let now = okta.seen().len();
        if now == count {
            return;
        }
        count = now;
    }
}

/// The `event_id` (uuid) of every stored audit row.
fn stored_uuids(store: &Store) -> Vec<String> {
    let Some(snapshot) = store.snapshot(&DatasetName::audit()) else {
        return Vec::new();
    };
    assert!(
        snapshot.files.is_empty(),
        "nothing is flushed in these tests"
    );
    let mut out = Vec::new();
    for batch in &snapshot.batches {
        let ids = batch.column_by_name("event_id").unwrap().as_string::<i32>();
        out.extend((0..ids.len()).map(|i| ids.value(i).to_owned()));
    }
    out.sort();
    out
}

fn uuids(events: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = events
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn signal_rules(store: &Store) -> Vec<String> {
    let Some(snapshot) = store.snapshot(&DatasetName::signals()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for batch in &snapshot.batches {
        let ids = batch.column_by_name("rule_id").unwrap().as_string::<i32>();
        out.extend((0..ids.len()).map(|i| ids.value(i).to_owned()));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_imported_once_across_pages_and_restarts() {
    let first = events(0, 25);
    let okta = serve_okta(first.clone()).await;
    let server = server();
    let since = published_ms(&first[0]) - 1000;
    let (sources, stop_tx) = start(&server, source(&okta, Some(since), 10));

    // 25 events: pages of 10, 10 and 5; then the empty pages of polling.
    wait_until("the 25 events and a later poll", &sources, |s| {
        s.records == 25 && s.polls >= 3
    })
    .await;
    assert_eq!(stored_uuids(&server.store), uuids(&first));
    let s = status(&sources);
    assert_eq!((s.objects_imported, s.rejected), (3, 0), "{s:#?}");
    assert!(s.last_error.is_none() && s.problems.is_empty(), "{s:#?}");
    assert_eq!(s.url, okta.base);
    // The detector saw them: Panther's unauthorized app access events.
    assert!(
        signal_rules(&server.store)
            .iter()
            .any(|r| r == "okta-unauthorized-app"),
        "{:?}",
        signal_rules(&server.store)
    );

    let seen = okta.seen();
    let first_request = &seen[0];
    assert_eq!(first_request.query["since"], okta_time(since));
    assert_eq!(first_request.query["sortOrder"], "ASCENDING");
    assert_eq!(first_request.query["limit"], "10");
    assert!(!first_request.query.contains_key("until"));
    for r in &seen {
        assert_eq!(r.authorization, format!("SSWS {TOKEN}"));
        assert_eq!(r.accept, "application/json");
        assert_eq!(r.status, 200);
    }
    for r in &seen[1..] {
        assert!(
            r.query.contains_key("after") && !r.query.contains_key("since"),
            "{r:?}"
        );
    }
    assert_eq!(
        seen.iter().map(|r| r.events).take(4).collect::<Vec<_>>(),
        [10, 10, 5, 0]
    );
    // A full page is followed at once; after a shorter one (an empty one
    // too) the next link waits for the next poll.
    for pair in seen.windows(2) {
        if pair[0].events < 10 {
            let gap = pair[1].at_ms - pair[0].at_ms;
            assert!(gap >= POLL.as_millis() as i64 - 20, "{gap} ms: {pair:?}");
        }
    }

    let checkpoint: Value =
        serde_json::from_slice(&std::fs::read(server.sources_dir.join("okta.okta")).unwrap())
            .unwrap();
    assert!(
        checkpoint["next"]
            .as_str()
            .unwrap()
            .ends_with("after=g1-25"),
        "{checkpoint}"
    );
    assert_eq!(checkpoint["pages"], 3);
    assert_eq!(checkpoint["events"], 25);

    // A restart reads on from the checkpoint: nothing again, the events
    // added since then once.
    stop(stop_tx, &okta).await;
    let before = okta.seen().len();
    let later = events(25, 32);
    okta.add(later.clone());
    let (sources, stop_tx) = start(&server, source(&okta, Some(since), 10));
    assert_eq!(
        status(&sources).objects_imported,
        3,
        "counted from the checkpoint"
    );
    wait_until("the 7 new events", &sources, |s| {
        s.records == 7 && s.polls >= 2
    })
    .await;
    let restarted = &okta.seen()[before];
    assert_eq!(
        restarted.query.get("after").map(String::as_str),
        Some("g1-25")
    );
    assert!(!restarted.query.contains_key("since"));
    let mut all = first.clone();
    all.extend(later);
    assert_eq!(stored_uuids(&server.store), uuids(&all));
    assert_eq!(status(&sources).objects_imported, 4);
    tokio::time::sleep(POLL * 3).await;
    assert_eq!(stored_uuids(&server.store).len(), 32);
    stop(stop_tx, &okta).await;
}

/// Logs written while the test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_errors_retried_and_a_refused_token_reported() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    // Without okta_since a first start reads the last 7 days: not the
    // event of 8 days ago.
    let old = event(99, now_ms() - 8 * 86_400_000);
    let recent = events(0, 5);
    let okta = serve_okta([vec![old], recent.clone()].concat()).await;
    let reset_s = now_ms() / 1000 + 2;
    okta.faults
        .lock()
        .unwrap()
        .extend([Fault::RateLimited { reset_s }, Fault::ServerError]);
    let server = server();
    let (sources, stop_tx) = start(&server, source(&okta, None, 1000));
    wait_until("the 5 recent events", &sources, |s| s.records == 5).await;
    assert_eq!(stored_uuids(&server.store), uuids(&recent));

    let seen = okta.seen();
    assert_eq!(
        seen.iter().map(|r| r.status).take(3).collect::<Vec<_>>(),
        [429, 500, 200]
    );
    let since = model::parse_rfc3339_nanos(&seen[0].query["since"]).unwrap() / 1_000_000;
    assert!(
        (now_ms() - 7 * 86_400_000 - since).abs() < 60_000,
        "{since}"
    );
    // The 429 was waited out until X-Rate-Limit-Reset, the 500 retried
    // after a second.
    assert!(seen[1].at_ms >= reset_s * 1000, "{seen:?}");
    assert!(seen[2].at_ms - seen[1].at_ms >= 900, "{seen:?}");
    let s = status(&sources);
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("rate limit") && p.contains("HTTP 429")),
        "{s:#?}"
    );
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("HTTP 500") && p.contains("trying again")),
        "{s:#?}"
    );
    assert!(s.last_error.is_none(), "{s:#?}");

    // The token is revoked: reported, and tried again every poll.
    *okta.token.lock().unwrap() = "00another-token".into();
    let refused_from = okta.seen().len();
    wait_until("the refusal", &sources, |s| {
        s.last_error
            .as_deref()
            .is_some_and(|e| e.contains("the token was refused"))
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while okta.seen()[refused_from..]
        .iter()
        .filter(|r| r.status == 401)
        .count()
        < 3
    {
        assert!(Instant::now() < deadline, "{:?}", okta.seen());
        tokio::time::sleep(POLL).await;
    }
    let s = status(&sources);
    let error = s.last_error.clone().unwrap();
    assert!(
        error.contains("HTTP 401") && error.contains("OKTA_API_TOKEN"),
        "{error}"
    );
    assert_eq!(
        s.problems
            .iter()
            .filter(|p| p.contains("the token was refused"))
            .count(),
        1,
        "reported once, not every poll: {s:#?}"
    );

    // A new token, new events: read on, the error cleared.
    let more = events(5, 8);
    okta.add(more.clone());
    *okta.token.lock().unwrap() = TOKEN.into();
    wait_until("the events after the refusal", &sources, |s| {
        s.records == 8 && s.last_error.is_none()
    })
    .await;
    assert_eq!(stored_uuids(&server.store), uuids(&[recent, more].concat()));

    // The token shows nowhere: not in the status (Okta's 401 reply echoed
    // it), not in the logs.
    let status_json = serde_json::to_string(&sources.status()).unwrap();
    assert!(!status_json.contains(TOKEN), "{status_json}");
    assert!(status_json.contains("[redacted]"), "{status_json}");
    stop(stop_tx, &okta).await;
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("the token was refused"), "{logged}");
    assert!(!logged.contains(TOKEN), "{logged}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_saved_link_reads_on_from_the_last_time_without_duplicates() {
    let first = events(0, 6);
    let okta = serve_okta(first.clone()).await;
    let server = server();
    let since = published_ms(&first[0]) - 1000;
    let (sources, stop_tx) = start(&server, source(&okta, Some(since), 10));
    wait_until("the first 6 events", &sources, |s| s.records == 6).await;
    stop(stop_tx, &okta).await;

    // Okta no longer knows the saved cursor; two events arrive meanwhile.
    *okta.generation.lock().unwrap() = 2;
    let later = events(6, 8);
    okta.add(later.clone());
    let before = okta.seen().len();
    let (sources, stop_tx) = start(&server, source(&okta, Some(since), 10));
    wait_until("the 2 new events", &sources, |s| {
        s.records == 2 && s.polls >= 2
    })
    .await;
    let seen = okta.seen();
    assert_eq!(seen[before].status, 400);
    assert_eq!(seen[before + 1].query["since"], first[5]["published"]);
    let s = status(&sources);
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("refused the saved link")),
        "{s:#?}"
    );
    assert_eq!(stored_uuids(&server.store), uuids(&[first, later].concat()));
    stop(stop_tx, &okta).await;
}

#[tokio::test]
async fn a_source_that_cannot_start_says_why() {
    let server = server();
    let mut config = source(
        &Okta {
            base: "http://192.0.2.10:8080".into(),
            token: Mutex::new(String::new()),
            events: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            generation: Mutex::new(1),
            seen: Mutex::new(Vec::new()),
        },
        None,
        1000,
    );
    let (sources, _stop) = start(&server, config.clone());
    let error = status(&sources).last_error.unwrap();
    assert!(error.contains("plain HTTP"), "{error}");
    config.url = "https://acme.okta.com".into();
    std::fs::create_dir_all(&server.sources_dir).unwrap();
    std::fs::write(server.sources_dir.join("okta.okta"), b"{torn").unwrap();
    let (sources, _stop) = start(&server, config);
    let error = status(&sources).last_error.unwrap();
    assert!(error.contains("unreadable"), "{error}");
}
