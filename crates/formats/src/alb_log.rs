//! Application Load Balancer access logs: one request (or WebSockets
//! connection) per line, fields separated by single spaces, the fields
//! that may hold spaces in double quotes (a `"` or `\` inside written as
//! `\"` and `\\`). In order:
//!
//! ```text
//! type time elb client:port target:port request_processing_time
//! target_processing_time response_processing_time elb_status_code
//! target_status_code received_bytes sent_bytes "request" "user_agent"
//! ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//! "chosen_cert_arn" matched_rule_priority request_creation_time
//! "actions_executed" "redirect_url" "error_reason" "target:port_list"
//! "target_status_code_list" "classification" "classification_reason"
//! conn_trace_id "transformed_host" "transformed_uri"
//! "request_transform_status"
//! ```
//!
//! AWS adds new fields at the end and tells readers to ignore the ones they
//! do not expect: entries written before a field existed simply end
//! earlier (at least the request is needed), and fields past the last one
//! named here are kept in the event as `additional_fields`. `-` is a value
//! the entry does not have. A processing time of `-1` says the load
//! balancer could not dispatch the request to a target (or the target
//! closed the connection or timed out); such entries get no duration. The
//! request is `METHOD URL PROTOCOL` as the client sent it (`- - -` or
//! `- URL -` for a request the load balancer could not read), the URL
//! carrying scheme, host, port, path and query.
//!
//! Each entry's event is keyed by the names AWS's Athena table gives the
//! fields (`client_ip`, `client_port`, `target_ip`, `target_port`,
//! `request_verb`, `request_url`, `request_proto`, `target_port_list`,
//! ...), `-` as null and numbers as numbers. Type is one of `http`,
//! `https`, `h2`, `grpcs`, `ws`, `wss`; entries of other types are
//! rejected, as AWS says to ignore them.

use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::http_log::{HttpLog, HttpLogSource, HttpRequestEntry, for_each_line, present};

/// The request and connection types AWS documents.
pub(crate) const ALB_TYPES: [&str; 6] = ["http", "https", "h2", "grpcs", "ws", "wss"];

/// The fields of an entry, in order, by their names in the event.
const FIELDS: [&str; 33] = [
    "type",
    "time",
    "elb",
    "client:port",
    "target:port",
    "request_processing_time",
    "target_processing_time",
    "response_processing_time",
    "elb_status_code",
    "target_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
    "target_group_arn",
    "trace_id",
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target_port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
    "transformed_host",
    "transformed_uri",
    "request_transform_status",
];

/// Entries end no earlier than the request.
const MIN_FIELDS: usize = 13;

/// Decodes ALB access log text (already gunzipped). A bad line is rejected
/// with its line number and the field that is wrong; the others decode.
pub fn decode_alb_log(bytes: &[u8]) -> HttpLog {
    let mut log = HttpLog::default();
    for_each_line(bytes, &mut log, true, |log, number, line| {
        match entry(line) {
            Ok(e) => log.entries.push(e),
            Err(reason) => log.reject(number, reason),
        }
    });
    log
}

/// Splits a line into its fields, quotes removed.
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = line.trim_end();
    loop {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            return Ok(out);
        }
        if let Some(body) = rest.strip_prefix('"') {
            let (text, after) = quoted(body)
                .ok_or_else(|| format!("field {} opens a quote it never closes", out.len() + 1))?;
            out.push(text);
            rest = after;
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
}

/// The text of a quoted field and what follows it: the field ends at a `"`
/// followed by a space or the end of the line; `\"` and `\\` are a quote
/// and a backslash.
fn quoted(body: &str) -> Option<(String, &str)> {
    let mut text = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '"' | '\\'))) => {
                let (_, next) = chars.next()?;
                text.push(next);
            }
            '"' => {
                let after = &body[i + 1..];
                if after.is_empty() || after.starts_with(' ') {
                    return Some((text, after));
                }
                text.push('"');
            }
            _ => text.push(c),
        }
    }
    None
}

/// `ip:port` (an IPv6 address bare or in brackets); `-` is none.
fn address(name: &str, value: &str) -> Result<Option<(IpAddr, u16)>, String> {
    if present(value).is_none() {
        return Ok(None);
    }
    let bad = || format!("{name} {value:?} is not an address and port");
    let (ip, port) = value.rsplit_once(':').ok_or_else(bad)?;
    let ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(ip);
    Ok(Some((
        ip.parse().map_err(|_| bad())?,
        port.parse().map_err(|_| bad())?,
    )))
}

fn seconds(name: &str, value: &str) -> Result<Option<f64>, String> {
    match present(value) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite())
            .map(Some)
            .ok_or_else(|| format!("{name} {value:?} is not a number of seconds")),
    }
}

fn status(name: &str, value: &str) -> Result<Option<u16>, String> {
    match present(value) {
        None => Ok(None),
        Some(v) => v
            .parse::<u16>()
            .ok()
            .filter(|s| *s <= 999)
            .map(Some)
            .ok_or_else(|| format!("{name} {value:?} is not a status code")),
    }
}

fn count(name: &str, value: &str) -> Result<Option<u64>, String> {
    match present(value) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} {value:?} is not a number of bytes")),
    }
}

/// The parts of a request line: method, URL and protocol, `-` as none.
/// The URL may hold spaces (a client's unencoded ones).
fn request_line(request: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
    let request = request.trim();
    let (method, rest) = request.split_once(' ').unwrap_or((request, ""));
    let rest = rest.trim();
    let (url, protocol) = match rest.rsplit_once(' ') {
        Some((url, p)) if p == "-" || p.starts_with("HTTP/") => (url.trim(), p),
        _ => (rest, ""),
    };
    (present(method), present(url), present(protocol))
}

/// A request URL's parts.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: Option<&'a str>,
    pub(crate) host: Option<&'a str>,
    pub(crate) port: Option<u16>,
    pub(crate) path: Option<&'a str>,
    pub(crate) query: Option<&'a str>,
}

/// Splits `scheme://host:port/path?query`; a URL without a scheme is a
/// path (and query). A port that is not a number is left out.
pub(crate) fn split_url(url: &str) -> UrlParts<'_> {
    let mut parts = UrlParts::default();
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains(['/', '?']) => {
            parts.scheme = Some(scheme);
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            let authority = &rest[..end];
            let authority = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
                match v6.split_once(']') {
                    Some((host, port)) => (host, port.strip_prefix(':')),
                    None => (v6, None),
                }
            } else {
                match authority.rsplit_once(':') {
                    Some((host, port)) => (host, Some(port)),
                    None => (authority, None),
                }
            };
            parts.host = (!host.is_empty()).then_some(host);
            parts.port = port.and_then(|p| p.parse().ok());
            &rest[end..]
        }
        _ => url,
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    parts.path = (!path.is_empty()).then_some(path);
    parts.query = (!query.is_empty()).then_some(query);
    parts
}

fn text(value: &str) -> Value {
    present(value).map_or(Value::Null, |v| Value::String(v.to_owned()))
}

fn number<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

fn entry(line: &str) -> Result<HttpRequestEntry, String> {
    let fields = fields(line)?;
    if fields.len() < MIN_FIELDS {
        return Err(format!(
            "the entry has {} fields; an ALB entry has at least {MIN_FIELDS}, from type to the request",
            fields.len()
        ));
    }
    let field = |i: usize| fields.get(i).map_or("-", String::as_str);
    let kind = field(0);
    if !ALB_TYPES.contains(&kind) {
        return Err(format!(
            "type {kind:?} is not one AWS documents ({})",
            ALB_TYPES.join(", ")
        ));
    }
    let time = model::parse_rfc3339_nanos(field(1))
        .ok_or_else(|| format!("time {:?} is not an ISO 8601 time", field(1)))?;
    let client = address("client:port", field(3))?;
    let target = address("target:port", field(4))?;
    let times = [
        seconds(FIELDS[5], field(5))?,
        seconds(FIELDS[6], field(6))?,
        seconds(FIELDS[7], field(7))?,
    ];
    let elb_status = status(FIELDS[8], field(8))?;
    let target_status = status(FIELDS[9], field(9))?;
    let received = count(FIELDS[10], field(10))?;
    let sent = count(FIELDS[11], field(11))?;
    let (method, url, protocol) = request_line(field(12));
    let url_parts = url.map(split_url).unwrap_or_default();

    let mut event = Map::new();
    for (i, name) in FIELDS.iter().enumerate() {
        let value = match i {
            3 => {
                event.insert("client_ip".into(), number(client.map(|c| c.0.to_string())));
                event.insert("client_port".into(), number(client.map(|c| c.1)));
                continue;
            }
            4 => {
                event.insert("target_ip".into(), number(target.map(|t| t.0.to_string())));
                event.insert("target_port".into(), number(target.map(|t| t.1)));
                continue;
            }
            5..=7 => number(times[i - 5]),
            8 => number(elb_status),
            9 => number(target_status),
            10 => number(received),
            11 => number(sent),
            12 => {
                event.insert("request_verb".into(), number(method));
                event.insert("request_url".into(), number(url));
                event.insert("request_proto".into(), number(protocol));
                continue;
            }
            _ if i >= fields.len() => continue,
            _ => text(field(i)),
        };
        event.insert((*name).into(), value);
    }
    if fields.len() > FIELDS.len() {
        event.insert(
            "additional_fields".into(),
            fields[FIELDS.len()..].iter().map(|f| text(f)).collect(),
        );
    }

    let duration_ms = match times {
        [Some(a), Some(b), Some(c)] if a >= 0.0 && b >= 0.0 && c >= 0.0 => {
            Some((a + b + c) * 1000.0)
        }
        _ => None,
    };
    let owned = |v: Option<&str>| v.map(str::to_owned);
    Ok(HttpRequestEntry {
        time,
        source: HttpLogSource::Alb,
        client_ip: client.map(|c| c.0.to_string()),
        client_port: client.map(|c| c.1),
        method: owned(method),
        scheme: owned(url_parts.scheme),
        host: owned(url_parts.host.or_else(|| present(field(18)))),
        path: owned(url_parts.path),
        query: owned(url_parts.query),
        protocol: owned(protocol),
        status: elb_status,
        action: owned(present(field(22))),
        rule: owned(present(field(20))),
        user_agent: owned(present(field(13))),
        referer: None,
        country: None,
        bytes_in: received,
        bytes_out: sent,
        duration_ms,
        resource: owned(present(field(2))),
        request_id: owned(present(field(17))),
        labels: Vec::new(),
        event: Value::Object(event),
        raw: line.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_with_spaces_and_escapes() {
        let f = fields(r#"a "b c" "d \"e\" \\ f\x" "" "g"h" -"#).unwrap();
        assert_eq!(f, ["a", "b c", r#"d "e" \ f\x"#, "", r#"g"h"#, "-"]);
        assert!(fields(r#"a "b c"#).unwrap_err().contains("field 2"));
    }

    #[test]
    fn request_lines_and_urls() {
        assert_eq!(
            request_line("GET http://www.example.com:80/a b?c=d HTTP/1.1"),
            (
                Some("GET"),
                Some("http://www.example.com:80/a b?c=d"),
                Some("HTTP/1.1")
            )
        );
        assert_eq!(request_line("- - - "), (None, None, None));
        assert_eq!(
            request_line("- http://alb.example:80- -"),
            (None, Some("http://alb.example:80-"), None)
        );
        let u = split_url("https://[2001:db8::1]:443/p/q?x=1&y=2");
        assert_eq!(
            u,
            UrlParts {
                scheme: Some("https"),
                host: Some("2001:db8::1"),
                port: Some(443),
                path: Some("/p/q"),
                query: Some("x=1&y=2"),
            }
        );
        let u = split_url("http://alb.example:80-");
        assert_eq!((u.host, u.port, u.path), (Some("alb.example"), None, None));
        let u = split_url("/only?q");
        assert_eq!(
            (u.scheme, u.path, u.query),
            (None, Some("/only"), Some("q"))
        );
    }
}
