//! AWS's HTTP request logs (WAF web ACL logs, Application Load Balancer
//! access logs, CloudFront standard logs) decoded from AWS's documented
//! examples, Panther's labelled WAF events and cases written in the
//! documented layouts (test_data/http_logs/README.md says which is which):
//! the typed entries, the events for rules, and bad lines rejected with
//! their line numbers while the good lines of the same file decode.

use std::collections::BTreeMap;
use std::fmt::Write;

use formats::{
    Content, HttpLog, HttpLogSource, decode_alb_log, decode_cloudfront_log, decode_waf_log, sniff,
};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/test_data/http_logs/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON value with object keys sorted, so snapshots do not depend on
/// serde_json's map order.
fn sorted(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: BTreeMap<&String, String> =
                map.iter().map(|(k, v)| (k, sorted(v))).collect();
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String((*k).clone())))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(sorted).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Every entry's typed fields (those it has), its event for ALB and
/// CloudFront (WAF's event is its record as delivered), then the rejects.
fn render(log: &HttpLog) -> String {
    let mut out = String::new();
    for e in &log.entries {
        writeln!(
            out,
            "{} {}",
            model::format_rfc3339_nanos(e.time),
            e.source.name()
        )
        .unwrap();
        let mut field = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                writeln!(out, "  {name}: {v}").unwrap();
            }
        };
        field("client_ip", e.client_ip.clone());
        field("client_port", e.client_port.map(|p| p.to_string()));
        field("method", e.method.clone());
        field("scheme", e.scheme.clone());
        field("host", e.host.clone());
        field("path", e.path.clone());
        field("query", e.query.clone());
        field("protocol", e.protocol.clone());
        field("status", e.status.map(|s| s.to_string()));
        field("action", e.action.clone());
        field("rule", e.rule.clone());
        field("user_agent", e.user_agent.clone());
        field("referer", e.referer.clone());
        field("country", e.country.clone());
        field("bytes_in", e.bytes_in.map(|b| b.to_string()));
        field("bytes_out", e.bytes_out.map(|b| b.to_string()));
        field("duration_ms", e.duration_ms.map(|d| format!("{d:.3}")));
        field("resource", e.resource.clone());
        field("request_id", e.request_id.clone());
        field(
            "labels",
            (!e.labels.is_empty()).then(|| e.labels.join(", ")),
        );
        if e.source != HttpLogSource::Waf {
            writeln!(out, "  event: {}", sorted(&e.event)).unwrap();
        }
    }
    writeln!(
        out,
        "{} entries, {} rejected",
        log.entries.len(),
        log.rejected
    )
    .unwrap();
    for r in &log.reject_samples {
        writeln!(out, "line {}: {}", r.record, r.reason).unwrap();
    }
    out
}

fn rejects(log: &HttpLog) -> Vec<(usize, &str)> {
    log.reject_samples
        .iter()
        .map(|r| (r.record, r.reason.as_str()))
        .collect()
}

/// Every entry keeps its record: WAF's event is the text it came from.
fn assert_waf_events_are_their_text(log: &HttpLog) {
    for e in &log.entries {
        let reparsed: Value = serde_json::from_str(&e.raw).unwrap();
        assert_eq!(reparsed, e.event);
    }
}

#[test]
fn waf_documentation_examples() {
    let bytes = fixture("waf_aws_docs.json");
    let log = decode_waf_log(&bytes);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert_eq!(log.entries.len(), 7);
    assert_waf_events_are_their_text(&log);
    assert!(
        log.entries[0]
            .raw
            .starts_with("{\n    \"timestamp\": 1576280412771")
    );
    let rate = &log.entries[6];
    assert_eq!(rate.action.as_deref(), Some("BLOCK"));
    assert_eq!(rate.rule.as_deref(), Some("RateBasedRule"));
    assert_eq!(
        rate.event["rateBasedRuleList"][0]["customValues"][0]["value"],
        "ella"
    );
    assert_eq!(sniff(&bytes[..512]), Content::WafLog);
    insta::assert_snapshot!(render(&log));

    // The same records as a JSON array, and concatenated without newlines.
    let array = format!(
        "[\n{}\n]",
        log.entries
            .iter()
            .map(|e| e.raw.as_str())
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let from_array = decode_waf_log(array.as_bytes());
    assert_eq!(from_array.entries, log.entries);
    let concatenated: String = log.entries.iter().map(|e| e.event.to_string()).collect();
    let firehose = decode_waf_log(concatenated.as_bytes());
    assert_eq!((firehose.entries.len(), firehose.rejected), (7, 0));
    assert_eq!(firehose.entries[3].time, log.entries[3].time);
}

#[test]
fn waf_records_of_every_action_and_bad_lines() {
    let log = decode_waf_log(&fixture("waf_lines.jsonl"));
    assert_waf_events_are_their_text(&log);
    let actions: Vec<_> = log
        .entries
        .iter()
        .map(|e| e.action.as_deref().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "ALLOW",
            "BLOCK",
            "ALLOW",
            "CHALLENGE",
            "BLOCK",
            "ALLOW",
            "ALLOW",
            "ALLOW",
            "ALLOW"
        ]
    );
    let first = &log.entries[0];
    assert_eq!(
        first.time, 1_796_029_512_000_000_000,
        "2026-11-30T09:05:12Z"
    );
    assert_eq!(
        (first.scheme.as_deref(), first.host.as_deref()),
        (Some("https"), Some("shop.example.com"))
    );
    assert_eq!(first.bytes_in, Some(512));
    assert_eq!(
        log.entries[1].host.as_deref(),
        Some("api.example.com"),
        "the Host header's port is not the host"
    );
    assert_eq!(
        log.entries[2].user_agent.as_deref(),
        Some("curl/8.4.0"),
        "header names in any case"
    );
    assert_eq!(log.entries[4].status, Some(429));
    assert_eq!(
        model::format_rfc3339_nanos(log.entries[5].time),
        "2023-11-14T20:23:15.123000000Z"
    );
    assert_eq!(log.entries[5].country, None, "`-` is no country");
    assert_eq!(
        (
            log.entries[6].path.as_deref(),
            log.entries[7].path.as_deref()
        ),
        (Some("/a"), Some("/b")),
        "two records concatenated on one line"
    );
    assert_eq!(log.entries[8].path.as_deref(), Some("/c"), "from `detail`");

    let reasons = rejects(&log);
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert_eq!(
        reasons[0],
        (
            10,
            "invalid JSON at line 10, column 43: key must be a string"
        )
    );
    assert_eq!(reasons[1], (11, "no webaclId: not a WAF log record"));
    assert_eq!(
        reasons[2],
        (
            12,
            "timestamp \"yesterday\" is not epoch milliseconds or an ISO 8601 time"
        )
    );
    assert_eq!(reasons[3], (13, "httpRequest \"GET /\" is not an object"));
    assert_eq!(reasons[4], (14, "a record is not a JSON object"));
    assert_eq!(reasons[5], (15, "no timestamp"));
    insta::assert_snapshot!(render(&log));
}

#[test]
fn waf_records_from_a_cloudwatch_logs_subscription() {
    let log = decode_waf_log(&fixture("waf_cloudwatch_subscription.json"));
    assert_eq!(log.entries.len(), 2, "the control message is skipped");
    assert_eq!(log.entries[1].action.as_deref(), Some("BLOCK"));
    assert_eq!(log.entries[1].query.as_deref(), Some("q=1%27%20OR%201=1"));
    assert_eq!(
        log.entries[1].labels,
        ["awswaf:managed:aws:sql-database:SQLi_QueryArguments"]
    );
    assert_eq!(log.rejected, 1);
    assert_eq!(log.reject_samples[0].record, 1);
    assert!(
        log.reject_samples[0].reason.starts_with("invalid JSON"),
        "{:?}",
        log.reject_samples
    );
}

#[test]
fn a_cloudwatch_logs_payload_larger_than_a_record_is_read_event_by_event() {
    let record = r#"{"timestamp":1796029520000,"webaclId":"arn:aws:wafv2:us-east-1:111122223333:regional/webacl/prod-acl/a1b2c3d4","action":"ALLOW","httpRequest":{"clientIp":"192.0.2.20","uri":"/health","httpMethod":"GET"}}"#;
    let events: Vec<Value> = (0..8000)
        .map(|i| serde_json::json!({"id": i.to_string(), "timestamp": 1796029520000i64, "message": record}))
        .collect();
    let payload = serde_json::json!({
        "messageType": "DATA_MESSAGE",
        "owner": "111122223333",
        "logGroup": "aws-waf-logs-prod",
        "logStream": "us-east-1_prod-acl_0",
        "subscriptionFilters": ["to-firehose"],
        "logEvents": events,
    })
    .to_string();
    assert!(payload.len() > 1 << 20);
    let log = decode_waf_log(payload.as_bytes());
    assert_eq!((log.entries.len(), log.rejected), (8000, 0));

    let other = format!("{{\"webaclId\":\"a\",\"pad\":\"{}\"}}", "x".repeat(1 << 20));
    let log = decode_waf_log(other.as_bytes());
    assert_eq!(
        rejects(&log),
        [(
            1,
            "the record is 1048601 bytes, longer than the 1 MiB a record may be"
        )]
    );
}

#[test]
fn deeply_nested_json_is_rejected_not_overflowed() {
    let depth = 100_000;
    for nested in [
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        "[".repeat(depth),
    ] {
        let log = decode_waf_log(nested.as_bytes());
        assert_eq!(
            (log.entries.len(), log.rejected),
            (0, 1),
            "{:?}",
            log.reject_samples
        );
    }
}

#[test]
fn every_panther_waf_test_event_decodes() {
    let log = decode_waf_log(&fixture("panther_waf_events.jsonl"));
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    // Every `Log:` of the rule files is in the fixture.
    let dir = format!(
        "{}/../../testdata/panther-rule-tests/rules/aws_waf_rules",
        env!("CARGO_MANIFEST_DIR")
    );
    let logs: usize = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .map(|text| text.lines().filter(|l| l.trim() == "Log:").count())
        .sum();
    assert_eq!(log.entries.len(), logs);
    assert_eq!(logs, 29);
    let mut summary = String::new();
    for e in &log.entries {
        writeln!(
            summary,
            "{} {} {} {} {} {} {}",
            model::format_rfc3339_nanos(e.time),
            e.action.as_deref().unwrap_or("-"),
            e.rule.as_deref().unwrap_or("-"),
            e.client_ip.as_deref().unwrap_or("-"),
            e.country.as_deref().unwrap_or("-"),
            e.method.as_deref().unwrap_or("-"),
            e.path.as_deref().unwrap_or("-"),
        )
        .unwrap();
        assert_eq!(
            e.resource.as_deref(),
            Some("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/test/a1b2c3d4")
        );
    }
    let scraper = log.entries.iter().find(|e| e.user_agent.is_some()).unwrap();
    assert_eq!(scraper.user_agent.as_deref(), Some("Scrapy/2.7"));
    insta::assert_snapshot!(summary);
}

#[test]
fn alb_documentation_examples() {
    let bytes = fixture("alb_aws_docs.log");
    let log = decode_alb_log(&bytes);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    let kinds: Vec<_> = log
        .entries
        .iter()
        .map(|e| e.event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["http", "https", "h2", "ws", "wss", "http", "http", "http"]
    );
    let http = &log.entries[0];
    assert_eq!(
        http.time, 1_530_570_180_186_641_000,
        "2018-07-02T22:23:00.186641Z"
    );
    assert_eq!(http.event["conn_trace_id"], "TID_1234abcd5678ef90");
    assert_eq!(http.duration_ms, Some(1.0));
    assert_eq!(
        log.entries[2].event["redirect_url"], "https://example.com:80/",
        "the HTTP/2 entry was redirected"
    );
    let lambda_failed = &log.entries[6];
    assert_eq!(lambda_failed.status, Some(502));
    assert_eq!(lambda_failed.event["target_ip"], Value::Null);
    assert_eq!(lambda_failed.event["error_reason"], "LambdaInvalidResponse");
    let before_classification = &log.entries[7].event;
    assert!(before_classification.get("classification").is_none());
    assert_eq!(before_classification["error_reason"], Value::Null);
    assert_eq!(sniff(&bytes), Content::AlbLog);
    insta::assert_snapshot!(render(&log));
}

#[test]
fn alb_requests_that_never_reached_a_target_and_bad_lines() {
    let log = decode_alb_log(&fixture("alb_cases.log"));
    let unread = &log.entries[0];
    assert_eq!(unread.method, None);
    assert_eq!(
        unread.host.as_deref(),
        Some("my-loadbalancer-1234567890.us-east-2.elb.amazonaws.com")
    );
    assert_eq!((unread.status, unread.duration_ms), (Some(400), None));
    assert_eq!(unread.event["request_processing_time"], -1.0);
    let waf = &log.entries[1];
    assert_eq!(
        (waf.action.as_deref(), waf.status),
        (Some("waf"), Some(403))
    );
    assert_eq!(
        (waf.path.as_deref(), waf.query.as_deref()),
        (Some("/etc/passwd"), Some("file=../../etc/passwd"))
    );
    let grpc = &log.entries[3];
    assert_eq!(grpc.client_ip.as_deref(), Some("2001:db8::1"));
    assert_eq!(grpc.client_port, Some(53110));
    assert_eq!(grpc.event["request_transform_status"], Value::Null);
    let fixed = &log.entries[4];
    assert_eq!(fixed.user_agent.as_deref(), Some("Mozilla/5.0 \"probe\""));
    assert_eq!(fixed.event["classification_reason"], "NonCompliantHeader");
    assert_eq!(
        fixed.event["additional_fields"],
        serde_json::json!(["192.0.2.250", null])
    );

    assert_eq!(
        rejects(&log),
        [
            (
                9,
                "type \"tcp\" is not one AWS documents (http, https, h2, grpcs, ws, wss)"
            ),
            (10, "time \"yesterday\" is not an ISO 8601 time"),
            (
                11,
                "client:port \"192.0.2.999:1\" is not an address and port"
            ),
            (12, "elb_status_code \"OK\" is not a status code"),
            (13, "received_bytes \"many\" is not a number of bytes"),
            (
                14,
                "the entry has 4 fields; an ALB entry has at least 13, from type to the request"
            ),
            (15, "field 13 opens a quote it never closes"),
            (
                16,
                "request_processing_time \"fast\" is not a number of seconds"
            ),
            (
                17,
                "type \"2015-05-13T23:39:43.945958Z\" is not one AWS documents (http, https, h2, grpcs, ws, wss)"
            ),
        ]
    );
    insta::assert_snapshot!(render(&log));
}

#[test]
fn cloudfront_documentation_example() {
    let bytes = fixture("cloudfront_aws_docs.log");
    let log = decode_cloudfront_log(&bytes);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert_eq!(
        log.entries.len(),
        6,
        "the trailing tab of the third is no field"
    );
    let first = &log.entries[0];
    assert_eq!(
        first.time, 1_575_493_351_000_000_000,
        "2019-12-04T21:02:31Z"
    );
    assert_eq!(
        first.user_agent.as_deref(),
        Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36"
        )
    );
    assert_eq!(first.event["cs-uri-stem"], "/index.html");
    assert_eq!(first.event["sc-status"], 200);
    let error = &log.entries[3];
    assert_eq!(error.referer.as_deref(), Some("http://www.example.com/"));
    assert_eq!(error.event["x-edge-detailed-result-type"], "OriginDnsError");
    assert_eq!(
        (error.host.as_deref(), error.resource.as_deref()),
        (
            Some("www.example.com"),
            Some("d111111abcdef8.cloudfront.net")
        )
    );
    assert_eq!(sniff(&bytes), Content::CloudFrontLog);
    insta::assert_snapshot!(render(&log));
}

#[test]
fn cloudfront_fields_in_another_order_and_bad_lines() {
    let log = decode_cloudfront_log(&fixture("cloudfront_reordered.log"));
    assert_eq!(log.entries.len(), 3);
    let probe = &log.entries[0];
    assert_eq!(probe.client_ip.as_deref(), Some("2001:db8::7"));
    assert_eq!(
        probe.query.as_deref(),
        Some("q=%3Cscript%3Ealert(1)%3C/script%3E"),
        "decoded once: the query as the client sent it"
    );
    assert_eq!(
        probe.user_agent.as_deref(),
        Some("sqlmap/1.8 (https://sqlmap.org)")
    );
    let closed = &log.entries[1];
    assert_eq!(closed.status, None, "000: closed before a response");
    assert_eq!(closed.event["sc-status"], 0);
    assert_eq!(closed.path.as_deref(), Some("/img/café%20menu.png"));
    let second_file = &log.entries[2];
    assert_eq!(second_file.method.as_deref(), Some("DELETE"));
    assert_eq!(second_file.bytes_out, Some(312));
    assert_eq!(
        second_file.host.as_deref(),
        Some("d111111abcdef8.cloudfront.net"),
        "no x-host-header: the distribution's domain"
    );
    assert_eq!(
        rejects(&log),
        [
            (7, "the line has 11 fields; the #Fields line names 12"),
            (8, "sc-status \"OK\" is not a whole number"),
            (
                9,
                "date \"30/11/2026\" and time \"09:05:14\" are not a UTC date and time"
            ),
            (10, "c-ip \"not-an-ip\" is not an IP address"),
            (11, "time-taken \"soon\" is not a number of seconds"),
        ]
    );
    insta::assert_snapshot!(render(&log));
}

#[test]
fn cloudfront_without_a_header_reads_the_documented_order() {
    let log = decode_cloudfront_log(&fixture("cloudfront_no_header.log"));
    assert_eq!(log.entries.len(), 3);
    let login = &log.entries[0];
    assert_eq!(login.query.as_deref(), Some("log=admin&pwd=x"));
    assert_eq!(login.event["cs(Cookie)"], "session=abc; theme=dark");
    assert_eq!(
        login.event["x-forwarded-for"],
        "198.51.100.200, 203.0.113.77"
    );
    let older = &log.entries[1];
    assert_eq!(older.bytes_in, None, "cs-bytes `-`");
    assert!(
        older.event.get("c-port").is_none(),
        "older entries end earlier"
    );
    assert_eq!(
        log.entries[2].event["additional_fields"],
        serde_json::json!(["future-field", null])
    );
    assert_eq!(
        rejects(&log),
        [(
            4,
            "the line has 1 field; a CloudFront log line has tab-separated fields from date and time on"
        )]
    );
    insta::assert_snapshot!(render(&log));
}

#[test]
fn lines_that_are_not_utf8_or_too_long_are_rejected_alone() {
    let alb = fixture("alb_aws_docs.log");
    let first = alb.split(|b| *b == b'\n').next().unwrap();
    let mut input = first.to_vec();
    input.extend_from_slice(b"\nhttp 2018-07-02T22:23:00Z \xff\xfe\n");
    input.extend(std::iter::repeat_n(b'h', (1 << 20) + 1));
    input.push(b'\n');
    input.extend_from_slice(first);
    let log = decode_alb_log(&input);
    assert_eq!(log.entries.len(), 2);
    assert_eq!(
        rejects(&log),
        [
            (2, "the line is not UTF-8 (invalid byte at 26)"),
            (
                3,
                "the line is 1048577 bytes, longer than the 1 MiB a line may be"
            )
        ]
    );

    let cf = fixture("cloudfront_aws_docs.log");
    let mut input = cf.clone();
    input.extend_from_slice(b"2019-12-04\t21:02:31\t\xc3\x28\n");
    let log = decode_cloudfront_log(&input);
    assert_eq!((log.entries.len(), log.rejected), (6, 1));
    assert_eq!(log.reject_samples[0].record, 9);

    let waf = fixture("waf_lines.jsonl");
    let mut input = waf.clone();
    let huge = format!(
        "{{\"timestamp\":1,\"webaclId\":\"a\",\"pad\":\"{}\"}}\n",
        "x".repeat(1 << 20)
    );
    input.extend_from_slice(huge.as_bytes());
    input.extend_from_slice(b"{\"timestamp\":1,\"webaclId\":\"\xff\"}\n");
    let log = decode_waf_log(&input);
    assert_eq!(log.entries.len(), 9);
    let reasons = rejects(&log);
    assert_eq!(
        reasons[6],
        (
            17,
            "the record is 1048615 bytes, longer than the 1 MiB a record may be"
        )
    );
    assert_eq!(
        reasons[7],
        (18, "the line is not UTF-8 (invalid byte at 27)")
    );
}

mod properties {
    use proptest::prelude::*;

    fn lines(bytes: &[u8]) -> usize {
        bytes.split(|b| *b == b'\n').count()
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let waf = formats::decode_waf_log(&bytes);
            prop_assert!(waf.reject_samples.len() <= waf.rejected);
            let alb = formats::decode_alb_log(&bytes);
            prop_assert!(alb.entries.len() + alb.rejected <= lines(&bytes));
            let cf = formats::decode_cloudfront_log(&bytes);
            prop_assert!(cf.entries.len() + cf.rejected <= lines(&bytes));
        }

        #[test]
        fn log_like_text_never_panics(
            lines in proptest::collection::vec(
                (
                    prop::sample::select(vec![
                        "http 2018-07-02T22:23:00.186641Z ",
                        "h2 ",
                        "#Fields: date time c-ip ",
                        "2019-12-04\t21:02:31\t",
                        "{\"webaclId\":\"a\",\"timestamp\":",
                        "[{\"webaclId\":\"a\",\"timestamp\":\"",
                        "",
                    ]),
                    "[ \t\"0-9:a-z./,{}%-]{0,80}",
                ),
                0..8,
            )
        ) {
            let text: String = lines.iter().map(|(a, b)| format!("{a}{b}\n")).collect();
            let _ = formats::decode_waf_log(text.as_bytes());
            let _ = formats::decode_alb_log(text.as_bytes());
            let _ = formats::decode_cloudfront_log(text.as_bytes());
            let _ = formats::sniff(text.as_bytes());
            let _ = formats::parse_aws_log_key(&text);
        }
    }
}
