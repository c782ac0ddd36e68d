//! Work behind the store's back: flushing the memtable to Parquet,
//! compaction, retention, deferred deletes, and the thread that runs them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use model::{DatasetName, conform_batch};

use crate::catalog::{Catalog, FileEntry};
use crate::error::StoreError;
use crate::memtable::Memtable;
use crate::parquet_io::{read_parquet, sort_and_split_by_day, time_range, write_parquet};
use crate::state::Inner;

/// Removes Parquet files the catalog does not list (a crash between writing
/// a file and committing the catalog) and leftover temporary files.
pub(crate) fn remove_orphans(dir: &Path, catalog: &Catalog) -> Result<u64, StoreError> {
    let listed: std::collections::HashSet<PathBuf> =
        catalog.files.iter().map(|f| dir.join(&f.path)).collect();
    let mut removed = 0;
    let mut stack = vec![dir.join("data")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !listed.contains(&path) {
                std::fs::remove_file(&path).map_err(StoreError::io("remove orphan file", &path))?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

pub(crate) fn flush(inner: &Inner) -> Result<(), StoreError> {
    let _one_at_a_time = inner.flush_lock.lock().expect("flush lock");
    let (frozen, boundary) = {
        let _gate = inner.gate.write().expect("gate lock");
        let mut state = inner.state.write().expect("state lock");
        if state.active.is_empty() {
            return Ok(());
        }
        let boundary = inner.wal.rotate()?;
        let frozen = Arc::new(std::mem::take(&mut state.active));
        state.flushing.push(frozen.clone());
        (frozen, boundary)
    };
    let result = write_memtable(inner, &frozen);
    let mut state = inner.state.write().expect("state lock");
    let new_files = match result {
        Ok(files) => files,
        Err(e) => {
            // Keep the memtable visible and the WAL intact; a later flush retries.
            state.flushing.retain(|m| !Arc::ptr_eq(m, &frozen));
            let frozen = Arc::try_unwrap(frozen).unwrap_or_else(|arc| clone_memtable(&arc));
            for (dataset, batches) in frozen.batches {
                for b in batches {
                    state.active.push(&dataset, b);
                }
            }
            return Err(e);
        }
    };
    let mut catalog = state.catalog.clone();
    catalog.files.extend(new_files);
    catalog.checkpoint_seq = boundary;
    catalog.schemas = state
        .schemas
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    catalog.save(&inner.config.data_dir)?;
    state.catalog = catalog;
    state.flushing.retain(|m| !Arc::ptr_eq(m, &frozen));
    drop(state);
    inner.flushes.fetch_add(1, Ordering::Relaxed);
    inner.wal.remove_through(boundary)
}

fn clone_memtable(m: &Memtable) -> Memtable {
    let mut out = Memtable::default();
    for (d, bs) in &m.batches {
        for b in bs {
            out.push(d, b.clone());
        }
    }
    out
}

/// Sorts `batches` (all of `schema`) into one Parquet file per UTC day and
/// returns their catalog entries; used by flushes (level 0) and compaction.
fn write_day_files(
    inner: &Inner,
    dataset: &DatasetName,
    schema: &arrow::datatypes::SchemaRef,
    batches: &[arrow::record_batch::RecordBatch],
    level: u32,
) -> Result<Vec<FileEntry>, StoreError> {
    let mut entries = Vec::new();
    for (day, batch) in sort_and_split_by_day(dataset.kind(), schema, batches)? {
        let relative = inner
            .state
            .write()
            .expect("state lock")
            .catalog
            .allocate_file_path(dataset.as_str(), day);
        let bytes = write_parquet(
            dataset.kind(),
            &inner.config.data_dir.join(&relative),
            &batch,
        )?;
        let (min_time, max_time) = time_range(&batch);
        entries.push(FileEntry {
            dataset: dataset.to_string(),
            path: relative.to_string_lossy().into_owned(),
            min_time,
            max_time,
            rows: batch.num_rows() as u64,
            bytes,
            level,
        });
    }
    Ok(entries)
}

/// Writes a frozen memtable as one sorted file per dataset and day.
fn write_memtable(inner: &Inner, frozen: &Memtable) -> Result<Vec<FileEntry>, StoreError> {
    let mut entries = Vec::new();
    for (dataset, batches) in &frozen.batches {
        let schema = {
            let state = inner.state.read().expect("state lock");
            state
                .schemas
                .get(dataset)
                .expect("dataset with data has a schema")
                .arrow_schema()
        };
        let conformed = batches
            .iter()
            .map(|b| conform_batch(b, &schema))
            .collect::<Result<Vec<_>, _>>()?;
        entries.extend(write_day_files(inner, dataset, &schema, &conformed, 0)?);
    }
    Ok(entries)
}

/// Merges, per dataset and day, the smallest files while their total size
/// and rows fit the targets.
pub(crate) fn compact(inner: &Inner) -> Result<usize, StoreError> {
    let _one_at_a_time = inner.flush_lock.lock().expect("flush lock");
    let groups: Vec<(String, Vec<FileEntry>)> = {
        let state = inner.state.read().expect("state lock");
        let mut by_day: BTreeMap<(String, i64), Vec<FileEntry>> = BTreeMap::new();
        for f in &state.catalog.files {
            by_day
                .entry((f.dataset.clone(), f.min_time.div_euclid(86_400_000_000_000)))
                .or_default()
                .push(f.clone());
        }
        by_day
            .into_iter()
            .filter_map(|((dataset, _), mut files)| {
                files.sort_by_key(|f| f.bytes);
                let (mut total, mut rows) = (0, 0);
                let picked: Vec<FileEntry> = files
                    .into_iter()
                    .take_while(|f| {
                        total += f.bytes;
                        rows += f.rows;
                        total <= inner.config.compaction_target_bytes
                            && rows <= inner.config.compaction_max_rows
                    })
                    .collect();
                (picked.len() >= 2).then_some((dataset, picked))
            })
            .collect()
    };
    let mut merged = 0;
    for (dataset, files) in groups {
        let name = DatasetName::new(&dataset)?;
        let schema = inner
            .state
            .read()
            .expect("state lock")
            .schemas
            .get(&name)
            .map(|s| s.arrow_schema());
        let Some(schema) = schema else { continue };
        let mut batches = Vec::new();
        for f in &files {
            for b in read_parquet(&inner.config.data_dir.join(&f.path))? {
                batches.push(conform_batch(&b, &schema)?);
            }
        }
        let level = files.iter().map(|f| f.level).max().unwrap_or(0) + 1;
        let new_files = write_day_files(inner, &name, &schema, &batches, level)?;
        let mut state = inner.state.write().expect("state lock");
        let mut catalog = state.catalog.clone();
        catalog
            .files
            .retain(|f| !files.iter().any(|old| old.path == f.path));
        catalog.files.extend(new_files);
        catalog.save(&inner.config.data_dir)?;
        state.catalog = catalog;
        let due = Instant::now() + inner.config.delete_grace;
        state.pending_deletes.extend(
            files
                .iter()
                .map(|f| (inner.config.data_dir.join(&f.path), due)),
        );
        merged += files.len();
        inner.compactions.fetch_add(1, Ordering::Relaxed);
    }
    Ok(merged)
}

pub(crate) fn apply_retention(inner: &Inner, now_nanos: i64) -> Result<usize, StoreError> {
    let mut state = inner.state.write().expect("state lock");
    let config = &inner.config;
    let expired: Vec<FileEntry> = state
        .catalog
        .files
        .iter()
        .filter(|f| {
            let days = config
                .retention_days
                .get(&f.dataset)
                .copied()
                .unwrap_or(config.default_retention_days);
            f.max_time < now_nanos - days as i64 * 86_400_000_000_000
        })
        .cloned()
        .collect();
    if expired.is_empty() {
        return Ok(0);
    }
    let mut catalog = state.catalog.clone();
    catalog.files.retain(|f| !expired.contains(f));
    catalog.save(&config.data_dir)?;
    state.catalog = catalog;
    let due = Instant::now() + config.delete_grace;
    state
        .pending_deletes
        .extend(expired.iter().map(|f| (config.data_dir.join(&f.path), due)));
    inner
        .retention_deletes
        .fetch_add(expired.len() as u64, Ordering::Relaxed);
    Ok(expired.len())
}

pub(crate) fn delete_due_files(inner: &Inner, all: bool) {
    let due: Vec<PathBuf> = {
        let mut state = inner.state.write().expect("state lock");
        let now = Instant::now();
        let (due, keep) = std::mem::take(&mut state.pending_deletes)
            .into_iter()
            .partition(|(_, t)| all || *t <= now);
        state.pending_deletes = keep;
        due.into_iter().map(|(p, _)| p).collect()
    };
    for path in due {
        let _ = std::fs::remove_file(path);
    }
}

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

pub(crate) fn background_loop(inner: Arc<Inner>) {
    let mut last_compaction = Instant::now();
    let mut last_retention = Instant::now() - Duration::from_secs(3600);
    while !inner.closed.load(Ordering::Acquire) {
        std::thread::park_timeout(Duration::from_millis(250));
        if inner.closed.load(Ordering::Acquire) {
            break;
        }
        let (bytes, oldest) = {
            let state = inner.state.read().expect("state lock");
            (state.active.bytes, state.active.oldest)
        };
        let mut result = Ok(());
        if bytes >= inner.config.flush_bytes
            || oldest.is_some_and(|t| t.elapsed() >= inner.config.flush_interval)
        {
            result = flush(&inner);
        }
        if result.is_ok() && last_compaction.elapsed() >= Duration::from_secs(10) {
            last_compaction = Instant::now();
            result = compact(&inner).map(|_| ());
        }
        if result.is_ok() && last_retention.elapsed() >= Duration::from_secs(60) {
            last_retention = Instant::now();
            result = apply_retention(&inner, now_nanos()).map(|_| ());
        }
        delete_due_files(&inner, false);
        if let Err(e) = result {
            tracing::error!(error = %e, "background storage task failed; will retry");
            *inner.last_error.lock().expect("error lock") = Some(e.to_string());
        }
    }
}
