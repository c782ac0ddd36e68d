//! The store end to end on a real directory: append, snapshot, flush,
//! restart, compaction, retention.

use model::{BatchBuilder, DatasetName, Value};
use store::{Store, StoreConfig};

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
