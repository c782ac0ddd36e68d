//! The pipeline every receiver calls: decompress and decode (on a blocking
//! thread), append to the store (returns when durable), count.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use formats::{Decoded, OtlpEncoding, Reject, TimeWindow};
use model::{DatasetName, DatasetSchema};
use store::Store;
use tokio::sync::Semaphore;

use crate::counters::{Counters, IngestStats};
use crate::error::IngestError;
use crate::otlp::OtlpSignal;
use crate::payload::Payload;

#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Records older than this are rejected.
    pub max_past: Duration,
    /// Records further ahead than this are rejected.
    pub max_future: Duration,
    /// Requests decoded at once; more wait up to `queue_wait`, then get 429.
    pub max_in_flight: usize,
    pub queue_wait: Duration,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_past: Duration::from_secs(30 * 86_400),
            max_future: Duration::from_secs(3_600),
            max_in_flight: 16,
            queue_wait: Duration::from_secs(2),
        }
    }
}

/// What became of one request.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct IngestOutcome {
    pub accepted: usize,
    pub rejected: usize,
    #[schema(value_type = Vec<crate::schemas::RejectSchema>)]
    pub rejects: Vec<Reject>,
}

#[derive(Clone)]
pub struct Pipeline {
    writer: DerivingWriter,
    config: PipelineConfig,
    permits: Arc<Semaphore>,
    counters: Arc<Counters>,
}

fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

impl Pipeline {
    pub fn new(store: Store, config: PipelineConfig) -> Pipeline {
        let permits = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
        Pipeline {
            writer: DerivingWriter::new(store),
            config,
            permits,
            counters: Arc::new(Counters::default()),
        }
    }

    pub fn store(&self) -> &Store {
        self.writer.store()
    }

    pub fn stats(&self) -> IngestStats {
        self.counters.snapshot()
    }

    fn window(&self) -> TimeWindow {
        TimeWindow::new(
            now_nanos(),
            self.config.max_past.as_nanos() as i64,
            self.config.max_future.as_nanos() as i64,
        )
    }

    /// Decompresses `payload` and decodes it with `decode` on a blocking
    /// thread, never on an async worker, then appends the result.
    async fn run(
        &self,
        dataset: DatasetName,
        payload: Payload,
        decode: impl FnOnce(&[u8], &DatasetSchema, &TimeWindow) -> Result<Decoded, IngestError>
        + Send
        + 'static,
    ) -> Result<IngestOutcome, IngestError> {
        if dataset.kind().is_derived() {
            self.counters.failed(dataset.as_str(), false);
            return Err(IngestError::BadRequest(format!(
                "dataset '{dataset}' is derived by hannun from spans and logs and cannot be written directly"
            )));
        }
        if dataset.kind().is_imported() {
            self.counters.failed(dataset.as_str(), false);
            return Err(IngestError::BadRequest(format!(
                "dataset '{dataset}' is written by `hannun import` (POST /api/v1/import), which attributes each flow record; it cannot be written directly"
            )));
        }
        let permit = match tokio::time::timeout(
            self.config.queue_wait,
            self.permits.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err(IngestError::Closed),
            Err(_) => {
                self.counters.failed(dataset.as_str(), true);
                return Err(IngestError::Backpressure(
                    format!("{} requests in flight", self.config.max_in_flight),
                    1,
                ));
            }
        };
        let writer = self.writer.clone();
        let window = self.window();
        let name = dataset.clone();
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let body = payload.decompress()?;
            let schema = writer.store().dataset_schema(&name);
            let decoded = decode(&body, &schema, &window)?;
            if let Some(built) = decoded.built {
                writer.append(&name, built.batch)?;
            }
            let outcome = IngestOutcome {
                accepted: decoded.accepted,
                rejected: decoded.rejected,
                rejects: decoded.reject_samples,
            };
            Ok::<_, IngestError>((outcome, body.len()))
        })
        .await
        .map_err(|e| IngestError::Storage(format!("ingest task failed: {e}")))?;
        match &result {
            Ok((o, bytes)) => {
                self.counters
                    .record(dataset.as_str(), o.accepted, *bytes, o.rejected, &o.rejects)
            }
            Err(IngestError::Payload { problem, message }) => {
                self.counters
                    .payload_rejected(dataset.as_str(), *problem, message)
            }
            Err(e) => self
                .counters
                .failed(dataset.as_str(), matches!(e, IngestError::Backpressure(..))),
        }
        result.map(|(outcome, _)| outcome)
    }

    /// Counts a payload a receiver refused before the pipeline saw it.
    pub(crate) fn count_refused<T>(
        &self,
        dataset: &DatasetName,
        result: Result<T, IngestError>,
    ) -> Result<T, IngestError> {
        if let Err(IngestError::Payload { problem, message }) = &result {
            self.counters
                .payload_rejected(dataset.as_str(), *problem, message);
        }
        result
    }

    /// NDJSON into any dataset.
    pub(crate) async fn ingest_ndjson(
        &self,
        dataset: DatasetName,
        payload: Payload,
    ) -> Result<IngestOutcome, IngestError> {
        self.run(dataset, payload, |body, schema, window| {
            Ok(formats::decode_ndjson(body, schema, window)?)
        })
        .await
    }

    /// An OTLP export request of any signal, protobuf or JSON: parsed and
    /// decoded on the blocking thread.
    pub(crate) async fn ingest_otlp(
        &self,
        signal: OtlpSignal,
        payload: Payload,
        encoding: OtlpEncoding,
    ) -> Result<IngestOutcome, IngestError> {
        let dataset = signal.dataset();
        match signal {
            OtlpSignal::Logs => {
                self.run(dataset, payload, move |body, s, w| {
                    let request = formats::parse_otlp_logs(body, encoding)?;
                    Ok(formats::decode_otlp_logs(&request, s, w)?)
                })
                .await
            }
            OtlpSignal::Traces => {
                self.run(dataset, payload, move |body, s, w| {
                    let request = formats::parse_otlp_traces(body, encoding)?;
                    Ok(formats::decode_otlp_traces(&request, s, w)?)
                })
                .await
            }
            OtlpSignal::Metrics => {
                self.run(dataset, payload, move |body, s, w| {
                    let request = formats::parse_otlp_metrics(body, encoding)?;
                    Ok(formats::decode_otlp_metrics(&request, s, w)?)
                })
                .await
            }
        }
    }
}

/// Stores decoded batches with what is derived from them (span endpoints and
/// peers, RED rollups, error occurrences, call pairs: crate `derived`), each
/// in one durable append. Every writer of spans and logs goes through one of
/// these; clones share the call pairer, which pairs the two ends of a call
/// across batches.
#[derive(Clone)]
pub struct DerivingWriter {
    store: Store,
    pairer: Arc<Mutex<derived::CallPairer>>,
}

impl DerivingWriter {
    pub fn new(store: Store) -> DerivingWriter {
        DerivingWriter {
            store,
            pairer: Arc::new(Mutex::new(derived::CallPairer::default())),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Derives from `batch` and appends it and its derived rows at once.
    pub fn append(
        &self,
        dataset: &DatasetName,
        batch: arrow::record_batch::RecordBatch,
    ) -> Result<u64, IngestError> {
        let failed =
            |e: model::ModelError| IngestError::Storage(format!("deriving from {dataset}: {e}"));
        let derived = derived::derive(dataset, batch).map_err(failed)?;
        let mut batches = vec![(dataset.clone(), derived.batch)];
        batches.extend(derived.derived);
        if dataset.kind() == model::DatasetKind::Spans {
            // Pairs are fed under the lock and stored with their batch; a
            // poisoned lock only means another batch panicked mid-feed, and
            // the waiting ends are still consistent maps.
            let mut pairer = self.pairer.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pairs) = pairer.feed(&batches[0].1).map_err(failed)? {
                batches.push((DatasetName::call_pairs(), pairs));
            }
        }
        Ok(self.store.append_all(batches)?)
    }
}
