//! The rules the server runs, as the API lists them: the built-in rules
//! and every Sigma rule file it was given, each loaded (and on which
//! source), not routed (a product hannun has no source for) or failed,
//! with the reason. The binary fills it from crate `detect`'s load report.

use std::collections::HashMap;
use std::sync::Arc;

use model::DatasetName;
use query::ir::{self, Select, column};
use query::{QueryEngine, TimeRange};

use crate::SiemError;

/// One rule and what became of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RuleInfo {
    /// The built-in id, the Sigma rule's `id`, or `file#title`.
    pub id: String,
    pub title: String,
    /// `builtin`, `detection` (Sigma) or `correlation` (Sigma).
    pub kind: String,
    /// info, low, medium, high or critical.
    pub severity: String,
    /// `loaded`, `not_routed` or `failed`.
    pub state: String,
    /// cloudtrail, okta or waf, when loaded.
    #[schema(required = true)]
    pub source: Option<String>,
    /// Why it is not routed or failed.
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The rule file (Sigma rules).
    #[schema(required = true)]
    pub file: Option<String>,
    /// Switched on (the default) or off.
    pub enabled: bool,
    /// Detections over the last 30 days.
    pub matches_30d: u64,
    /// The latest detection (ms since the epoch), if any.
    #[schema(required = true)]
    pub last_match_ms: Option<i64>,
}

impl RuleInfo {
    /// A Sigma rule as its load report says (its file left out: the
    /// caller says whether it has one).
    pub fn from_report(report: &detect::RuleReport) -> RuleInfo {
        let (state, source, reason) = match &report.load {
            detect::RuleLoad::Loaded { source } => {
                ("loaded", Some(source.as_str().to_owned()), None)
            }
            detect::RuleLoad::NotRouted { reason } => ("not_routed", None, Some(reason.clone())),
            detect::RuleLoad::Failed { reason } => ("failed", None, Some(reason.clone())),
        };
        RuleInfo {
            id: report.id.clone(),
            title: report.title.clone(),
            kind: report.kind.to_owned(),
            severity: report.severity.as_str().to_owned(),
            state: state.to_owned(),
            source,
            reason,
            file: None,
            enabled: true,
            matches_30d: 0,
            last_match_ms: None,
        }
    }
}

/// Detections and the latest one per rule over the range.
pub async fn rule_activity(
    engine: &QueryEngine,
    range: TimeRange,
) -> Result<HashMap<String, (u64, i64)>, SiemError> {
    if !engine.has_dataset(&DatasetName::signals()) {
        return Ok(HashMap::new());
    }
    let select = Select::from(DatasetName::signals())
        .filter(ir::time_in(range))
        .group_by([column("rule_id")])
        .aggregate([
            ir::count_rows().alias("n"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ]);
    let rows = engine.fetch(&select).await?;
    let (ids, n, last) = (
        rows.texts("rule_id")?,
        rows.counts("n")?,
        rows.integers("last")?,
    );
    Ok((0..rows.len())
        .filter_map(|i| Some((ids[i].clone()?, (n[i], last[i].unwrap_or(0) / 1_000_000))))
        .collect())
}

/// The rules the server runs, for the API: what became of each, the
/// loaded Sigma rules (to run one over history) and the rule files' text
/// (for the editor).
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub infos: Vec<RuleInfo>,
    pub sigma: Arc<detect::SigmaRules>,
    /// (file, YAML text) as loaded at start.
    pub files: Vec<(String, String)>,
    /// The detector's dedup window (signals of one rule and entity).
    pub dedup_window_ns: i64,
}

impl RuleSet {
    /// No rules (a server without a detector, tests).
    pub fn empty() -> RuleSet {
        RuleSet {
            infos: Vec::new(),
            sigma: Arc::new(detect::SigmaRules::load(&[])),
            files: Vec::new(),
            dedup_window_ns: detect::DEFAULT_DEDUP_HOURS * 3_600_000_000_000,
        }
    }

    pub fn info(&self, id: &str) -> Option<&RuleInfo> {
        self.infos.iter().find(|r| r.id == id)
    }

    /// The text of the file a Sigma rule came from.
    pub fn file_text(&self, id: &str) -> Option<(&str, &str)> {
        let file = self.info(id)?.file.as_deref()?;
        self.files
            .iter()
            .find(|(f, _)| f == file)
            .map(|(f, t)| (f.as_str(), t.as_str()))
    }
}
