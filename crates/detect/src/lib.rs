//! Detections on the audit stream: Sigma rules routed by logsource
//! (`sigma`), the built-in rules (`builtin`), impossible travel
//! (`travel`), which rules an event can match (`prefilter`), Sigma correlation rules counted with our own state
//! (`correlate`), and the signals they raise, deduplicated per rule and
//! entity (`signals`).
//!
//! Pure: no IO and no async. The importer hands events here as it stores
//! them; the state (windows, last places, open signals) lives in the
//! values the caller keeps.

mod builtin;
mod correlate;
mod event;
mod prefilter;
mod sigma;
mod signals;
mod travel;

pub use builtin::{BuiltinConfig, BuiltinRule, builtin_matches, glob_matches};
pub use correlate::{Correlation, Correlator, Fired, MAX_GROUPS};
pub use event::DocEvent;
/// The events the rules read, as `formats` decodes them.
pub use formats::Doc;
pub use sigma::{
    EventMatcher, MAX_RULE_FILE_BYTES, RuleLoad, RuleReport, SigmaMatch, SigmaRules, Source,
};
pub use signals::{DEFAULT_DEDUP_HOURS, Detection, Detector, detections_batch, signal_id};
pub use travel::{Fix, Travel, TravelConfig, Trip, distance_km, is_authentication, parse_cidr};

/// How bad a signal is, from Sigma's `level`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
