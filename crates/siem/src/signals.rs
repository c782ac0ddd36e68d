//! The signal list: detections grouped by `signal_id` (a rule, an entity
//! and a dedup window), with when they were first and last seen, how many
//! events matched and what the last one said.

use model::DatasetName;
use query::ir::{self, Select, column, text};
use query::{QueryEngine, TimeRange};

use crate::SiemError;
use crate::events::{AuditEvent, audit_events, request_events};
use crate::exceptions::{SignalException, suppressed};

/// One signal.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Signal {
    pub signal_id: String,
    pub rule_id: String,
    pub title: String,
    /// info, low, medium, high or critical.
    pub severity: String,
    /// The identity the signal is about.
    pub entity: String,
    /// cloudtrail, okta or waf.
    pub source: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    /// Events that matched, less those an exception suppresses.
    pub count: u64,
    /// Events that matched and an exception suppresses.
    pub suppressed: u64,
    /// What the rule saw, when it says (impossible travel: the trip).
    #[schema(required = true)]
    pub detail: Option<String>,
    /// Places the matching events came from.
    #[schema(required = true)]
    pub place: Option<String>,
    /// open, under_review or archived.
    pub status: String,
    /// Who set the status, and when (RFC 3339).
    #[schema(required = true)]
    pub status_by: Option<String>,
    #[schema(required = true)]
    pub status_at: Option<String>,
    pub comments: Vec<SignalComment>,
}

/// A comment on a signal.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SignalComment {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub text: String,
}

/// Triage statuses.
pub const SIGNAL_STATUSES: [&str; 3] = ["open", "under_review", "archived"];

/// A signal id as detections write it: 16 hexadecimal digits.
pub fn check_signal_id(id: &str) -> Result<(), SiemError> {
    if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(SiemError::BadRequest(format!(
            "{:?} is not a signal id (16 hexadecimal digits)",
            id.chars().take(40).collect::<String>()
        )))
    }
}

/// Which signals to list.
#[derive(Debug, Clone, Default)]
pub struct SignalFilter {
    /// Detections in this range.
    pub range: Option<TimeRange>,
    pub signal_id: Option<String>,
    pub rule_id: Option<String>,
    /// One severity or several, comma-separated.
    pub severity: Option<String>,
    /// cloudtrail, okta or waf; several comma-separated.
    pub source: Option<String>,
    pub entity: Option<String>,
    /// The tuning exceptions to apply.
    pub exceptions: Vec<SignalException>,
    /// Also list signals whose every detection is suppressed.
    pub include_suppressed: bool,
}

/// At most this many signals per list, latest first.
pub(crate) const MAX_SIGNALS: usize = 1_000;

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
const SOURCES: [&str; 3] = ["cloudtrail", "okta", "waf"];

/// The conditions of comma-separated severity and source lists, each
/// value checked.
pub(crate) fn one_of(
    severity: &Option<String>,
    source: &Option<String>,
) -> Result<Vec<ir::Expr>, SiemError> {
    let mut out = Vec::new();
    for (name, list, known) in [
        ("severity", severity, &SEVERITIES[..]),
        ("source", source, &SOURCES[..]),
    ] {
        let Some(list) = list else { continue };
        let values: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = values.iter().find(|v| !known.contains(&v.as_str())) {
            return Err(SiemError::BadRequest(format!(
                "{name} {bad:?} is not one of {}",
                known.join(", ")
            )));
        }
        if !values.is_empty() {
            out.push(ir::in_texts(column(name), &values));
        }
    }
    Ok(out)
}

/// The signals of the filter, the most recently seen first.
pub async fn signals(
    engine: &QueryEngine,
    filter: &SignalFilter,
) -> Result<Vec<Signal>, SiemError> {
    if !engine.has_dataset(&DatasetName::signals()) {
        return Ok(Vec::new());
    }
    let mut select = Select::from(DatasetName::signals());
    if let Some(range) = filter.range {
        select = select.filter(ir::time_in(range));
    }
    for (name, value) in [
        ("signal_id", &filter.signal_id),
        ("rule_id", &filter.rule_id),
        ("entity", &filter.entity),
    ] {
        if let Some(v) = value {
            select = select.filter(column(name).eq(text(v)));
        }
    }
    for condition in one_of(&filter.severity, &filter.source)? {
        select = select.filter(condition);
    }
    let select = select
        .group_by(
            [
                "signal_id",
                "rule_id",
                "title",
                "severity",
                "entity",
                "source",
            ]
            .into_iter()
            .map(column),
        )
        .aggregate([
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first_seen"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last_seen"),
            ir::count_rows().alias("matches"),
            ir::only_where(
                ir::count_rows(),
                suppressed(&filter.exceptions).unwrap_or(ir::boolean(false)),
            )
            .alias("suppressed"),
            ir::max(column("detail")).alias("detail"),
            ir::max(column("place")).alias("place"),
        ])
        .order_by(ir::descending(column("last_seen")))
        .limit(MAX_SIGNALS);
    let rows = engine.fetch(&select).await?;
    let texts = |name: &str| rows.texts(name);
    let (ids, rules, titles, severities, entities, sources) = (
        texts("signal_id")?,
        texts("rule_id")?,
        texts("title")?,
        texts("severity")?,
        texts("entity")?,
        texts("source")?,
    );
    let (first, last, count, quiet) = (
        rows.integers("first_seen")?,
        rows.integers("last_seen")?,
        rows.counts("matches")?,
        rows.counts("suppressed")?,
    );
    let (details, places) = (texts("detail")?, texts("place")?);
    Ok((0..rows.len())
        .filter(|&i| filter.include_suppressed || quiet[i] < count[i])
        .map(|i| Signal {
            signal_id: ids[i].clone().unwrap_or_default(),
            rule_id: rules[i].clone().unwrap_or_default(),
            title: titles[i].clone().unwrap_or_default(),
            severity: severities[i].clone().unwrap_or_default(),
            entity: entities[i].clone().unwrap_or_default(),
            source: sources[i].clone().unwrap_or_default(),
            first_seen_ms: first[i].unwrap_or(0) / 1_000_000,
            last_seen_ms: last[i].unwrap_or(0) / 1_000_000,
            count: count[i] - quiet[i].min(count[i]),
            suppressed: quiet[i],
            detail: details[i].clone(),
            place: places[i].clone(),
            status: "open".to_owned(),
            status_by: None,
            status_at: None,
            comments: Vec::new(),
        })
        .collect())
}

/// A signal with the events that raised it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SignalDetail {
    pub signal: Signal,
    /// The matching events, latest first (at most 100), with their JSON.
    pub events: Vec<AuditEvent>,
    /// The exceptions of its rule (or of every rule) that name its entity
    /// or none.
    pub exceptions: Vec<SignalException>,
}

/// Most events shown on a signal's page.
const MAX_SIGNAL_EVENTS: usize = 100;

/// The signal `id` (suppressed or not) and its events; None if no
/// detection has that id.
pub async fn signal_detail(
    engine: &QueryEngine,
    id: &str,
    exceptions: Vec<SignalException>,
) -> Result<Option<SignalDetail>, SiemError> {
    check_signal_id(id)?;
    let filter = SignalFilter {
        signal_id: Some(id.to_owned()),
        exceptions: exceptions.clone(),
        include_suppressed: true,
        ..SignalFilter::default()
    };
    let Some(signal) = signals(engine, &filter).await?.into_iter().next() else {
        return Ok(None);
    };
    let ids = Select::from(DatasetName::signals())
        .filter(column("signal_id").eq(text(id)))
        .columns([column("event_id")])
        .limit(MAX_SIGNAL_EVENTS * 4);
    let ids: Vec<String> = engine
        .fetch(&ids)
        .await?
        .texts("event_id")?
        .into_iter()
        .flatten()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // A second either side: detections keep the event's own time.
    let range = TimeRange {
        from: (signal.first_seen_ms - 1_000) * 1_000_000,
        to: (signal.last_seen_ms + 1_000) * 1_000_000,
    };
    let events = if signal.source == "waf" {
        // A WAF signal is about a client address: its requests of the
        // signal's span (request ids may be absent or shared placeholders).
        request_events(
            engine,
            ir::all([
                ir::time_in(range),
                column("client_ip").eq(text(&signal.entity)),
            ]),
            MAX_SIGNAL_EVENTS,
        )
        .await?
    } else if ids.is_empty() {
        Vec::new()
    } else {
        audit_events(
            engine,
            ir::all([ir::time_in(range), ir::in_texts(column("event_id"), &ids)]),
            MAX_SIGNAL_EVENTS,
            true,
        )
        .await?
    };
    let exceptions = exceptions
        .into_iter()
        .filter(|e| {
            (e.rule_id == "*" || e.rule_id == signal.rule_id)
                && e.entity.as_ref().is_none_or(|x| *x == signal.entity)
        })
        .collect();
    Ok(Some(SignalDetail {
        signal,
        events,
        exceptions,
    }))
}
