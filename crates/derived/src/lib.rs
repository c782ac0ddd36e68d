//! Data hannun derives from every ingested batch before storing it, so that
//! APM and error tracking read small, ready rows instead of raw spans:
//!
//! - `spans.rs`: each span's `endpoint`, and for client and producer spans the
//!   `peer` they call and its kind, from semantic-convention attributes;
//! - `span_metrics.rs`: RED rollups per minute (and per hour), service,
//!   endpoint or peer and latency bucket (`latency.rs`), the `span_metrics`
//!   and `span_metrics_1h` datasets;
//! - `errors.rs` and `fingerprint.rs`: error occurrences from span exception
//!   events and exception logs, grouped into issues by fingerprint, the
//!   `errors` dataset;
//! - `pairs.rs`: the one stateful part, a pairer that matches client and
//!   server spans of one call across batches, the `call_pairs` dataset.
//!
//! Pure: batches in, batches out. The ingest pipeline stores the derived
//! batches in the same durable append as the batch they come from.

mod errors;
mod fingerprint;
mod latency;
mod pairs;
mod rows;
mod span_metrics;
mod spans;

use arrow::record_batch::RecordBatch;
use model::{DatasetKind, DatasetName, ModelError};

pub use errors::{MAX_MESSAGE_CHARS, MAX_STACK_BYTES};
pub use fingerprint::{Frame, fingerprint, normalise_message, parse_frames, top_frame};
pub use latency::{MAX_BUCKET, apdex, bucket_of, bucket_value_ns, quantile_ns};
pub use pairs::{CallPairer, DEFAULT_PENDING};
pub use spans::{MAX_LABEL_CHARS, PeerKind, endpoint, peer};

/// A batch ready to store and the batches derived from it.
#[derive(Debug)]
pub struct Derived {
    pub batch: RecordBatch,
    pub derived: Vec<(DatasetName, RecordBatch)>,
}

/// Enriches `batch` of `dataset` and derives the rows of other datasets from
/// it: spans get endpoints and peers and give rollups and errors; logs give
/// errors; other datasets pass through.
pub fn derive(dataset: &DatasetName, batch: RecordBatch) -> Result<Derived, ModelError> {
    let kind = dataset.kind();
    let mut derived = Vec::new();
    let batch = match kind {
        DatasetKind::Spans => {
            let batch = spans::enrich(batch);
            for (name, period) in [
                (DatasetName::span_metrics(), span_metrics::MINUTE_NS),
                (DatasetName::span_metrics_hourly(), span_metrics::HOUR_NS),
            ] {
                if let Some(rollup) = span_metrics::rollup(&batch, period)? {
                    derived.push((name, rollup));
                }
            }
            batch
        }
        _ => batch,
    };
    if matches!(kind, DatasetKind::Spans | DatasetKind::Logs)
        && let Some(errors) = errors::extract(kind, &batch)?
    {
        derived.push((DatasetName::errors(), errors));
    }
    Ok(Derived { batch, derived })
}
