//! What the store's handle and its maintenance work share: the catalog,
//! schemas and memtables behind one lock, the WAL, the gate and counters.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use model::{DatasetName, DatasetSchema};

use crate::catalog::Catalog;
use crate::config::StoreConfig;
use crate::memtable::Memtable;
use crate::wal::Wal;

/// Everything behind the state lock.
pub(crate) struct State {
    pub(crate) catalog: Catalog,
    pub(crate) schemas: BTreeMap<DatasetName, DatasetSchema>,
    pub(crate) active: Memtable,
    /// Memtables being written to Parquet: still visible to queries.
    pub(crate) flushing: Vec<Arc<Memtable>>,
    /// Replaced files and when they may be deleted.
    pub(crate) pending_deletes: Vec<(PathBuf, Instant)>,
}

/// The engine behind a `Store` handle.
pub(crate) struct Inner {
    pub(crate) config: StoreConfig,
    pub(crate) wal: Wal,
    pub(crate) state: RwLock<State>,
    /// Appenders hold it shared across WAL write and memtable insert; a flush
    /// holds it exclusively while it rotates the WAL and swaps the memtable,
    /// so no acknowledged entry is in a deleted segment but not in Parquet.
    pub(crate) gate: RwLock<()>,
    pub(crate) flush_lock: Mutex<()>,
    pub(crate) closed: AtomicBool,
    pub(crate) appended_batches: AtomicU64,
    pub(crate) appended_rows: AtomicU64,
    pub(crate) flushes: AtomicU64,
    pub(crate) compactions: AtomicU64,
    pub(crate) retention_deletes: AtomicU64,
    pub(crate) last_error: Mutex<Option<String>>,
}
