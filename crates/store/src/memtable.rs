//! The in-memory buffer of acknowledged batches not yet in Parquet.

use std::collections::BTreeMap;
use std::time::Instant;

use arrow::record_batch::RecordBatch;
use model::DatasetName;

/// Batches per dataset, in arrival order.
#[derive(Default)]
pub(crate) struct Memtable {
    pub(crate) batches: BTreeMap<DatasetName, Vec<RecordBatch>>,
    pub(crate) bytes: usize,
    pub(crate) rows: usize,
    pub(crate) oldest: Option<Instant>,
}

impl Memtable {
    pub(crate) fn push(&mut self, dataset: &DatasetName, batch: RecordBatch) {
        self.bytes += batch.get_array_memory_size();
        self.rows += batch.num_rows();
        self.oldest.get_or_insert_with(Instant::now);
        self.batches.entry(dataset.clone()).or_default().push(batch);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }
}
