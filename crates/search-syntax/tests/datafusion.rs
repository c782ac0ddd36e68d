//! Runs rendered predicates in DataFusion over a small table with the column
//! types the store uses, checking both that the SQL is valid in DataFusion's
//! dialect and that each search selects the rows a Datadog user would expect.

mod common;

use common::{QUERIES, TestSchema};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, TimestampNanosecondArray,
};
use datafusion::arrow::compute::kernels::cast_utils::string_to_timestamp_nanos;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use search_syntax::{parse, to_sql};
use std::sync::Arc;

async fn logs() -> SessionContext {
    let text = |v: [Option<&str>; 6]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
    let times = [
        "2024-01-01T00:00:00Z",
        "2024-01-15T12:00:00Z",
        "2024-02-01T00:00:00Z",
        "2024-02-10T08:30:00Z",
        "2023-12-31T23:59:59Z",
        "2024-03-01T00:00:00Z",
    ]
    .map(|t| string_to_timestamp_nanos(t).unwrap());
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5, 6]))),
        (
            "service",
            text([
                Some("jobs-api"),
                Some("jobs-api"),
                Some("cards-api"),
                Some("cards-api"),
                Some("web"),
                Some("jobs*api"),
            ]),
        ),
        (
            "env",
            text([
                Some("prod"),
                Some("dev"),
                Some("prod"),
                None,
                Some("staging"),
                Some("prod"),
            ]),
        ),
        (
            "level",
            text([
                Some("error"),
                Some("error"),
                Some("info"),
                Some("warn"),
                Some("info"),
                Some("debug"),
            ]),
        ),
        (
            "body",
            text([
                Some("request timeout after 30s"),
                Some("connection reset by peer"),
                Some("GET /cards 200"),
                Some("50%_off promo applied"),
                Some("it's done: path:x"),
                Some(r"C:\temp\file written"),
            ]),
        ),
        (
            "http.status_code",
            Arc::new(Int64Array::from(vec![
                Some(500),
                Some(503),
                Some(200),
                Some(404),
                None,
                Some(100),
            ])),
        ),
        (
            "duration",
            Arc::new(Float64Array::from(vec![
                Some(120.5),
                Some(480.0),
                Some(15.0),
                Some(500.0),
                None,
                Some(100.0),
            ])),
        ),
        (
            "sampled",
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                Some(true),
                None,
                Some(false),
                Some(true),
            ])),
        ),
        (
            "timestamp",
            Arc::new(TimestampNanosecondArray::from(times.to_vec()).with_timezone("UTC")),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let ctx = SessionContext::new();
    ctx.register_batch("logs", batch).unwrap();
    ctx
}

async fn matching_ids(ctx: &SessionContext, search: &str) -> Vec<i64> {
    let predicate = to_sql(&parse(search).unwrap(), &TestSchema);
    let sql = format!("SELECT id FROM logs WHERE {} ORDER BY id", predicate.sql);
    let batches = match ctx.sql(&sql).await {
        Ok(frame) => frame.collect().await,
        Err(e) => Err(e),
    }
    .unwrap_or_else(|e| panic!("{search:?} => {sql}: {e}"));
    let mut ids = Vec::new();
    for batch in batches {
        let column = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        ids.extend((0..column.len()).map(|i| column.value(i)));
    }
    ids
}

#[tokio::test]
async fn every_golden_query_runs() {
    let ctx = logs().await;
    for q in QUERIES {
        matching_ids(&ctx, q).await;
    }
}

#[tokio::test]
async fn searches_select_the_expected_rows() {
    const ALL: &[i64] = &[1, 2, 3, 4, 5, 6];
    let cases: &[(&str, &[i64])] = &[
        ("", ALL),
        ("service:jobs-api", &[1, 2]),
        ("status:error", &[1, 2]),
        // Events without an env are kept, as Datadog and Kibana do.
        ("-env:dev", &[1, 3, 4, 5, 6]),
        ("NOT (env:prod OR env:dev)", &[4, 5]),
        ("service:(jobs-api OR cards-api)", &[1, 2, 3, 4]),
        ("service:(jobs-api OR cards-api) -level:warn", &[1, 2, 3]),
        ("service:web OR env:prod level:info", &[3, 5]),
        ("service:jobs-api -(level:error env:dev)", &[1]),
        ("@http.status_code:>=500", &[1, 2]),
        ("@http.status_code:<200", &[6]),
        ("@http.status_code:404", &[4]),
        ("@http.status_code:40?", &[4]),
        ("@http.status_code:abc", &[]),
        ("-@http.status_code:abc", ALL),
        ("@http.status_code:[* TO *]", &[1, 2, 3, 4, 6]),
        ("@duration:[100 TO 500]", &[1, 2, 4, 6]),
        ("@duration:{100 TO 500}", &[1, 2]),
        ("@duration:[100 TO 500}", &[1, 2, 6]),
        ("@duration:[* TO 100.0]", &[3, 6]),
        ("@duration:*", &[1, 2, 3, 4, 6]),
        ("_exists_:env", &[1, 2, 3, 5, 6]),
        ("timeout", &[1]),
        ("TIMEOUT", &[1]),
        ("\"connection reset\"", &[2]),
        ("time*", &[1]),
        ("c*s", &[2, 3]),
        // `%` and `_` are literal: unescaped, `0%` would match "200" and "30s".
        ("0%", &[4]),
        ("it_s", &[]),
        ("it's", &[5]),
        ("path\\:x", &[5]),
        ("\"C:\\\\temp\"", &[6]),
        ("service:jobs\\*api", &[6]),
        ("service:jobs*", &[1, 2, 6]),
        ("service:?ards-api", &[3, 4]),
        ("service:>d", &[1, 2, 5, 6]),
        ("service:>=10", &[]),
        ("@sampled:true", &[1, 3, 6]),
        ("-@sampled:TRUE", &[2, 4, 5]),
        ("timestamp:>=2024-02-01T00:00:00Z", &[3, 4, 6]),
        ("timestamp:[2024-01-01 TO 2024-02-01}", &[1, 2]),
        ("timestamp:2024-01-01T00:00:00Z", &[1]),
        ("timestamp:\"2024-01-15 12:00:00\"", &[2]),
        ("timestamp:<2024-01-01T06:00:00+06:00", &[5]),
        ("timestamp:>yesterday", &[]),
        ("unknown:x", &[]),
        ("-unknown:x", ALL),
    ];
    let ctx = logs().await;
    let mut failures = Vec::new();
    for (search, want) in cases {
        let got = matching_ids(&ctx, search).await;
        if got != *want {
            failures.push(format!("{search:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
