//! Minute-by-minute traffic of the demo world: traces, the logs that carry
//! their ids, and per-task metrics, with daily seasonality and the talk's
//! events (the Tokyo→Seoul migration, a jobs-api incident, an AxiosError burst).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::world::{ServiceInfo, bff_target, exception, service, services};

const MINUTE: i64 = 60_000_000_000;
const DAY: i64 = 86_400_000_000_000;
const KST: i64 = 9 * 3_600_000_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoConfig {
    pub seed: u64,
    /// End of the generated window, nanoseconds since the epoch.
    pub end_unix_nanos: i64,
    pub days: u32,
    /// 1.0 is the default volume (about 40 requests a minute at peak).
    pub scale: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoDataset {
    Logs,
    Spans,
    Metrics,
}

impl DemoDataset {
    pub fn name(&self) -> &'static str {
        match self {
            DemoDataset::Logs => "logs",
            DemoDataset::Spans => "spans",
            DemoDataset::Metrics => "metrics",
        }
    }
}

/// The talk's moments, relative to the end of the window.
struct Timeline {
    migration: i64,
    incident: (i64, i64),
    axios_burst: (i64, i64),
}

impl Timeline {
    fn new(end: i64) -> Timeline {
        // Local (KST) midnight of the end day, to place events at office hours.
        let kst_day = (end + KST).div_euclid(DAY) * DAY - KST;
        let incident = kst_day - 2 * DAY + 14 * 3_600_000_000_000;
        let burst = kst_day - DAY + 10 * 3_600_000_000_000;
        Timeline {
            migration: end - 4 * DAY,
            incident: (incident, incident + 40 * MINUTE),
            axios_burst: (burst, burst + 20 * MINUTE),
        }
    }

    fn region(&self, t: i64) -> &'static str {
        if t < self.migration {
            "ap-northeast-1"
        } else {
            "ap-northeast-2"
        }
    }
}

/// Busy in Korean office hours, quiet at night and on weekends.
fn load_factor(t: i64) -> f64 {
    let local = t + KST;
    let hour = local.rem_euclid(DAY) / 3_600_000_000_000;
    let weekday = (local.div_euclid(DAY) + 3).rem_euclid(7); // 0 = Monday
    let by_hour = match hour {
        0..=6 => 0.12,
        7..=8 => 0.5,
        9..=11 => 1.0,
        12 => 1.2,
        13..=18 => 0.95,
        19..=21 => 0.6,
        _ => 0.3,
    };
    if weekday >= 5 {
        by_hour * 0.45
    } else {
        by_hour
    }
}

fn hex(rng: &mut ChaCha8Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes * 2);
    for _ in 0..bytes {
        s.push_str(&format!("{:02x}", rng.random::<u8>()));
    }
    s
}

fn ts(t: i64) -> String {
    model::format_rfc3339_nanos(t)
}

/// Accumulates lines per dataset and hands out full chunks.
struct Output<'a> {
    chunk_lines: usize,
    buffers: [(DemoDataset, Vec<u8>, usize); 3],
    sink: &'a mut dyn FnMut(DemoDataset, &[u8]),
}

impl Output<'_> {
    fn push(&mut self, dataset: DemoDataset, line: &Value) {
        let i = dataset as usize;
        let (d, buf, n) = &mut self.buffers[i];
        serde_json::to_writer(&mut *buf, line).expect("json to memory");
        buf.push(b'\n');
        *n += 1;
        if *n >= self.chunk_lines {
            (self.sink)(*d, buf);
            buf.clear();
            *n = 0;
        }
    }

    fn finish(mut self) {
        for (d, buf, n) in &mut self.buffers {
            if *n > 0 {
                (self.sink)(*d, buf);
            }
        }
    }
}

struct Ctx<'o, 'a> {
    rng: ChaCha8Rng,
    timeline: Timeline,
    out: &'o mut Output<'a>,
}

struct Span<'s> {
    trace_id: &'s str,
    parent: Option<&'s str>,
    service: &'static ServiceInfo,
    env: &'static str,
    host: String,
    name: String,
    kind: &'static str,
    start: i64,
    duration: i64,
    error: Option<(&'static str, &'static str, &'static str)>,
    attributes: Value,
}

impl Ctx<'_, '_> {
    fn host(&mut self, s: &ServiceInfo) -> String {
        format!(
            "ecs-task/{}/{:06x}",
            s.name,
            (s.name.len() as u32 * 7919 + self.rng.random_range(0..2u32)) & 0xffffff
        )
    }

    fn emit_span(&mut self, span: &Span<'_>) -> String {
        let id = hex(&mut self.rng, 8);
        let mut attributes = span.attributes.clone();
        attributes["cloud.region"] = json!(self.timeline.region(span.start));
        let mut line = json!({
            "timestamp": ts(span.start),
            "end_timestamp": ts(span.start + span.duration),
            "duration_ns": span.duration,
            "trace_id": span.trace_id,
            "span_id": id,
            "parent_span_id": span.parent.unwrap_or(""),
            "name": span.name,
            "kind": span.kind,
            "status_code": if span.error.is_some() { "error" } else { "unset" },
            "service": span.service.name,
            "env": span.env,
            "host": span.host,
            "attributes": attributes,
        });
        if let Some((kind, message, stack)) = span.error {
            line["status_message"] = json!(message);
            line["events"] = json!([{ "name": "exception", "timestamp": ts(span.start + span.duration), "attributes": {
                "exception.type": kind, "exception.message": message, "exception.stacktrace": stack } }]);
        }
        self.out.push(DemoDataset::Spans, &line);
        id
    }

    fn emit_log(
        &mut self,
        t: i64,
        (s, env, host): (&ServiceInfo, &str, &str),
        level: &str,
        message: String,
        ids: Option<(&str, &str)>,
        attributes: Value,
    ) {
        let mut attributes = attributes;
        attributes["cloud.region"] = json!(self.timeline.region(t));
        let mut line = json!({ "timestamp": ts(t), "service": s.name, "env": env, "host": host, "level": level, "message": message, "attributes": attributes });
        if let Some((trace, span)) = ids {
            line["trace_id"] = json!(trace);
            line["span_id"] = json!(span);
        }
        self.out.push(DemoDataset::Logs, &line);
    }

    /// A server span of `s` for `route`, with its database and downstream calls.
    fn serve(
        &mut self,
        trace: &str,
        parent: Option<&str>,
        s: &'static ServiceInfo,
        route: &str,
        env: &'static str,
        start: i64,
    ) -> (i64, bool) {
        let in_incident = s.name == "jobs-api"
            && env == "prod"
            && (self.timeline.incident.0..self.timeline.incident.1).contains(&start);
        let cutover = (start - self.timeline.migration).abs() < 15 * MINUTE;
        let host = self.host(s);
        let mut cursor = start + self.rng.random_range(200_000..2_000_000);
        let mut failed = in_incident && self.rng.random_bool(0.35) || self.rng.random_bool(0.003);
        let mut children = Vec::new();
        if let Some((system, db)) = s.database {
            let base: f64 = if system == "redis" { 0.6 } else { 4.0 };
            let mut ms = base * (1.0 + self.rng.random::<f64>().powi(3) * 20.0);
            if in_incident {
                ms *= 10.0;
            }
            if cutover {
                ms *= 3.0;
            }
            let duration = (ms * 1e6) as i64;
            let operation = if route.starts_with("GET") {
                "SELECT"
            } else {
                "INSERT"
            };
            children.push((
                cursor,
                duration,
                system,
                db,
                operation,
                failed && in_incident,
            ));
            cursor += duration + 100_000;
        }
        let mut downstream = Vec::new();
        for callee in s.calls {
            let callee = service(callee);
            downstream.push((callee, cursor));
            cursor += 1_000_000;
        }
        if s.name == "web-bff" {
            let target = service(bff_target(route));
            downstream.push((target, cursor));
        }
        // Children point at the server span, so its id is chosen first.
        let mut end = cursor;
        let server_id = hex(&mut self.rng, 8);
        for (t, d, system, db, operation, err) in children {
            let span = Span {
                trace_id: trace,
                parent: Some(&server_id),
                service: s,
                env,
                host: host.clone(),
                name: format!("{operation} {db}"),
                kind: "client",
                start: t,
                duration: d,
                error: err.then(|| exception("kotlin", 0)),
                attributes: json!({ "db.system": system, "db.namespace": db, "db.operation.name": operation, "server.address": format!("{db}.{system}.internal") }),
            };
            self.emit_span(&span);
            end = end.max(t + d);
        }
        for (callee, t) in downstream {
            let callee_route = callee.routes[self.rng.random_range(0..callee.routes.len())];
            let axios = s.name == "web-bff"
                && callee.name == "ads-api"
                && (self.timeline.axios_burst.0..self.timeline.axios_burst.1).contains(&t)
                && self.rng.random_bool(0.6);
            let client_id = hex(&mut self.rng, 8);
            let (child_end, child_failed) = if axios {
                (t + 30_000_000_000, true)
            } else {
                self.serve(
                    trace,
                    Some(&client_id),
                    callee,
                    callee_route,
                    env,
                    t + 300_000,
                )
            };
            let duration = child_end - t + 300_000;
            let error = if axios {
                Some(exception("nodejs", 0))
            } else if child_failed {
                Some(exception(s.language, 1))
            } else {
                None
            };
            let span = Span {
                trace_id: trace,
                parent: Some(&server_id),
                service: s,
                env,
                host: host.clone(),
                name: callee_route.to_owned(),
                kind: "client",
                start: t,
                duration,
                error,
                attributes: json!({ "http.request.method": callee_route.split(' ').next().unwrap_or("GET"), "server.address": callee.name, "peer.service": callee.name }),
            };
            self.emit_span_with_id(&span, &client_id);
            if axios {
                self.emit_log(t + duration, (s, env, &host), "error", format!("AxiosError: Network Error calling {}", callee.name), Some((trace, &client_id)), json!({ "error.kind": "AxiosError", "exception.type": "AxiosError", "exception.message": "Network Error", "http.route": route }));
            }
            failed |= child_failed || axios;
            end = end.max(t + duration);
        }
        let duration = end - start + self.rng.random_range(300_000..3_000_000);
        let status = if failed {
            if in_incident { 504 } else { 500 }
        } else if route.starts_with("POST") {
            201
        } else {
            200
        };
        let (method, path) = route.split_once(' ').unwrap_or(("", route));
        let kind = if s.kind == "worker" {
            "consumer"
        } else {
            "server"
        };
        let error = failed.then(|| {
            if in_incident {
                exception("kotlin", 0)
            } else {
                exception(s.language, 1)
            }
        });
        let span = Span {
            trace_id: trace,
            parent,
            service: s,
            env,
            host: host.clone(),
            name: route.to_owned(),
            kind,
            start,
            duration,
            error,
            attributes: if kind == "server" {
                json!({ "http.request.method": method, "http.route": path, "http.response.status_code": status })
            } else {
                json!({ "messaging.system": "aws_sqs", "messaging.destination.name": path })
            },
        };
        self.emit_span_with_id(&span, &server_id);
        let ms = duration as f64 / 1e6;
        let level = if failed {
            "error"
        } else if ms > 1000.0 {
            "warn"
        } else {
            "info"
        };
        let mut attributes = json!({ "http.method": method, "http.route": path, "http.status_code": status, "duration_ms": (ms * 10.0).round() / 10.0, "usr.id": format!("u-{}", self.rng.random_range(10_000..99_999)) });
        if let Some((kind, message, stack)) = error {
            attributes["error.kind"] = json!(kind);
            attributes["exception.type"] = json!(kind);
            attributes["exception.message"] = json!(message);
            attributes["exception.stacktrace"] = json!(stack);
        }
        let message = if failed {
            format!(
                "{route} {status} {ms:.0}ms: {}",
                error.map(|e| e.1).unwrap_or("error")
            )
        } else {
            format!("{route} {status} {ms:.0}ms")
        };
        self.emit_log(
            start + duration,
            (s, env, &host),
            level,
            message,
            Some((trace, &server_id)),
            attributes,
        );
        (start + duration, failed)
    }

    fn emit_span_with_id(&mut self, span: &Span<'_>, id: &str) {
        let mut attributes = span.attributes.clone();
        attributes["cloud.region"] = json!(self.timeline.region(span.start));
        let mut line = json!({
            "timestamp": ts(span.start), "end_timestamp": ts(span.start + span.duration), "duration_ns": span.duration,
            "trace_id": span.trace_id, "span_id": id, "parent_span_id": span.parent.unwrap_or(""), "name": span.name,
            "kind": span.kind, "status_code": if span.error.is_some() { "error" } else { "unset" },
            "service": span.service.name, "env": span.env, "host": span.host, "attributes": attributes,
        });
        if let Some((kind, message, stack)) = span.error {
            line["status_message"] = json!(message);
            line["events"] = json!([{ "name": "exception", "timestamp": ts(span.start + span.duration), "attributes": {
                "exception.type": kind, "exception.message": message, "exception.stacktrace": stack } }]);
        }
        self.out.push(DemoDataset::Spans, &line);
    }

    fn metrics(&mut self, t: i64, requests: &[(usize, u64)]) {
        for (i, s) in services().iter().enumerate() {
            let count = requests
                .iter()
                .find(|(j, _)| *j == i)
                .map(|r| r.1)
                .unwrap_or(0);
            for task in 0..2u32 {
                let host = format!(
                    "ecs-task/{}/{:06x}",
                    s.name,
                    (s.name.len() as u32 * 7919 + task) & 0xffffff
                );
                let cpu = (0.08 + load_factor(t) * 0.45 + self.rng.random::<f64>() * 0.08).min(1.0);
                let memory = 512.0 * 1024.0 * 1024.0 * (0.55 + self.rng.random::<f64>() * 0.1);
                let attributes = json!({ "aws.ecs.task.family": s.name, "cloud.region": self.timeline.region(t) });
                for (metric, kind, unit, value) in [
                    ("container.cpu.utilization", "gauge", "1", cpu),
                    ("container.memory.usage", "gauge", "By", memory.round()),
                    (
                        "http.server.request.count",
                        "sum",
                        "{request}",
                        (count / 2) as f64,
                    ),
                ] {
                    let mut line = json!({ "timestamp": ts(t), "service": s.name, "env": "prod", "host": host, "metric": metric, "kind": kind, "unit": unit, "value": value, "attributes": attributes });
                    if kind == "sum" {
                        line["is_monotonic"] = json!(true);
                        line["temporality"] = json!("delta");
                    }
                    self.out.push(DemoDataset::Metrics, &line);
                }
            }
        }
    }
}

/// Generates the demo world for `config`, calling `sink` with NDJSON chunks of
/// at most `chunk_lines` lines.
pub fn generate(config: &DemoConfig, chunk_lines: usize, sink: &mut dyn FnMut(DemoDataset, &[u8])) {
    let end = config.end_unix_nanos - config.end_unix_nanos.rem_euclid(MINUTE);
    let start = end - config.days as i64 * DAY;
    let mut out = Output {
        chunk_lines: chunk_lines.max(1),
        buffers: [
            (DemoDataset::Logs, Vec::new(), 0),
            (DemoDataset::Spans, Vec::new(), 0),
            (DemoDataset::Metrics, Vec::new(), 0),
        ],
        sink,
    };
    let mut ctx = Ctx {
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        timeline: Timeline::new(end),
        out: &mut out,
    };
    let bff = service("web-bff");
    let mut per_service: Vec<(usize, u64)> = Vec::new();
    let mut minute = start;
    while minute < end {
        let rate =
            40.0 * config.scale * load_factor(minute) * (0.8 + ctx.rng.random::<f64>() * 0.4);
        let requests = rate.round() as u64;
        for _ in 0..requests {
            let t = minute + ctx.rng.random_range(0..MINUTE - 2_000_000_000);
            let env = match ctx.rng.random_range(0..100) {
                0..=3 => "dev",
                4..=9 => "stg",
                _ => "prod",
            };
            let route = bff.routes[ctx.rng.random_range(0..bff.routes.len())];
            let trace = hex(&mut ctx.rng, 16);
            ctx.serve(&trace, None, bff, route, env, t);
            let target = services()
                .iter()
                .position(|s| s.name == bff_target(route))
                .unwrap_or(0);
            match per_service.iter_mut().find(|(i, _)| *i == target) {
                Some(e) => e.1 += 1,
                None => per_service.push((target, 1)),
            }
        }
        // Background workers: a few consumer traces a minute.
        for worker in [
            "cards-ocr-worker",
            "jobs-recommender",
            "community-feed-worker",
        ] {
            if ctx
                .rng
                .random_bool((0.5 * load_factor(minute) * config.scale).min(1.0))
            {
                let s = service(worker);
                let trace = hex(&mut ctx.rng, 16);
                let t = minute + ctx.rng.random_range(0..MINUTE - 2_000_000_000);
                ctx.serve(&trace, None, s, s.routes[0], "prod", t);
            }
        }
        if (minute - start) % (5 * MINUTE) == 0 {
            ctx.metrics(minute, &per_service);
            per_service.clear();
        }
        minute += MINUTE;
    }
    out.finish();
}

/// Realistic application log lines for benchmarks: exactly `count` lines
/// spread over `[start, end)`, deterministic per seed.
pub fn benchmark_logs(
    seed: u64,
    start_unix_nanos: i64,
    end_unix_nanos: i64,
    count: usize,
    sink: &mut dyn FnMut(&[u8]),
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let all = services();
    let step = ((end_unix_nanos - start_unix_nanos) / count.max(1) as i64).max(1);
    let mut buf = Vec::with_capacity(8 << 20);
    for i in 0..count {
        let s = &all[rng.random_range(0..all.len())];
        let t = start_unix_nanos + i as i64 * step + rng.random_range(0..step);
        let route = s.routes[rng.random_range(0..s.routes.len())];
        let error = rng.random_bool(0.01);
        let status = if error { 500 } else { 200 };
        let ms = 2.0 + rng.random::<f64>().powi(4) * 900.0;
        let trace = hex(&mut rng, 16);
        let span = hex(&mut rng, 8);
        let line = json!({
            "timestamp": ts(t), "service": s.name, "env": "prod",
            "host": format!("ecs-task/{}/{:06x}", s.name, rng.random_range(0..4u32) * 4099),
            "level": if error { "error" } else if ms > 500.0 { "warn" } else { "info" },
            "message": format!("{route} {status} {ms:.0}ms user=u-{} request_id={}", rng.random_range(10_000..99_999), &trace[..12]),
            "trace_id": trace, "span_id": span,
            "attributes": { "http.method": route.split(' ').next().unwrap_or("GET"), "http.route": route.split(' ').nth(1).unwrap_or(route), "http.status_code": status, "duration_ms": (ms * 10.0).round() / 10.0, "cloud.region": "ap-northeast-2" },
        });
        serde_json::to_writer(&mut buf, &line).expect("json to memory");
        buf.push(b'\n');
        if buf.len() >= 4 << 20 {
            sink(&buf);
            buf.clear();
        }
    }
    if !buf.is_empty() {
        sink(&buf);
    }
}
