//! The embedded storage engine: a write-ahead log that is the ack point, an
//! in-memory Arrow buffer that queries see at once, sorted ZSTD Parquet files
//! with statistics and bloom filters, a catalog, compaction and retention.
//!
//! Knows nothing about wire formats, HTTP or SQL: it stores Arrow batches of
//! named datasets and hands consistent snapshots to the query layer.

mod catalog;
mod config;
mod engine;
mod error;
mod maintenance;
mod memtable;
mod parquet_io;
mod state;
mod wal;

#[cfg(test)]
mod tests;

pub use catalog::FileEntry;
pub use config::StoreConfig;
pub use engine::{DatasetSnapshot, DatasetStats, RecoveryReport, Store, StoreStats};
pub use error::StoreError;
