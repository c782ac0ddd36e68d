//! The demo's audit trails and edge logs (crate `demo`) as the importer
//! reads them: every object decodes whole, and the built-in rules find the
//! talk's five signals in it, each about the identity the story names.

use std::collections::BTreeSet;
use std::sync::Arc;

use detect::{BuiltinConfig, Detector, SigmaRules, TravelConfig};

#[test]
fn the_demo_week_holds_the_five_stories() {
    let end = 1_796_300_000_000_000_000; // 2026-12-01T..., any instant works
    let data = demo::generate_security(&demo::SecurityConfig {
        seed: 42,
        start: end - 7 * 86_400_000_000_000,
        end,
    });
    assert!(!data.cloudtrail.is_empty() && !data.okta.is_empty() && !data.waf.is_empty());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/maxmind");
    let geo = enrich::GeoIp::from_bytes(
        Some(std::fs::read(format!("{dir}/GeoLite2-City-Test.mmdb")).unwrap()),
        None,
    )
    .unwrap();
    let detector = Detector::new(
        Arc::new(SigmaRules::load(&[])),
        BuiltinConfig::default(),
        TravelConfig::default(),
        24,
    );
    let mut rows = Vec::new();
    let mut values = Vec::new();
    let mut events = 0;
    for object in &data.cloudtrail {
        let log = formats::decode_cloudtrail(&object.body);
        assert_eq!(log.rejected, 0, "{}: {:?}", object.key, log.reject_samples);
        let key = formats::parse_aws_log_key(&object.key).unwrap();
        assert_eq!(key.kind, formats::AwsLogKind::CloudTrail, "{}", object.key);
        for e in log.events {
            rows.push(enrich::AuditRow::from_cloudtrail(&e, &geo));
            values.push(e.event);
        }
    }
    for object in &data.okta {
        let log = formats::decode_okta(&object.body);
        assert_eq!(log.rejected, 0, "{}: {:?}", object.key, log.reject_samples);
        for e in log.events {
            rows.push(enrich::AuditRow::from_okta(&e, &geo));
            values.push(e.event);
        }
    }
    for object in &data.waf {
        let key = formats::parse_aws_log_key(&object.key).unwrap();
        assert_eq!(key.kind, formats::AwsLogKind::Waf, "{}", object.key);
        let log = formats::decode_waf_log(&object.body);
        assert_eq!(log.rejected, 0, "{}: {:?}", object.key, log.reject_samples);
        events += log.entries.len();
    }
    events += rows.len();
    assert_eq!(events, data.events);
    // In time order, as a trail's files arrive.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].time);
    let rows: Vec<enrich::AuditRow> = order.iter().map(|&i| rows[i].clone()).collect();
    let values: Vec<&formats::Doc> = order.iter().map(|&i| &values[i]).collect();
    let found = detector.detect(&rows, &values);
    let signals: BTreeSet<(String, String)> = found
        .iter()
        .map(|d| (d.rule_id.to_string(), d.entity.to_string()))
        .collect();
    for expected in [
        ("aws-root-activity", "arn:aws:iam::345678901234:root"),
        ("aws-iam-policy-modified", "dana@hannun-demo.example"),
        (
            "aws-iam-policy-modified",
            "arn:aws:iam::345678901234:role/deploy",
        ),
        ("aws-console-rescue-role", "eun@hannun-demo.example"),
        ("impossible-travel", "alice@hannun-demo.example"),
        ("okta-unauthorized-app", "bob@hannun-demo.example"),
    ] {
        assert!(
            signals.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {signals:#?}"
        );
    }
    // Nobody else travels impossibly, and only the stories' people raise
    // the people's rules.
    for (rule, entity) in &signals {
        if rule == "impossible-travel" {
            assert_eq!(entity, "alice@hannun-demo.example");
        }
    }
    let trip = found
        .iter()
        .find(|d| &*d.rule_id == "impossible-travel")
        .unwrap();
    assert!(
        trip.detail.as_deref().unwrap().contains("Changchun"),
        "{trip:?}"
    );
}
