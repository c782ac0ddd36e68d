//! `hannun import` of CloudTrail as users have it: Stratus Red Team's
//! detonation records (JSON arrays of real attack events) and a trail's log
//! file in its AWSLogs key, plain and gzipped, next to a digest file and a
//! broken one. Every event lands in the `audit` dataset with its acting
//! identity and, with the MaxMind test databases configured, its source
//! address's place; the built-in rules and SigmaHQ's AWS rules raise
//! signals as events are stored (`GET /api/v1/signals`); after kill -9 and
//! a restart nothing is lost.

use std::path::Path;
use std::process::Command;

use crate::harness::{Server, client};

fn testdata(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(path)
}

#[test]
fn cloudtrail_files_import_into_audit_with_identities_and_places() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let stratus = testdata("stratus-detonation-logs/docs/detonation-logs");
    let mut stratus_events = 0;
    for entry in std::fs::read_dir(&stratus).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        stratus_events += formats::decode_cloudtrail(&bytes).events.len();
        std::fs::copy(&path, logs.join(path.file_name().unwrap())).unwrap();
    }
    // A trail's file under its AWSLogs key, gzipped, and its digest.
    let trail = testdata("trailscraper/tests/cloudtrail/data");
    let gz = "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz";
    let key_dir = logs.join("AWSLogs/111111111111/CloudTrail/eu-central-1/2017/12/11");
    std::fs::create_dir_all(&key_dir).unwrap();
    std::fs::copy(trail.join(gz), key_dir.join(gz)).unwrap();
    let trail_events =
        formats::decode_cloudtrail(&std::fs::read(trail.join(gz.trim_end_matches(".gz"))).unwrap())
            .events
            .len();
    let digest_dir = logs.join("AWSLogs/111111111111/CloudTrail-Digest/eu-central-1/2017/12/11");
    std::fs::create_dir_all(&digest_dir).unwrap();
    std::fs::write(
        digest_dir.join("111111111111_CloudTrail-Digest_eu-central-1_x_20171211T1505Z.json.gz"),
        b"{}",
    )
    .unwrap();
    // A console sign-in from London (the MaxMind test data's 81.2.69.142)
    // and the same person 30 minutes later from Changchun; root creating
    // an access key; a broken line that is rejected alone.
    std::fs::write(
        logs.join("signin.jsonl"),
        concat!(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.142","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"c1","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","eventTime":"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:30:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"175.16.199.10","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"c2","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEROOT"},"eventTime":"2026-12-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLE","status":"Active","userName":"root"}},"eventID":"r1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#,
            "\n"
        ),
    )
    .unwrap();

    // Okta's System Log, a page as the API returns it: bob signs in, then
    // tries an app he is not assigned.
    std::fs::write(
        logs.join("okta-page.json"),
        r#"[{"uuid":"o1","published":"2026-12-01T11:00:00.000Z","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"User login to Okta","actor":{"id":"00ub0b","type":"User","alternateId":"bob@corp.example","displayName":"Bob"},"client":{"ipAddress":"216.160.83.56","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"outcome":{"result":"SUCCESS"},"target":[]},
{"uuid":"o2","published":"2026-12-01T11:05:00.000Z","eventType":"app.generic.unauth_app_access_attempt","version":"0","severity":"WARN","displayMessage":"User attempted unauthorized access to app","actor":{"id":"00ub0b","type":"User","alternateId":"bob@corp.example","displayName":"Bob"},"client":{"ipAddress":"216.160.83.56","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"outcome":{"result":"FAILURE"},"target":[{"id":"0oa1","type":"AppInstance","alternateId":"Payroll","displayName":"Payroll"}]}]"#,
    )
    .unwrap();
    // S3 data events: a bucket serving objects to internet clients over
    // two hours (3 GiB), plus CloudFront's fetch and an instance's read,
    // which are not internet egress.
    let get = |minute: u32, ip: &str, bytes: u64| {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AWSAccount","principalId":"","accountId":"anonymous"}},"eventTime":"2026-12-01T{:02}:{:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"ap-northeast-2","sourceIPAddress":"{ip}","userAgent":"Mozilla/5.0","requestParameters":{{"bucketName":"corp-assets","Host":"corp-assets.s3.ap-northeast-2.amazonaws.com","key":"app.js"}},"responseElements":null,"additionalEventData":{{"bytesTransferredIn":0,"bytesTransferredOut":{bytes}}},"requestID":"R{minute}","eventID":"s3-{minute}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::corp-assets/app.js"}},{{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::corp-assets"}}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}}"#,
            9 + minute / 60,
            minute % 60
        )
    };
    let gib = 1u64 << 30;
    std::fs::write(
        logs.join("s3-data-events.json"),
        format!(
            r#"{{"Records":[{},{},{},{},{}]}}"#,
            get(0, "81.2.69.142", gib),
            get(60, "216.160.83.56", gib),
            get(120, "81.2.69.142", gib),
            get(30, "13.32.0.1", gib),
            get(31, "10.0.3.7", gib)
        ),
    )
    .unwrap();
    let maxmind = testdata("maxmind");
    let config = format!(
        "[enrich]\ngeoip_city = \"{}\"\ngeoip_asn = \"{}\"\n[detect]\nsigma_rules = [\"{}\"]\n",
        maxmind.join("GeoLite2-City-Test.mmdb").display(),
        maxmind.join("GeoLite2-ASN-Test.mmdb").display(),
        testdata("sigmahq/rules/cloud/aws").display()
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
    for expected in ["cloudtrail", "okta", "digest", "line 2: invalid JSON"] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }

    let total = (stratus_events + trail_events + 3 + 2 + 5) as i64;
    let check = |server: &Server| {
        assert_eq!(server.count("SELECT count(*) AS n FROM audit"), total);
        let alice = server.sql(
            "SELECT actor, actor_type, federation, city, country, outcome FROM audit WHERE event_id = 'c1'",
        );
        assert_eq!(
            alice[0],
            serde_json::json!({"actor": "alice@corp.example", "actor_type": "person", "federation": "sso", "city": "London", "country": "GB", "outcome": "success"})
        );
        // Every event has an actor, and Stratus's are IAM users and roles.
        assert_eq!(
            server.count("SELECT count(*) AS n FROM audit WHERE actor IS NULL"),
            0
        );
        let types = server.sql(
            "SELECT actor_type, count(*) AS n FROM audit GROUP BY actor_type ORDER BY actor_type",
        );
        assert!(
            types
                .iter()
                .any(|r| r["actor_type"] == "iam_user" || r["actor_type"] == "role"),
            "{types:?}"
        );
    };
    check(&server);
    let signals = |server: &Server| -> Vec<serde_json::Value> {
        let r = client()
            .get(server.url("/api/v1/signals?from_ms=0&to_ms=1900000000000"))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.json().unwrap()
    };
    let found = signals(&server);
    let by_rule = |rule: &str| -> Vec<&serde_json::Value> {
        found.iter().filter(|s| s["rule_id"] == rule).collect()
    };
    let travel = by_rule("impossible-travel");
    assert_eq!(travel.len(), 1, "{found:#?}");
    assert_eq!(travel[0]["entity"], "alice@corp.example");
    assert!(
        travel[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("London, GB (81.2.69.142) → Changchun, CN (175.16.199.10)"),
        "{}",
        travel[0]
    );
    let root = by_rule("aws-root-activity");
    assert_eq!(root.len(), 1, "{found:#?}");
    assert_eq!(root[0]["entity"], "arn:aws:iam::111122223333:root");
    assert_eq!(root[0]["severity"], "high");
    // Stratus's backdoor role and admin user change IAM policies.
    assert!(by_rule("aws-iam-policy-modified").len() >= 2, "{found:#?}");
    // SigmaHQ's "AWS Successful Console Login Without MFA".
    assert_eq!(
        by_rule("77caf516-34e5-4df9-b4db-20744fea0a60").len(),
        1,
        "{found:#?}"
    );
    let okta = by_rule("okta-unauthorized-app");
    assert_eq!(okta.len(), 1, "{found:#?}");
    assert_eq!(
        (&okta[0]["entity"], &okta[0]["source"], &okta[0]["place"]),
        (
            &serde_json::json!("bob@corp.example"),
            &serde_json::json!("okta"),
            &serde_json::json!("Milton, US")
        )
    );
    // S3's internet egress is a network finding: 3 GiB in 2 hours is
    // 1,095 GiB a month, at ap-northeast-2's egress less CloudFront's.
    let findings: serde_json::Value = client()
        .get(server.url("/api/v1/network/findings?from_ms=0&to_ms=1900000000000"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let s3: Vec<&serde_json::Value> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "s3_egress_to_cdn")
        .collect();
    assert_eq!(s3.len(), 1, "{findings:#}");
    assert_eq!(
        s3[0]["resources"],
        serde_json::json!(["arn:aws:s3:::corp-assets"])
    );
    assert_eq!(s3[0]["monthly_bytes"], 3 * gib * 365);
    let expected = 3.0 * 365.0 * (0.126 - 0.12);
    let savings = s3[0]["monthly_savings_usd"].as_f64().unwrap();
    assert!((savings - expected).abs() < 0.01, "{savings} vs {expected}");
    let rules: Vec<serde_json::Value> = client()
        .get(server.url("/api/v1/rules"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let builtin = rules.iter().filter(|r| r["kind"] == "builtin").count();
    let sigma_loaded = rules
        .iter()
        .filter(|r| {
            r["kind"] == "detection" && r["state"] == "loaded" && r["source"] == "cloudtrail"
        })
        .count();
    assert_eq!(builtin, 5);
    assert!(sigma_loaded >= 50, "{sigma_loaded}");
    let bad = client()
        .get(server.url("/api/v1/signals?severity=urgent"))
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    // Triage: the root signal under review, with a comment.
    let id = root[0]["signal_id"].as_str().unwrap().to_owned();
    let put = |body: serde_json::Value, id: &str| {
        client()
            .put(server.url(&format!("/api/v1/signals/{id}/status")))
            .json(&body)
            .send()
            .unwrap()
    };
    let r = put(
        serde_json::json!({"status": "under_review", "by": "secops@corp.example", "comment": "who has the root password?"}),
        &id,
    );
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        put(serde_json::json!({"status": "closed"}), &id)
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        put(serde_json::json!({"status": "open"}), "nothex")
            .status()
            .as_u16(),
        400
    );
    let reviewed: Vec<serde_json::Value> = client()
        .get(server.url("/api/v1/signals?from_ms=0&to_ms=1900000000000&status=under_review"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(reviewed.len(), 1);
    assert_eq!(reviewed[0]["signal_id"], id.as_str());
    assert_eq!(reviewed[0]["status_by"], "secops@corp.example");
    assert_eq!(
        reviewed[0]["comments"][0]["text"],
        "who has the root password?"
    );
    let found = signals(&server);

    server.kill();
    let server = Server::start(dir.path(), &config);
    check(&server);
    assert_eq!(signals(&server), found);
}
