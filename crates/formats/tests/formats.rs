//! Decoders on fixtures in the formats' own shapes, as snapshots of the
//! Arrow batch they build and the records they reject.

use arrow::util::pretty::pretty_format_batches;
use formats::{Decoded, OtlpEncoding, TimeWindow};
use model::{DatasetKind, DatasetSchema};
use prost::Message;

/// 2018-12-13T14:51:00Z, the time of the OTLP specification's examples.
const NOW: i64 = 1_544_712_660_000_000_000;

fn window() -> TimeWindow {
    TimeWindow::new(NOW, 30 * 86_400_000_000_000, 3_600_000_000_000)
}

fn render(decoded: &Decoded) -> String {
    let table = match &decoded.built {
        Some(b) => pretty_format_batches(std::slice::from_ref(&b.batch))
            .unwrap()
            .to_string(),
        None => "(no rows)".into(),
    };
    let rejects: Vec<String> = decoded
        .reject_samples
        .iter()
        .map(|r| format!("record {}: {}", r.record, r.reason))
        .collect();
    format!(
        "accepted {} rejected {}\n{}\n{table}\n",
        decoded.accepted,
        decoded.rejected,
        rejects.join("\n")
    )
}

fn check_ndjson(kind: DatasetKind, input: &str) -> String {
    render(&formats::decode_ndjson(input.as_bytes(), &DatasetSchema::new(kind), &window()).unwrap())
}

#[test]
fn ndjson_logs() {
    let input = [
        r#"{"@timestamp":"2018-12-13T14:50:00Z","service":"jobs-api","level":"WARNING","msg":"slow query","http":{"status_code":200,"route":"/v1/jobs"},"tags":["a","b"]}"#,
        r#"{"time":1544712600,"service.name":"cards-api","severity":"err","message":"boom","duration_ms":12.5,"user":{"id":7,"vip":true}}"#,
        r#"{"time":1544712601,"message":{"structured":"body"},"trace_id":["not","text"]}"#,
        r#"{"message":"no time: gets the receive time","attributes":{"k":"v"}}"#,
        "",
        r#"{"timestamp":"yesterday","message":"bad time"}"#,
        r#"{"timestamp":"2030-01-01T00:00:00Z","message":"future"}"#,
        r#""just a string""#,
        r#"{"broken": "#,
    ]
    .join("\n");
    insta::assert_snapshot!(check_ndjson(DatasetKind::Logs, &input));
}

#[test]
fn ndjson_events_with_type_conflict() {
    let input = [
        r#"{"timestamp":"2018-12-13T14:50:00Z","order_id":"o-1","amount":1200,"paid":true}"#,
        r#"{"timestamp":"2018-12-13T14:50:01Z","order_id":"o-2","amount":"unknown","paid":"yes","nested":{"a":{"b":{"c":1}}}}"#,
    ]
    .join("\n");
    insta::assert_snapshot!(check_ndjson(DatasetKind::Events, &input));
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/test_data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn otlp_json_logs_traces_metrics() {
    let logs = formats::parse_otlp_logs(&fixture("logs.json"), OtlpEncoding::Json).unwrap();
    let decoded =
        formats::decode_otlp_logs(&logs, &DatasetSchema::new(DatasetKind::Logs), &window())
            .unwrap();
    insta::assert_snapshot!("otlp_logs", render(&decoded));
    // The same request as protobuf decodes to the same batch.
    let proto = formats::parse_otlp_logs(&logs.encode_to_vec(), OtlpEncoding::Protobuf).unwrap();
    let again =
        formats::decode_otlp_logs(&proto, &DatasetSchema::new(DatasetKind::Logs), &window())
            .unwrap();
    assert_eq!(render(&again), render(&decoded));

    let traces = formats::parse_otlp_traces(&fixture("traces.json"), OtlpEncoding::Json).unwrap();
    let decoded =
        formats::decode_otlp_traces(&traces, &DatasetSchema::new(DatasetKind::Spans), &window())
            .unwrap();
    insta::assert_snapshot!("otlp_traces", render(&decoded));

    let metrics =
        formats::parse_otlp_metrics(&fixture("metrics.json"), OtlpEncoding::Json).unwrap();
    let decoded = formats::decode_otlp_metrics(
        &metrics,
        &DatasetSchema::new(DatasetKind::Metrics),
        &window(),
    )
    .unwrap();
    insta::assert_snapshot!("otlp_metrics", render(&decoded));
}

/// Every OTLP point kind (gauge, sum, histogram, exponential histogram,
/// summary), a metric without data and a point outside the time window:
/// one row per point, each kind's fields in their columns.
#[test]
fn otlp_metrics_of_every_kind() {
    let request =
        formats::parse_otlp_metrics(&fixture("metrics_all_kinds.json"), OtlpEncoding::Json)
            .unwrap();
    let schema = DatasetSchema::new(DatasetKind::Metrics);
    let decoded = formats::decode_otlp_metrics(&request, &schema, &window()).unwrap();
    insta::assert_snapshot!(render(&decoded));
    // Protobuf gives the same rows.
    let proto =
        formats::parse_otlp_metrics(&request.encode_to_vec(), OtlpEncoding::Protobuf).unwrap();
    let again = formats::decode_otlp_metrics(&proto, &schema, &window()).unwrap();
    assert_eq!(render(&again), render(&decoded));
}

#[test]
fn malformed_payloads_name_the_problem() {
    let e = formats::parse_otlp_logs(&[0xff, 0xff, 0xff], OtlpEncoding::Protobuf).unwrap_err();
    assert!(e.to_string().starts_with("malformed OTLP protobuf"), "{e}");
    let e = formats::parse_otlp_traces(b"{\"resourceSpans\": 1}", OtlpEncoding::Json).unwrap_err();
    assert!(e.to_string().starts_with("malformed OTLP JSON"), "{e}");
}
