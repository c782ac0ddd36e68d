//! The CloudTrail decoder on real files: the records Stratus Red Team
//! captured while detonating AWS attack techniques (JSON arrays), and a log
//! file as a trail delivers it (`{"Records":[...]}`), from testdata/.

use std::fmt::Write;
use std::path::Path;

fn testdata(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(path)
}

#[test]
fn every_stratus_detonation_log_decodes_whole() {
    let dir = testdata("stratus-detonation-logs/docs/detonation-logs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} files", files.len());
    let mut summary = String::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let log = formats::decode_cloudtrail(&bytes);
        assert_eq!(
            log.rejected,
            0,
            "{}: {:?}",
            path.display(),
            log.reject_samples
        );
        assert!(!log.events.is_empty(), "{}", path.display());
        let mut names: Vec<&str> = log
            .events
            .iter()
            .map(|e| e.str("eventName").unwrap())
            .collect();
        names.sort_unstable();
        names.dedup();
        writeln!(
            summary,
            "{}: {} events: {}",
            path.file_name().unwrap().to_string_lossy(),
            log.events.len(),
            names.join(" ")
        )
        .unwrap();
    }
    insta::assert_snapshot!(summary);
}

#[test]
fn a_trail_log_file_decodes_with_its_text_kept() {
    let path = testdata(
        "trailscraper/tests/cloudtrail/data/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json",
    );
    let bytes = std::fs::read(path).unwrap();
    let log = formats::decode_cloudtrail(&bytes);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert!(!log.events.is_empty());
    for e in &log.events {
        let reparsed: serde_json::Value = serde_json::from_str(&e.raw).unwrap();
        assert_eq!(reparsed, e.event.to_value());
        assert!(e.time > 1_500_000_000_000_000_000);
    }
    assert_eq!(
        formats::sniff(&bytes[..bytes.len().min(512)]),
        formats::Content::CloudTrailRecords
    );
}
