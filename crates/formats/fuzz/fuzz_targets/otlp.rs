//! Fuzzes the OTLP decoders: any bytes as protobuf or JSON of each signal
//! either fail to parse with an error or decode without panicking.
#![no_main]

use formats::OtlpEncoding;
use libfuzzer_sys::fuzz_target;
use model::{DatasetKind, DatasetSchema};

fuzz_target!(|data: &[u8]| {
    let window = formats::TimeWindow::new(1_700_000_000_000_000_000, 30 * 86_400_000_000_000, 3_600_000_000_000);
    for encoding in [OtlpEncoding::Protobuf, OtlpEncoding::Json] {
        if let Ok(r) = formats::parse_otlp_logs(data, encoding) {
            let _ = formats::decode_otlp_logs(&r, &DatasetSchema::new(DatasetKind::Logs), &window);
        }
        if let Ok(r) = formats::parse_otlp_traces(data, encoding) {
            let _ = formats::decode_otlp_traces(&r, &DatasetSchema::new(DatasetKind::Spans), &window);
        }
        if let Ok(r) = formats::parse_otlp_metrics(data, encoding) {
            let _ = formats::decode_otlp_metrics(&r, &DatasetSchema::new(DatasetKind::Metrics), &window);
        }
    }
});
