//! Synthetic microservice traces for `cargo xtask bench-spans`, as OTLP
//! trace requests: a web front calls item, order, user and search services
//! over HTTP; they call PostgreSQL, Redis and Elasticsearch; orders publish
//! to a queue a worker consumes and call an external payment API. About 8
//! spans per trace, 2% failed requests (with exception events and stack
//! traces), log-normal latencies. Spans carry the attributes OpenTelemetry's
//! HTTP server, HTTP client and database instrumentations record (stable
//! semantic conventions: route, path, client address, user agent, URL,
//! query text...); resources carry the SDK's telemetry.* and cloud
//! attributes. Deterministic from the seed.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::Event;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

const SERVER: i32 = 2;
const CLIENT: i32 = 3;
const PRODUCER: i32 = 4;
const CONSUMER: i32 = 5;

pub(crate) const SERVICES: &[&str] = &[
    "web",
    "items-api",
    "orders-api",
    "users-api",
    "search-api",
    "notify-worker",
];

/// xorshift64*: small, fast, deterministic.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Log-normal around `median_ms` (sigma 0.6), in ns.
    fn latency(&mut self, median_ms: f64) -> u64 {
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (median_ms * 1e6 * (0.6 * z).exp()) as u64
    }
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

fn kv_int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(value)),
        }),
        ..Default::default()
    }
}

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
];

/// What the OpenTelemetry HTTP server instrumentations record (stable
/// semantic conventions): method, route, path, scheme, server, client,
/// protocol, user agent, status.
fn server_attributes(
    rng: &mut Rng,
    method: &str,
    route: &str,
    host: &str,
    status: i64,
) -> Vec<KeyValue> {
    vec![
        kv("http.request.method", method),
        kv("http.route", route),
        kv(
            "url.path",
            &route.replace("{id}", &(rng.below(50_000) + 1).to_string()),
        ),
        kv("url.scheme", "http"),
        kv("server.address", host),
        kv_int("server.port", 8080),
        kv(
            "client.address",
            &format!("10.0.{}.{}", rng.below(16), rng.below(250) + 2),
        ),
        kv("network.protocol.version", "1.1"),
        kv(
            "user_agent.original",
            USER_AGENTS[rng.below(USER_AGENTS.len() as u64) as usize],
        ),
        kv_int("http.response.status_code", status),
    ]
}

/// One trace's spans by service index.
pub(crate) struct TraceSpans {
    pub(crate) trace_id: [u8; 16],
    pub(crate) spans: Vec<(usize, Span)>,
}

struct Builder<'a> {
    rng: &'a mut Rng,
    trace_id: [u8; 16],
    next_id: u64,
    failed: bool,
    spans: Vec<(usize, Span)>,
}

impl Builder<'_> {
    fn id(&mut self) -> Vec<u8> {
        self.next_id += 1;
        (self.next_id ^ self.rng.next().rotate_left(17))
            .to_be_bytes()
            .to_vec()
    }

    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        service: usize,
        parent: &[u8],
        name: &str,
        kind: i32,
        start: u64,
        duration: u64,
        attributes: Vec<KeyValue>,
        error: Option<(&str, &str, &str)>,
    ) -> Vec<u8> {
        let id = self.id();
        let (status, events) = match error {
            Some((ty, message, stack)) => (
                Some(Status {
                    code: 2,
                    message: format!("{ty}: {message}"),
                }),
                vec![Event {
                    time_unix_nano: start + duration / 2,
                    name: "exception".into(),
                    attributes: vec![
                        kv("exception.type", ty),
                        kv("exception.message", message),
                        kv("exception.stacktrace", stack),
                    ],
                    dropped_attributes_count: 0,
                }],
            ),
            None => (None, Vec::new()),
        };
        self.spans.push((
            service,
            Span {
                trace_id: self.trace_id.to_vec(),
                span_id: id.clone(),
                parent_span_id: parent.to_vec(),
                name: name.to_owned(),
                kind,
                start_time_unix_nano: start,
                end_time_unix_nano: start + duration.max(1),
                attributes,
                events,
                status,
                ..Default::default()
            },
        ));
        id
    }

    /// An HTTP call from `from` to service `to` at `route`: the client span,
    /// the server span, and what the server does inside (`inner`).
    #[allow(clippy::too_many_arguments)]
    fn http_call(
        &mut self,
        from: usize,
        parent: &[u8],
        to: usize,
        method: &str,
        route: &str,
        start: u64,
        inner: &mut dyn FnMut(&mut Builder<'_>, &[u8], u64) -> u64,
    ) -> u64 {
        let net = 300_000 + self.rng.below(400_000);
        let client_id = self.id();
        let server_start = start + net / 2;
        let server_id = self.id();
        let busy = inner(self, &server_id, server_start + 100_000);
        let server_duration = busy + 200_000 + self.rng.latency(0.5);
        let failed = self.failed && to != 0;
        let server = Span {
            trace_id: self.trace_id.to_vec(),
            span_id: server_id.clone(),
            parent_span_id: client_id.clone(),
            name: format!("{method} {route}"),
            kind: SERVER,
            start_time_unix_nano: server_start,
            end_time_unix_nano: server_start + server_duration,
            attributes: server_attributes(
                self.rng,
                method,
                route,
                SERVICES[to],
                if failed { 500 } else { 200 },
            ),
            status: failed.then(|| Status {
                code: 2,
                message: "HTTP 500".into(),
            }),
            ..Default::default()
        };
        let client = Span {
            trace_id: self.trace_id.to_vec(),
            span_id: client_id,
            parent_span_id: parent.to_vec(),
            name: method.to_owned(),
            kind: CLIENT,
            start_time_unix_nano: start,
            end_time_unix_nano: start + server_duration + net,
            attributes: vec![
                kv("http.request.method", method),
                kv("server.address", &format!("{}.internal", SERVICES[to])),
                kv_int("server.port", 8080),
                kv(
                    "url.full",
                    &format!(
                        "http://{}.internal:8080{}",
                        SERVICES[to],
                        route.replace("{id}", &(self.rng.below(50_000) + 1).to_string())
                    ),
                ),
                kv("network.protocol.version", "1.1"),
                kv_int("http.response.status_code", if failed { 500 } else { 200 }),
            ],
            status: failed.then(|| Status {
                code: 2,
                message: "HTTP 500".into(),
            }),
            ..Default::default()
        };
        self.spans.push((to, server));
        self.spans.push((from, client));
        server_duration + net
    }

    #[allow(clippy::too_many_arguments)]
    fn db(
        &mut self,
        service: usize,
        parent: &[u8],
        system: &str,
        ns: &str,
        op: &str,
        start: u64,
        median_ms: f64,
    ) -> u64 {
        let d = self.rng.latency(median_ms);
        self.span(
            service,
            parent,
            &format!("{op} {ns}"),
            CLIENT,
            start,
            d,
            vec![
                kv("db.system", system),
                kv("db.namespace", ns),
                kv("db.operation.name", op),
                kv("db.collection.name", ns),
                kv(
                    "db.query.text",
                    &format!("{op} id, name, updated_at FROM {ns} WHERE id = ? LIMIT ?"),
                ),
                kv("server.address", &format!("{system}-{ns}.internal")),
                kv_int("server.port", 5432),
            ],
            None,
        );
        d
    }
}

const JAVA_STACK: &str = "com.example.items.ItemNotAvailableException: item is not available
\tat com.example.items.ItemService.reserve(ItemService.kt:88)
\tat com.example.items.ItemController.get(ItemController.kt:41)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)";

/// One trace starting at `start` (ns).
pub(crate) fn trace(rng: &mut Rng, start: u64) -> TraceSpans {
    let mut trace_id = [0u8; 16];
    trace_id[..8].copy_from_slice(&rng.next().to_be_bytes());
    trace_id[8..].copy_from_slice(&rng.next().to_be_bytes());
    let failed = rng.unit() < 0.02;
    let mut b = Builder {
        rng,
        trace_id,
        next_id: 0,
        failed,
        spans: Vec::new(),
    };
    let root_id = b.id();
    let pick = b.rng.below(10);
    let (route, method) = match pick {
        0..=3 => ("/api/items/{id}", "GET"),
        4..=5 => ("/api/search", "GET"),
        6..=7 => ("/api/home", "GET"),
        _ => ("/api/orders", "POST"),
    };
    let mut t = start + 200_000;
    // Session lookup in Redis.
    t += b.db(0, &root_id, "redis", "session", "GET", t, 0.4);
    t += match pick {
        0..=3 => b.http_call(
            0,
            &root_id,
            1,
            "GET",
            "/items/{id}",
            t,
            &mut |b, parent, s| {
                let mut d = b.db(1, parent, "redis", "items-cache", "GET", s, 0.3);
                d += b.db(1, parent, "postgresql", "items", "SELECT", s + d, 3.0);
                if b.failed {
                    b.span(
                        1,
                        parent,
                        "ItemService.reserve",
                        1,
                        s + d,
                        50_000,
                        vec![],
                        Some((
                            "com.example.items.ItemNotAvailableException",
                            "item is not available",
                            JAVA_STACK,
                        )),
                    );
                }
                d
            },
        ),
        4..=5 => b.http_call(0, &root_id, 4, "GET", "/search", t, &mut |b, parent, s| {
            b.db(4, parent, "elasticsearch", "items-v2", "search", s, 25.0)
        }),
        6..=7 => {
            let a = b.http_call(
                0,
                &root_id,
                3,
                "GET",
                "/users/me",
                t,
                &mut |b, parent, s| b.db(3, parent, "postgresql", "users", "SELECT", s, 2.0),
            );
            a + b.http_call(
                0,
                &root_id,
                1,
                "GET",
                "/items",
                t + a,
                &mut |b, parent, s| b.db(1, parent, "postgresql", "items", "SELECT", s, 6.0),
            )
        }
        _ => b.http_call(0, &root_id, 2, "POST", "/orders", t, &mut |b, parent, s| {
            let mut d = b.db(2, parent, "postgresql", "orders", "INSERT", s, 4.0);
            let pay = b.rng.latency(180.0);
            b.span(
                2,
                parent,
                "POST",
                CLIENT,
                s + d,
                pay,
                vec![
                    kv("peer.service", "payments-gateway"),
                    kv("server.address", "api.payments.example"),
                ],
                None,
            );
            d += pay;
            let publish = b.span(
                2,
                parent,
                "order-events publish",
                PRODUCER,
                s + d,
                800_000,
                vec![
                    kv("messaging.system", "aws_sqs"),
                    kv("messaging.destination.name", "order-events"),
                ],
                None,
            );
            let consume = b.rng.latency(40.0);
            let consumer = b.span(
                5,
                &publish,
                "order-events process",
                CONSUMER,
                s + d + 20_000_000,
                consume,
                vec![
                    kv("messaging.system", "aws_sqs"),
                    kv("messaging.destination.name", "order-events"),
                ],
                None,
            );
            b.db(
                5,
                &consumer,
                "postgresql",
                "notifications",
                "INSERT",
                s + d + 21_000_000,
                2.0,
            );
            d + 800_000
        }),
    };
    let root_duration = t - start + b.rng.latency(1.0);
    let root = Span {
        trace_id: trace_id.to_vec(),
        span_id: root_id,
        name: format!("{method} {route}"),
        kind: SERVER,
        start_time_unix_nano: start,
        end_time_unix_nano: start + root_duration,
        attributes: server_attributes(
            b.rng,
            method,
            route,
            "www.example.com",
            if failed { 500 } else { 200 },
        ),
        status: failed.then(|| Status {
            code: 2,
            message: "HTTP 500".into(),
        }),
        ..Default::default()
    };
    b.spans.push((0, root));
    TraceSpans {
        trace_id,
        spans: b.spans,
    }
}

/// One OTLP request of the traces' spans, grouped by service (resource), as
/// an SDK's batch exporter sends them.
pub(crate) fn request(traces: &[TraceSpans]) -> ExportTraceServiceRequest {
    let mut by_service: Vec<Vec<Span>> = vec![Vec::new(); SERVICES.len()];
    for t in traces {
        for (service, span) in &t.spans {
            by_service[*service].push(span.clone());
        }
    }
    ExportTraceServiceRequest {
        resource_spans: by_service
            .into_iter()
            .enumerate()
            .filter(|(_, spans)| !spans.is_empty())
            .map(|(i, spans)| ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![
                        kv("service.name", SERVICES[i]),
                        kv("deployment.environment.name", "prod"),
                        kv("service.version", "2.14.0"),
                        kv("host.name", &format!("{}-7d9f8", SERVICES[i])),
                        kv("telemetry.sdk.name", "opentelemetry"),
                        kv("telemetry.sdk.language", "java"),
                        kv("telemetry.sdk.version", "1.45.0"),
                        kv("cloud.provider", "aws"),
                        kv("cloud.region", "ap-northeast-2"),
                    ],
                    ..Default::default()
                }),
                scope_spans: vec![ScopeSpans {
                    spans,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
    }
}
