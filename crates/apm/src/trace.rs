//! Fetches one trace's spans (and the logs that carry its id) through the
//! query engine and builds its tree.

use model::DatasetName;
use query::ir::{self, Select, column};
use query::{Cell, QueryEngine, QueryError, Record, TimeRange};

use crate::tree::{TraceTree, build_tree};

/// Most spans one trace fetch returns; larger traces are cut (and say so).
pub const MAX_TRACE_SPANS: usize = 10_000;
/// Most log lines returned with a trace.
pub const MAX_TRACE_LOGS: usize = 1_000;

#[derive(Debug)]
pub enum ApmError {
    Invalid(String),
    NotFound(String),
    Query(QueryError),
}

impl std::fmt::Display for ApmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApmError::Invalid(m) | ApmError::NotFound(m) => f.write_str(m),
            ApmError::Query(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ApmError {}

impl From<QueryError> for ApmError {
    fn from(e: QueryError) -> Self {
        ApmError::Query(e)
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TraceResponse {
    #[serde(flatten)]
    pub trace: TraceTree,
    /// Spans the trace has in storage.
    pub total_spans: u64,
    /// Only the first `MAX_TRACE_SPANS` spans (by start time) are in the tree.
    pub truncated: bool,
    /// Log lines with this trace id, oldest first.
    pub logs: Vec<Record>,
    pub logs_truncated: bool,
}

/// A trace id as stored: lowercase hex, at most 32 bytes.
fn normalize(trace_id: &str) -> Result<String, ApmError> {
    let id = trace_id.trim().to_ascii_lowercase();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApmError::Invalid(format!(
            "{trace_id:?} is not a trace id: expected up to 64 hexadecimal digits"
        )));
    }
    Ok(id)
}

/// The trace with this id, within `range` when given (faster), else
/// anywhere in the retained data.
pub async fn fetch_trace(
    engine: &QueryEngine,
    trace_id: &str,
    range: Option<TimeRange>,
) -> Result<TraceResponse, ApmError> {
    let id = normalize(trace_id)?;
    if !engine.has_dataset(&DatasetName::spans()) {
        return Err(ApmError::NotFound(
            "no spans have been received yet: send OTLP traces to :4317 or :4318".into(),
        ));
    }
    let mut this = column("trace_id").eq(ir::text(&id));
    if let Some(r) = range {
        this = this.and(ir::time_in(r));
    }
    let spans = Select::from(DatasetName::spans())
        .filter(this.clone())
        .order_by(ir::ascending(column("timestamp")))
        .limit(MAX_TRACE_SPANS + 1);
    let spans = engine.fetch(&spans).await?;
    if spans.is_empty() {
        return Err(ApmError::NotFound(format!(
            "no spans with trace id {id}{}",
            if range.is_some() {
                " in this time range"
            } else {
                ""
            }
        )));
    }
    let truncated = spans.len() > MAX_TRACE_SPANS;
    let total_spans = if truncated {
        let count = Select::from(DatasetName::spans())
            .filter(this.clone())
            .aggregate([ir::count_rows().alias("n")]);
        let count = engine.fetch(&count).await?;
        count.counts("n")?.first().copied().unwrap_or(0)
    } else {
        spans.len() as u64
    };
    let starts = spans.integers("timestamp")?;
    let spans: Vec<Record> = spans
        .records()?
        .into_iter()
        .zip(starts)
        .take(MAX_TRACE_SPANS)
        .map(|(mut record, start)| {
            record
                .cells
                .push(("start_ns".into(), Cell::Integer(start.unwrap_or(0))));
            record
        })
        .collect();
    let (logs, logs_truncated) = if engine.has_dataset(&DatasetName::logs()) {
        let logs = Select::from(DatasetName::logs())
            .filter(this)
            .order_by(ir::ascending(column("timestamp")))
            .limit(MAX_TRACE_LOGS + 1);
        let mut logs = engine.fetch(&logs).await?.records()?;
        let cut = logs.len() > MAX_TRACE_LOGS;
        logs.truncate(MAX_TRACE_LOGS);
        (logs, cut)
    } else {
        (Vec::new(), false)
    };
    Ok(TraceResponse {
        trace: build_tree(&id, spans),
        total_spans,
        truncated,
        logs,
        logs_truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_checked() {
        assert_eq!(
            normalize(" 0AF7651916cd43dd8448eb211c80319c ").unwrap(),
            "0af7651916cd43dd8448eb211c80319c"
        );
        for bad in ["", "xyz", "' OR 1=1 --", &"a".repeat(65)] {
            assert!(matches!(normalize(bad), Err(ApmError::Invalid(_))), "{bad}");
        }
    }
}
