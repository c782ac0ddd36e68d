//! Cloud SIEM: the security signals raised by the rules on audit events
//! (crate `siem`, detections by crate `detect`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use query::RangeInput;

use crate::error::{ApiError, ListFailures};
use crate::extract::params;
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
    let filter = siem::SignalFilter {
        range: Some(range),
        rule_id: p.rule_id,
        severity: p.severity,
        entity: p.entity,
    };
    Ok(Json(siem::signals(&state.engine, &filter).await?))
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
