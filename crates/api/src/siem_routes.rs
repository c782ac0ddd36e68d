//! Cloud SIEM: the security signals raised by the rules on audit events
//! (crate `siem`, detections by crate `detect`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use query::RangeInput;
use saved::Kind;
use serde_json::Value;

use crate::error::{
    ApiError, CreateFailures, ErrorBody, ItemFailures, ListFailures, LookupFailures,
};
use crate::extract::{params, parse_json};
use crate::state::AppState;
use siem::detect_report;

/// Filters of the signal list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SignalParams {
    /// A rule's id: a built-in one (`aws-root-activity`,
    /// `aws-iam-policy-modified`, `aws-console-rescue-role`,
    /// `impossible-travel`, `okta-unauthorized-app`) or a Sigma rule's id.
    rule_id: Option<String>,
    /// info, low, medium, high or critical; several comma-separated.
    severity: Option<String>,
    /// cloudtrail, okta or waf; several comma-separated.
    source: Option<String>,
    /// The identity the signal is about (an actor of `audit`, or a client
    /// address for WAF's).
    entity: Option<String>,
    /// open, under_review or archived.
    status: Option<String>,
    /// Also list signals whose every detection an exception suppresses.
    #[serde(default)]
    suppressed: bool,
}

/// The last 30 days, as the signals page opens.
const DEFAULT_RANGE_NS: i64 = 30 * 24 * 3_600_000_000_000;

/// The range asked for, else the last 30 days.
fn range_or_last_30_days(
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<query::TimeRange, ApiError> {
    Ok(params(range)?
        .optional()?
        .unwrap_or_else(|| query::TimeRange::last(DEFAULT_RANGE_NS)))
}

/// Security signals
///
/// The detections of the built-in and Sigma rules on audit events (CloudTrail), grouped into signals: one per rule, entity (the acting identity) and dedup window (24 hours unless `[detect] dedup_hours` says otherwise), with first and last seen, the number of matching events, where they came from and what the rule saw. Latest first, at most 1,000, over the last 30 days unless a range is given.
#[utoipa::path(
    get,
    path = "/api/v1/signals",
    tag = "security",
    params(RangeInput, SignalParams),
    responses(
        (status = 200, body = Vec<siem::Signal>),
        ListFailures,
    )
)]
pub(crate) async fn signals(
    State(state): State<AppState>,
    p: Result<Query<SignalParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<Vec<siem::Signal>>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_30_days(range)?;
    if let Some(s) = &p.status
        && !siem::SIGNAL_STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::BadRequest(format!(
            "status {s:?} is not one of {}",
            siem::SIGNAL_STATUSES.join(", ")
        )));
    }
    let filter = siem::SignalFilter {
        range: Some(range),
        signal_id: None,
        rule_id: p.rule_id,
        severity: p.severity,
        source: p.source,
        entity: p.entity,
        exceptions: exceptions(&state),
        include_suppressed: p.suppressed,
    };
    let mut signals = siem::signals(&state.engine, &filter).await?;
    apply_states(&state, &mut signals);
    if let Some(status) = &p.status {
        signals.retain(|s| &s.status == status);
    }
    Ok(Json(signals))
}

/// The tuning exceptions as stored.
fn exceptions(state: &AppState) -> Vec<siem::SignalException> {
    state
        .saved
        .list(Kind::SignalExceptions)
        .iter()
        .filter_map(siem::SignalException::from_doc)
        .collect()
}

/// Fills each signal's triage from the stored states.
fn apply_states(state: &AppState, signals: &mut [siem::Signal]) {
    let states: HashMap<String, serde_json::Map<String, Value>> = state
        .saved
        .list(Kind::SignalStates)
        .into_iter()
        .filter_map(|d| Some((d.get("id")?.as_str()?.to_owned(), d)))
        .collect();
    for s in signals.iter_mut() {
        if let Some(d) = states.get(&s.signal_id) {
            apply_state(s, d);
        }
    }
}

/// A signal's stored triage: status, who, when, comments.
struct Triage {
    status: Option<String>,
    by: Option<String>,
    at: Option<String>,
    comments: Vec<siem::SignalComment>,
}

fn triage(doc: &serde_json::Map<String, Value>) -> Triage {
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
    Triage {
        status: text("status"),
        by: text("by"),
        at: text("updated_at"),
        comments: doc
            .get("comments")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default(),
    }
}

fn apply_state(signal: &mut siem::Signal, doc: &serde_json::Map<String, Value>) {
    let t = triage(doc);
    if let Some(status) = t.status {
        signal.status = status;
    }
    signal.status_by = t.by;
    signal.status_at = t.at;
    signal.comments = t.comments;
}

/// A triage change.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct TriageBody {
    /// open, under_review or archived.
    status: String,
    /// Who triaged (until sign-in exists, the caller says).
    by: Option<String>,
    /// A comment added to the signal's.
    comment: Option<String>,
}

/// A signal's triage as stored.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct TriageReply {
    signal_id: String,
    status: String,
    #[schema(required = true)]
    by: Option<String>,
    /// RFC 3339.
    #[schema(required = true)]
    updated_at: Option<String>,
    comments: Vec<siem::SignalComment>,
}

/// Most comments kept on one signal, and the longest comment.
const MAX_COMMENTS: usize = 200;
const MAX_COMMENT_CHARS: usize = 4_000;

/// Triage a signal: its status (open, under review, archived), who and a comment
#[utoipa::path(
    put,
    path = "/api/v1/signals/{signal_id}/status",
    tag = "security",
    params(("signal_id" = String, Path, description = "16 hexadecimal digits")),
    request_body = TriageBody,
    responses(
        (status = 200, body = TriageReply),
        (status = 400, response = ErrorBody),
        (status = 415, response = ErrorBody),
        (status = "default", response = ErrorBody),
    )
)]
pub(crate) async fn set_signal_status(
    State(state): State<AppState>,
    Path(signal_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TriageReply>, ApiError> {
    siem::check_signal_id(&signal_id)?;
    let request: TriageBody = parse_json(&headers, &body)?;
    if !siem::SIGNAL_STATUSES.contains(&request.status.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "status {:?} is not one of {}",
            request.status,
            siem::SIGNAL_STATUSES.join(", ")
        )));
    }
    let by = request
        .by
        .map(|b| b.trim().chars().take(200).collect::<String>())
        .filter(|b| !b.is_empty());
    if let Some(c) = &request.comment
        && c.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(ApiError::BadRequest(format!(
            "a comment has at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    let saved = state.saved.clone();
    let id = signal_id.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let mut comments: Vec<Value> = saved
            .get(Kind::SignalStates, &id)
            .ok()
            .and_then(|d| d.get("comments").and_then(Value::as_array).cloned())
            .unwrap_or_default();
        if let Some(text) = request.comment.filter(|c| !c.trim().is_empty()) {
            comments.push(serde_json::json!({
                "by": by.clone().unwrap_or_else(|| "anonymous".to_owned()),
                "at": now_rfc3339(),
                "text": text,
            }));
            if comments.len() > MAX_COMMENTS {
                comments.drain(..comments.len() - MAX_COMMENTS);
            }
        }
        let doc = serde_json::json!({ "status": request.status, "by": by, "comments": comments });
        saved.upsert(Kind::SignalStates, &id, doc)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let t = triage(&stored);
    Ok(Json(TriageReply {
        signal_id,
        status: t.status.unwrap_or_default(),
        by: t.by,
        updated_at: t.at,
        comments: t.comments,
    }))
}

/// Now, RFC 3339 in UTC to the second.
fn now_rfc3339() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    model::format_rfc3339_nanos(nanos / 1_000_000_000 * 1_000_000_000)
}

/// One security signal
///
/// The signal (even when its detections are all suppressed), its matching audit events with their JSON as delivered (latest 100), and the exceptions of its rule that could apply to it.
#[utoipa::path(
    get,
    path = "/api/v1/signals/{signal_id}",
    tag = "security",
    params(("signal_id" = String, Path, description = "16 hexadecimal digits")),
    responses((status = 200, body = siem::SignalDetail), ItemFailures)
)]
pub(crate) async fn signal(
    State(state): State<AppState>,
    Path(signal_id): Path<String>,
) -> Result<Json<siem::SignalDetail>, ApiError> {
    let mut detail = siem::signal_detail(&state.engine, &signal_id, exceptions(&state))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no signal has the id {signal_id:?}")))?;
    apply_states(&state, std::slice::from_mut(&mut detail.signal));
    Ok(Json(detail))
}

/// Filters of the alert volume.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VolumeParams {
    /// `rule_id` (default) or `severity`.
    #[param(inline)]
    group_by: Option<siem::VolumeGroup>,
    rule_id: Option<String>,
    entity: Option<String>,
    /// info, low, medium, high or critical; several comma-separated.
    severity: Option<String>,
    /// cloudtrail, okta or waf; several comma-separated.
    source: Option<String>,
}

/// Alert volume over time
///
/// Detections per time bucket (about 60 over the range, the last 30 days unless given), one series per rule or per severity, each bucket with the detections before exceptions and how many of them the tuning exceptions suppress: the volume before and after tuning, over the same history.
#[utoipa::path(
    get,
    path = "/api/v1/signals/volume",
    tag = "security",
    params(RangeInput, VolumeParams),
    responses((status = 200, body = siem::Volume), ListFailures)
)]
pub(crate) async fn volume(
    State(state): State<AppState>,
    p: Result<Query<VolumeParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<siem::Volume>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_30_days(range)?;
    let filter = siem::VolumeFilter {
        range,
        group_by: p.group_by.unwrap_or(siem::VolumeGroup::RuleId),
        rule_id: p.rule_id,
        entity: p.entity,
        severity: p.severity,
        source: p.source,
        exceptions: exceptions(&state),
    };
    Ok(Json(siem::volume(&state.engine, &filter).await?))
}

/// Tuning exceptions
///
/// Every exception: which detections (a rule, an entity, a field's value) are suppressed, until when, why and by whom.
#[utoipa::path(get, path = "/api/v1/exceptions", tag = "security", responses((status = 200, body = Vec<siem::SignalException>)))]
pub(crate) async fn list_exceptions(
    State(state): State<AppState>,
) -> Json<Vec<siem::SignalException>> {
    Json(exceptions(&state))
}

/// Add a tuning exception
///
/// Suppresses a rule's detections (or every rule's, with `*`) about an entity, with a field's value, or both, until a date if given, with a reason. Detections stay stored: the signals they raised disappear from the list, the volume shows them as suppressed, and deleting the exception brings them back.
#[utoipa::path(
    post,
    path = "/api/v1/exceptions",
    tag = "security",
    request_body = siem::ExceptionInput,
    responses((status = 201, body = siem::SignalException), CreateFailures)
)]
pub(crate) async fn create_exception(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<siem::SignalException>), ApiError> {
    let input: siem::ExceptionInput = parse_json(&headers, &body)?;
    let rules = state.rules.clone();
    let doc = input.validate(|id| rules.info(id).is_some())?;
    let saved = state.saved.clone();
    let stored = tokio::task::spawn_blocking(move || saved.create(Kind::SignalExceptions, doc))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let exception = siem::SignalException::from_doc(&stored)
        .ok_or_else(|| ApiError::Internal("the stored exception does not read back".into()))?;
    Ok((StatusCode::CREATED, Json(exception)))
}

/// Delete a tuning exception
#[utoipa::path(
    delete,
    path = "/api/v1/exceptions/{id}",
    tag = "security",
    params(("id" = String, Path, description = "The exception's id")),
    responses((status = 204, description = "Deleted"), LookupFailures)
)]
pub(crate) async fn delete_exception(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let saved = state.saved.clone();
    tokio::task::spawn_blocking(move || saved.delete(Kind::SignalExceptions, &id))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the identity list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IdentitiesParams {
    /// Part of an identity's id or name, any case.
    q: Option<String>,
}

/// Identities
///
/// The identities that acted in the range (the last 30 days unless given), across CloudTrail and Okta: IAM users, root, roles, people signed in through SSO, SAML or Okta, services; the latest active first, at most 500.
#[utoipa::path(
    get,
    path = "/api/v1/identities",
    tag = "security",
    params(RangeInput, IdentitiesParams),
    responses((status = 200, body = Vec<siem::IdentitySummary>), ListFailures)
)]
pub(crate) async fn identities(
    State(state): State<AppState>,
    p: Result<Query<IdentitiesParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<Vec<siem::IdentitySummary>>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_30_days(range)?;
    Ok(Json(
        siem::identities(&state.engine, range, p.q.as_deref()).await?,
    ))
}

/// The identity to investigate.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IdentityParams {
    /// The identity: an actor of `audit` (an ARN, a person's login, ...).
    actor: String,
}

/// Investigate an identity
///
/// One identity over the range (the last 30 days unless given): its actions over time and the latest 200, the addresses and places they came from, the access keys it used, the AssumeRole chain around it (roles it assumed or signed in as, and who assumed it) as a graph, and its signals.
#[utoipa::path(
    get,
    path = "/api/v1/identity",
    tag = "security",
    params(RangeInput, IdentityParams),
    responses((status = 200, body = siem::Identity), ItemFailures)
)]
pub(crate) async fn identity(
    State(state): State<AppState>,
    p: Result<Query<IdentityParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<siem::Identity>, ApiError> {
    let p = params(p)?;
    let range = range_or_last_30_days(range)?;
    let mut identity = siem::identity(&state.engine, &p.actor, range, exceptions(&state))
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("{:?} has no audit events in the range", p.actor))
        })?;
    apply_states(&state, &mut identity.signals);
    Ok(Json(identity))
}

/// Switch a rule on or off.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RuleStateBody {
    rule_id: String,
    enabled: bool,
    /// Who switched it (until sign-in exists, the caller says).
    by: Option<String>,
}

/// Switch a security rule on or off
///
/// A rule switched off raises nothing on new events (from the next import on); its earlier signals stay. Kept across restarts.
#[utoipa::path(
    put,
    path = "/api/v1/rules/state",
    tag = "security",
    request_body = RuleStateBody,
    responses((status = 200, body = siem::RuleInfo), ItemFailures)
)]
pub(crate) async fn set_rule_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<siem::RuleInfo>, ApiError> {
    let request: RuleStateBody = parse_json(&headers, &body)?;
    let Some(mut rule) = state.rules.info(&request.rule_id).cloned() else {
        return Err(ApiError::NotFound(format!(
            "no rule has the id {:?}",
            request.rule_id
        )));
    };
    let saved = state.saved.clone();
    let id = request.rule_id.clone();
    let by = request
        .by
        .map(|b| b.trim().chars().take(200).collect::<String>())
        .filter(|b| !b.is_empty());
    let doc = serde_json::json!({
        "state": if request.enabled { "enabled" } else { "disabled" },
        "by": by,
    });
    tokio::task::spawn_blocking(move || saved.upsert(Kind::RuleStates, &rule_key(&id), doc))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    if let Some(detector) = state.importer.detector() {
        detector.set_disabled(disabled_rules(&state.saved, &state.rules.infos));
    }
    rule.enabled = request.enabled;
    Ok(Json(rule))
}

/// A rule id as a saved document id (at most 128 characters): the id
/// itself when short, else a hash of it.
fn rule_key(id: &str) -> String {
    if id.len() <= 128 {
        id.to_owned()
    } else {
        format!("h{:016x}", fnv(id))
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The rules the saved states switch off.
pub fn disabled_rules(saved: &saved::Saved, rules: &[siem::RuleInfo]) -> Vec<String> {
    let off: std::collections::HashSet<String> = saved
        .list(Kind::RuleStates)
        .into_iter()
        .filter(|d| d.get("state").and_then(Value::as_str) == Some("disabled"))
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    rules
        .iter()
        .filter(|r| off.contains(&rule_key(&r.id)))
        .map(|r| r.id.clone())
        .collect()
}

/// Security rules
///
/// The built-in rules and every Sigma rule the server was given (`[detect] sigma_rules`): loaded on a source (cloudtrail, okta, waf), not routed (written for a product hannun has no source for, so it never runs), or failed, with the reason.
#[utoipa::path(get, path = "/api/v1/rules", tag = "security", responses((status = 200, body = Vec<siem::RuleInfo>), ListFailures))]
pub(crate) async fn rules(
    State(state): State<AppState>,
) -> Result<Json<Vec<siem::RuleInfo>>, ApiError> {
    let mut rules = state.rules.infos.clone();
    let off: std::collections::HashSet<String> =
        disabled_rules(&state.saved, &rules).into_iter().collect();
    let activity =
        siem::rule_activity(&state.engine, query::TimeRange::last(DEFAULT_RANGE_NS)).await?;
    for r in &mut rules {
        r.enabled = !off.contains(&r.id);
        if let Some((matches, last)) = activity.get(&r.id) {
            r.matches_30d = *matches;
            r.last_match_ms = Some(*last);
        }
    }
    Ok(Json(rules))
}

impl From<siem::SiemError> for ApiError {
    fn from(e: siem::SiemError) -> Self {
        match e {
            siem::SiemError::BadRequest(m) => ApiError::BadRequest(m),
            siem::SiemError::Query(q) => ApiError::Query(q),
        }
    }
}

/// A rule text to try.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RuleTestBody {
    /// A Sigma rule (detection or correlation, with the rules it names)
    /// as YAML, at most 256 KiB.
    yaml: String,
    /// Over the last this many days (1 to 90; 7 unless given).
    days: Option<u32>,
}

/// What trying a rule text found.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RuleTestReply {
    /// The rule as the server would load it: loaded (and on which
    /// source), not routed or failed, with the reason.
    load: siem::RuleInfo,
    /// What it matched, when it loaded.
    #[schema(required = true)]
    run: Option<siem::HistoryRun>,
}

/// Most days a rule is tried or run over.
const MAX_HISTORY_DAYS: u32 = 90;

fn history_range(days: Option<u32>, default: u32) -> Result<query::TimeRange, ApiError> {
    let days = days.unwrap_or(default);
    if !(1..=MAX_HISTORY_DAYS).contains(&days) {
        return Err(ApiError::BadRequest(format!(
            "days = {days}: give 1 to {MAX_HISTORY_DAYS}"
        )));
    }
    Ok(query::TimeRange::last(
        i64::from(days) * 24 * 3_600_000_000_000,
    ))
}

/// Try a Sigma rule over history
///
/// Loads the rule text alone (as the server would: routed by logsource, checked by the engine) and, if it loads, runs it over the audit events of its source in the last N days (7 unless given), oldest first so correlations count in order. Nothing is stored. Bounded: at most 2,000,000 events and 30 seconds, and `truncated` says when the budget ran out. Returns the latest 100 matches with their events.
#[utoipa::path(
    post,
    path = "/api/v1/rules/test",
    tag = "security",
    request_body = RuleTestBody,
    responses((status = 200, body = RuleTestReply), ListFailures)
)]
pub(crate) async fn test_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RuleTestReply>, ApiError> {
    let request: RuleTestBody = parse_json(&headers, &body)?;
    if request.yaml.len() > detect_report::MAX_RULE_FILE_BYTES {
        return Err(ApiError::BadRequest(format!(
            "the rule text is {} bytes; at most {} are allowed",
            request.yaml.len(),
            detect_report::MAX_RULE_FILE_BYTES
        )));
    }
    if request.yaml.trim().is_empty() {
        return Err(ApiError::BadRequest("the rule text is empty".into()));
    }
    let range = history_range(request.days, 7)?;
    let (rules, main) = siem::load_text(&request.yaml);
    let Some(main) = main else {
        return Err(ApiError::BadRequest(
            "the text holds no Sigma rule (a `title`, `logsource` and `detection`, or a `correlation`)"
                .into(),
        ));
    };
    let load = siem::RuleInfo::from_report(&main);
    let run = match &main.load {
        detect_report::RuleLoad::Loaded { source } => Some(
            siem::run_rules(
                &state.engine,
                &rules,
                &siem::HistoryQuery {
                    source: *source,
                    only: Some(&main.id),
                    range,
                    budget: siem::HistoryBudget::default(),
                    keep: 100,
                },
                |_| {},
            )
            .await?,
        ),
        _ => None,
    };
    Ok(Json(RuleTestReply { load, run }))
}

/// A loaded rule to run over history.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RuleRunBody {
    rule_id: String,
    /// Over the last this many days (1 to 90; 30 unless given).
    days: Option<u32>,
}

/// What running a rule over history stored.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RuleRunReply {
    run: siem::HistoryRun,
    /// New detections stored as signals.
    stored: u64,
    /// Matches already stored (at ingest or by an earlier run).
    already_stored: u64,
}

/// Run a loaded Sigma rule over history
///
/// Runs one of the server's loaded Sigma rules (detection or correlation) over the audit events of the last N days (30 unless given) and stores its new detections as signals, as if the rule had been there when the events arrived; matches already stored are not stored again. Bounded like the rule test.
#[utoipa::path(
    post,
    path = "/api/v1/rules/run",
    tag = "security",
    request_body = RuleRunBody,
    responses((status = 200, body = RuleRunReply), ItemFailures)
)]
pub(crate) async fn run_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RuleRunReply>, ApiError> {
    let request: RuleRunBody = parse_json(&headers, &body)?;
    let range = history_range(request.days, 30)?;
    let info = state
        .rules
        .info(&request.rule_id)
        .ok_or_else(|| ApiError::NotFound(format!("no rule has the id {:?}", request.rule_id)))?;
    if info.kind == "builtin" {
        return Err(ApiError::BadRequest(format!(
            "{:?} is a built-in rule: it already ran on every event as it arrived",
            info.id
        )));
    }
    let source = match (&info.state[..], info.source.as_deref()) {
        ("loaded", Some(s)) => detect_report::Source::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| ApiError::Internal(format!("unknown source {s}")))?,
        _ => {
            return Err(ApiError::BadRequest(format!(
                "{:?} is not loaded ({}): it cannot run",
                info.id,
                info.reason.as_deref().unwrap_or(&info.state)
            )));
        }
    };
    let already = siem::detected_events(&state.engine, &info.id, range).await?;
    let window = state.rules.dedup_window_ns;
    let mut detections = Vec::new();
    let mut already_stored = 0;
    let run = siem::run_rules(
        &state.engine,
        &state.rules.sigma,
        &siem::HistoryQuery {
            source,
            only: Some(&info.id),
            range,
            budget: siem::HistoryBudget::default(),
            keep: 20,
        },
        |m| {
            if m.event
                .event_id
                .as_ref()
                .is_some_and(|id| already.contains(id))
            {
                already_stored += 1;
            } else {
                detections.push(siem::detection_of(m, window));
            }
        },
    )
    .await?;
    let stored = detections.len() as u64;
    if !detections.is_empty() {
        let importer = state.importer.clone();
        tokio::task::spawn_blocking(move || importer.store_detections(&detections))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(Json(RuleRunReply {
        run,
        stored,
        already_stored,
    }))
}

/// The rule to show.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RuleSourceParams {
    rule_id: String,
}

/// A rule's file as loaded.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RuleSource {
    rule_id: String,
    file: String,
    /// The file's YAML as the server read it at start.
    yaml: String,
}

/// A Sigma rule's text
///
/// The YAML of the file a loaded Sigma rule came from, as the server read it at start: what the rule editor opens.
#[utoipa::path(
    get,
    path = "/api/v1/rules/source",
    tag = "security",
    params(RuleSourceParams),
    responses((status = 200, body = RuleSource), ItemFailures)
)]
pub(crate) async fn rule_source(
    State(state): State<AppState>,
    p: Result<Query<RuleSourceParams>, QueryRejection>,
) -> Result<Json<RuleSource>, ApiError> {
    let p = params(p)?;
    let (file, yaml) = state.rules.file_text(&p.rule_id).ok_or_else(|| {
        ApiError::NotFound(format!("no Sigma rule file holds the rule {:?}", p.rule_id))
    })?;
    Ok(Json(RuleSource {
        rule_id: p.rule_id.clone(),
        file: file.to_owned(),
        yaml: yaml.to_owned(),
    }))
}

/// Notification destinations
///
/// Each configured destination of new-signal notifications (`[[notify]]`): its kind, host, minimum severity and rate limit, and what was sent, failed after retries, retried, held back by the rate limit (and told later in one summary) or dropped.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "security", responses((status = 200, body = Vec<siem::NotifyStatus>)))]
pub(crate) async fn notifications(State(state): State<AppState>) -> Json<Vec<siem::NotifyStatus>> {
    Json(state.notifications.snapshot())
}
