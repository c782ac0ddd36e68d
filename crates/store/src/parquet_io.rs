//! Sorting batches into file order and writing/reading Parquet files.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{AsArray, Int64Array, RecordBatch};
use arrow::compute::{
    SortColumn, SortOptions, concat_batches, lexsort_to_indices, take_record_batch,
};
use arrow::datatypes::{SchemaRef, TimestampNanosecondType};
use model::{DatasetKind, TIME_COLUMN, core_columns};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::error::StoreError;

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
/// Rows per row group: small enough that a bloom filter or statistics can
/// skip most of a file for a needle search, large enough to compress well.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Columns a dataset's files are sorted by, after the day: a low-cardinality
/// locality key, then time (DESIGN.md, "Storage").
fn sort_keys(kind: DatasetKind) -> &'static [&'static str] {
    match kind {
        DatasetKind::Logs | DatasetKind::Spans | DatasetKind::SpanMetrics | DatasetKind::Errors => {
            &["service", TIME_COLUMN]
        }
        DatasetKind::Metrics => &["metric", "service", TIME_COLUMN],
        DatasetKind::Events => &[TIME_COLUMN],
    }
}

/// Concatenates `batches` (all of `schema`), sorts them into file order and
/// splits them by UTC day: one `(day, batch)` per day present.
pub(crate) fn sort_and_split_by_day(
    kind: DatasetKind,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<Vec<(i64, RecordBatch)>, StoreError> {
    let batch = concat_batches(schema, batches)?;
    if batch.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let time = batch
        .column_by_name(TIME_COLUMN)
        .expect("every dataset has a time column")
        .as_primitive::<TimestampNanosecondType>();
    let days: Int64Array = time
        .iter()
        .map(|t| t.map(|t| t.div_euclid(NANOS_PER_DAY)))
        .collect();
    let mut columns = vec![SortColumn {
        values: Arc::new(days.clone()),
        options: None,
    }];
    for key in sort_keys(kind) {
        if let Some(values) = batch.column_by_name(key) {
            columns.push(SortColumn {
                values: values.clone(),
                options: Some(SortOptions {
                    descending: false,
                    nulls_first: true,
                }),
            });
        }
    }
    let indices = lexsort_to_indices(&columns, None)?;
    let sorted = take_record_batch(&batch, &indices)?;
    let days = arrow::compute::take(&days, &indices, None)?;
    let days = days.as_primitive::<arrow::datatypes::Int64Type>();
    let mut out = Vec::new();
    let mut start = 0;
    while start < sorted.num_rows() {
        let day = days.value(start);
        let mut end = start + 1;
        while end < sorted.num_rows() && days.value(end) == day {
            end += 1;
        }
        out.push((day, sorted.slice(start, end - start)));
        start = end;
    }
    Ok(out)
}

fn writer_properties(kind: DatasetKind, schema: &SchemaRef) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_column_dictionary_enabled(ColumnPath::from(model::ATTRIBUTES_COLUMN), false);
    for column in core_columns(kind).iter().filter(|c| c.bloom_filter) {
        let path = ColumnPath::from(column.name);
        builder = builder
            .set_column_bloom_filter_enabled(path.clone(), true)
            .set_column_bloom_filter_fpp(path.clone(), 0.01)
            .set_column_dictionary_enabled(path, false);
    }
    let sorting: Vec<SortingColumn> = sort_keys(kind)
        .iter()
        .filter_map(|k| schema.index_of(k).ok())
        .map(|i| SortingColumn {
            column_idx: i as i32,
            descending: false,
            nulls_first: true,
        })
        .collect();
    builder.set_sorting_columns(Some(sorting)).build()
}

/// Writes `batch` to `path` through a temporary file that is synced and
/// renamed, so a crash never leaves a half-written file under a real name.
/// Returns the file size.
pub(crate) fn write_parquet(
    kind: DatasetKind,
    path: &Path,
    batch: &RecordBatch,
) -> Result<u64, StoreError> {
    let parent = path.parent().expect("file path has a directory");
    std::fs::create_dir_all(parent).map_err(StoreError::io("create data directory", parent))?;
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(StoreError::io("create Parquet file", &tmp))?;
    let mut writer = ArrowWriter::try_new(
        file,
        batch.schema(),
        Some(writer_properties(kind, &batch.schema())),
    )?;
    writer.write(batch)?;
    let file = writer.into_inner()?;
    file.sync_all()
        .map_err(StoreError::io("sync Parquet file", &tmp))?;
    let bytes = file
        .metadata()
        .map_err(StoreError::io("stat Parquet file", &tmp))?
        .len();
    std::fs::rename(&tmp, path).map_err(StoreError::io("rename Parquet file", path))?;
    File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("sync directory", parent))?;
    Ok(bytes)
}

/// Reads a whole Parquet file.
pub(crate) fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, StoreError> {
    let file = File::open(path).map_err(StoreError::io("open Parquet file", path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
        .with_batch_size(64 * 1024)
        .build()?;
    reader.map(|b| b.map_err(StoreError::from)).collect()
}

/// Smallest and largest time in a sorted-by-day batch.
pub(crate) fn time_range(batch: &RecordBatch) -> (i64, i64) {
    let time = batch
        .column_by_name(TIME_COLUMN)
        .expect("every dataset has a time column")
        .as_primitive::<TimestampNanosecondType>();
    let min = arrow::compute::min(time).unwrap_or(0);
    let max = arrow::compute::max(time).unwrap_or(0);
    (min, max)
}
