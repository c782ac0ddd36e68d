//! Accepted and rejected record counts per dataset, with the latest rejects,
//! so a user can see what was dropped and why.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use formats::Reject;

use crate::error::PayloadProblem;

const RECENT_REJECTS: usize = 20;

#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct DatasetIngestStats {
    pub accepted_records: u64,
    pub rejected_records: u64,
    pub accepted_bytes: u64,
    pub requests: u64,
    pub failed_requests: u64,
    /// The most recent rejects, newest last.
    #[schema(value_type = Vec<crate::schemas::RejectSchema>)]
    pub recent_rejects: VecDeque<Reject>,
    /// Requests refused whole before any record was read (malformed
    /// protobuf or JSON, bad compression, too large, unsupported encoding);
    /// not in `requests` or `failed_requests`.
    pub rejected_payloads: u64,
    /// `rejected_payloads` by problem: `malformed`, `bad_compression`,
    /// `too_large`, `unsupported_encoding`.
    pub rejected_payloads_by_problem: BTreeMap<&'static str, u64>,
    /// What was wrong with the latest refused payload.
    #[schema(required = true)]
    pub last_payload_error: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct IngestStats {
    pub datasets: BTreeMap<String, DatasetIngestStats>,
    pub backpressure_refusals: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    inner: Mutex<IngestStats>,
}

impl Counters {
    pub(crate) fn record(
        &self,
        dataset: &str,
        accepted: usize,
        bytes: usize,
        rejected: usize,
        samples: &[Reject],
    ) {
        let mut stats = self.inner.lock().expect("counters lock");
        let d = stats.datasets.entry(dataset.to_owned()).or_default();
        d.requests += 1;
        d.accepted_records += accepted as u64;
        d.accepted_bytes += bytes as u64;
        d.rejected_records += rejected as u64;
        for s in samples {
            if d.recent_rejects.len() == RECENT_REJECTS {
                d.recent_rejects.pop_front();
            }
            d.recent_rejects.push_back(s.clone());
        }
    }

    pub(crate) fn failed(&self, dataset: &str, backpressure: bool) {
        let mut stats = self.inner.lock().expect("counters lock");
        stats
            .datasets
            .entry(dataset.to_owned())
            .or_default()
            .failed_requests += 1;
        if backpressure {
            stats.backpressure_refusals += 1;
        }
    }

    pub(crate) fn payload_rejected(&self, dataset: &str, problem: PayloadProblem, message: &str) {
        let mut stats = self.inner.lock().expect("counters lock");
        let d = stats.datasets.entry(dataset.to_owned()).or_default();
        d.rejected_payloads += 1;
        *d.rejected_payloads_by_problem
            .entry(problem.as_str())
            .or_default() += 1;
        d.last_payload_error = Some(message.to_owned());
    }

    pub(crate) fn snapshot(&self) -> IngestStats {
        self.inner.lock().expect("counters lock").clone()
    }
}
