//! What the decoders of AWS's HTTP request logs share: one
//! [`HttpRequestEntry`] per request, whichever service logged it (AWS WAF
//! web ACLs, Application Load Balancers, CloudFront distributions), and the
//! [`HttpLog`] of a payload with its rejects. The typed fields are what
//! every source can say about a request; each entry keeps its record as a
//! JSON object under the source's own field names (`event`) for rules, and
//! the text as delivered (`raw`).
//!
//! Also the line reading the line-oriented decoders share: lines split at
//! `\n` (a `\r` before it dropped), empty lines and `#` comment lines
//! skipped, lines over [`MAX_LINE_BYTES`] or not UTF-8 rejected with their
//! 1-based number.

use crate::decoded::{Reject, count_reject};

/// Which service logged a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpLogSource {
    /// AWS WAF web ACL traffic logs.
    Waf,
    /// Application Load Balancer access logs.
    Alb,
    /// CloudFront standard (access) logs.
    CloudFront,
}

impl HttpLogSource {
    pub fn name(self) -> &'static str {
        match self {
            HttpLogSource::Waf => "waf",
            HttpLogSource::Alb => "alb",
            HttpLogSource::CloudFront => "cloudfront",
        }
    }
}

/// One HTTP request as an AWS service logged it. `None` is a value the
/// record does not have (AWS writes `-`, `null` or leaves the field out).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequestEntry {
    /// When the request was logged, ns since the epoch (UTC): WAF's
    /// `timestamp`, ALB's `time` (the response), CloudFront's `date` and
    /// `time` (the response's last byte).
    pub time: i64,
    pub source: HttpLogSource,
    pub client_ip: Option<String>,
    pub client_port: Option<u16>,
    pub method: Option<String>,
    /// `http`, `https`, `ws`, `wss`, ...
    pub scheme: Option<String>,
    /// The host the client asked for, without a port.
    pub host: Option<String>,
    pub path: Option<String>,
    /// The query string without its `?`; `None` when empty.
    pub query: Option<String>,
    /// The HTTP version (`HTTP/1.1`, `HTTP/2.0`).
    pub protocol: Option<String>,
    /// The status code sent to the client. WAF logs one only for custom
    /// responses (`responseCodeSent`).
    pub status: Option<u16>,
    /// WAF: ALLOW, BLOCK, COUNT, CAPTCHA or CHALLENGE; ALB:
    /// `actions_executed` (`waf,forward`); CloudFront: `x-edge-result-type`.
    pub action: Option<String>,
    /// WAF: `terminatingRuleId`; ALB: `matched_rule_priority`.
    pub rule: Option<String>,
    pub user_agent: Option<String>,
    pub referer: Option<String>,
    /// WAF: `httpRequest.country` (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// Bytes from the client: ALB `received_bytes` and CloudFront
    /// `cs-bytes` (headers included); WAF `requestBodySize` (the body).
    pub bytes_in: Option<u64>,
    /// Bytes to the client: ALB `sent_bytes`, CloudFront `sc-bytes`.
    pub bytes_out: Option<u64>,
    /// ALB: the three processing times summed, when the request reached a
    /// target; CloudFront: `time-taken`.
    pub duration_ms: Option<f64>,
    /// WAF: `webaclId`; ALB: `elb` (`app/name/id`); CloudFront: the
    /// distribution's domain (`cs(Host)`), else `x-host-header`.
    pub resource: Option<String>,
    /// WAF: `httpRequest.requestId`; ALB: `trace_id`; CloudFront:
    /// `x-edge-request-id`.
    pub request_id: Option<String>,
    /// WAF: `labels[].name`; empty elsewhere.
    pub labels: Vec<String>,
    /// The record as a JSON object for rule matching: WAF's own record; for
    /// ALB and CloudFront an object keyed by the field names AWS documents
    /// (ALB: `type`, `time`, `elb`, `client_ip`, `client_port`,
    /// `request_verb`, `request_url`, ...; CloudFront: the W3C names
    /// `cs-method`, `cs-uri-stem`, `c-ip`, `sc-status`, ...).
    pub event: serde_json::Value,
    /// The line or record text as delivered.
    pub raw: String,
}

/// The requests of one payload and the records it rejected.
#[derive(Debug, Default)]
pub struct HttpLog {
    pub entries: Vec<HttpRequestEntry>,
    pub rejected: usize,
    /// The first few rejects, with their 1-based line numbers.
    pub reject_samples: Vec<Reject>,
}

impl HttpLog {
    pub(crate) fn reject(&mut self, line: usize, reason: impl Into<String>) {
        count_reject(&mut self.rejected, &mut self.reject_samples, line, reason);
    }
}

/// Lines (and records) longer than this are rejected unread.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

/// Calls `each` with every line to decode and its 1-based number; rejects
/// into `log` the lines that are too long or not UTF-8. Empty lines and
/// lines starting with `#` are skipped unless `comments` is false (a
/// format whose comment lines mean something reads them itself).
pub(crate) fn for_each_line(
    bytes: &[u8],
    log: &mut HttpLog,
    comments: bool,
    mut each: impl FnMut(&mut HttpLog, usize, &str),
) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = i + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > MAX_LINE_BYTES {
            log.reject(
                number,
                format!(
                    "the line is {} bytes, longer than the {} MiB a line may be",
                    line.len(),
                    MAX_LINE_BYTES >> 20
                ),
            );
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) || (comments && line.starts_with(b"#")) {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(text) => each(log, number, text),
            Err(e) => log.reject(
                number,
                format!(
                    "the line is not UTF-8 (invalid byte at {})",
                    e.valid_up_to()
                ),
            ),
        }
    }
}

/// `-` and the empty string are a value a record does not have.
pub(crate) fn present(value: &str) -> Option<&str> {
    (!value.is_empty() && value != "-").then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_bad_ones_rejected() {
        let mut input = b"\xef\xbb\xbfone\r\n\n# comment\n  \n".to_vec();
        input.extend_from_slice(b"bad \xff byte\n");
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        input.extend_from_slice(b"\nlast");
        let mut log = HttpLog::default();
        let mut seen = Vec::new();
        for_each_line(&input, &mut log, true, |_, n, text| {
            seen.push((n, text.to_owned()))
        });
        assert_eq!(seen, [(1, "one".to_owned()), (7, "last".to_owned())]);
        let rejects: Vec<_> = log
            .reject_samples
            .iter()
            .map(|r| (r.record, r.reason.as_str()))
            .collect();
        assert_eq!(rejects[0], (5, "the line is not UTF-8 (invalid byte at 4)"));
        assert_eq!(rejects[1].0, 6);
        assert!(
            rejects[1].1.contains("longer than the 1 MiB"),
            "{rejects:?}"
        );

        let mut seen = Vec::new();
        for_each_line(
            b"#Fields: a\nx",
            &mut HttpLog::default(),
            false,
            |_, n, t| seen.push((n, t.to_owned())),
        );
        assert_eq!(seen.len(), 2, "comments kept when asked");
    }

    #[test]
    fn names() {
        assert_eq!(HttpLogSource::Waf.name(), "waf");
        assert_eq!(HttpLogSource::Alb.name(), "alb");
        assert_eq!(HttpLogSource::CloudFront.name(), "cloudfront");
        assert_eq!(present("-"), None);
        assert_eq!(present(""), None);
        assert_eq!(present("x"), Some("x"));
    }
}
