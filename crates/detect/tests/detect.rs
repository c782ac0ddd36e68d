//! Detections on public data: every SigmaHQ cloud and identity rule loaded
//! (how many load, are routed, fail and why), then the Stratus Red Team
//! detonation logs (real attack CloudTrail) through the loaded rules:
//! which rules fire on which technique.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use detect::{EventMatcher, RuleLoad, SigmaRules, Source};

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(path)
}

fn rule_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rule_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            let name = path
                .strip_prefix(testdata("sigmahq"))
                .unwrap()
                .display()
                .to_string();
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn sigmahq() -> SigmaRules {
    let mut files = Vec::new();
    rule_files(&testdata("sigmahq/rules/cloud"), &mut files);
    rule_files(&testdata("sigmahq/rules/identity"), &mut files);
    SigmaRules::load(&files)
}

#[test]
fn every_sigmahq_cloud_and_identity_rule_is_accounted_for() {
    let rules = sigmahq();
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = String::new();
    for r in &rules.report {
        let state = match &r.load {
            RuleLoad::Loaded { source } => format!("loaded {}", source.as_str()),
            RuleLoad::NotRouted { .. } => "not routed".to_owned(),
            RuleLoad::Failed { reason } => {
                writeln!(failures, "{}: {reason}", r.file).unwrap();
                "failed".to_owned()
            }
        };
        *by_state.entry(state).or_default() += 1;
    }
    let summary = format!(
        "{by_state:#?}\nevaluated: cloudtrail {} okta {}\n{failures}",
        rules.loaded(Source::Cloudtrail),
        rules.loaded(Source::Okta)
    );
    insta::assert_snapshot!(summary);
    assert!(rules.loaded(Source::Cloudtrail) >= 50, "{summary}");
    assert!(rules.loaded(Source::Okta) >= 18, "{summary}");
}

#[test]
fn sigmahq_rules_on_the_stratus_detonations() {
    let rules = sigmahq();
    let dir = testdata("stratus-detonation-logs/docs/detonation-logs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = String::new();
    let mut fired_files = 0;
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let log = formats::decode_cloudtrail(&bytes);
        let mut fired: BTreeMap<String, usize> = BTreeMap::new();
        let mut matches = Vec::new();
        for e in &log.events {
            matches.clear();
            rules.matches(Source::Cloudtrail, &e.event, &mut matches);
            for m in &matches {
                *fired.entry(m.title.to_string()).or_default() += 1;
            }
        }
        if !fired.is_empty() {
            fired_files += 1;
        }
        writeln!(
            out,
            "{}: {}",
            path.file_name().unwrap().to_string_lossy(),
            fired
                .iter()
                .map(|(t, n)| format!("{t} ×{n}"))
                .collect::<Vec<_>>()
                .join("; ")
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
    assert!(fired_files >= 10, "{out}");
}

/// The per-event-name engines, reading events as `Doc`s, match exactly
/// what one engine of every rule matches reading serde_json values, on
/// every Stratus event (and on the same events with their
/// `eventName` in other cases, which Sigma compares without case).
#[test]
fn keyed_engines_match_what_one_engine_of_every_rule_matches() {
    let mut files = Vec::new();
    rule_files(&testdata("sigmahq/rules/cloud/aws"), &mut files);
    let rules = SigmaRules::load(&files);
    let mut all = rsigma_parser::SigmaCollection::new();
    for (_, text) in &files {
        let c = rsigma_parser::parse_sigma_yaml(text).unwrap();
        all.rules.extend(
            c.rules
                .into_iter()
                .filter(|r| Source::of_logsource(&r.logsource) == Ok(Source::Cloudtrail)),
        );
    }
    let mut engine = rsigma_eval::Engine::new();
    engine.add_collection(&all).unwrap();
    let dir = testdata("stratus-detonation-logs/docs/detonation-logs");
    let (mut events, mut matched) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let log = formats::decode_cloudtrail(&bytes);
        for e in &log.events {
            // Ours read from the text, theirs from serde_json's value.
            let value = e.event.to_value();
            let mut shouted = value.clone();
            if let Some(name) = value["eventName"].as_str() {
                shouted["eventName"] = name.to_uppercase().into();
            }
            let shouted_doc = formats::Doc::from(&shouted);
            for (doc, event) in [(&e.event, &value), (&shouted_doc, &shouted)] {
                let mut ours: Vec<String> = Vec::new();
                let mut found = Vec::new();
                rules.matches(Source::Cloudtrail, doc, &mut found);
                ours.extend(found.into_iter().map(|m| m.title.to_string()));
                ours.sort();
                let mut theirs: Vec<String> = engine
                    .evaluate(&rsigma_eval::event::JsonEvent::borrow(event))
                    .into_iter()
                    .map(|r| r.header.rule_title.clone())
                    .collect();
                theirs.sort();
                assert_eq!(ours, theirs, "{}", e.raw);
                events += 1;
                matched += ours.len();
            }
        }
    }
    assert!(
        events > 500 && matched > 50,
        "{events} events, {matched} matches"
    );
}

/// Panther's labelled events for the rules our built-ins stand for: each
/// test's `Log` through the decoder, the normalisation and the built-in
/// rule, against its `ExpectedResult`.
#[test]
fn builtin_rules_agree_with_panthers_labelled_events() {
    let cases = [
        (
            "aws_cloudtrail_rules/aws_root_activity.yml",
            "aws-root-activity",
        ),
        (
            "aws_cloudtrail_rules/aws_iam_policy_modified.yml",
            "aws-iam-policy-modified",
        ),
        (
            "okta_rules/okta_app_unauthorized_access_attempt.yml",
            "okta-unauthorized-app",
        ),
    ];
    let geo = enrich::GeoIp::default();
    let config = detect::BuiltinConfig::default();
    let mut out = String::new();
    // Where our rules mean something else than Panther's, on purpose.
    let differences = [
        // The talk's signal is root's non-authentication activity: a root
        // sign-in is its own signal (SigmaHQ has one), not this.
        ("aws-root-activity", "Successful Root Login"),
        // Root should not be used at all; its reads are reconnaissance,
        // so they count (Panther keeps only changes).
        ("aws-root-activity", "Root Read-Only Enumeration"),
    ];
    let mut disagreements = 0;
    for (file, rule) in cases {
        let text =
            std::fs::read_to_string(testdata(&format!("panther-rule-tests/rules/{file}"))).unwrap();
        let doc: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        for test in doc["Tests"].as_array().unwrap() {
            // Panther redacts some times ("eventTime": "redacted"); a
            // real trail always has one.
            let mut log = test["Log"].clone();
            if let Some(t) = log.get("eventTime").and_then(serde_json::Value::as_str)
                && !t.starts_with("20")
            {
                log["eventTime"] = "2026-12-01T00:00:00Z".into();
            }
            let log = log.to_string();
            let row = if rule.starts_with("okta") {
                let decoded = formats::decode_okta(log.as_bytes());
                assert_eq!(decoded.rejected, 0, "{file}: {:?}", decoded.reject_samples);
                enrich::AuditRow::from_okta(&decoded.events[0], &geo)
            } else {
                let decoded = formats::decode_cloudtrail(log.as_bytes());
                assert_eq!(decoded.rejected, 0, "{file}: {:?}", decoded.reject_samples);
                enrich::AuditRow::from_cloudtrail(&decoded.events[0], &geo)
            };
            let event = formats::Doc::parse(&row.raw).unwrap();
            let fired = detect::builtin_matches(&row, &event, &config)
                .iter()
                .any(|r| r.id() == rule);
            let expected = test["ExpectedResult"].as_bool().unwrap();
            let name = test["Name"].as_str().unwrap_or("?");
            let on_purpose = differences.contains(&(rule, name));
            if (fired != expected) != on_purpose {
                disagreements += 1;
            }
            writeln!(
                out,
                "{rule}: {name}: expected {expected}, fired {fired}{}",
                if on_purpose {
                    " (differs on purpose)"
                } else {
                    ""
                }
            )
            .unwrap();
        }
    }
    insta::assert_snapshot!(out);
    assert_eq!(disagreements, 0, "{out}");
}
