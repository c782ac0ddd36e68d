//! Audit events as the security pages show them: a signal's matching
//! events and an identity's actions, read from the `audit` dataset, and
//! WAF's requests (from `requests`) in the same shape.

use model::DatasetName;
use query::QueryEngine;
use query::ir::{self, Expr, Select, column};

use crate::SiemError;

/// One audit event (CloudTrail or Okta), normalised.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub time_ms: i64,
    /// cloudtrail or okta.
    pub source: String,
    #[schema(required = true)]
    pub event_id: Option<String>,
    /// The AWS service (`iam.amazonaws.com`) or Okta's event category.
    #[schema(required = true)]
    pub event_source: Option<String>,
    #[schema(required = true)]
    pub event_name: Option<String>,
    /// The identity that acted (what signals and the investigator key on).
    #[schema(required = true)]
    pub actor: Option<String>,
    #[schema(required = true)]
    pub actor_name: Option<String>,
    /// root, iam_user, role, person, aws_service, aws_account, service or unknown.
    #[schema(required = true)]
    pub actor_type: Option<String>,
    #[schema(required = true)]
    pub account_id: Option<String>,
    #[schema(required = true)]
    pub region: Option<String>,
    #[schema(required = true)]
    pub access_key_id: Option<String>,
    #[schema(required = true)]
    pub role_arn: Option<String>,
    #[schema(required = true)]
    pub session_name: Option<String>,
    #[schema(required = true)]
    pub source_ip: Option<String>,
    #[schema(required = true)]
    pub country: Option<String>,
    #[schema(required = true)]
    pub city: Option<String>,
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// success, failure, challenge or skipped.
    #[schema(required = true)]
    pub outcome: Option<String>,
    #[schema(required = true)]
    pub error_code: Option<String>,
    /// An HTTP request's method and path (WAF's requests).
    #[schema(required = true)]
    pub request: Option<String>,
    /// The event as delivered (JSON), when asked for.
    #[schema(required = true)]
    pub raw: Option<String>,
}

const TEXT_COLUMNS: [&str; 17] = [
    "source",
    "event_id",
    "event_source",
    "event_name",
    "actor",
    "actor_name",
    "actor_type",
    "account_id",
    "region",
    "access_key_id",
    "role_arn",
    "session_name",
    "source_ip",
    "country",
    "city",
    "user_agent",
    "outcome",
];

/// The audit events matching `filter`, latest first, at most `limit`;
/// with their raw JSON when `raw`.
pub(crate) async fn audit_events(
    engine: &QueryEngine,
    filter: Expr,
    limit: usize,
    raw: bool,
) -> Result<Vec<AuditEvent>, SiemError> {
    if !engine.has_dataset(&DatasetName::audit()) {
        return Ok(Vec::new());
    }
    let select = Select::from(DatasetName::audit())
        .filter(filter)
        .columns(event_columns(raw))
        .order_by(ir::descending(column("t")))
        .limit(limit);
    let rows = engine.fetch(&select).await?;
    events_of(&rows, raw)
}

/// The columns `events_of` reads (with `raw` when asked).
pub(crate) fn event_columns(raw: bool) -> Vec<Expr> {
    let mut columns: Vec<Expr> = TEXT_COLUMNS.iter().map(|c| column(c)).collect();
    columns.push(column("error_code"));
    columns.push(ir::nanos(column(model::TIME_COLUMN)).alias("t"));
    if raw {
        columns.push(column("raw"));
    }
    columns
}

/// Rows of `event_columns` as events.
pub(crate) fn events_of(rows: &query::Rows, raw: bool) -> Result<Vec<AuditEvent>, SiemError> {
    let mut texts = Vec::with_capacity(TEXT_COLUMNS.len());
    for c in TEXT_COLUMNS {
        texts.push(rows.texts(c)?);
    }
    let times = rows.integers("t")?;
    let errors = rows.texts("error_code")?;
    let raws = if raw {
        rows.texts("raw")?
    } else {
        vec![None; rows.len()]
    };
    Ok((0..rows.len())
        .map(|i| {
            let t = |c: usize| texts[c][i].clone();
            AuditEvent {
                time_ms: times[i].unwrap_or(0) / 1_000_000,
                source: t(0).unwrap_or_default(),
                event_id: t(1),
                event_source: t(2),
                event_name: t(3),
                actor: t(4),
                actor_name: t(5),
                actor_type: t(6),
                account_id: t(7),
                region: t(8),
                access_key_id: t(9),
                role_arn: t(10),
                session_name: t(11),
                source_ip: t(12),
                country: t(13),
                city: t(14),
                user_agent: t(15),
                outcome: t(16),
                error_code: errors[i].clone(),
                request: None,
                raw: raws[i].clone(),
            }
        })
        .collect())
}

/// HTTP requests (WAF's) as events: the client's address in place of an
/// actor, WAF's action as the event's name.
pub(crate) async fn request_events(
    engine: &QueryEngine,
    filter: Expr,
    limit: usize,
) -> Result<Vec<AuditEvent>, SiemError> {
    if !engine.has_dataset(&DatasetName::requests()) {
        return Ok(Vec::new());
    }
    let names = [
        "source",
        "request_id",
        "resource",
        "action",
        "account_id",
        "region",
        "client_ip",
        "country",
        "city",
        "user_agent",
        "method",
        "path",
        "raw",
    ];
    let mut columns: Vec<Expr> = names.iter().map(|c| column(c)).collect();
    columns.push(ir::nanos(column(model::TIME_COLUMN)).alias("t"));
    let select = Select::from(DatasetName::requests())
        .filter(filter)
        .columns(columns)
        .order_by(ir::descending(column("t")))
        .limit(limit);
    let rows = engine.fetch(&select).await?;
    let mut texts = Vec::with_capacity(names.len());
    for c in names {
        texts.push(rows.texts(c)?);
    }
    let times = rows.integers("t")?;
    Ok((0..rows.len())
        .map(|i| {
            let t = |c: usize| texts[c][i].clone();
            AuditEvent {
                time_ms: times[i].unwrap_or(0) / 1_000_000,
                source: t(0).unwrap_or_default(),
                event_id: t(1),
                event_source: t(2),
                event_name: t(3),
                actor: None,
                actor_name: None,
                actor_type: None,
                account_id: t(4),
                region: t(5),
                access_key_id: None,
                role_arn: None,
                session_name: None,
                request: [t(10), t(11)]
                    .into_iter()
                    .flatten()
                    .reduce(|a, b| format!("{a} {b}")),
                source_ip: t(6),
                country: t(7),
                city: t(8),
                user_agent: t(9),
                outcome: None,
                error_code: None,
                raw: t(12),
            }
        })
        .collect())
}
