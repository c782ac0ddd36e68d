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

/// Batches of fewer rows than this are small: each costs its arrays'
/// fixed overhead (tens of KB for a wide schema) whatever its rows.
const SMALL_BATCH_ROWS: usize = 1024;
/// This many small batches in a row (same schema) are merged into one, so
/// a stream of tiny appends (an S3 source importing thousands of one-line
/// objects) costs memory by its rows, not by its appends.
const MERGE_SMALL_BATCHES: usize = 32;

impl Memtable {
    pub(crate) fn push(&mut self, dataset: &DatasetName, batch: RecordBatch) {
        self.bytes += batch.get_array_memory_size();
        self.rows += batch.num_rows();
        self.oldest.get_or_insert_with(Instant::now);
        let list = self.batches.entry(dataset.clone()).or_default();
        list.push(batch);
        let schema = list[list.len() - 1].schema();
        let small = list
            .iter()
            .rev()
            .take_while(|b| b.num_rows() < SMALL_BATCH_ROWS && b.schema() == schema)
            .count();
        if small >= MERGE_SMALL_BATCHES {
            let tail = list.split_off(list.len() - small);
            match arrow::compute::concat_batches(&schema, &tail) {
                Ok(merged) => {
                    let before: usize = tail.iter().map(RecordBatch::get_array_memory_size).sum();
                    self.bytes = self.bytes - before + merged.get_array_memory_size();
                    list.push(merged);
                }
                // Cannot happen for batches of one schema; keep them as they were.
                Err(_) => list.extend(tail),
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    #[test]
    fn tiny_appends_are_merged_and_keep_every_row_in_order() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("s", DataType::Utf8, true),
        ]));
        let mut m = Memtable::default();
        let d = DatasetName::new("events").unwrap();
        let mut unmerged = 0;
        for i in 0..100i64 {
            let b = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(vec![i])),
                    Arc::new(StringArray::from(vec![Some("x")])),
                ],
            )
            .unwrap();
            unmerged += b.get_array_memory_size();
            m.push(&d, b);
        }
        let batches = &m.batches[&d];
        assert!(
            batches.len() < MERGE_SMALL_BATCHES,
            "{} batches",
            batches.len()
        );
        let values: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .values()
                    .to_vec()
            })
            .collect();
        assert_eq!(values, (0..100).collect::<Vec<_>>());
        assert_eq!(m.rows, 100);
        assert_eq!(
            m.bytes,
            batches
                .iter()
                .map(RecordBatch::get_array_memory_size)
                .sum::<usize>()
        );
        assert!(m.bytes < unmerged / 4, "{} of {unmerged}", m.bytes);
    }
}
