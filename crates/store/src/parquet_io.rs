//! Sorting batches into file order and writing/reading Parquet files.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, AsArray, Int64Array, RecordBatch, UInt32Array};
use arrow::compute::{
    SortColumn, SortOptions, concat_batches, lexsort_to_indices, take_record_batch,
};
use arrow::datatypes::{DataType, SchemaRef, TimestampNanosecondType};
use arrow::row::{RowConverter, SortField};
use model::{DatasetKind, TIME_COLUMN, core_columns, summed_columns};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, Encoding, ZstdLevel};
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
        DatasetKind::Logs
        | DatasetKind::Spans
        | DatasetKind::SpanMetrics
        | DatasetKind::Errors
        | DatasetKind::CallPairs => &["service", TIME_COLUMN],
        DatasetKind::Metrics => &["metric", "service", TIME_COLUMN],
        DatasetKind::Events => &[TIME_COLUMN],
        // Counted views first: the traffic queries read each kind of view
        // apart, and row-group statistics skip the others.
        DatasetKind::Flows => &["counted", "client_service", TIME_COLUMN],
        // By source and identity: an investigation reads one actor's events.
        DatasetKind::Audit => &["source", "actor", TIME_COLUMN],
        DatasetKind::Signals => &["rule_id", TIME_COLUMN],
        // By source and client: an investigation reads one address's requests.
        DatasetKind::Requests => &["source", "client_ip", TIME_COLUMN],
    }
}

/// Merges adjacent rows that agree on every column but `summed`, adding up
/// their `summed` (Int64) columns. Returns the merged batch and the index of
/// each group's first row.
fn sum_equal_keys(
    batch: &RecordBatch,
    summed: &[&str],
) -> Result<(RecordBatch, UInt32Array), StoreError> {
    let schema = batch.schema();
    let (mut key_columns, mut key_fields, mut sum_columns) = (Vec::new(), Vec::new(), Vec::new());
    for (i, field) in schema.fields().iter().enumerate() {
        if summed.contains(&field.name().as_str()) && field.data_type() == &DataType::Int64 {
            sum_columns.push(i);
        } else {
            key_columns.push(batch.column(i).clone());
            key_fields.push(SortField::new(field.data_type().clone()));
        }
    }
    let rows = RowConverter::new(key_fields)?.convert_columns(&key_columns)?;
    let mut firsts: Vec<u32> = Vec::new();
    let mut sums: Vec<Vec<i64>> = vec![Vec::new(); sum_columns.len()];
    let values: Vec<&Int64Array> = sum_columns
        .iter()
        .map(|&i| {
            batch
                .column(i)
                .as_primitive::<arrow::datatypes::Int64Type>()
        })
        .collect();
    for r in 0..batch.num_rows() {
        if r == 0 || rows.row(r) != rows.row(r - 1) {
            firsts.push(r as u32);
            for s in &mut sums {
                s.push(0);
            }
        }
        for (s, v) in sums.iter_mut().zip(&values) {
            let last = s.last_mut().expect("a group was started");
            *last = last.saturating_add(if v.is_null(r) { 0 } else { v.value(r) });
        }
    }
    let firsts = UInt32Array::from(firsts);
    let merged = take_record_batch(batch, &firsts)?;
    let mut columns = merged.columns().to_vec();
    for (&i, s) in sum_columns.iter().zip(sums) {
        columns[i] = Arc::new(Int64Array::from(s));
    }
    Ok((RecordBatch::try_new(schema, columns)?, firsts))
}

/// Concatenates `batches` (all of `schema`), sorts them into file order and
/// splits them by UTC day: one `(day, batch)` per day present. Datasets with
/// summed columns (`model::summed_columns`) keep one row per key.
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
    let summed = summed_columns(kind);
    let batch_schema = batch.schema();
    let mut keys: Vec<&str> = sort_keys(kind).to_vec();
    if !summed.is_empty() {
        // Rows to be summed must be adjacent: sort by every other column too.
        for field in batch_schema.fields() {
            let name = field.name().as_str();
            if !keys.contains(&name) && !summed.contains(&name) {
                keys.push(name);
            }
        }
    }
    for key in keys {
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
    let (sorted, days) = if summed.is_empty() {
        (sorted, days)
    } else {
        let (merged, firsts) = sum_equal_keys(&sorted, summed)?;
        let days = arrow::compute::take(&days, &firsts, None)?;
        (merged, days)
    };
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

/// Span columns of nanosecond times and durations: delta-encoded, as they
/// change little from row to row within a service.
const DELTA_COLUMNS: &[&str] = &[TIME_COLUMN, "end_timestamp", "duration_ns"];

fn writer_properties(kind: DatasetKind, schema: &SchemaRef, rows: usize) -> WriterProperties {
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
            // Sized for the values a row group can hold: the default (a
            // million) costs several bytes per row in small files.
            .set_column_bloom_filter_max_ndv(path.clone(), rows.clamp(1, ROW_GROUP_ROWS) as u64)
            .set_column_dictionary_enabled(path, false);
    }
    if kind == DatasetKind::Spans {
        for name in DELTA_COLUMNS {
            let path = ColumnPath::from(*name);
            builder = builder
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED);
        }
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
        Some(writer_properties(kind, &batch.schema(), batch.num_rows())),
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
