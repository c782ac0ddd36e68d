//! CloudFront standard logs (access logs) in the W3C extended log file
//! format: tab-separated values, one request per line, after a `#Version:`
//! line and a `#Fields:` line naming the columns. The `#Fields:` line maps
//! the columns, so a log with fewer, more or reordered fields decodes;
//! text without one (lines cut from a file) is read in the documented
//! order of the 33 standard fields:
//!
//! ```text
//! date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem
//! sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie)
//! x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes
//! time-taken x-forwarded-for ssl-protocol ssl-cipher
//! x-edge-response-result-type cs-protocol-version fle-status
//! fle-encrypted-fields c-port time-to-first-byte
//! x-edge-detailed-result-type sc-content-type sc-content-len
//! sc-range-start sc-range-end
//! ```
//!
//! `-` is a value the request does not have. CloudFront URL-encodes field
//! values (bytes 0-32 and 127 and up, and `<>"#%{}|\^~[]`'` and space):
//! each value is decoded once, so a user agent reads as the client sent
//! it, and a path or query as it stood in the request line (a client's own
//! `%20` was logged as `%2520`). A line may end in empty fields past the
//! named ones (AWS's example has a trailing tab); other lines whose field
//! count differs from the `#Fields:` line are rejected. `sc-status` `000`
//! (the viewer closed the connection before a response) is kept in the
//! event and gives no status.
//!
//! Each entry's event is keyed by the W3C field names (`cs-method`,
//! `cs-uri-stem`, `c-ip`, `sc-status`, ...), values decoded, `-` as null
//! and the counts, sizes, ports and times as numbers.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::http_log::{HttpLog, HttpLogSource, HttpRequestEntry, for_each_line, present};

/// The standard log's fields in AWS's documented order.
pub(crate) const LEGACY_FIELDS: [&str; 33] = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// Fields whose values are whole numbers.
const INTEGERS: [&str; 8] = [
    "sc-bytes",
    "sc-status",
    "cs-bytes",
    "c-port",
    "fle-encrypted-fields",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// Fields whose values are seconds.
const SECONDS: [&str; 2] = ["time-taken", "time-to-first-byte"];

/// Decodes a CloudFront standard log (already gunzipped). A bad line is
/// rejected with its line number and reason; the others decode.
pub fn decode_cloudfront_log(bytes: &[u8]) -> HttpLog {
    let mut log = HttpLog::default();
    let mut columns: Option<Vec<String>> = None;
    for_each_line(bytes, &mut log, false, |log, number, line| {
        if let Some(directive) = line.strip_prefix('#') {
            if let Some(names) = directive.strip_prefix("Fields:") {
                let names: Vec<String> = names.split_whitespace().map(str::to_owned).collect();
                if names.is_empty() {
                    log.reject(number, "the #Fields line names no fields");
                } else {
                    columns = Some(names);
                }
            }
            return;
        }
        match entry(line, columns.as_deref()) {
            Ok(e) => log.entries.push(e),
            Err(reason) => log.reject(number, reason),
        }
    });
    log
}

/// Undoes `%XX` escapes once; an escape that is not two hex digits stays.
pub(crate) fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

fn entry(line: &str, columns: Option<&[String]>) -> Result<HttpRequestEntry, String> {
    let mut values: Vec<&str> = line.split('\t').collect();
    let names: Vec<&str> = match columns {
        Some(c) => c.iter().map(String::as_str).collect(),
        None => LEGACY_FIELDS.to_vec(),
    };
    while values.len() > names.len() && values.last().is_some_and(|v| v.trim().is_empty()) {
        values.pop();
    }
    let mut additional = Vec::new();
    match columns {
        Some(_) if values.len() != names.len() => {
            return Err(format!(
                "the line has {} fields; the #Fields line names {}",
                values.len(),
                names.len()
            ));
        }
        Some(_) => {}
        None if values.len() < 2 => {
            return Err(format!(
                "the line has {} field; a CloudFront log line has tab-separated fields from date and time on",
                values.len()
            ));
        }
        None => additional = values.split_off(values.len().min(names.len())),
    }
    let get = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values.get(i))
            .and_then(|v| present(v))
    };

    let (Some(date), Some(clock)) = (get("date"), get("time")) else {
        return Err("no date and time: not a CloudFront log line".to_owned());
    };
    let time = model::parse_rfc3339_nanos(&format!("{date}T{clock}Z"))
        .filter(|_| date.len() == 10)
        .ok_or_else(|| format!("date {date:?} and time {clock:?} are not a UTC date and time"))?;
    let integer = |name: &str| -> Result<Option<u64>, String> {
        get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{name} {v:?} is not a whole number"))
            })
            .transpose()
    };
    let status = integer("sc-status")?;
    if status.is_some_and(|s| s > 999) {
        return Err(format!(
            "sc-status {:?} is not a status code",
            get("sc-status").unwrap_or_default()
        ));
    }
    let bytes_out = integer("sc-bytes")?;
    let bytes_in = integer("cs-bytes")?;
    let client_port = match integer("c-port")? {
        Some(p) => Some(u16::try_from(p).map_err(|_| format!("c-port {p} is not a port"))?),
        None => None,
    };
    let duration_ms = match get("time-taken") {
        Some(v) => Some(
            v.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| format!("time-taken {v:?} is not a number of seconds"))?
                * 1000.0,
        ),
        None => None,
    };
    let client_ip = match get("c-ip") {
        Some(ip) => Some(
            ip.parse::<IpAddr>()
                .map_err(|_| format!("c-ip {ip:?} is not an IP address"))?
                .to_string(),
        ),
        None => None,
    };

    let mut event = Map::new();
    for (name, value) in names.iter().zip(&values) {
        let value = match present(value) {
            None => Value::Null,
            Some(v) if INTEGERS.contains(name) => v.parse::<u64>().map_or_else(
                |_| Value::String(percent_decode(v).into_owned()),
                Value::from,
            ),
            Some(v) if SECONDS.contains(name) => v
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(
                    || Value::String(percent_decode(v).into_owned()),
                    Value::Number,
                ),
            Some(v) => Value::String(percent_decode(v).into_owned()),
        };
        event.insert((*name).to_owned(), value);
    }
    if !additional.is_empty() {
        event.insert(
            "additional_fields".into(),
            additional
                .iter()
                .map(|v| present(v).map_or(Value::Null, |v| percent_decode(v).into()))
                .collect(),
        );
    }

    let decoded = |name: &str| get(name).map(|v| percent_decode(v).into_owned());
    Ok(HttpRequestEntry {
        time,
        source: HttpLogSource::CloudFront,
        client_ip,
        client_port,
        method: decoded("cs-method"),
        scheme: decoded("cs-protocol"),
        host: decoded("x-host-header").or_else(|| decoded("cs(Host)")),
        path: decoded("cs-uri-stem"),
        query: decoded("cs-uri-query"),
        protocol: decoded("cs-protocol-version"),
        status: status.filter(|s| *s != 0).map(|s| s as u16),
        action: decoded("x-edge-result-type"),
        rule: None,
        user_agent: decoded("cs(User-Agent)"),
        referer: decoded("cs(Referer)"),
        country: None,
        bytes_in,
        bytes_out,
        duration_ms,
        resource: decoded("cs(Host)").or_else(|| decoded("x-host-header")),
        request_id: decoded("x-edge-request-id"),
        labels: Vec::new(),
        event: Value::Object(event),
        raw: line.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_undone_once() {
        assert_eq!(
            percent_decode("Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64)"),
            "Mozilla/5.0 (Windows NT 10.0; Win64)"
        );
        assert_eq!(percent_decode("/a%2520b"), "/a%20b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("bad%FF"), "bad\u{fffd}");
        assert!(matches!(percent_decode("plain"), Cow::Borrowed(_)));
    }
}
