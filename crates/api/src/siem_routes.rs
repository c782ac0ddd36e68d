//! Cloud SIEM: the security signals raised by the rules on audit events
//! (crate `siem`, detections by crate `detect`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use query::RangeInput;
use saved::Kind;
use serde_json::Value;

use crate::error::{ApiError, ErrorBody, ListFailures};
use crate::extract::{params, parse_json};
use crate::state::AppState;

/// Filters of the signal list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SignalParams {
    /// A rule's id: a built-in one (`aws-root-activity`,
    /// `aws-iam-policy-modified`, `aws-console-rescue-role`,
    /// `impossible-travel`, `okta-unauthorized-app`) or a Sigma rule's id.
    rule_id: Option<String>,
    /// info, low, medium, high or critical.
    severity: Option<String>,
    /// The identity the signal is about (an actor of `audit`).
    entity: Option<String>,
    /// open, under_review or archived.
    status: Option<String>,
}

/// The last 30 days, as the signals page opens.
const DEFAULT_RANGE_NS: i64 = 30 * 24 * 3_600_000_000_000;

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
    let range = params(range)?
        .optional()?
        .unwrap_or_else(|| query::TimeRange::last(DEFAULT_RANGE_NS));
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
        rule_id: p.rule_id,
        severity: p.severity,
        entity: p.entity,
    };
    let mut signals = siem::signals(&state.engine, &filter).await?;
    let states: HashMap<String, serde_json::Map<String, Value>> = state
        .saved
        .list(Kind::SignalStates)
        .into_iter()
        .filter_map(|d| Some((d.get("id")?.as_str()?.to_owned(), d)))
        .collect();
    for s in &mut signals {
        if let Some(d) = states.get(&s.signal_id) {
            apply_state(s, d);
        }
    }
    if let Some(status) = &p.status {
        signals.retain(|s| &s.status == status);
    }
    Ok(Json(signals))
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

/// Security rules
///
/// The built-in rules and every Sigma rule the server was given (`[detect] sigma_rules`): loaded on a source (cloudtrail, okta, waf), not routed (written for a product hannun has no source for, so it never runs), or failed, with the reason.
#[utoipa::path(get, path = "/api/v1/rules", tag = "security", responses((status = 200, body = Vec<siem::RuleInfo>)))]
pub(crate) async fn rules(State(state): State<AppState>) -> Json<Vec<siem::RuleInfo>> {
    Json(state.rules.as_ref().clone())
}

impl From<siem::SiemError> for ApiError {
    fn from(e: siem::SiemError) -> Self {
        match e {
            siem::SiemError::BadRequest(m) => ApiError::BadRequest(m),
            siem::SiemError::Query(q) => ApiError::Query(q),
        }
    }
}
