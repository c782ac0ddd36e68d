//! What a decoder returns: accepted rows as one batch, and the records it
//! rejected with the reason, so a bad record never fails its batch.

use model::BuiltBatch;

/// At most this many rejects are kept with their reasons; all are counted.
const MAX_REJECT_SAMPLES: usize = 20;

/// One rejected record: where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    /// 1-based line (NDJSON) or record index (OTLP) in the payload.
    pub record: usize,
    pub reason: String,
}

/// Accepted rows (if any) and rejected records of one payload.
#[derive(Debug)]
pub struct Decoded {
    pub built: Option<BuiltBatch>,
    pub accepted: usize,
    pub rejected: usize,
    /// The first few rejects, with reasons.
    pub reject_samples: Vec<Reject>,
}

impl Decoded {
    pub(crate) fn new() -> Decoded {
        Decoded {
            built: None,
            accepted: 0,
            rejected: 0,
            reject_samples: Vec::new(),
        }
    }

    pub(crate) fn reject(&mut self, record: usize, reason: impl Into<String>) {
        count_reject(&mut self.rejected, &mut self.reject_samples, record, reason);
    }
}

/// Counts one rejected record and keeps its reason while fewer than
/// `MAX_REJECT_SAMPLES` are kept: what every decoder's result does.
pub(crate) fn count_reject(
    rejected: &mut usize,
    samples: &mut Vec<Reject>,
    record: usize,
    reason: impl Into<String>,
) {
    *rejected += 1;
    if samples.len() < MAX_REJECT_SAMPLES {
        samples.push(Reject {
            record,
            reason: reason.into(),
        });
    }
}

/// The span of event times a receiver accepts; records outside are rejected
/// (a clock years off would otherwise create files retention never reaches).
#[derive(Debug, Clone, Copy)]
pub struct TimeWindow {
    /// Receive time, used for records that carry no timestamp.
    pub now_nanos: i64,
    pub max_past_nanos: i64,
    pub max_future_nanos: i64,
}

impl TimeWindow {
    pub fn new(now_nanos: i64, max_past_nanos: i64, max_future_nanos: i64) -> TimeWindow {
        TimeWindow {
            now_nanos,
            max_past_nanos,
            max_future_nanos,
        }
    }

    /// None when `t` is inside the window, else the reason it is not.
    pub fn check(&self, t: i64) -> Option<String> {
        if t < self.now_nanos.saturating_sub(self.max_past_nanos) {
            Some(format!(
                "timestamp {} is more than {} days in the past",
                model::format_rfc3339_nanos(t),
                self.max_past_nanos / 86_400_000_000_000
            ))
        } else if t > self.now_nanos.saturating_add(self.max_future_nanos) {
            Some(format!(
                "timestamp {} is more than {} minutes in the future",
                model::format_rfc3339_nanos(t),
                self.max_future_nanos / 60_000_000_000
            ))
        } else {
            None
        }
    }
}
