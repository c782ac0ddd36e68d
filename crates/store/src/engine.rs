//! The store: append (WAL, then memtable), snapshots for queries, and the
//! background flush, compaction and retention.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use model::{DatasetName, DatasetSchema, conform_batch};

use crate::catalog::{Catalog, FileEntry};
use crate::config::StoreConfig;
use crate::error::StoreError;
use crate::maintenance::{background_loop, compact, delete_due_files, flush, remove_orphans};
use crate::memtable::Memtable;
use crate::parquet_io::time_range;
use crate::state::{Inner, State};
use crate::wal::{Wal, WalEntry};

/// What `Store::open` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecoveryReport {
    pub replayed_entries: u64,
    pub replayed_rows: u64,
    pub torn_bytes: u64,
    pub orphan_files_removed: u64,
}

/// Everything a query needs of one dataset at one instant.
#[derive(Debug, Clone)]
pub struct DatasetSnapshot {
    pub schema: SchemaRef,
    /// Absolute paths and metadata of the Parquet files.
    pub files: Vec<(PathBuf, FileEntry)>,
    /// Buffered rows, conformed to `schema`.
    pub batches: Vec<RecordBatch>,
}

/// Size of one dataset (the API serializes it).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DatasetStats {
    pub name: String,
    pub(crate) kind: String,
    pub(crate) files: u64,
    pub(crate) file_bytes: u64,
    pub(crate) file_rows: u64,
    pub(crate) buffered_rows: u64,
    pub(crate) columns: usize,
    pub(crate) min_time: Option<i64>,
    pub(crate) max_time: Option<i64>,
}

/// Engine-wide counters (the API serializes them).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StoreStats {
    pub(crate) appended_batches: u64,
    pub(crate) appended_rows: u64,
    pub(crate) wal_bytes: u64,
    pub(crate) buffered_bytes: usize,
    pub(crate) flushes: u64,
    pub(crate) compactions: u64,
    pub(crate) files_deleted_by_retention: u64,
    pub(crate) last_error: Option<String>,
}

/// A handle to the embedded engine; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    background: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
}

fn encode_entry(dataset: &DatasetName, batch: &RecordBatch) -> Result<Vec<u8>, StoreError> {
    let name = dataset.as_str().as_bytes();
    let mut out = Vec::with_capacity(batch.get_array_memory_size() / 2 + 64);
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name);
    let mut writer = StreamWriter::try_new(&mut out, &batch.schema())?;
    writer.write(batch)?;
    writer.finish()?;
    drop(writer);
    Ok(out)
}

fn decode_entry(entry: &WalEntry) -> Result<(DatasetName, Vec<RecordBatch>), StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        what: "WAL entry",
        detail: format!("seq {}: {detail}", entry.seq),
    };
    let p = &entry.payload;
    if p.len() < 2 {
        return Err(corrupt("too short".into()));
    }
    let n = u16::from_le_bytes([p[0], p[1]]) as usize;
    let name = std::str::from_utf8(
        p.get(2..2 + n)
            .ok_or_else(|| corrupt("truncated name".into()))?,
    )
    .map_err(|e| corrupt(e.to_string()))?;
    let dataset = DatasetName::new(name)?;
    let reader = StreamReader::try_new(Cursor::new(&p[2 + n..]), None)?;
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    Ok((dataset, batches))
}

fn schema_for<'a>(
    schemas: &'a mut BTreeMap<DatasetName, DatasetSchema>,
    dataset: &DatasetName,
) -> &'a mut DatasetSchema {
    schemas
        .entry(dataset.clone())
        .or_insert_with(|| DatasetSchema::new(dataset.kind()))
}

impl Store {
    /// Opens (or creates) the store in `config.data_dir`, replaying the WAL.
    pub fn open(config: StoreConfig) -> Result<(Store, RecoveryReport), StoreError> {
        let mut config = config;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(StoreError::io("create data directory", &config.data_dir))?;
        // Queries address files by absolute path: a relative data directory
        // (the default ./hannun-data) would resolve against the filesystem root.
        config.data_dir = std::fs::canonicalize(&config.data_dir)
            .map_err(StoreError::io("resolve data directory", &config.data_dir))?;
        let dir = config.data_dir.clone();
        let catalog = Catalog::load(&dir)?;
        let mut report = RecoveryReport {
            orphan_files_removed: remove_orphans(&dir, &catalog)?,
            ..Default::default()
        };
        let mut schemas: BTreeMap<DatasetName, DatasetSchema> = BTreeMap::new();
        for (name, schema) in &catalog.schemas {
            schemas.insert(DatasetName::new(name)?, schema.clone());
        }
        let mut active = Memtable::default();
        let (wal, torn) = Wal::open(&dir.join("wal"), catalog.checkpoint_seq, |entry| {
            let (dataset, batches) = decode_entry(&entry)?;
            report.replayed_entries += 1;
            for batch in batches {
                let batch = schema_for(&mut schemas, &dataset).absorb(batch)?;
                report.replayed_rows += batch.num_rows() as u64;
                active.push(&dataset, batch);
            }
            Ok(())
        })?;
        report.torn_bytes = torn;
        let state = State {
            catalog,
            schemas,
            active,
            flushing: Vec::new(),
            pending_deletes: Vec::new(),
        };
        let inner = Arc::new(Inner {
            config,
            wal,
            state: RwLock::new(state),
            gate: RwLock::new(()),
            flush_lock: Mutex::new(()),
            closed: AtomicBool::new(false),
            appended_batches: AtomicU64::new(0),
            appended_rows: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            compactions: AtomicU64::new(0),
            retention_deletes: AtomicU64::new(0),
            last_error: Mutex::new(None),
        });
        let store = Store {
            inner,
            background: Arc::new(Mutex::new(None)),
        };
        Ok((store, report))
    }

    /// Starts the background thread that flushes, compacts and applies retention.
    pub fn start_background(&self) {
        let inner = self.inner.clone();
        let handle = std::thread::Builder::new()
            .name("hannun-store".into())
            .spawn(move || background_loop(inner))
            .expect("spawn store thread");
        *self.background.lock().expect("background lock") = Some(handle);
    }

    /// The current schema of a dataset (an empty one if it has no data yet).
    pub fn dataset_schema(&self, dataset: &DatasetName) -> DatasetSchema {
        let state = self.inner.state.read().expect("state lock");
        state
            .schemas
            .get(dataset)
            .cloned()
            .unwrap_or_else(|| DatasetSchema::new(dataset.kind()))
    }

    /// Datasets that have a schema (have received data).
    pub fn datasets(&self) -> Vec<DatasetName> {
        self.inner
            .state
            .read()
            .expect("state lock")
            .schemas
            .keys()
            .cloned()
            .collect()
    }

    /// Bytes buffered in memory (memtables not yet in Parquet).
    pub(crate) fn buffered_bytes(&self) -> usize {
        let state = self.inner.state.read().expect("state lock");
        state.active.bytes + state.flushing.iter().map(|m| m.bytes).sum::<usize>()
    }

    /// Stores `batch` durably: returns once it is in the synced WAL, and it is
    /// visible to queries from then on. Blocks for the disk sync.
    pub fn append(&self, dataset: &DatasetName, batch: RecordBatch) -> Result<u64, StoreError> {
        self.append_all(vec![(dataset.clone(), batch)])
    }

    /// Stores batches of several datasets (a batch and the data derived from
    /// it) in one group commit: returns once all are in the synced WAL.
    pub fn append_all(&self, batches: Vec<(DatasetName, RecordBatch)>) -> Result<u64, StoreError> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let buffered = self.buffered_bytes();
        if buffered > inner.config.max_buffer_bytes {
            return Err(StoreError::Backpressure {
                buffered_bytes: buffered,
                limit_bytes: inner.config.max_buffer_bytes,
            });
        }
        let _gate = inner.gate.read().expect("gate lock");
        let batches = {
            let mut state = inner.state.write().expect("state lock");
            batches
                .into_iter()
                .map(|(dataset, batch)| {
                    let batch = schema_for(&mut state.schemas, &dataset).absorb(batch)?;
                    Ok((dataset, batch))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        };
        let payloads = batches
            .iter()
            .map(|(dataset, batch)| encode_entry(dataset, batch))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let refs: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
        let seq = inner.wal.append_many(&refs)?;
        let mut state = inner.state.write().expect("state lock");
        for (dataset, batch) in batches {
            inner.appended_batches.fetch_add(1, Ordering::Relaxed);
            inner
                .appended_rows
                .fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            state.active.push(&dataset, batch);
        }
        Ok(seq)
    }

    /// A consistent view of a dataset: its files and buffered rows.
    pub fn snapshot(&self, dataset: &DatasetName) -> Option<DatasetSnapshot> {
        let state = self.inner.state.read().expect("state lock");
        let schema = state.schemas.get(dataset)?.arrow_schema();
        let files = state
            .catalog
            .files
            .iter()
            .filter(|f| f.dataset == dataset.as_str())
            .map(|f| (self.inner.config.data_dir.join(&f.path), f.clone()))
            .collect();
        let mut batches = Vec::new();
        for table in state
            .flushing
            .iter()
            .map(|m| m.as_ref())
            .chain(std::iter::once(&state.active))
        {
            for batch in table.batches.get(dataset).into_iter().flatten() {
                // A batch that fails to conform is impossible for schemas that
                // only grow; skip rather than fail the whole query.
                if let Ok(b) = conform_batch(batch, &schema) {
                    batches.push(b);
                }
            }
        }
        Some(DatasetSnapshot {
            schema,
            files,
            batches,
        })
    }

    /// Size and time span of every dataset.
    pub fn dataset_stats(&self) -> Vec<DatasetStats> {
        let state = self.inner.state.read().expect("state lock");
        state
            .schemas
            .iter()
            .map(|(name, schema)| {
                let mut s = DatasetStats {
                    name: name.to_string(),
                    kind: schema.kind.as_str().to_owned(),
                    columns: schema.arrow_schema().fields().len(),
                    ..Default::default()
                };
                for f in state
                    .catalog
                    .files
                    .iter()
                    .filter(|f| f.dataset == name.as_str())
                {
                    s.files += 1;
                    s.file_bytes += f.bytes;
                    s.file_rows += f.rows;
                    s.min_time = Some(s.min_time.map_or(f.min_time, |m| m.min(f.min_time)));
                    s.max_time = Some(s.max_time.map_or(f.max_time, |m| m.max(f.max_time)));
                }
                for table in state
                    .flushing
                    .iter()
                    .map(|m| m.as_ref())
                    .chain(std::iter::once(&state.active))
                {
                    for b in table.batches.get(name).into_iter().flatten() {
                        s.buffered_rows += b.num_rows() as u64;
                        let (lo, hi) = time_range(b);
                        s.min_time = Some(s.min_time.map_or(lo, |m| m.min(lo)));
                        s.max_time = Some(s.max_time.map_or(hi, |m| m.max(hi)));
                    }
                }
                s
            })
            .collect()
    }

    pub fn stats(&self) -> StoreStats {
        let inner = &self.inner;
        StoreStats {
            appended_batches: inner.appended_batches.load(Ordering::Relaxed),
            appended_rows: inner.appended_rows.load(Ordering::Relaxed),
            wal_bytes: inner.wal.bytes_written(),
            buffered_bytes: self.buffered_bytes(),
            flushes: inner.flushes.load(Ordering::Relaxed),
            compactions: inner.compactions.load(Ordering::Relaxed),
            files_deleted_by_retention: inner.retention_deletes.load(Ordering::Relaxed),
            last_error: inner.last_error.lock().expect("error lock").clone(),
        }
    }

    /// Writes everything buffered to Parquet now.
    pub fn flush(&self) -> Result<(), StoreError> {
        flush(&self.inner)
    }

    /// Merges each day's small files into few large ones now.
    pub fn compact(&self) -> Result<usize, StoreError> {
        compact(&self.inner)
    }

    /// Deletes files past their dataset's retention, as of `now_nanos`
    /// (the background thread does it every minute; tests pick the time).
    #[cfg(test)]
    pub(crate) fn apply_retention(&self, now_nanos: i64) -> Result<usize, StoreError> {
        crate::maintenance::apply_retention(&self.inner, now_nanos)
    }

    /// Stops the background thread and flushes everything buffered.
    pub fn close(&self) -> Result<(), StoreError> {
        if self.inner.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        if let Some(handle) = self.background.lock().expect("background lock").take() {
            handle.thread().unpark();
            let _ = handle.join();
        }
        flush(&self.inner)?;
        delete_due_files(&self.inner, true);
        Ok(())
    }
}
