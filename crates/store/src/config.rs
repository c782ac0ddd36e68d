//! The engine's settings, validated by the binary's config.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Settings of the embedded engine (validated by the binary's config).
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub(crate) data_dir: PathBuf,
    /// Flush the memtable to Parquet once it holds this many bytes...
    pub flush_bytes: usize,
    /// ...or once its oldest batch is this old.
    pub flush_interval: Duration,
    /// Refuse appends (backpressure) while buffered bytes exceed this.
    pub max_buffer_bytes: usize,
    /// Compaction merges a day's files while their total stays under this.
    pub(crate) compaction_target_bytes: u64,
    /// Compaction also stops adding files at this many rows: the merge holds
    /// its input decoded in memory, which for spans is 10-20 times the
    /// compressed bytes.
    pub(crate) compaction_max_rows: u64,
    /// Days of data kept per dataset; datasets not listed use `default_retention_days`.
    pub retention_days: BTreeMap<String, u32>,
    pub default_retention_days: u32,
    /// Files replaced by compaction or retention are deleted after this
    /// delay, so queries that already planned on them can finish.
    pub delete_grace: Duration,
}

impl StoreConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            data_dir: data_dir.into(),
            flush_bytes: 64 << 20,
            flush_interval: Duration::from_secs(30),
            max_buffer_bytes: 512 << 20,
            compaction_target_bytes: 256 << 20,
            compaction_max_rows: 2_000_000,
            // Audit trails are kept as long as investigations and
            // compliance look back (Datadog keeps Cloud SIEM data 15
            // months); other datasets use the default.
            retention_days: BTreeMap::from([
                (model::DatasetName::AUDIT.to_owned(), 455),
                (model::DatasetName::SIGNALS.to_owned(), 455),
            ]),
            default_retention_days: 30,
            delete_grace: Duration::from_secs(120),
        }
    }
}
