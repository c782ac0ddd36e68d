//! Sigma rules over history: the audit events of a range read back (their
//! JSON as delivered, which is what rules match at ingest) and matched
//! again, oldest first so correlations count in time order. For the rule
//! editor ("test against the last 7 days", nothing stored) and for "run
//! this rule on the last 30 days" (its detections stored as signals).
//!
//! Bounded: the range is read in time windows of at most `PAGE` events
//! (a window with more is halved), and the run stops at its event and
//! time budget, saying so.

use std::time::{Duration, Instant};

use detect::{Correlator, EventMatcher, SigmaMatch, SigmaRules, Source};
use model::DatasetName;
use query::ir::{self, Select, column, text};
use query::{QueryEngine, TimeRange};

use crate::SiemError;
use crate::events::{AuditEvent, event_columns, events_of};

/// Events read per window at most.
const PAGE: usize = 5_000;
/// The narrowest window a crowded one is halved to.
const MIN_WINDOW_NS: i64 = 1_000_000_000;

/// How much one run may read.
#[derive(Debug, Clone, Copy)]
pub struct HistoryBudget {
    pub max_events: u64,
    pub max_time: Duration,
}

impl Default for HistoryBudget {
    fn default() -> Self {
        HistoryBudget {
            max_events: 2_000_000,
            max_time: Duration::from_secs(30),
        }
    }
}

/// One event a rule matched over history.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryMatch {
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    /// What a correlation counted, in words.
    #[schema(required = true)]
    pub detail: Option<String>,
    pub event: AuditEvent,
}

/// What a run over history did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryRun {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Events read and matched.
    pub scanned: u64,
    pub matched: u64,
    /// The budget ran out (or a second's window held more than 5,000
    /// events): some of the range was not read.
    pub truncated: bool,
    /// Where reading stopped when truncated (ms): events before it were read.
    #[schema(required = true)]
    pub read_until_ms: Option<i64>,
    pub elapsed_ms: u64,
    /// The latest matches (at most the number asked for), latest first.
    pub matches: Vec<HistoryMatch>,
}

/// What to run over which history.
#[derive(Debug, Clone, Copy)]
pub struct HistoryQuery<'a> {
    /// The audit events of this source.
    pub source: Source,
    /// Keep only this rule's matches.
    pub only: Option<&'a str>,
    pub range: TimeRange,
    pub budget: HistoryBudget,
    /// The latest matches returned.
    pub keep: usize,
}

/// Runs `rules` (their single-event rules and correlations) over the
/// query's history. Every match goes to `each`.
pub async fn run_rules(
    engine: &QueryEngine,
    rules: &SigmaRules,
    q: &HistoryQuery<'_>,
    mut each: impl FnMut(&HistoryMatch),
) -> Result<HistoryRun, SiemError> {
    let HistoryQuery {
        source,
        only,
        range,
        budget,
        keep,
    } = *q;
    let started = Instant::now();
    let mut run = HistoryRun {
        from_ms: range.from / 1_000_000,
        to_ms: range.to / 1_000_000,
        scanned: 0,
        matched: 0,
        truncated: false,
        read_until_ms: None,
        elapsed_ms: 0,
        matches: Vec::new(),
    };
    if !engine.has_dataset(&DatasetName::audit()) {
        return Ok(run);
    }
    let mut correlator = Correlator::new(rules.correlations());
    let mut latest: std::collections::VecDeque<HistoryMatch> = Default::default();
    let mut sigma: Vec<SigmaMatch> = Vec::new();
    let mut window = (range.nanos() / 64).max(60_000_000_000);
    let mut at = range.from;
    while at < range.to {
        if run.scanned >= budget.max_events || started.elapsed() >= budget.max_time {
            run.truncated = true;
            run.read_until_ms = Some(at / 1_000_000);
            break;
        }
        let end = at.saturating_add(window).min(range.to);
        let select = Select::from(DatasetName::audit())
            .filter(ir::time_in(TimeRange { from: at, to: end }))
            .filter(column("source").eq(text(source.as_str())))
            .columns(event_columns(true))
            .order_by(ir::ascending(column("t")))
            .limit(PAGE + 1);
        let rows = engine.fetch(&select).await?;
        if rows.len() > PAGE && window > MIN_WINDOW_NS {
            window = (window / 2).max(MIN_WINDOW_NS);
            continue;
        }
        let mut events = events_of(&rows, true)?;
        if events.len() > PAGE {
            // A second holding more than a page: the rest is skipped.
            events.truncate(PAGE);
            run.truncated = true;
        }
        for event in events {
            run.scanned += 1;
            let Some(value) = event
                .raw
                .as_deref()
                .and_then(|r| detect::Doc::parse(r).ok())
            else {
                continue;
            };
            sigma.clear();
            rules.matches(source, &value, &mut sigma);
            let mut found: Vec<(String, String, String, Option<String>)> = sigma
                .iter()
                .filter(|m| correlator.generates(&m.rule_id))
                .map(|m| {
                    (
                        m.rule_id.to_string(),
                        m.title.to_string(),
                        m.severity.as_str().to_owned(),
                        None,
                    )
                })
                .collect();
            if !correlator.is_empty() && !sigma.is_empty() {
                let ids: Vec<&str> = sigma.iter().map(|m| &*m.rule_id).collect();
                let time = event.time_ms * 1_000_000;
                for f in correlator.observe(time, &value, &ids) {
                    found.push((
                        f.rule_id,
                        f.title,
                        f.severity.as_str().to_owned(),
                        Some(f.detail),
                    ));
                }
            }
            for (rule_id, title, severity, detail) in found {
                if only.is_some_and(|o| o != rule_id) {
                    continue;
                }
                run.matched += 1;
                let m = HistoryMatch {
                    rule_id,
                    title,
                    severity,
                    detail,
                    event: event.clone(),
                };
                each(&m);
                if keep > 0 {
                    if latest.len() == keep {
                        latest.pop_front();
                    }
                    latest.push_back(m);
                }
            }
        }
        at = end;
        // Widen again after a crowded stretch.
        if rows.len() < PAGE / 4 {
            window = window
                .saturating_mul(2)
                .min(range.nanos().max(MIN_WINDOW_NS));
        }
    }
    run.matches = latest.into_iter().rev().collect();
    run.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(run)
}

/// The rule a rule editor's text holds, loaded alone: the first
/// detection or correlation rule of the text, and why it cannot run if so.
pub fn load_text(yaml: &str) -> (SigmaRules, Option<detect::RuleReport>) {
    let rules = SigmaRules::load(&[("editor.yml".to_owned(), yaml.to_owned())]);
    // A correlation is what the author means when the text has one.
    let main = rules
        .report
        .iter()
        .find(|r| r.kind == "correlation")
        .or_else(|| rules.report.first())
        .cloned();
    (rules, main)
}

/// A match over history as the detection the importer would have stored.
pub fn detection_of(m: &HistoryMatch, dedup_window_ns: i64) -> detect::Detection {
    let e = &m.event;
    let time = e.time_ms * 1_000_000;
    let entity = e
        .actor
        .clone()
        .or_else(|| e.source_ip.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    let place: Vec<&str> = [e.city.as_deref(), e.country.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    detect::Detection {
        time,
        signal_id: detect::signal_id(&m.rule_id, &entity, time, dedup_window_ns),
        rule_id: m.rule_id.as_str().into(),
        title: m.title.as_str().into(),
        severity: match m.severity.as_str() {
            "info" => detect::Severity::Info,
            "low" => detect::Severity::Low,
            "high" => detect::Severity::High,
            "critical" => detect::Severity::Critical,
            _ => detect::Severity::Medium,
        },
        entity: entity.into(),
        source: match e.source.as_str() {
            "okta" => "okta",
            "waf" => "waf",
            _ => "cloudtrail",
        },
        event_id: e.event_id.as_deref().map(Into::into),
        event_name: e.event_name.as_deref().map(Into::into),
        account_id: e.account_id.as_deref().map(Into::into),
        source_ip: e.source_ip.as_deref().map(Into::into),
        place: (!place.is_empty()).then(|| place.join(", ").into()),
        detail: m.detail.clone(),
    }
}

/// The event ids a rule already has detections for in the range (so a
/// second run over the same history stores nothing twice).
pub async fn detected_events(
    engine: &QueryEngine,
    rule_id: &str,
    range: TimeRange,
) -> Result<std::collections::HashSet<String>, SiemError> {
    if !engine.has_dataset(&DatasetName::signals()) {
        return Ok(Default::default());
    }
    let select = Select::from(DatasetName::signals())
        .filter(ir::time_in(range))
        .filter(column("rule_id").eq(text(rule_id)))
        .columns([column("event_id")]);
    Ok(engine
        .fetch(&select)
        .await?
        .texts("event_id")?
        .into_iter()
        .flatten()
        .collect())
}
