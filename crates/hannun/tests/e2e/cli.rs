//! The client commands against a running server: `ingest` (NDJSON, gzip,
//! OTLP-JSON), `sql` and `search`.

use std::io::Write;
use std::process::Command;

use crate::harness::{Server, now_nanos};

fn hannun(server: &Server, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args(args)
        .args(["--server", &format!("http://{}", server.http.clone())])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn ingest_sql_and_search_commands() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "");
    let now = now_nanos() / 1_000_000_000;

    let plain = dir.path().join("app.ndjson");
    let lines: String = (0..500)
        .map(|i| format!("{{\"time\":{},\"service\":\"svc-{}\",\"level\":\"{}\",\"message\":\"line {i}\"}}\n", now - 60 + i % 50, i % 5, if i % 50 == 0 { "error" } else { "info" }))
        .collect();
    std::fs::write(&plain, format!("{lines}{{broken\n")).unwrap();
    let gz = dir.path().join("more.ndjson.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    encoder.write_all(lines.as_bytes()).unwrap();
    encoder.finish().unwrap();
    let otlp = dir.path().join("otlp.json");
    std::fs::write(
        &otlp,
        format!(
            "{{\"resourceLogs\":[{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"otlp-file\"}}}}]}},\"scopeLogs\":[{{\"logRecords\":[{{\"timeUnixNano\":\"{}\",\"body\":{{\"stringValue\":\"from a collector file\"}}}}]}}]}}]}}\n",
            now * 1_000_000_000
        ),
    )
    .unwrap();

    let (ok, stdout, stderr) = hannun(
        &server,
        &[
            "ingest",
            plain.to_str().unwrap(),
            gz.to_str().unwrap(),
            otlp.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("1001 records accepted, 1 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("line 501: invalid JSON"), "{stdout}");

    let (ok, stdout, stderr) = hannun(
        &server,
        &[
            "sql",
            "SELECT service, count(*) AS n FROM logs GROUP BY service ORDER BY service",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("otlp-file  1"), "{stdout}");
    assert!(stdout.contains("svc-0      200"), "{stdout}");

    let (ok, stdout, stderr) = hannun(
        &server,
        &["search", "status:error service:svc-0", "--since", "1h"],
    );
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.contains("svc-0")).count(),
        20,
        "{stdout}"
    );
    assert!(stderr.contains("20 of 20 matching events"), "{stderr}");

    let (ok, _, stderr) = hannun(&server, &["sql", "SELEC nonsense"]);
    assert!(!ok);
    assert!(
        stderr.contains("invalid query") && stderr.contains("HTTP 400"),
        "{stderr}"
    );
}
