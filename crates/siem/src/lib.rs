//! Cloud SIEM over the `audit` and `signals` datasets (written by the
//! importer, matched by crate `detect`): the signal list, each signal the
//! detections of one rule and entity in one dedup window (`signals.rs`),
//! the tuning exceptions applied as signals are read (`exceptions.rs`),
//! alert volume per rule or severity before and after them (`volume.rs`),
//! the identity investigator (`identity.rs`) over the audit events
//! (`events.rs`), and the rules the server runs (`rules.rs`).
//! Every read is a `query::ir::Select`.

mod events;
mod exceptions;
mod history;
mod identity;
mod notify;
mod rules;
mod signals;
mod volume;

pub use events::AuditEvent;
/// The rule load report types of crate `detect`, for the API.
pub mod detect_report {
    pub use detect::{MAX_RULE_FILE_BYTES, RuleLoad, RuleReport, Source};
}
pub use exceptions::{
    EXCEPTION_FIELDS, ExceptionInput, MAX_EXCEPTIONS, SignalException, suppressed,
};
pub use history::{
    HistoryBudget, HistoryMatch, HistoryQuery, HistoryRun, detected_events, detection_of,
    load_text, run_rules,
};
pub use identity::{
    Chain, ChainEdge, ChainNode, Identity, IdentityPlace, IdentitySummary, IdentityTimeline,
    KeyUse, assumed_role, identities, identity,
};
pub use notify::{
    MAX_REMEMBERED, Notice, NoticeFilter, NotifyBoard, NotifyKind, NotifyStatus, RateLimit,
    held_back_payload, is_severity, severity_rank, suppresses,
};
pub use rules::{RuleInfo, RuleSet, rule_activity};
pub use signals::{
    SIGNAL_STATUSES, Signal, SignalComment, SignalDetail, SignalFilter, check_signal_id,
    signal_detail, signals,
};
pub use volume::{Volume, VolumeFilter, VolumeGroup, VolumeSeries, volume};

/// Why a SIEM request failed.
#[derive(Debug, thiserror::Error)]
pub enum SiemError {
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Query(#[from] query::QueryError),
}
