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

/// The fixtures are written for 2026-12-01 and 02; they are moved to the
/// two days before today, so the rules' "last N days" keep seeing them.
fn dated(text: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let day =
        |back: i64| model::format_rfc3339_nanos(now - back * 86_400_000_000_000)[..10].to_owned();
    text.replace("2026-12-01", &day(2))
        .replace("2026-12-02", &day(1))
}

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
        dated(concat!(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.142","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"c1","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","eventTime":"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:30:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"175.16.199.10","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"c2","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEROOT"},"eventTime":"2026-12-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLE","status":"Active","userName":"root"}},"eventID":"r1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACIEXAMPLE","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIACIEXAMPLE","userName":"ci"},"eventTime":"2026-12-01T10:10:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Deploy","roleSessionName":"ci-run-42"},"responseElements":{"credentials":{"accessKeyId":"ASIADEPLOYEXAMPLE","sessionToken":"redacted","expiration":"Dec 1, 2026, 11:10:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROADEPLOYEXAMPLE:ci-run-42","arn":"arn:aws:sts::111122223333:assumed-role/Deploy/ci-run-42"}},"requestID":"a1","eventID":"a1","readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::IAM::Role","ARN":"arn:aws:iam::111122223333:role/Deploy"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#,
            "\n",
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROADEPLOYEXAMPLE:ci-run-42","arn":"arn:aws:sts::111122223333:assumed-role/Deploy/ci-run-42","accountId":"111122223333","accessKeyId":"ASIADEPLOYEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROADEPLOYEXAMPLE","arn":"arn:aws:iam::111122223333:role/Deploy","accountId":"111122223333","userName":"Deploy"},"attributes":{"creationDate":"2026-12-01T10:10:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-12-01T10:12:00Z","eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{"roleName":"jobs-api-task","policyName":"s3-read","policyDocument":"{}"},"responseElements":null,"requestID":"p1","eventID":"p1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#,
            "\n"
        )),
    )
    .unwrap();

    // Okta's System Log, a page as the API returns it: bob signs in, then
    // tries an app he is not assigned.
    std::fs::write(
        logs.join("okta-page.json"),
        dated(r#"[{"uuid":"o1","published":"2026-12-01T11:00:00.000Z","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"User login to Okta","actor":{"id":"00ub0b","type":"User","alternateId":"bob@corp.example","displayName":"Bob"},"client":{"ipAddress":"216.160.83.56","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"outcome":{"result":"SUCCESS"},"target":[]},
{"uuid":"o2","published":"2026-12-01T11:05:00.000Z","eventType":"app.generic.unauth_app_access_attempt","version":"0","severity":"WARN","displayMessage":"User attempted unauthorized access to app","actor":{"id":"00ub0b","type":"User","alternateId":"bob@corp.example","displayName":"Bob"},"client":{"ipAddress":"216.160.83.56","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"outcome":{"result":"FAILURE"},"target":[{"id":"0oa1","type":"AppInstance","alternateId":"Payroll","displayName":"Payroll"}]}]"#),
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
        dated(&format!(
            r#"{{"Records":[{},{},{},{},{}]}}"#,
            get(0, "81.2.69.142", gib),
            get(60, "216.160.83.56", gib),
            get(120, "81.2.69.142", gib),
            get(30, "13.32.0.1", gib),
            get(31, "10.0.3.7", gib)
        )),
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

    let total = (stratus_events + trail_events + 5 + 2 + 5) as i64;
    let check = |server: &Server, total: i64| {
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
    check(&server, total);
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
    tuning_and_investigation(&server, &travel_id(&found), &logs);
    let found = signals(&server);

    server.kill();
    let server = Server::start(dir.path(), &config);
    // The root event imported while its rule was off.
    check(&server, total + 1);
    assert_eq!(signals(&server), found);
    // A rule switched off stays off after a restart.
    let rules: Vec<serde_json::Value> = get_json(&server, "/api/v1/rules");
    let root = rules
        .iter()
        .find(|r| r["id"] == "aws-root-activity")
        .unwrap();
    assert_eq!(root["enabled"], false, "{root}");
}

fn get_json<T: serde::de::DeserializeOwned>(server: &Server, path: &str) -> T {
    let r = client().get(server.url(path)).send().unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().unwrap()
}

fn travel_id(found: &[serde_json::Value]) -> String {
    found
        .iter()
        .find(|s| s["rule_id"] == "impossible-travel")
        .and_then(|s| s["signal_id"].as_str())
        .unwrap()
        .to_owned()
}

const ALL_TIME: &str = "from_ms=0&to_ms=1900000000000";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/Deploy";

/// A signal's page, the investigator, tuning exceptions with the volume
/// before and after, and switching a rule off.
fn tuning_and_investigation(server: &Server, travel: &str, logs: &Path) {
    // The trip's signal with its sign-in and the JSON AWS wrote.
    let detail: serde_json::Value = get_json(server, &format!("/api/v1/signals/{travel}"));
    assert_eq!(detail["signal"]["rule_id"], "impossible-travel");
    let events = detail["events"].as_array().unwrap();
    assert!(!events.is_empty(), "{detail:#}");
    for e in events {
        assert!(e["event_id"] == "c1" || e["event_id"] == "c2", "{e}");
        let raw: serde_json::Value = serde_json::from_str(e["raw"].as_str().unwrap()).unwrap();
        assert_eq!(raw["eventName"], "ConsoleLogin");
    }
    let missing = client()
        .get(server.url("/api/v1/signals/00000000000000ff"))
        .send()
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // Alice across Okta's London and AWS's Changchun, through SSO.
    let alice: serde_json::Value = get_json(
        server,
        &format!("/api/v1/identity?actor=alice@corp.example&{ALL_TIME}"),
    );
    assert_eq!(alice["actor_type"], "person");
    let places: Vec<(&str, &str)> = alice["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["source_ip"].as_str().unwrap(),
                p["city"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(places.contains(&("81.2.69.142", "London")), "{places:?}");
    assert!(
        places.contains(&("175.16.199.10", "Changchun")),
        "{places:?}"
    );
    let edges = |identity: &serde_json::Value| -> Vec<(String, String, String)> {
        identity["chain"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["from"].as_str().unwrap().to_owned(),
                    e["to"].as_str().unwrap().to_owned(),
                    e["how"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert!(
        edges(&alice).contains(&(
            "alice@corp.example".into(),
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef".into(),
            "signed_in_as".into()
        )),
        "{:?}",
        edges(&alice)
    );
    assert!(
        alice["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["rule_id"] == "impossible-travel")
    );
    // The CI user assumed Deploy, whose session changed a role's policy:
    // the chain reads the same from either end.
    let ci: serde_json::Value = get_json(
        server,
        &format!("/api/v1/identity?actor=arn:aws:iam::111122223333:user/ci&{ALL_TIME}"),
    );
    let assumed = (
        "arn:aws:iam::111122223333:user/ci".to_owned(),
        DEPLOY.to_owned(),
        "assumed_role".to_owned(),
    );
    assert!(edges(&ci).contains(&assumed), "{:?}", edges(&ci));
    assert_eq!(ci["access_keys"][0]["access_key_id"], "AKIACIEXAMPLE");
    let deploy: serde_json::Value = get_json(
        server,
        &format!("/api/v1/identity?actor={DEPLOY}&{ALL_TIME}"),
    );
    assert!(edges(&deploy).contains(&assumed), "{:?}", edges(&deploy));
    assert_eq!(deploy["actor_type"], "role");
    let people: Vec<serde_json::Value> = get_json(
        server,
        &format!("/api/v1/identities?q=CORP.example&{ALL_TIME}"),
    );
    let names: Vec<&str> = people
        .iter()
        .map(|p| p["actor"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"alice@corp.example") && names.contains(&"bob@corp.example"),
        "{names:?}"
    );
    let nobody = client()
        .get(server.url(&format!("/api/v1/identity?actor=nobody&{ALL_TIME}")))
        .send()
        .unwrap();
    assert_eq!(nobody.status().as_u16(), 404);

    // Tuning: Deploy's policy change is expected (CI), until 2099.
    let policy_signals = |suppressed: bool| -> Vec<serde_json::Value> {
        get_json(
            server,
            &format!(
                "/api/v1/signals?{ALL_TIME}&rule_id=aws-iam-policy-modified&suppressed={suppressed}"
            ),
        )
    };
    let before = policy_signals(false);
    assert!(before.iter().any(|s| s["entity"] == DEPLOY), "{before:#?}");
    let post = |body: serde_json::Value| {
        client()
            .post(server.url("/api/v1/exceptions"))
            .json(&body)
            .send()
            .unwrap()
    };
    for (bad, why) in [
        (
            serde_json::json!({"rule_id": "aws-iam-policy-modified", "entity": DEPLOY, "reason": ""}),
            "reason",
        ),
        (
            serde_json::json!({"rule_id": "no-such-rule", "reason": "x"}),
            "no rule",
        ),
        (
            serde_json::json!({"rule_id": "aws-iam-policy-modified", "field": "user_agent", "value": "x", "reason": "x"}),
            "field",
        ),
    ] {
        let r = post(bad);
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().unwrap().contains(why));
    }
    let r = post(serde_json::json!({
        "rule_id": "aws-iam-policy-modified", "entity": DEPLOY,
        "until": "2099-01-01", "reason": "the CI pipeline manages task roles", "by": "secops@corp.example"
    }));
    assert_eq!(r.status().as_u16(), 201);
    let exception: serde_json::Value = r.json().unwrap();
    assert_eq!(exception["until"], "2099-01-01T23:59:59.999999999Z");
    let after = policy_signals(false);
    assert!(!after.iter().any(|s| s["entity"] == DEPLOY), "{after:#?}");
    assert_eq!(after.len() + 1, before.len());
    let quiet = policy_signals(true);
    let deploy_signal = quiet.iter().find(|s| s["entity"] == DEPLOY).unwrap();
    assert_eq!(
        (&deploy_signal["count"], &deploy_signal["suppressed"]),
        (&0.into(), &1.into())
    );
    let volume: serde_json::Value = get_json(
        server,
        &format!("/api/v1/signals/volume?{ALL_TIME}&rule_id=aws-iam-policy-modified"),
    );
    let series = &volume["series"][0];
    assert_eq!(series["key"], "aws-iam-policy-modified");
    assert_eq!(
        series["total"].as_u64().unwrap(),
        before
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>()
    );
    assert_eq!(series["total_suppressed"], 1);
    let by_severity: serde_json::Value = get_json(
        server,
        &format!("/api/v1/signals/volume?{ALL_TIME}&group_by=severity"),
    );
    assert!(
        by_severity["series"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == "high"),
        "{by_severity}"
    );
    let listed: Vec<serde_json::Value> = get_json(server, "/api/v1/exceptions");
    assert_eq!(listed.len(), 1);
    let gone = client()
        .delete(server.url(&format!(
            "/api/v1/exceptions/{}",
            exception["id"].as_str().unwrap()
        )))
        .send()
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    assert_eq!(policy_signals(false).len(), before.len());

    // Root activity switched off: a new root action raises nothing.
    let rules: Vec<serde_json::Value> = get_json(server, "/api/v1/rules");
    let root = rules
        .iter()
        .find(|r| r["id"] == "aws-root-activity")
        .unwrap();
    assert_eq!(
        (&root["enabled"], &root["matches_30d"]),
        (&true.into(), &1.into())
    );
    assert!(root["last_match_ms"].as_i64().unwrap() > 0);
    for rule in ["aws-root-activity", SIGMA_ROOT] {
        let r = client()
            .put(server.url("/api/v1/rules/state"))
            .json(&serde_json::json!({"rule_id": rule, "enabled": false, "by": "secops@corp.example"}))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let more = logs.parent().unwrap().join("more");
    std::fs::create_dir_all(&more).unwrap();
    std::fs::write(
        more.join("root.json"),
        dated(r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2026-12-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket","awsRegion":"us-east-1","sourceIPAddress":"216.160.83.56","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"x"},"responseElements":null,"eventID":"r2","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args(["import", more.to_str().unwrap(), "--server"])
        .arg(format!("http://{}", server.http))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        server.count("SELECT count(*) AS n FROM audit WHERE event_id = 'r2'"),
        1
    );
    let roots: Vec<serde_json::Value> = get_json(
        server,
        &format!("/api/v1/signals?{ALL_TIME}&rule_id=aws-root-activity"),
    );
    assert_eq!(roots.len(), 1, "{roots:#?}");
    assert_eq!(roots[0]["count"], 1);
    std::fs::remove_dir_all(&more).unwrap();
    rules_over_history(server);
}

/// SigmaHQ's "AWS Root Credentials".
const SIGMA_ROOT: &str = "8ad1600d-e9dc-4251-b0ee-a65268f29add";

/// The rule editor's test, a loaded rule run over history, a rule's text.
fn rules_over_history(server: &Server) {
    let source: serde_json::Value = get_json(
        server,
        &format!("/api/v1/rules/source?rule_id={SIGMA_ROOT}"),
    );
    assert!(
        source["file"]
            .as_str()
            .unwrap()
            .ends_with("aws_root_account_usage.yml")
    );
    assert!(source["yaml"].as_str().unwrap().contains(SIGMA_ROOT));
    let test = |yaml: &str, days: u32| {
        client()
            .post(server.url("/api/v1/rules/test"))
            .json(&serde_json::json!({"yaml": yaml, "days": days}))
            .send()
            .unwrap()
    };
    // The fixtures' events are of the last two days; Stratus's and the
    // trail's are years older, outside the days asked for.
    let assume = "title: Role assumed\nid: 6f0c5a43-0000-4000-8000-000000000001\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection: {eventSource: sts.amazonaws.com, eventName: AssumeRole}\n  condition: selection\nlevel: low\n";
    let days = 90;
    let r = test(assume, days);
    assert!(r.status().is_success(), "{}", r.status());
    let reply: serde_json::Value = r.json().unwrap();
    assert_eq!(reply["load"]["state"], "loaded", "{reply:#}");
    assert_eq!(reply["load"]["source"], "cloudtrail");
    let run = &reply["run"];
    assert_eq!(run["matched"], 1, "{reply:#}");
    assert_eq!(run["matches"][0]["event"]["event_id"], "a1");
    assert!(run["scanned"].as_u64().unwrap() >= 10, "{run}");
    assert_eq!(run["truncated"], false);
    // A correlation over it: Alice's two console sign-ins within an hour.
    let twice = "title: Console login\nid: 6f0c5a43-0000-4000-8000-000000000002\nname: console_login\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection: {eventName: ConsoleLogin}\n  condition: selection\n---\ntitle: Two console sign-ins in an hour\nid: 6f0c5a43-0000-4000-8000-000000000003\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: {gte: 2}\nlevel: medium\n";
    let reply: serde_json::Value = test(twice, days).json().unwrap();
    assert_eq!(reply["load"]["kind"], "correlation", "{reply:#}");
    assert_eq!(reply["run"]["matched"], 1, "{reply:#}");
    assert_eq!(reply["run"]["matches"][0]["event"]["event_id"], "c2");
    assert!(
        reply["run"]["matches"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("2 events within 1 h for userIdentity.arn=arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin"),
        "{reply:#}"
    );
    // Bad texts say why; bad days are refused.
    let reply: serde_json::Value = test("title: x\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  s: {a: 1}\n  condition: s\n", 7).json().unwrap();
    assert_eq!(reply["load"]["state"], "not_routed", "{reply:#}");
    assert!(reply["run"].is_null());
    let reply: serde_json::Value = test("title: x\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {a|nosuchmodifier: 1}\n  condition: s\n", 7).json().unwrap();
    assert_eq!(reply["load"]["state"], "failed", "{reply:#}");
    assert!(
        reply["load"]["reason"]
            .as_str()
            .unwrap()
            .contains("nosuchmodifier"),
        "{reply:#}"
    );
    assert_eq!(test(assume, 0).status().as_u16(), 400);
    let reply: serde_json::Value = test("just text", 7).json().unwrap();
    assert_eq!(reply["load"]["state"], "failed", "{reply:#}");
    assert_eq!(test("", 7).status().as_u16(), 400);

    // SigmaHQ's root rule was off when the second root event came: a run
    // over history stores that detection once.
    let run = |rule: &str| -> serde_json::Value {
        let r = client()
            .post(server.url("/api/v1/rules/run"))
            .json(&serde_json::json!({"rule_id": rule, "days": 30}))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{rule}: {}", r.status());
        r.json().unwrap()
    };
    let first = run(SIGMA_ROOT);
    assert_eq!(
        (&first["stored"], &first["already_stored"]),
        (&1.into(), &1.into()),
        "{first:#}"
    );
    let again = run(SIGMA_ROOT);
    assert_eq!(
        (&again["stored"], &again["already_stored"]),
        (&0.into(), &2.into()),
        "{again:#}"
    );
    let signals: Vec<serde_json::Value> = get_json(
        server,
        &format!("/api/v1/signals?{ALL_TIME}&rule_id={SIGMA_ROOT}"),
    );
    assert_eq!(
        signals
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>(),
        2,
        "{signals:#?}"
    );
    let builtin = client()
        .post(server.url("/api/v1/rules/run"))
        .json(&serde_json::json!({"rule_id": "aws-root-activity"}))
        .send()
        .unwrap();
    assert_eq!(builtin.status().as_u16(), 400);
}
