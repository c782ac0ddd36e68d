//! Alert volume over time: detections per time bucket, by rule or by
//! severity, each bucket with how many of them the tuning exceptions
//! suppress. The signals page draws its timeline by severity from it, and
//! a rule's page its volume before and after an exception.

use model::DatasetName;
use query::ir::{self, Select, column, text};
use query::{QueryEngine, TimeRange};

use crate::SiemError;
use crate::exceptions::{SignalException, suppressed};

/// What the series are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolumeGroup {
    RuleId,
    Severity,
}

impl VolumeGroup {
    fn column(self) -> &'static str {
        match self {
            VolumeGroup::RuleId => "rule_id",
            VolumeGroup::Severity => "severity",
        }
    }
}

/// Which detections to count.
#[derive(Debug, Clone)]
pub struct VolumeFilter {
    pub range: TimeRange,
    pub group_by: VolumeGroup,
    pub rule_id: Option<String>,
    pub entity: Option<String>,
    /// Comma-separated lists, as the signal list takes them.
    pub severity: Option<String>,
    pub source: Option<String>,
    pub exceptions: Vec<SignalException>,
}

/// Detections of one series.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct VolumeSeries {
    /// The rule id or the severity.
    pub key: String,
    /// Detections per bucket, suppressed ones included (before exceptions).
    pub detections: Vec<u64>,
    /// Of those, suppressed by an exception per bucket.
    pub suppressed: Vec<u64>,
    pub total: u64,
    pub total_suppressed: u64,
}

/// Detections per bucket of the range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Volume {
    pub from_ms: i64,
    pub step_ms: i64,
    pub buckets: usize,
    /// Most detections first.
    pub series: Vec<VolumeSeries>,
}

/// About this many buckets per range.
const BUCKETS: i64 = 60;

/// The volume of the filter's detections.
pub async fn volume(engine: &QueryEngine, filter: &VolumeFilter) -> Result<Volume, SiemError> {
    let range = filter.range;
    let seconds = ((range.nanos() / 1_000_000_000) / BUCKETS).max(60);
    let step = seconds * 1_000_000_000;
    let buckets = (range.nanos().max(1) + step - 1) / step;
    let mut out = Volume {
        from_ms: range.from / 1_000_000,
        step_ms: seconds * 1_000,
        buckets: buckets as usize,
        series: Vec::new(),
    };
    if !engine.has_dataset(&DatasetName::signals()) {
        return Ok(out);
    }
    let conditions = crate::signals::one_of(&filter.severity, &filter.source)?;
    let key = filter.group_by.column();
    let mut select = Select::from(DatasetName::signals()).filter(ir::time_in(range));
    for (name, value) in [("rule_id", &filter.rule_id), ("entity", &filter.entity)] {
        if let Some(v) = value {
            select = select.filter(column(name).eq(text(v)));
        }
    }
    for c in conditions {
        select = select.filter(c);
    }
    let select = select
        .group_by([column(key), ir::time_bucket(seconds, range.from).alias("t")])
        .aggregate([
            ir::count_rows().alias("detections"),
            ir::only_where(
                ir::count_rows(),
                suppressed(&filter.exceptions).unwrap_or(ir::boolean(false)),
            )
            .alias("suppressed"),
        ]);
    let rows = engine.fetch(&select).await?;
    let (keys, times, all, quiet) = (
        rows.texts(key)?,
        rows.integers("t")?,
        rows.counts("detections")?,
        rows.counts("suppressed")?,
    );
    let mut by_key: std::collections::BTreeMap<String, VolumeSeries> = Default::default();
    for i in 0..rows.len() {
        let (Some(k), Some(t)) = (&keys[i], times[i]) else {
            continue;
        };
        let b = (t - range.from).div_euclid(step);
        if b < 0 || b >= buckets {
            continue;
        }
        let s = by_key.entry(k.clone()).or_insert_with(|| VolumeSeries {
            key: k.clone(),
            detections: vec![0; buckets as usize],
            suppressed: vec![0; buckets as usize],
            total: 0,
            total_suppressed: 0,
        });
        s.detections[b as usize] += all[i];
        s.suppressed[b as usize] += quiet[i];
        s.total += all[i];
        s.total_suppressed += quiet[i];
    }
    out.series = by_key.into_values().collect();
    out.series
        .sort_by(|a, b| b.total.cmp(&a.total).then(a.key.cmp(&b.key)));
    Ok(out)
}
