//! One error-tracking issue: its summary, occurrences over time, the
//! latest stack trace and its latest occurrences.

use std::collections::HashMap;

use model::DatasetName;
use query::ir::{self, Select, column};
use query::{QueryEngine, TimeRange};

use crate::issues::{IssueState, IssueSummary, bucket_seconds, check_fingerprint, grouped, series};
use crate::rollups::bucket_count;
use crate::trace::ApmError;

/// Most occurrences listed.
const MAX_SAMPLES: usize = 20;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssueSeries {
    pub timestamps_ms: Vec<i64>,
    pub counts: Vec<u64>,
}

/// One occurrence of an issue.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssueSample {
    /// ns since the epoch
    pub timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// span or log
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssueDetail {
    pub issue: IssueSummary,
    pub bucket_seconds: i64,
    pub series: IssueSeries,
    #[schema(required = true)]
    pub stack: Option<String>,
    pub samples: Vec<IssueSample>,
    pub elapsed_ms: f64,
}

/// One issue: its summary, occurrences over time, a stack trace and the
/// latest occurrences.
pub async fn issue_detail(
    engine: &QueryEngine,
    fingerprint: &str,
    range: TimeRange,
    states: &HashMap<String, IssueState>,
) -> Result<IssueDetail, ApmError> {
    let started = std::time::Instant::now();
    let fp = check_fingerprint(fingerprint)?;
    let not_found = || ApmError::NotFound(format!("no issue with fingerprint {fp}"));
    if !engine.has_dataset(&DatasetName::errors()) {
        return Err(not_found());
    }
    let seconds = bucket_seconds(range);
    let none = ir::boolean(true);
    let mut summary = grouped(engine, range, &none, Some(&fp), states).await?;
    let issue = match summary.pop() {
        Some(issue) => issue,
        None => {
            // Known, but not in this range: describe it from all time.
            let whole = TimeRange {
                from: i64::MIN / 4,
                to: i64::MAX / 4,
            };
            let mut all = grouped(engine, whole, &none, Some(&fp), states).await?;
            let mut issue = all.pop().ok_or_else(not_found)?;
            issue.count = 0;
            issue.services.clear();
            issue
        }
    };
    let this = || column("fingerprint").eq(ir::text(&fp));
    let stack = Select::from(DatasetName::errors())
        .filter(this())
        .filter(column("stack").is_not_null())
        .order_by(ir::descending(column("timestamp")))
        .limit(1)
        .columns([column("stack")]);
    let samples = Select::from(DatasetName::errors())
        .filter(ir::time_in(range))
        .filter(this())
        .order_by(ir::descending(column("timestamp")))
        .limit(MAX_SAMPLES)
        .columns(
            std::iter::once(ir::nanos(column("timestamp")).alias("timestamp"))
                .chain(SAMPLE_TEXTS.map(column)),
        );
    let (counts, stack, samples) = futures::join!(
        series(engine, range, &none, std::slice::from_ref(&fp), seconds),
        engine.fetch(&stack),
        engine.fetch(&samples),
    );
    let buckets = bucket_count(range, seconds);
    let counts = counts?.remove(&fp).unwrap_or_else(|| vec![0; buckets]);
    let stack = stack?.texts("stack")?.into_iter().next().flatten();
    let mut issue = issue;
    issue.series = counts.clone();
    Ok(IssueDetail {
        issue,
        bucket_seconds: seconds,
        series: IssueSeries {
            timestamps_ms: (0..buckets as i64)
                .map(|i| (range.from + i * seconds * 1_000_000_000) / 1_000_000)
                .collect(),
            counts,
        },
        stack,
        samples: read_samples(&samples?)?,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The text columns of an issue's samples.
const SAMPLE_TEXTS: [&str; 8] = [
    "service", "env", "host", "source", "endpoint", "message", "trace_id", "span_id",
];

fn read_samples(rows: &query::Rows) -> Result<Vec<IssueSample>, ApmError> {
    let times = rows.integers("timestamp")?;
    let mut texts = SAMPLE_TEXTS
        .iter()
        .map(|c| rows.texts(c).map(Vec::into_iter))
        .collect::<Result<Vec<_>, _>>()?;
    let mut next = |c: usize| texts[c].next().flatten();
    Ok(times
        .into_iter()
        .map(|t| IssueSample {
            timestamp: t.unwrap_or(0),
            service: next(0),
            env: next(1),
            host: next(2),
            source: next(3),
            endpoint: next(4),
            message: next(5),
            trace_id: next(6),
            span_id: next(7),
        })
        .collect())
}
