//! The store end to end on a real directory: append, snapshot, flush,
//! restart, compaction, retention. In the crate, so it can set the
//! compaction limit and run retention, which other crates do not reach.

use crate::{Store, StoreConfig};
use model::{BatchBuilder, DatasetName, Value};

const DAY: i64 = 86_400_000_000_000;
const BASE: i64 = 1_760_000_000_000_000_000;

fn logs_batch(store: &Store, start: i64, rows: usize) -> arrow::record_batch::RecordBatch {
    let schema = store.dataset_schema(&DatasetName::logs());
    let mut b = BatchBuilder::new(&schema);
    let service = b.core_index("service").unwrap();
    let body = b.core_index("body").unwrap();
    for i in 0..rows {
        b.set_time(start + i as i64 * 1_000_000_000);
        b.set_core(
            service,
            Value::Text(if i % 2 == 0 { "jobs-api" } else { "cards-api" }),
        );
        b.set_core(body, Value::Text("hello"));
        b.set_attribute("n", Value::Int(i as i64));
        b.end_row();
    }
    b.finish().unwrap().batch
}

fn rows(store: &Store) -> usize {
    let snap = store.snapshot(&DatasetName::logs()).unwrap();
    snap.batches.iter().map(|b| b.num_rows()).sum::<usize>()
        + snap.files.iter().map(|f| f.1.rows as usize).sum::<usize>()
}

#[test]
fn appended_rows_survive_restart_flush_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::new(dir.path());
    let (store, report) = Store::open(config.clone()).unwrap();
    assert_eq!(report.replayed_entries, 0);
    store
        .append(&DatasetName::logs(), logs_batch(&store, BASE, 100))
        .unwrap();
    assert_eq!(rows(&store), 100);
    // Restart without a flush: the WAL brings the rows back.
    drop(store);
    let (store, report) = Store::open(config.clone()).unwrap();
    assert_eq!((report.replayed_entries, report.replayed_rows), (1, 100));
    assert_eq!(rows(&store), 100);
    store.flush().unwrap();
    // A batch spanning midnight becomes two files after a flush.
    let midnight = (BASE / DAY + 1) * DAY;
    store
        .append(
            &DatasetName::logs(),
            logs_batch(&store, midnight - 50_000_000_000, 100),
        )
        .unwrap();
    store.flush().unwrap();
    let snap = store.snapshot(&DatasetName::logs()).unwrap();
    assert!(snap.batches.is_empty());
    assert_eq!(snap.files.len(), 3);
    assert_eq!(rows(&store), 200);
    store.close().unwrap();
    drop(store);
    let (store, report) = Store::open(config.clone()).unwrap();
    assert_eq!(
        report.replayed_entries, 0,
        "flushed entries are not replayed"
    );
    assert_eq!(rows(&store), 200);
    let merged = store.compact().unwrap();
    assert_eq!(merged, 2, "the two files of the first day merge");
    assert_eq!(store.snapshot(&DatasetName::logs()).unwrap().files.len(), 2);
    assert_eq!(rows(&store), 200);
    // Retention of 1 day, 3 days later, drops everything.
    assert_eq!(
        store.apply_retention(BASE + 3 * DAY).unwrap(),
        0,
        "default retention is 30 days"
    );
    store.close().unwrap();
    let mut config = config;
    config.default_retention_days = 1;
    let (store, _) = Store::open(config).unwrap();
    assert_eq!(store.apply_retention(BASE + 3 * DAY).unwrap(), 2);
    assert_eq!(rows(&store), 0);
}

#[test]
fn schema_grows_across_batches_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::new(dir.path());
    let (store, _) = Store::open(config.clone()).unwrap();
    let ds = DatasetName::new("checkout").unwrap();
    for (i, key) in ["a", "b"].iter().enumerate() {
        let mut b = BatchBuilder::new(&store.dataset_schema(&ds));
        b.set_time(BASE + i as i64);
        b.set_attribute(key, Value::Text("x"));
        b.end_row();
        store.append(&ds, b.finish().unwrap().batch).unwrap();
    }
    let snap = store.snapshot(&ds).unwrap();
    let names: Vec<_> = snap
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["timestamp", "a", "b", "attributes"]);
    assert!(snap.batches.iter().all(|b| b.schema() == snap.schema));
    store.flush().unwrap();
    drop(store);
    let (store, _) = Store::open(config).unwrap();
    assert_eq!(store.dataset_schema(&ds).attributes.len(), 2);
}

#[test]
fn backpressure_refuses_appends_over_the_buffer_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = StoreConfig::new(dir.path());
    config.max_buffer_bytes = 1;
    let (store, _) = Store::open(config).unwrap();
    store
        .append(&DatasetName::logs(), logs_batch(&store, BASE, 10))
        .unwrap();
    let err = store
        .append(&DatasetName::logs(), logs_batch(&store, BASE, 10))
        .unwrap_err();
    assert!(err.to_string().contains("write buffer is full"), "{err}");
    store.flush().unwrap();
    store
        .append(&DatasetName::logs(), logs_batch(&store, BASE, 10))
        .unwrap();
}

fn rollup_batch(store: &Store, rows: &[(i64, &str, i64, i64)]) -> arrow::record_batch::RecordBatch {
    let schema = store.dataset_schema(&DatasetName::span_metrics());
    let mut b = BatchBuilder::new(&schema);
    let (service, bucket, count, errors) = (
        b.core_index("service").unwrap(),
        b.core_index("latency_bucket").unwrap(),
        b.core_index("count").unwrap(),
        b.core_index("errors").unwrap(),
    );
    for &(minute, svc, lat, n) in rows {
        b.set_time(BASE + minute * 60_000_000_000);
        b.set_core(service, Value::Text(svc));
        b.set_core(bucket, Value::Int(lat));
        b.set_core(count, Value::Int(n));
        b.set_core(errors, Value::Int(n / 2));
        b.end_row();
    }
    b.finish().unwrap().batch
}

#[test]
fn rollup_rows_with_the_same_key_are_summed_on_flush_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(StoreConfig::new(dir.path())).unwrap();
    let name = DatasetName::span_metrics();
    let a = rollup_batch(
        &store,
        &[(0, "jobs", 40, 2), (0, "jobs", 41, 1), (1, "cards", 40, 4)],
    );
    let b = rollup_batch(&store, &[(0, "jobs", 40, 3), (1, "cards", 40, 6)]);
    store.append(&name, a).unwrap();
    store.append(&name, b).unwrap();
    store.flush().unwrap();
    let c = rollup_batch(&store, &[(0, "jobs", 40, 10)]);
    store.append(&name, c).unwrap();
    store.flush().unwrap();
    store.compact().unwrap();
    let snap = store.snapshot(&name).unwrap();
    assert_eq!(snap.files.len(), 1, "compacted into one file");
    assert_eq!(snap.files[0].1.rows, 3, "one row per key");
    let mut rows = Vec::new();
    for (path, _) in &snap.files {
        let file = std::fs::File::open(path).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            use arrow::array::AsArray;
            let svc = batch
                .column_by_name("service")
                .unwrap()
                .as_string::<i32>()
                .clone();
            let lat = batch
                .column_by_name("latency_bucket")
                .unwrap()
                .as_primitive::<arrow::datatypes::Int64Type>()
                .clone();
            let n = batch
                .column_by_name("count")
                .unwrap()
                .as_primitive::<arrow::datatypes::Int64Type>()
                .clone();
            let e = batch
                .column_by_name("errors")
                .unwrap()
                .as_primitive::<arrow::datatypes::Int64Type>()
                .clone();
            for i in 0..batch.num_rows() {
                rows.push((
                    svc.value(i).to_owned(),
                    lat.value(i),
                    n.value(i),
                    e.value(i),
                ));
            }
        }
    }
    rows.sort();
    assert_eq!(
        rows,
        [
            ("cards".to_owned(), 40, 10, 5),
            ("jobs".to_owned(), 40, 15, 1 + 1 + 5),
            ("jobs".to_owned(), 41, 1, 0),
        ]
    );
}

#[test]
fn compaction_stops_at_its_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = StoreConfig::new(dir.path());
    config.compaction_max_rows = 250;
    let (store, _) = Store::open(config).unwrap();
    for i in 0..4 {
        store
            .append(
                &DatasetName::logs(),
                logs_batch(&store, BASE + i * 1_000_000_000_000, 100),
            )
            .unwrap();
        store.flush().unwrap();
    }
    assert_eq!(store.snapshot(&DatasetName::logs()).unwrap().files.len(), 4);
    // Two files of 100 rows fit under 250 rows; a third would not.
    assert_eq!(store.compact().unwrap(), 2);
    let files = store.snapshot(&DatasetName::logs()).unwrap().files;
    assert_eq!(files.len(), 3);
    assert_eq!(rows(&store), 400);
}
