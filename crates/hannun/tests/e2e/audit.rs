//! `hannun import` of CloudTrail as users have it: Stratus Red Team's
//! detonation records (JSON arrays of real attack events) and a trail's log
//! file in its AWSLogs key, plain and gzipped, next to a digest file and a
//! broken one. Every event lands in the `audit` dataset with its acting
//! identity and, with the MaxMind test databases configured, its source
//! address's place; after kill -9 and a restart nothing is lost.

use std::path::Path;
use std::process::Command;

use crate::harness::Server;

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
    // One console sign-in from London (the MaxMind test data's
    // 81.2.69.142), and a broken line that is rejected alone.
    std::fs::write(
        logs.join("signin.jsonl"),
        concat!(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.142","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"c1","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
            "\n",
            r#"{"eventVersion":"1.08","eventTime":"#,
            "\n"
        ),
    )
    .unwrap();

    let maxmind = testdata("maxmind");
    let config = format!(
        "[enrich]\ngeoip_city = \"{}\"\ngeoip_asn = \"{}\"\n",
        maxmind.join("GeoLite2-City-Test.mmdb").display(),
        maxmind.join("GeoLite2-ASN-Test.mmdb").display()
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
    for expected in ["cloudtrail", "digest", "line 2: invalid JSON"] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }

    let total = (stratus_events + trail_events + 1) as i64;
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
    server.kill();
    let server = Server::start(dir.path(), &config);
    check(&server);
}
