//! Cloud SIEM over the `audit` and `signals` datasets (written by the
//! importer, matched by crate `detect`): the signal list, each signal the
//! detections of one rule and entity in one dedup window (`signals.rs`),
//! and the rules the server runs (`rules.rs`).
//! Every read is a `query::ir::Select`.

mod rules;
mod signals;

pub use rules::RuleInfo;
pub use signals::{SIGNAL_STATUSES, Signal, SignalComment, SignalFilter, check_signal_id, signals};

/// Why a SIEM request failed.
#[derive(Debug, thiserror::Error)]
pub enum SiemError {
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Query(#[from] query::QueryError),
}
