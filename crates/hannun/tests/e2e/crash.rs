//! kill -9 while a client ingests; after a restart every acknowledged record
//! is there, and a torn WAL tail is tolerated.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::{Server, client};

const ROWS_PER_BATCH: usize = 200;

#[test]
fn every_acknowledged_record_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    // Flush often so the crash also hits flushes and compactions in flight.
    let config = "[storage]\nflush_seconds = 1\n";
    let server = Server::start(dir.path(), config);
    let url = server.url("/api/v1/ingest/crash");
    let acknowledged = Arc::new(Mutex::new(Vec::<usize>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let (url, acknowledged, stop) = (url.clone(), acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                let http = client();
                let mut batch = writer;
                while !stop.load(Ordering::Relaxed) {
                    let body: String = (0..ROWS_PER_BATCH)
                        .map(|i| format!("{{\"batch\":{batch},\"row\":{i},\"message\":\"crash test line {i} of batch {batch}\"}}\n"))
                        .collect();
                    if let Ok(r) = http.post(&url).body(body).send()
                        && r.status().is_success() {
                            acknowledged.lock().unwrap().push(batch);
                        }
                    batch += 2;
                }
            })
        })
        .collect();
    // Let some batches be acknowledged and at least one flush happen.
    while acknowledged.lock().unwrap().len() < 60 {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1200));
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    // Simulate a write torn by the crash: half a frame at the end of the log.
    let wal = dir.path().join("data/wal");
    let mut segments: Vec<_> = std::fs::read_dir(&wal)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    segments.sort();
    let last = segments.last().unwrap();
    let mut bytes = std::fs::read(last).unwrap();
    bytes.extend_from_slice(&[0x10, 0, 0, 0, 0xde, 0xad]);
    std::fs::write(last, bytes).unwrap();

    let server = Server::start(dir.path(), config);
    let rows = server.sql("SELECT batch, count(*) AS n FROM crash GROUP BY batch");
    let stored: std::collections::HashMap<i64, i64> = rows
        .iter()
        .map(|r| (r["batch"].as_i64().unwrap(), r["n"].as_i64().unwrap()))
        .collect();
    for batch in &acknowledged {
        assert_eq!(
            stored.get(&(*batch as i64)),
            Some(&(ROWS_PER_BATCH as i64)),
            "acknowledged batch {batch} is missing or partial"
        );
    }
    // A batch is all or nothing, acknowledged or not.
    assert!(stored.values().all(|n| *n == ROWS_PER_BATCH as i64));
    assert!(stored.len() >= acknowledged.len());
    // And the restarted server takes writes again.
    let r = client()
        .post(server.url("/api/v1/ingest/crash"))
        .body("{\"batch\":-1}")
        .send()
        .unwrap();
    assert!(r.status().is_success());
}
