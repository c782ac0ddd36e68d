//! `hannun import` of AWS's HTTP request logs as they land in S3: WAF web
//! ACL logs (AWS's documented examples under their WAFLogs key, gzipped,
//! and Panther's labelled WAF events), Application Load Balancer access
//! logs (AWS's examples under their elasticloadbalancing key) and a
//! CloudFront standard log (AWS's example file under its distribution's
//! name). Every request lands in `requests`, placed, with the account and
//! region of its key; WAF records run through the Sigma rules routed to
//! `waf` (a single-event rule and a correlation) and raise signals about
//! the client address; after kill -9 and a restart nothing is lost.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::harness::{Server, client};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/test_data/http_logs")
        .join(name)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const WAF_RULES: &str = r#"title: SQL injection blocked by AWS WAF
id: 0f6c1a52-0000-4000-8000-0000000000a1
name: waf_sqli_block
logsource:
    product: aws
    service: waf
detection:
    selection:
        action: BLOCK
        terminatingRuleId|contains: SQLi
    condition: selection
level: high
---
title: AWS WAF block
id: 0f6c1a52-0000-4000-8000-0000000000a2
name: waf_block
logsource:
    product: aws
    service: waf
detection:
    selection:
        action: BLOCK
    condition: selection
level: low
---
title: One client blocked by three or more WAF rules within an hour
id: 0f6c1a52-0000-4000-8000-0000000000a3
correlation:
    type: value_count
    rules: [waf_block]
    group-by: [httpRequest.clientIp]
    timespan: 1h
    condition:
        gte: 3
        field: terminatingRuleId
level: high
"#;

#[test]
fn waf_alb_and_cloudfront_logs_import_into_requests_and_waf_raises_signals() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let waf_dir = logs.join("AWSLogs/111122223333/WAFLogs/us-east-1/STMTest/2019/12/13/23/40");
    std::fs::create_dir_all(&waf_dir).unwrap();
    let waf = std::fs::read(fixture("waf_aws_docs.json")).unwrap();
    std::fs::write(
        waf_dir.join("111122223333_waflogs_us-east-1_STMTest_20191213T2340Z_e5b7c1a2.log.gz"),
        gzip(&waf),
    )
    .unwrap();
    // Panther's labelled events, one JSON line each (their `#` lines
    // naming the test dropped), recognised by their content.
    let panther: String = std::fs::read_to_string(fixture("panther_waf_events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(logs.join("panther-waf.jsonl"), &panther).unwrap();
    let alb_dir = logs.join("AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02");
    std::fs::create_dir_all(&alb_dir).unwrap();
    let alb = std::fs::read(fixture("alb_aws_docs.log")).unwrap();
    std::fs::write(
        alb_dir.join("123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20180702T2225Z_192.168.131.39_2bl7ml8l.log.gz"),
        gzip(&alb),
    )
    .unwrap();
    let cf_dir = logs.join("cloudfront");
    std::fs::create_dir_all(&cf_dir).unwrap();
    let cf = std::fs::read(fixture("cloudfront_aws_docs.log")).unwrap();
    std::fs::write(
        cf_dir.join("EMLARXS9EXAMPLE.2019-12-13-21.a1b2c3d4.gz"),
        gzip(&cf),
    )
    .unwrap();
    let counts = (
        formats::decode_waf_log(&waf).entries.len()
            + formats::decode_waf_log(panther.as_bytes()).entries.len(),
        formats::decode_alb_log(&alb).entries.len(),
        formats::decode_cloudfront_log(&cf).entries.len(),
    );
    assert!(
        counts.0 >= 30 && counts.1 >= 8 && counts.2 >= 2,
        "{counts:?}"
    );

    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("waf.yml"), WAF_RULES).unwrap();
    let maxmind = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/maxmind");
    let config = format!(
        "[enrich]\ngeoip_city = \"{}\"\n[detect]\nsigma_rules = [\"{}\"]\n",
        maxmind.join("GeoLite2-City-Test.mmdb").display(),
        rules.display()
    );
    let server = Server::start(dir.path(), &config);
    let output = Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args(["import", logs.to_str().unwrap(), "--server"])
        .arg(format!("http://{}", server.http))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for kind in ["waf_logs", "alb_access_logs", "cloudfront_logs"] {
        assert!(stdout.contains(kind), "{kind} missing from:\n{stdout}");
    }

    let check = |server: &Server| {
        let by_source = server
            .sql("SELECT source, count(*) AS n FROM requests GROUP BY source ORDER BY source");
        assert_eq!(
            by_source,
            serde_json::json!([
                {"source": "alb", "n": counts.1},
                {"source": "cloudfront", "n": counts.2},
                {"source": "waf", "n": counts.0},
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        // The key's account and region; the load balancer and its client.
        let alb = server.sql(
            "SELECT account_id, region, resource, method, host, status FROM requests WHERE source = 'alb' AND client_ip = '192.168.131.39' ORDER BY timestamp LIMIT 1",
        );
        assert_eq!(
            alb[0],
            serde_json::json!({"account_id": "123456789012", "region": "us-east-2", "resource": "app/my-loadbalancer/50dc6c495c0c9188", "method": "GET", "host": "www.example.com", "status": 200})
        );
        let waf = server.sql(
            "SELECT account_id, region, action, rule, country FROM requests WHERE source = 'waf' AND client_ip = '1.1.1.1' ORDER BY timestamp LIMIT 1",
        );
        assert_eq!(
            waf[0],
            serde_json::json!({"account_id": "111122223333", "region": "us-east-1", "action": "BLOCK", "rule": "STMTest_SQLi_XSS", "country": "AU"})
        );
    };
    check(&server);

    let signals = |server: &Server| -> Vec<serde_json::Value> {
        client()
            .get(server.url("/api/v1/signals?from_ms=0&to_ms=1900000000000"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let found = signals(&server);
    let of = |rule: &str| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = found
            .iter()
            .filter(|s| s["rule_id"] == rule)
            .map(|s| {
                assert_eq!(s["source"], "waf");
                (
                    s["entity"].as_str().unwrap().to_owned(),
                    s["count"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    // AWS's SQLi examples (1.1.1.1, twice) and Panther's SQLi_BODY.
    assert_eq!(
        of("0f6c1a52-0000-4000-8000-0000000000a1"),
        [("1.1.1.1".to_owned(), 2), ("203.0.113.45".to_owned(), 1)],
        "{found:#?}"
    );
    // The base rule of a correlation raises no signals of its own.
    assert!(of("0f6c1a52-0000-4000-8000-0000000000a2").is_empty());
    // 203.0.113.45 is blocked by admin protection, anti-DDoS, bot control,
    // the common rule set, known bad inputs, React RCE and SQLi.
    let spray = of("0f6c1a52-0000-4000-8000-0000000000a3");
    assert!(
        spray.iter().any(|(ip, _)| ip == "203.0.113.45"),
        "{found:#?}"
    );
    // The SQLi signal's page shows the requests WAF logged.
    let sqli = found.iter().find(|s| s["entity"] == "1.1.1.1").unwrap();
    let detail: serde_json::Value = client()
        .get(server.url(&format!(
            "/api/v1/signals/{}",
            sqli["signal_id"].as_str().unwrap()
        )))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let events = detail["events"].as_array().unwrap();
    assert!(!events.is_empty(), "{detail:#}");
    for e in events {
        assert_eq!(
            (&e["source"], &e["source_ip"], &e["event_name"]),
            (&"waf".into(), &"1.1.1.1".into(), &"BLOCK".into()),
            "{e}"
        );
        let raw: serde_json::Value = serde_json::from_str(e["raw"].as_str().unwrap()).unwrap();
        assert_eq!(raw["terminatingRuleId"], "STMTest_SQLi_XSS");
    }

    // Panther's events carry no requestId: the page finds the client's
    // requests by address and time.
    let panther_sqli = found
        .iter()
        .find(|s| {
            s["entity"] == "203.0.113.45" && s["rule_id"] == "0f6c1a52-0000-4000-8000-0000000000a1"
        })
        .unwrap();
    let detail: serde_json::Value = client()
        .get(server.url(&format!(
            "/api/v1/signals/{}",
            panther_sqli["signal_id"].as_str().unwrap()
        )))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let events = detail["events"].as_array().unwrap();
    assert!(!events.is_empty(), "{detail:#}");
    assert!(
        events.iter().all(|e| e["source_ip"] == "203.0.113.45"),
        "{detail:#}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["raw"].as_str().unwrap().contains("SQLi_BODY")),
        "{detail:#}"
    );
    // Lists of severities and sources.
    let list = |q: &str| -> reqwest::blocking::Response {
        client()
            .get(server.url(&format!(
                "/api/v1/signals?from_ms=0&to_ms=1900000000000&{q}"
            )))
            .send()
            .unwrap()
    };
    let high: Vec<serde_json::Value> = list("severity=high,critical&source=waf").json().unwrap();
    assert_eq!(high.len(), found.len(), "every WAF rule here is high");
    let okta: Vec<serde_json::Value> = list("source=okta").json().unwrap();
    assert!(okta.is_empty());
    assert_eq!(list("source=syslog").status().as_u16(), 400);
    let volume: serde_json::Value =
        client()
            .get(server.url(
                "/api/v1/signals/volume?from_ms=0&to_ms=1900000000000&source=waf&severity=high",
            ))
            .send()
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(
        volume["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["total"].as_u64().unwrap())
            .sum::<u64>(),
        found
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>()
    );

    server.kill();
    let server = Server::start(dir.path(), &config);
    check(&server);
    assert_eq!(signals(&server), found);
}
