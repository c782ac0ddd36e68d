//! Fuzzes the NDJSON decoder: any bytes, for every dataset kind, must give
//! accepted rows and rejects, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::{DatasetKind, DatasetSchema};

fuzz_target!(|data: &[u8]| {
    let window = formats::TimeWindow::new(1_700_000_000_000_000_000, 30 * 86_400_000_000_000, 3_600_000_000_000);
    for kind in [DatasetKind::Logs, DatasetKind::Spans, DatasetKind::Metrics, DatasetKind::Events] {
        let decoded = formats::decode_ndjson(data, &DatasetSchema::new(kind), &window).expect("ndjson never fails whole");
        if let Some(built) = decoded.built {
            assert_eq!(built.batch.num_rows(), decoded.accepted);
        }
    }
});
