//! AWS WAF web ACL traffic logs: one JSON object per inspected request, as
//! WAF delivers them to S3 (JSON lines, gzip undone by the caller), to
//! CloudWatch Logs and to Firehose (records concatenated, with or without
//! newlines). Also read: JSON arrays of records, pretty-printed records
//! (AWS's documentation examples), CloudWatch Logs subscription payloads
//! (`logEvents[].message` holding the records; control messages skipped)
//! and EventBridge-style envelopes with the record in `detail`.
//!
//! A record (the fields of AWS's "Log fields for web ACL traffic") has
//! `timestamp` (epoch milliseconds; an ISO 8601 string such as
//! `2024-03-20T10:30:00.000Z` or `2023-11-14 20:23:15.123` (UTC) is read
//! too, as tools that re-key WAF logs write), `webaclId`, `action` (ALLOW,
//! BLOCK, COUNT, CAPTCHA, CHALLENGE), `terminatingRuleId` and
//! `terminatingRuleType`, the rule groups, rate-based and non-terminating
//! rules that matched, `labels`, `responseCodeSent`, `captchaResponse` and
//! `challengeResponse`, `ja3Fingerprint`/`ja4Fingerprint`, and
//! `httpRequest` with `clientIp`, `country`, `headers` (`[{name, value}]`),
//! `uri`, `args`, `httpVersion`, `httpMethod`, `requestId` and, in newer
//! records, `scheme`, `host` and `fragment`. The host (when `httpRequest`
//! has none), user agent and referer are read from the headers, names
//! compared without regard to case. A record needs `webaclId` and a
//! `timestamp`; the rest is kept as delivered in the entry's event.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::http_log::{HttpLog, HttpLogSource, HttpRequestEntry, MAX_LINE_BYTES, present};

/// Decodes WAF log text (already gunzipped) in any of the forms above. A
/// bad record is rejected with the line it starts on and the reason; the
/// others decode. JSON lines are read line by line, so a broken line costs
/// only itself; other text is read value by value up to the first syntax
/// error (the rest is rejected as one record).
pub fn decode_waf_log(bytes: &[u8]) -> HttpLog {
    let mut reader = Reader {
        log: HttpLog::default(),
        lines: LineCounter::new(bytes),
    };
    let bytes = reader.lines.base;
    if !is_json_lines(bytes) {
        reader.values(bytes, 1);
        return reader.log;
    }
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(_) => reader.values(line, i + 1),
            Err(e) => reader.log.reject(
                i + 1,
                format!(
                    "the line is not UTF-8 (invalid byte at {})",
                    e.valid_up_to()
                ),
            ),
        }
    }
    reader.log
}

/// More than one record line, the first a whole JSON value (or several,
/// concatenated). `#` comment lines and empty lines are not record lines.
fn is_json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"));
    let Some(first) = lines.next() else {
        return false;
    };
    lines.next().is_some()
        && first.starts_with(b"{")
        && serde_json::Deserializer::from_slice(first)
            .into_iter::<serde::de::IgnoredAny>()
            .all(|v| v.is_ok())
}

/// The 1-based line of a place in the payload, counted forward.
struct LineCounter<'a> {
    base: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            base: bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes),
            at: 0,
            line: 1,
        }
    }

    /// The line `place` (a pointer into the payload) is on.
    fn line_at(&mut self, place: *const u8) -> usize {
        let offset = (place as usize)
            .wrapping_sub(self.base.as_ptr() as usize)
            .min(self.base.len());
        if offset < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.base[self.at..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.at = offset;
        self.line
    }
}

struct Reader<'a> {
    log: HttpLog,
    lines: LineCounter<'a>,
}

impl<'a> Reader<'a> {
    /// Reads the JSON values of `bytes`, a slice of the payload starting on
    /// line `first_line`, one by one, up to the first syntax error.
    fn values(&mut self, bytes: &'a [u8], first_line: usize) {
        let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<&RawValue>();
        loop {
            let at = values.byte_offset();
            match values.next() {
                None => break,
                Some(Ok(raw)) => {
                    let line = self.lines.line_at(raw.get().as_ptr());
                    self.take(raw.get(), line);
                }
                Some(Err(e)) => {
                    let start = bytes[at..]
                        .iter()
                        .position(|b| !b.is_ascii_whitespace())
                        .map_or(bytes.len(), |p| at + p);
                    let line = self.lines.line_at(bytes[start..].as_ptr());
                    let text = e.to_string();
                    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |m| m.0);
                    self.log.reject(
                        line,
                        format!(
                            "invalid JSON at line {}, column {}: {message}",
                            first_line + e.line().saturating_sub(1),
                            e.column()
                        ),
                    );
                    break;
                }
            }
        }
    }

    /// One top-level value starting on `line`: a record, an array of
    /// records, a CloudWatch Logs subscription payload or an envelope with
    /// the record in `detail`.
    fn take(&mut self, text: &str, line: usize) {
        if text.starts_with('[') {
            match serde_json::from_str::<Vec<&RawValue>>(text) {
                Ok(items) => {
                    for item in items {
                        let line = self.lines.line_at(item.get().as_ptr());
                        self.record(item.get(), line);
                    }
                }
                Err(e) => self.log.reject(line, format!("invalid JSON array: {e}")),
            }
            return;
        }
        if text.len() > MAX_LINE_BYTES {
            return self.large(text, line);
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.log.reject(line, format!("invalid JSON: {e}")),
        };
        let Value::Object(mut object) = value else {
            return self.log.reject(line, "not a JSON object");
        };
        if !object.contains_key("webaclId") {
            if let Some(Value::Array(events)) = object.get("logEvents") {
                if object.get("messageType").and_then(Value::as_str) == Some("CONTROL_MESSAGE") {
                    return;
                }
                for event in events {
                    match event.get("message").and_then(Value::as_str) {
                        Some(message) => self.record(message, line),
                        None => self
                            .log
                            .reject(line, "a CloudWatch Logs event without a message"),
                    }
                }
                return;
            }
            if object.contains_key("detail-type")
                && let Some(detail) = object.remove("detail")
            {
                let raw = detail.to_string();
                return self.push(entry(detail, &raw), line);
            }
        }
        self.push(entry(Value::Object(object), text), line);
    }

    /// An object longer than a record may be: a CloudWatch Logs
    /// subscription payload, read event by event without holding it parsed,
    /// or else rejected.
    fn large(&mut self, text: &str, line: usize) {
        #[derive(serde::Deserialize)]
        struct Subscription<'a> {
            #[serde(rename = "logEvents", borrow)]
            log_events: Vec<&'a RawValue>,
        }
        #[derive(serde::Deserialize)]
        struct LogEvent {
            message: String,
        }
        let Ok(subscription) = serde_json::from_str::<Subscription>(text) else {
            return self.log.reject(line, too_long(text.len()));
        };
        for event in subscription.log_events {
            let line = self.lines.line_at(event.get().as_ptr());
            match serde_json::from_str::<LogEvent>(event.get()) {
                Ok(e) => self.record(&e.message, line),
                Err(_) => self
                    .log
                    .reject(line, "a CloudWatch Logs event without a message"),
            }
        }
    }

    /// A record's text.
    fn record(&mut self, text: &str, line: usize) {
        if text.len() > MAX_LINE_BYTES {
            return self.log.reject(line, too_long(text.len()));
        }
        match serde_json::from_str(text) {
            Ok(value) => self.push(entry(value, text), line),
            Err(e) => self.log.reject(line, format!("invalid JSON: {e}")),
        }
    }

    fn push(&mut self, entry: Result<HttpRequestEntry, String>, line: usize) {
        match entry {
            Ok(entry) => self.log.entries.push(entry),
            Err(reason) => self.log.reject(line, reason),
        }
    }
}

fn too_long(len: usize) -> String {
    format!(
        "the record is {len} bytes, longer than the {} MiB a record may be",
        MAX_LINE_BYTES >> 20
    )
}

/// `timestamp` in epoch milliseconds (a number or a string of digits), or
/// an ISO 8601 time (UTC when it names no zone).
fn timestamp(value: &Value) -> Option<i64> {
    let millis = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e17)
                .map(|f| f as i64)
        })?,
        Value::String(s) => {
            let s = s.trim();
            if let Some(t) = model::parse_rfc3339_nanos(s) {
                return Some(t);
            }
            s.parse::<i64>().ok()?
        }
        _ => return None,
    };
    millis.checked_mul(1_000_000)
}

fn string(object: &Map<String, Value>, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .and_then(present)
        .map(str::to_owned)
}

fn unsigned(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The value of the first header called `name` (any case).
fn header(request: &Map<String, Value>, name: &str) -> Option<String> {
    request
        .get("headers")?
        .as_array()?
        .iter()
        .find(|h| {
            h.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .get("value")?
        .as_str()
        .and_then(present)
        .map(str::to_owned)
}

/// The host part of a Host header value (`example.com:8443`, `[::1]:80`).
fn without_port(host: &str) -> &str {
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split_once(']').map_or(v6, |(h, _)| h);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

/// The entry of one record.
fn entry(event: Value, raw: &str) -> Result<HttpRequestEntry, String> {
    let Some(fields) = event.as_object() else {
        return Err("a record is not a JSON object".to_owned());
    };
    let Some(webacl) = string(fields, "webaclId") else {
        return Err("no webaclId: not a WAF log record".to_owned());
    };
    let Some(time) = fields.get("timestamp") else {
        return Err("no timestamp".to_owned());
    };
    let Some(time) = timestamp(time) else {
        return Err(format!(
            "timestamp {time} is not epoch milliseconds or an ISO 8601 time"
        ));
    };
    let empty = Map::new();
    let request = match fields.get("httpRequest") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(r)) => r,
        Some(other) => return Err(format!("httpRequest {other} is not an object")),
    };
    let host = string(request, "host")
        .or_else(|| header(request, "host"))
        .or_else(|| header(request, ":authority"))
        .map(|h| without_port(&h).to_owned());
    let labels = fields
        .get("labels")
        .and_then(Value::as_array)
        .map(|labels| {
            labels
                .iter()
                .filter_map(|l| l.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(HttpRequestEntry {
        time,
        source: HttpLogSource::Waf,
        client_ip: string(request, "clientIp"),
        client_port: None,
        method: string(request, "httpMethod"),
        scheme: string(request, "scheme"),
        host,
        path: string(request, "uri"),
        query: string(request, "args"),
        protocol: string(request, "httpVersion"),
        status: unsigned(fields.get("responseCodeSent")).and_then(|s| u16::try_from(s).ok()),
        action: string(fields, "action"),
        rule: string(fields, "terminatingRuleId"),
        user_agent: header(request, "user-agent"),
        referer: header(request, "referer"),
        country: string(request, "country"),
        bytes_in: unsigned(
            fields
                .get("requestBodySize")
                .or_else(|| request.get("requestBodySize")),
        ),
        bytes_out: None,
        duration_ms: None,
        resource: Some(webacl),
        request_id: string(request, "requestId"),
        labels,
        raw: raw.to_owned(),
        event,
    })
}
