//! From audit rows to detections: the Sigma rules of the row's source, the
//! built-in rules and impossible travel, each match a `Detection` row of
//! the `signals` dataset. Detections of one rule and one entity (the
//! acting identity) within one dedup window share a `signal_id`, derived
//! from the three alone, so a restart or a re-run over history gives the
//! same signals; the signal list is the detections grouped by it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use arrow::record_batch::RecordBatch;
use enrich::AuditRow;
use formats::Doc;
use model::DatasetKind;

use crate::Severity;
use crate::builtin::{BuiltinConfig, BuiltinRule, builtin_matches};
use crate::correlate::Correlator;
use crate::sigma::{EventMatcher, SigmaMatch, Source};
use crate::travel::{Travel, TravelConfig};

/// One rule matching one event.
#[derive(Debug, Clone, PartialEq)]
///
/// The text an event's detections share is shared, not copied: a busy
/// rule set raises several detections per event.
pub struct Detection {
    pub time: i64,
    pub signal_id: String,
    pub rule_id: Arc<str>,
    pub title: Arc<str>,
    pub severity: Severity,
    /// The acting identity the signal is about.
    pub entity: Arc<str>,
    pub source: &'static str,
    pub event_id: Option<Arc<str>>,
    pub event_name: Option<Arc<str>>,
    pub account_id: Option<Arc<str>>,
    pub source_ip: Option<Arc<str>>,
    pub place: Option<Arc<str>>,
    /// What the rule saw, in words (impossible travel: the trip).
    pub detail: Option<String>,
}

/// FNV-1a, 64 bits: a stable id from text (not for secrets).
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The signal a detection belongs to: its rule, its entity and the dedup
/// window its time falls in.
pub fn signal_id(rule_id: &str, entity: &str, time: i64, window_ns: i64) -> String {
    let mut digits = [0u8; 20];
    let bucket = decimal(time.div_euclid(window_ns.max(1)), &mut digits);
    let h = fnv(&[rule_id, entity, bucket]);
    (0..16)
        .rev()
        .map(|i| char::from(b"0123456789abcdef"[((h >> (i * 4)) & 0xf) as usize]))
        .collect()
}

/// `n` in decimal, written at the end of `buf` (what `n.to_string()`
/// gives, without the allocation).
fn decimal(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Everything that decides what fires.
pub struct Detector {
    sigma: Arc<dyn EventMatcher>,
    builtin: BuiltinConfig,
    travel_config: TravelConfig,
    travel: Mutex<Travel>,
    correlator: Mutex<Correlator>,
    window_ns: i64,
    /// Rules switched off: still evaluated (impossible travel keeps its
    /// state), their detections dropped.
    disabled: RwLock<HashSet<String>>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("builtin", &self.builtin)
            .field("travel", &self.travel_config)
            .finish()
    }
}

/// Detections of one rule and entity closer than this are one signal.
pub const DEFAULT_DEDUP_HOURS: i64 = 24;

impl Detector {
    pub fn new(
        sigma: Arc<dyn EventMatcher>,
        builtin: BuiltinConfig,
        travel: TravelConfig,
        dedup_hours: i64,
    ) -> Detector {
        Detector {
            correlator: Mutex::new(Correlator::new(sigma.correlations())),
            sigma,
            builtin,
            travel_config: travel,
            travel: Mutex::new(Travel::default()),
            window_ns: dedup_hours.max(1) * 3_600_000_000_000,
            disabled: RwLock::default(),
        }
    }

    /// Switches off exactly these rules (the others are on).
    pub fn set_disabled(&self, rule_ids: impl IntoIterator<Item = String>) {
        *self.disabled.write().unwrap_or_else(|p| p.into_inner()) = rule_ids.into_iter().collect();
    }

    pub fn is_enabled(&self, rule_id: &str) -> bool {
        !self
            .disabled
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(rule_id)
    }

    /// The detections of rows (each with its event as delivered), in order.
    pub fn detect(&self, rows: &[AuditRow], events: &[&Doc<'_>]) -> Vec<Detection> {
        let mut out = Vec::new();
        let mut sigma = Vec::new();
        let mut travel = self.travel.lock().expect("travel lock");
        let disabled = self.disabled.read().unwrap_or_else(|p| p.into_inner());
        let mut correlator = self.correlator.lock().expect("correlator lock");
        let mut matched: Vec<Arc<str>> = Vec::new();
        for (row, event) in rows.iter().zip(events) {
            let source = match row.source {
                "okta" => Source::Okta,
                "waf" => Source::Waf,
                _ => Source::Cloudtrail,
            };
            // The row's text, shared by its detections (made at the first).
            let mut shared: Option<RowText> = None;
            let mut push = |rule_id: &Arc<str>,
                            title: &Arc<str>,
                            severity: Severity,
                            detail: Option<String>| {
                if disabled.contains(rule_id.as_ref()) {
                    return;
                }
                let t = shared.get_or_insert_with(|| RowText::of(row));
                out.push(Detection {
                    time: row.time,
                    signal_id: signal_id(rule_id, &t.entity, row.time, self.window_ns),
                    rule_id: rule_id.clone(),
                    title: title.clone(),
                    severity,
                    entity: t.entity.clone(),
                    source: row.source,
                    event_id: t.event_id.clone(),
                    event_name: t.event_name.clone(),
                    account_id: t.account_id.clone(),
                    source_ip: t.source_ip.clone(),
                    place: t.place.clone(),
                    detail,
                });
            };
            sigma.clear();
            self.sigma.matches(source, event, &mut sigma);
            for SigmaMatch {
                rule_id,
                title,
                severity,
            } in &sigma
            {
                if correlator.generates(rule_id) {
                    push(rule_id, title, *severity, None);
                }
            }
            if !correlator.is_empty() && !sigma.is_empty() {
                matched.clear();
                matched.extend(sigma.iter().map(|m| m.rule_id.clone()));
                let ids: Vec<&str> = matched.iter().map(AsRef::as_ref).collect();
                for fired in correlator.observe(row.time, event, &ids) {
                    push(
                        &Arc::from(fired.rule_id),
                        &Arc::from(fired.title),
                        fired.severity,
                        Some(fired.detail),
                    );
                }
            }
            for rule in builtin_matches(row, event, &self.builtin) {
                push(
                    &Arc::from(rule.id()),
                    &Arc::from(rule.title()),
                    rule.severity(),
                    None,
                );
            }
            for trip in travel.observe(row, &self.travel_config) {
                let rule = BuiltinRule::ImpossibleTravel;
                let minutes = (trip.to.time - trip.from.time).abs() / 60_000_000_000;
                let detail = format!(
                    "{} ({}) → {} ({}): {:.0} km in {minutes} min, {:.0} km/h",
                    trip.from.place,
                    trip.from.ip,
                    trip.to.place,
                    trip.to.ip,
                    trip.distance_km,
                    trip.speed_kmh
                );
                push(
                    &Arc::from(rule.id()),
                    &Arc::from(rule.title()),
                    rule.severity(),
                    Some(detail),
                );
            }
        }
        out
    }
}

/// What the detections of one row say about it.
struct RowText {
    entity: Arc<str>,
    event_id: Option<Arc<str>>,
    event_name: Option<Arc<str>>,
    account_id: Option<Arc<str>>,
    source_ip: Option<Arc<str>>,
    place: Option<Arc<str>>,
}

impl RowText {
    fn of(row: &AuditRow) -> RowText {
        let text = |v: &Option<String>| v.as_deref().map(Arc::from);
        RowText {
            entity: Arc::from(
                row.actor
                    .as_deref()
                    .or(row.source_ip.as_deref())
                    .unwrap_or("unknown"),
            ),
            event_id: text(&row.event_id),
            event_name: text(&row.event_name),
            account_id: text(&row.account_id),
            source_ip: text(&row.source_ip),
            place: place(row).map(Arc::from),
        }
    }
}

fn place(row: &AuditRow) -> Option<String> {
    let parts: Vec<&str> = [row.place.city.as_deref(), row.place.country.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Detections as one batch of the `signals` dataset's core columns.
pub fn detections_batch(rows: &[Detection]) -> Result<RecordBatch, String> {
    let c = model::Columns::new(rows);
    model::batch_of(DatasetKind::Signals, rows.len(), |name, ty| {
        Some(match name {
            model::TIME_COLUMN => c.time(ty, &|r| Some(r.time)),
            "signal_id" => c.text(&|r| Some(&r.signal_id)),
            "rule_id" => c.text(&|r| Some(&r.rule_id)),
            "title" => c.text(&|r| Some(&r.title)),
            "severity" => c.text(&|r| Some(r.severity.as_str())),
            "entity" => c.text(&|r| Some(&r.entity)),
            "source" => c.text(&|r| Some(r.source)),
            "event_id" => c.text(&|r| r.event_id.as_deref()),
            "event_name" => c.text(&|r| r.event_name.as_deref()),
            "account_id" => c.text(&|r| r.account_id.as_deref()),
            "source_ip" => c.text(&|r| r.source_ip.as_deref()),
            "place" => c.text(&|r| r.place.as_deref()),
            "detail" => c.text(&|r| r.detail.as_deref()),
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_signal_per_rule_entity_and_window() {
        let h = 3_600_000_000_000;
        let a = signal_id("r", "alice", 0, 24 * h);
        assert_eq!(a, signal_id("r", "alice", 23 * h, 24 * h));
        assert_ne!(a, signal_id("r", "alice", 25 * h, 24 * h));
        assert_ne!(a, signal_id("r", "bob", 0, 24 * h));
        assert_ne!(a, signal_id("s", "alice", 0, 24 * h));
        assert_eq!(a.len(), 16);
        // The ids stored by earlier versions stay the ids of their signals.
        assert_eq!(signal_id("r", "alice", 0, 24 * h), "23aebb9f851e34a3");
        for n in [0, 7, -1, -20, 1234567, i64::MIN, i64::MAX] {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string());
        }
        let old = |rule: &str, entity: &str, time: i64, window: i64| {
            let bucket = time.div_euclid(window).to_string();
            format!("{:016x}", fnv(&[rule, entity, &bucket]))
        };
        for t in [-5 * h, 0, 3, 1_796_115_600_000_000_000] {
            assert_eq!(signal_id("r", "e", t, 24 * h), old("r", "e", t, 24 * h));
        }
    }
}

#[cfg(test)]
mod travel_across_sources {
    use super::*;
    use crate::sigma::SigmaRules;

    /// One person signing in to Okta in London and, 20 minutes later, to
    /// the AWS console through Identity Center from Changchun.
    #[test]
    fn an_okta_sign_in_and_a_console_sign_in_of_one_person_are_one_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/maxmind");
        let geo = enrich::GeoIp::from_bytes(
            Some(std::fs::read(format!("{dir}/GeoLite2-City-Test.mmdb")).unwrap()),
            None,
        )
        .unwrap();
        let okta = formats::decode_okta(
            br#"{"uuid":"o1","published":"2026-12-01T09:00:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User","alternateId":"Alice@Corp.example"},"client":{"ipAddress":"81.2.69.142"},"outcome":{"result":"SUCCESS"}}"#,
        );
        let trail = formats::decode_cloudtrail(
            br#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.example","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2026-12-01T09:20:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"175.16.199.10","responseElements":{"ConsoleLogin":"Success"},"eventID":"c1","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#,
        );
        let rows = [
            enrich::AuditRow::from_okta(&okta.events[0], &geo),
            enrich::AuditRow::from_cloudtrail(&trail.events[0], &geo),
        ];
        let values = [&okta.events[0].event, &trail.events[0].event];
        let detector = Detector::new(
            std::sync::Arc::new(SigmaRules::load(&[])),
            BuiltinConfig::default(),
            TravelConfig::default(),
            DEFAULT_DEDUP_HOURS,
        );
        let found = detector.detect(&rows, &values);
        let trips: Vec<&Detection> = found
            .iter()
            .filter(|d| &*d.rule_id == "impossible-travel")
            .collect();
        assert_eq!(trips.len(), 1, "{found:?}");
        assert_eq!(&*trips[0].entity, "alice@corp.example");
        assert_eq!(trips[0].source, "cloudtrail");
        assert!(
            trips[0]
                .detail
                .as_deref()
                .unwrap()
                .starts_with("London, GB (81.2.69.142) → Changchun, CN (175.16.199.10)"),
            "{:?}",
            trips[0].detail
        );
    }

    /// A switched-off rule raises nothing; impossible travel keeps
    /// watching while off, so switching it on again finds the next trip.
    #[test]
    fn a_disabled_rule_raises_nothing_until_enabled() {
        let root = |id: &str, t: &str| {
            formats::decode_cloudtrail(format!(
                r#"{{"userIdentity":{{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}},"eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"CreateBucket","eventType":"AwsApiCall","sourceIPAddress":"81.2.69.142","eventID":"{id}","recipientAccountId":"111122223333"}}"#
            ).as_bytes())
            .events
            .remove(0)
            .into_owned()
        };
        let geo = enrich::GeoIp::default();
        let detector = Detector::new(
            std::sync::Arc::new(SigmaRules::load(&[])),
            BuiltinConfig::default(),
            TravelConfig::default(),
            DEFAULT_DEDUP_HOURS,
        );
        let run = |id: &str| {
            let event = root(id, "2026-12-01T09:00:00Z");
            let rows = [enrich::AuditRow::from_cloudtrail(&event, &geo)];
            detector
                .detect(&rows, &[&event.event])
                .into_iter()
                .map(|d| d.rule_id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(run("a"), ["aws-root-activity"]);
        detector.set_disabled(["aws-root-activity".to_owned()]);
        assert!(!detector.is_enabled("aws-root-activity"));
        assert!(run("b").is_empty());
        detector.set_disabled([]);
        assert_eq!(run("c"), ["aws-root-activity"]);
    }

    /// A Sigma correlation over CloudTrail console sign-in failures: the
    /// base rule is silent (`generate` is false by default) and the
    /// correlation fires on the third failure of one user within 10
    /// minutes, as a signal about that user.
    #[test]
    fn a_correlation_rule_counts_failed_console_logins_per_user() {
        let rules = SigmaRules::load(&[(
            "brute.yml".to_owned(),
            r#"
title: AWS console login failure
id: 5b4d3c2a-0000-4000-8000-000000000001
name: aws_console_login_failure
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: signin.amazonaws.com
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Failure
    condition: selection
level: low
---
title: AWS console brute force
id: 5b4d3c2a-0000-4000-8000-000000000002
correlation:
    type: event_count
    rules: [aws_console_login_failure]
    group-by: [userIdentity.userName]
    timespan: 10m
    condition: {gte: 3}
level: high
"#
            .to_owned(),
        )]);
        assert!(
            rules
                .report
                .iter()
                .all(|r| matches!(r.load, crate::RuleLoad::Loaded { .. })),
            "{:?}",
            rules.report
        );
        let detector = Detector::new(
            std::sync::Arc::new(rules),
            BuiltinConfig::default(),
            TravelConfig::default(),
            DEFAULT_DEDUP_HOURS,
        );
        let geo = enrich::GeoIp::default();
        let failure = |user: &str, minute: u32, id: &str| {
            formats::decode_cloudtrail(format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDA{user}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","userName":"{user}"}},"eventTime":"2026-12-01T09:{minute:02}:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{{"ConsoleLogin":"Failure"}},"additionalEventData":{{"MFAUsed":"No"}},"eventID":"{id}","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}}"#
            ).as_bytes())
            .events
            .remove(0)
            .into_owned()
        };
        let events = [
            failure("alice", 0, "f1"),
            failure("bob", 1, "f2"),
            failure("alice", 2, "f3"),
            failure("alice", 4, "f4"),
        ];
        let rows: Vec<enrich::AuditRow> = events
            .iter()
            .map(|e| enrich::AuditRow::from_cloudtrail(e, &geo))
            .collect();
        let values: Vec<&Doc> = events.iter().map(|e| &e.event).collect();
        let found = detector.detect(&rows, &values);
        let ids: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (&*d.rule_id, d.event_id.as_deref().unwrap()))
            .collect();
        assert_eq!(
            ids,
            [("5b4d3c2a-0000-4000-8000-000000000002", "f4")],
            "{found:#?}"
        );
        assert_eq!(&*found[0].entity, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(
            found[0].detail.as_deref(),
            Some("3 events within 10 min for userIdentity.userName=alice")
        );
    }
}
