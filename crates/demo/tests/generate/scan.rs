//! Reads a generated demo world line by line and checks what every line must
//! satisfy (JSON shape, RFC 3339 times, order, window, ids, span trees, log
//! links), recording violations per category and the statistics the story
//! tests look at.

use std::collections::{BTreeMap, HashMap, HashSet};

use demo::{DemoConfig, DemoDataset, generate, services};
use serde_json::{Map, Value};

pub(crate) const SECOND: i64 = 1_000_000_000;
pub(crate) const MINUTE: i64 = 60 * SECOND;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;
pub(crate) const KST: i64 = 9 * HOUR;

/// What a scan found.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) lines: [usize; 3],
    /// Violations by category, the first few described.
    pub(crate) problems: BTreeMap<&'static str, (usize, Vec<String>)>,
    pub(crate) log_levels: HashMap<String, usize>,
    pub(crate) log_envs: HashMap<String, usize>,
    /// (time, is 5xx) of jobs-api prod access logs.
    pub(crate) jobs_access: Vec<(i64, bool)>,
    /// (start, duration ns) of jobs-api prod server spans.
    pub(crate) jobs_server_spans: Vec<(i64, i64)>,
    /// Prod access logs of every service: (time, service, is 5xx).
    pub(crate) prod_access: Vec<(i64, String, bool)>,
    /// Access logs, and how many of them carry trace ids.
    pub(crate) access_logs: usize,
    pub(crate) access_logs_with_ids: usize,
    /// Times of web-bff `AxiosError: Network Error` logs.
    pub(crate) axios_network: Vec<i64>,
    /// (time, region) of every line of every dataset.
    pub(crate) regions: Vec<(i64, String)>,
    /// Span `cloud.account.id`s before and after `split`.
    pub(crate) accounts: (HashSet<String>, HashSet<String>),
    /// container.cpu.utilization rows per timestamp.
    pub(crate) cpu_rows: BTreeMap<i64, usize>,
    pub(crate) services_seen: HashSet<String>,
    pub(crate) span_kinds: HashMap<String, usize>,
    pub(crate) db_systems: HashSet<String>,
    pub(crate) server_addresses: HashSet<String>,
}

impl Report {
    pub(crate) fn problem(&mut self, category: &'static str, text: impl FnOnce() -> String) {
        let entry = self.problems.entry(category).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(text());
        }
    }

    /// Panics listing the violations of `category`, if any.
    pub(crate) fn assert_clean(&self, category: &str) {
        if let Some((count, samples)) = self.problems.get(category) {
            panic!(
                "{count} `{category}` problems, e.g.:\n{}",
                samples.join("\n")
            );
        }
    }
}

/// Strict `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (the demo always writes nine
/// fraction digits and `Z`), as nanoseconds since the epoch.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 30
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[29] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hh, mm, ss, frac) = (num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 29)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m)
        || d < 1
        || d > month_days[(m - 1) as usize]
        || hh > 23
        || mm > 59
        || ss > 59
    {
        return None;
    }
    // Days since 1970-01-01 by counting (independent of the library's formula).
    let mut days = 0i64;
    for year in 1970..y {
        days += if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
            366
        } else {
            365
        };
    }
    days += month_days[..(m - 1) as usize].iter().sum::<i64>() + d - 1;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * SECOND) + frac)
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
        && text.bytes().any(|c| c != b'0')
}

struct SpanInfo {
    start: i64,
    end: i64,
    kind: String,
    parent: String,
}

/// Generates `config` and checks every line; `split` separates the account
/// sets (the migration instant).
pub(crate) fn scan(config: &DemoConfig, split: i64) -> Report {
    let mut report = Report::default();
    let start = config.end_unix_nanos - i64::from(config.days) * DAY;
    let end = config.end_unix_nanos;
    let names: HashSet<&str> = services().iter().map(|s| s.name).collect();
    let mut last = [i64::MIN; 3];
    let mut spans: HashMap<(String, String), SpanInfo> = HashMap::new();
    let mut log_links: Vec<(String, String)> = Vec::new();
    let mut sink = |dataset: DemoDataset, chunk: &[u8]| {
        let i = dataset as usize;
        for line in chunk.split_inclusive(|&b| b == b'\n') {
            report.lines[i] += 1;
            let Some(line) = line.strip_suffix(b"\n") else {
                report.problem("json", || "a chunk does not end with a newline".into());
                continue;
            };
            let object = match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(o)) => o,
                other => {
                    report.problem("json", || {
                        format!("{other:?}: {}", String::from_utf8_lossy(line))
                    });
                    continue;
                }
            };
            let text = || {
                String::from_utf8_lossy(line)
                    .chars()
                    .take(300)
                    .collect::<String>()
            };
            let Some(t) = object
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(parse_time)
            else {
                report.problem("time", || format!("bad timestamp: {}", text()));
                continue;
            };
            if t < last[i] {
                report.problem("order", || {
                    format!("{} goes back in time: {}", dataset.name(), text())
                });
            }
            last[i] = t;
            if t < start || t >= end {
                report.problem("window", || format!("outside the window: {}", text()));
            }
            let service = object.get("service").and_then(Value::as_str).unwrap_or("");
            if !names.contains(service) {
                report.problem("shape", || format!("unknown service: {}", text()));
            }
            report.services_seen.insert(service.to_owned());
            if !matches!(
                object.get("env").and_then(Value::as_str),
                Some("prod" | "stg" | "dev")
            ) {
                report.problem("shape", || format!("bad env: {}", text()));
            }
            let Some(attributes) = object.get("attributes").and_then(Value::as_object) else {
                report.problem("shape", || format!("no attributes object: {}", text()));
                continue;
            };
            match attributes.get("cloud.region").and_then(Value::as_str) {
                Some(region) => report.regions.push((t, region.to_owned())),
                None => report.problem("shape", || format!("no cloud.region: {}", text())),
            }
            match dataset {
                DemoDataset::Logs => {
                    check_log(&mut report, &object, attributes, t, &text, &mut log_links)
                }
                DemoDataset::Spans => {
                    let checked = check_span(&mut report, &object, attributes, t, split, &text);
                    if let Some((key, info)) = checked
                        && spans.insert(key, info).is_some()
                    {
                        report.problem("ids", || format!("duplicate span id: {}", text()));
                    }
                }
                DemoDataset::Metrics => check_metric(&mut report, &object, t, &text),
            }
        }
    };
    generate(config, 7_000, &mut sink);
    // Trees: parents exist in the same trace, and children run inside them
    // (an SQS consumer starts after its producer, so only its start is checked).
    for ((trace, _), span) in &spans {
        if span.parent.is_empty() {
            continue;
        }
        match spans.get(&(trace.clone(), span.parent.clone())) {
            None => report.problem("tree", || {
                format!("parent {} missing in trace {trace}", span.parent)
            }),
            Some(parent) if span.kind == "consumer" => {
                if span.start < parent.start || parent.kind != "producer" {
                    report.problem("nesting", || {
                        format!("consumer before its producer in {trace}")
                    });
                }
            }
            Some(parent) => {
                if span.start < parent.start || span.end > parent.end {
                    report.problem("nesting", || format!("child outside its parent in {trace}"));
                }
            }
        }
    }
    for (trace, span) in log_links {
        if !spans.contains_key(&(trace.clone(), span.clone())) {
            report.problem("links", || {
                format!("log points at missing span {trace}/{span}")
            });
        }
    }
    report
}

fn check_log(
    report: &mut Report,
    o: &Map<String, Value>,
    a: &Map<String, Value>,
    t: i64,
    text: &dyn Fn() -> String,
    links: &mut Vec<(String, String)>,
) {
    let service = o["service"].as_str().unwrap_or("");
    let env = o.get("env").and_then(Value::as_str).unwrap_or("");
    let level = o.get("level").and_then(Value::as_str).unwrap_or("");
    if !matches!(level, "debug" | "info" | "warn" | "error") {
        report.problem("shape", || format!("bad level: {}", text()));
    }
    let message = o.get("message").and_then(Value::as_str).unwrap_or("");
    if message.is_empty() {
        report.problem("shape", || format!("no message: {}", text()));
    }
    let host = o.get("host").and_then(Value::as_str).unwrap_or("");
    if !host.starts_with(&format!("ecs-task/{service}/")) {
        report.problem("shape", || format!("bad host: {}", text()));
    }
    *report.log_levels.entry(level.to_owned()).or_default() += 1;
    *report.log_envs.entry(env.to_owned()).or_default() += 1;
    let trace = o.get("trace_id").and_then(Value::as_str);
    let span = o.get("span_id").and_then(Value::as_str);
    match (trace, span) {
        (Some(trace), Some(span)) => {
            if !is_hex(trace, 32) || !is_hex(span, 16) {
                report.problem("ids", || format!("bad log ids: {}", text()));
            }
            links.push((trace.to_owned(), span.to_owned()));
        }
        (None, None) => {}
        _ => report.problem("ids", || format!("trace_id without span_id: {}", text())),
    }
    if let Some(ty) = a.get("exception.type") {
        let complete = ty.is_string()
            && ["exception.message", "exception.stacktrace", "error.kind"]
                .iter()
                .all(|k| a.get(*k).is_some_and(Value::is_string));
        if !complete || level != "error" || trace.is_none() {
            report.problem("errors", || format!("incomplete error line: {}", text()));
        }
    }
    let status = a.get("http.status_code").map(|s| s.as_i64());
    if status == Some(None) || a.get("duration_ms").is_some_and(|d| !d.is_f64()) {
        report.problem("shape", || format!("bad http attributes: {}", text()));
    }
    let is_access = message.starts_with("GET /") || message.starts_with("POST /");
    if is_access {
        report.access_logs += 1;
        report.access_logs_with_ids += usize::from(trace.is_some());
        let failed = status.flatten().is_some_and(|s| s >= 500);
        if env == "prod" {
            report.prod_access.push((t, service.to_owned(), failed));
            if service == "jobs-api" {
                report.jobs_access.push((t, failed));
            }
        }
    }
    if service == "web-bff" && message == "AxiosError: Network Error" {
        report.axios_network.push(t);
    }
}

fn check_span(
    report: &mut Report,
    o: &Map<String, Value>,
    a: &Map<String, Value>,
    t: i64,
    split: i64,
    text: &dyn Fn() -> String,
) -> Option<((String, String), SpanInfo)> {
    let end = o
        .get("end_timestamp")
        .and_then(Value::as_str)
        .and_then(parse_time);
    let duration = o.get("duration_ns").and_then(Value::as_i64);
    let (Some(end), Some(duration)) = (end, duration) else {
        report.problem("shape", || format!("no end or duration: {}", text()));
        return None;
    };
    if end - t != duration || duration < 0 {
        report.problem("time", || format!("duration does not match: {}", text()));
    }
    let get = |k: &str| o.get(k).and_then(Value::as_str);
    let (trace, id, parent) = (
        get("trace_id").unwrap_or(""),
        get("span_id").unwrap_or(""),
        get("parent_span_id"),
    );
    if !is_hex(trace, 32)
        || !is_hex(id, 16)
        || !parent.is_some_and(|p| p.is_empty() || is_hex(p, 16))
    {
        report.problem("ids", || format!("bad span ids: {}", text()));
    }
    let kind = get("kind").unwrap_or("");
    let status = get("status_code").unwrap_or("");
    let name_ok = get("name").is_some_and(|n| !n.is_empty());
    if !name_ok
        || !matches!(
            kind,
            "server" | "client" | "internal" | "producer" | "consumer"
        )
        || !matches!(status, "unset" | "ok" | "error")
        || get("status_message").is_none()
        || !get("host").is_some_and(|h| h.starts_with("ecs-task/"))
    {
        report.problem("shape", || format!("bad span fields: {}", text()));
    }
    *report.span_kinds.entry(kind.to_owned()).or_default() += 1;
    let has = |k: &str| a.get(k).is_some_and(Value::is_string);
    if let Some(system) = a.get("db.system").and_then(Value::as_str) {
        report.db_systems.insert(system.to_owned());
        if kind != "client" || !has("db.namespace") || !has("db.operation.name") {
            report.problem("shape", || format!("incomplete db span: {}", text()));
        }
    }
    if matches!(kind, "producer" | "consumer")
        && !(has("messaging.system") && has("messaging.destination.name"))
    {
        report.problem("shape", || format!("incomplete messaging span: {}", text()));
    }
    if kind == "server"
        && !(has("http.request.method")
            && has("http.route")
            && a.get("http.response.status_code")
                .is_some_and(Value::is_i64))
    {
        report.problem("shape", || format!("incomplete server span: {}", text()));
    }
    if let Some(address) = a.get("server.address").and_then(Value::as_str) {
        report.server_addresses.insert(address.to_owned());
    }
    if let Some(events) = o.get("events") {
        let ok = events.as_array().is_some_and(|list| {
            list.iter().all(|e| {
                e["name"] == "exception"
                    && e["timestamp"].as_str().and_then(parse_time).is_some()
                    && [
                        "exception.type",
                        "exception.message",
                        "exception.stacktrace",
                    ]
                    .iter()
                    .all(|k| e["attributes"][*k].is_string())
            })
        });
        if !ok || status != "error" {
            report.problem("shape", || format!("bad events: {}", text()));
        }
    }
    if let Some(account) = a.get("cloud.account.id").and_then(Value::as_str) {
        let set = if t < split {
            &mut report.accounts.0
        } else {
            &mut report.accounts.1
        };
        set.insert(account.to_owned());
    }
    if o["service"] == "jobs-api" && o["env"] == "prod" && kind == "server" {
        report.jobs_server_spans.push((t, duration));
    }
    let info = SpanInfo {
        start: t,
        end,
        kind: kind.to_owned(),
        parent: parent.unwrap_or("").to_owned(),
    };
    Some(((trace.to_owned(), id.to_owned()), info))
}

fn check_metric(report: &mut Report, o: &Map<String, Value>, t: i64, text: &dyn Fn() -> String) {
    let metric = o.get("metric").and_then(Value::as_str).unwrap_or("");
    let host_ok = o
        .get("host")
        .and_then(Value::as_str)
        .is_some_and(|h| h.starts_with("ecs-task/"));
    let ok = match o.get("kind").and_then(Value::as_str) {
        Some("gauge") => host_ok && o.get("value").is_some_and(Value::is_number),
        Some("sum") => {
            host_ok
                && o.get("is_monotonic") == Some(&Value::Bool(true))
                && o.get("value")
                    .and_then(Value::as_i64)
                    .is_some_and(|v| v >= 0)
        }
        Some("histogram") => {
            let buckets: Option<Vec<i64>> = o
                .get("bucket_counts")
                .and_then(Value::as_array)
                .and_then(|b| b.iter().map(Value::as_i64).collect());
            let bounds: Option<Vec<f64>> = o
                .get("explicit_bounds")
                .and_then(Value::as_array)
                .and_then(|b| b.iter().map(Value::as_f64).collect());
            let count = o.get("count").and_then(Value::as_i64);
            match (buckets, bounds, count) {
                (Some(buckets), Some(bounds), Some(count)) => {
                    let min_max = count == 0
                        || o["min"]
                            .as_f64()
                            .zip(o["max"].as_f64())
                            .is_some_and(|(a, b)| a <= b);
                    buckets.len() == bounds.len() + 1
                        && buckets.iter().sum::<i64>() == count
                        && bounds.windows(2).all(|w| w[0] < w[1])
                        && o.get("sum").is_some_and(Value::is_f64)
                        && min_max
                }
                _ => false,
            }
        }
        _ => false,
    };
    if !ok || metric.is_empty() || !o.get("unit").is_some_and(Value::is_string) {
        report.problem("metrics", || format!("bad metric row: {}", text()));
    }
    if t % MINUTE != 0 {
        report.problem("metrics", || format!("not on a whole minute: {}", text()));
    }
    if metric == "container.cpu.utilization" {
        *report.cpu_rows.entry(t).or_default() += 1;
    }
}
