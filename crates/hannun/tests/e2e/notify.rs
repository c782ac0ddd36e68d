//! Notifications of new signals to a local HTTP receiver: a Slack-style
//! destination with a rate limit of 30 a minute and a webhook whose first
//! answer is a 500 (with `Retry-After: 0`). Forty root accounts act; one
//! of them is an exception. The webhook receives 39 signals, one retried;
//! Slack receives 30 one by one and then one summary of those held back.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{Server, client};

/// Requests received: (path, body).
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A minimal HTTP/1.1 server on 127.0.0.1: records each POST and answers
/// 200, but 500 to the first request for `/hook`.
fn receiver() -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Received = Arc::default();
    let seen = got.clone();
    std::thread::spawn(move || {
        let failed_once = Arc::new(Mutex::new(false));
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = seen.clone();
            let failed_once = failed_once.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let mut length = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        if h == "\r\n" || h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let fail = path == "/hook"
                        && !std::mem::replace(&mut *failed_once.lock().unwrap(), true);
                    let reply = if fail {
                        "HTTP/1.1 500 Internal Server Error\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
                    } else {
                        seen.lock()
                            .unwrap()
                            .push((path, serde_json::from_slice(&body).unwrap()));
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    };
                    out.write_all(reply.as_bytes()).unwrap();
                }
            });
        }
    });
    (format!("http://{addr}"), got)
}

fn root_event(account: u64, n: u64) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"Root","principalId":"{account}","arn":"arn:aws:iam::{account}:root","accountId":"{account}"}},"eventTime":"2026-12-01T10:{:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{{"bucketName":"b{n}"}},"responseElements":null,"eventID":"root-{n}","eventType":"AwsApiCall","recipientAccountId":"{account}"}}"#,
        n % 60
    )
}

#[test]
fn new_signals_are_sent_rate_limited_and_retried() {
    let (url, got) = receiver();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "public_url = \"https://hannun.corp.example\"\n\
         [[notify]]\nname = \"secops-slack\"\nkind = \"slack\"\nurl = \"{url}/slack\"\nmin_severity = \"low\"\nper_minute = 30\n\
         [[notify]]\nname = \"pager\"\nkind = \"webhook\"\nurl = \"{url}/hook\"\nmin_severity = \"high\"\nper_minute = 600\n"
    );
    let server = Server::start(dir.path(), &config);
    // One account's root is expected (a break-glass drill).
    let r = client()
        .post(server.url("/api/v1/exceptions"))
        .json(&serde_json::json!({"rule_id": "aws-root-activity", "entity": "arn:aws:iam::100000000000:root", "reason": "break-glass drill"}))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let lines: Vec<String> = (0..40)
        .map(|n| root_event(100_000_000_000 + n, n))
        .collect();
    std::fs::write(logs.join("root.jsonl"), lines.join("\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args(["import", logs.to_str().unwrap(), "--server"])
        .arg(format!("http://{}", server.http))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let count = |path: &str| {
        got.lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let summary = |got: &Received| {
        got.lock().unwrap().iter().any(|(p, b)| {
            p == "/slack" && b["text"].as_str().is_some_and(|t| t.contains("rate limit"))
        })
    };
    while (count("/hook") < 39 || !summary(&got)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = got.lock().unwrap().clone();
    let hooks: Vec<&serde_json::Value> = got
        .iter()
        .filter(|(p, _)| p == "/hook")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(hooks.len(), 39, "{hooks:#?}");
    assert!(
        hooks
            .iter()
            .all(|h| h["type"] == "signal" && h["signal"]["rule_id"] == "aws-root-activity")
    );
    assert!(
        !hooks
            .iter()
            .any(|h| h["signal"]["entity"] == "arn:aws:iam::100000000000:root")
    );
    let link = hooks[0]["signal"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://hannun.corp.example/security/signals/"),
        "{link}"
    );
    let slack: Vec<&serde_json::Value> = got
        .iter()
        .filter(|(p, _)| p == "/slack")
        .map(|(_, b)| b)
        .collect();
    // The first 30 go one by one; the rest (the minute allows one more
    // every 2 s, so a slow run may send one or two more singly) in a summary.
    let singles = slack
        .iter()
        .filter(|s| s["text"].as_str().unwrap().starts_with("[HIGH] "))
        .count();
    let summarised: u64 = slack
        .iter()
        .filter_map(|s| {
            s["text"]
                .as_str()
                .unwrap()
                .strip_suffix(" more new security signals were not sent one by one (rate limit): https://hannun.corp.example/security")
                .map(|n| n.parse::<u64>().unwrap())
        })
        .sum();
    assert!((30..39).contains(&singles), "{slack:#?}");
    assert_eq!(singles as u64 + summarised, 39, "{slack:#?}");
    assert_eq!(slack.len(), singles + 1, "{slack:#?}");
    let status: Vec<serde_json::Value> = client()
        .get(server.url("/api/v1/notifications"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let of = |name: &str| status.iter().find(|s| s["name"] == name).unwrap().clone();
    let (slack, pager) = (of("secops-slack"), of("pager"));
    assert_eq!(
        slack["sent"].as_u64().unwrap() as usize,
        singles + 1,
        "{slack}"
    );
    assert_eq!(slack["held_back"].as_u64().unwrap(), summarised, "{slack}");
    assert_eq!(slack["failed"], 0, "{slack}");
    assert_eq!(
        (&pager["sent"], &pager["retries"], &pager["failed"]),
        (&39.into(), &1.into(), &0.into()),
        "{pager}"
    );
    // The URL (a secret for Slack) is never shown, only its host.
    assert!(!serde_json::to_string(&status).unwrap().contains("/slack"));
    assert_eq!(slack["host"], url.trim_start_matches("http://"));
}
