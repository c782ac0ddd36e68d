//! The typed query IR over the same store: selects built as values, search
//! conditions that match what the search's SQL matches, typed rows, and
//! records that serialize as Arrow's JSON writer writes rows.

use model::DatasetName;
use query::ir::{self, Select, column};
use query::{QueryLimits, RangeInput};

use super::{BASE, DAY, rows, rt, setup};

#[test]
fn selects_filter_group_order_and_limit() {
    let (_dir, engine) = setup(QueryLimits::default());
    rt().block_on(async {
        let errors = Select::from(DatasetName::logs())
            .filter(column("level").eq(ir::text("error")))
            .group_by([column("service")])
            .aggregate([ir::count_rows().alias("n")])
            .order_by(ir::ascending(column("service")));
        let rows = engine.fetch(&errors).await.unwrap();
        let services: Vec<_> = rows
            .texts("service")
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(services, ["ads-api", "cards-api", "jobs-api"]);
        assert_eq!(rows.counts("n").unwrap(), [30, 30, 30]);

        // Day 1 only (in a Parquet file), newest first, limited.
        let day1 = ir::time_in(
            RangeInput::nanos(BASE + DAY, BASE + 2 * DAY)
                .required()
                .unwrap(),
        );
        let newest = Select::from(DatasetName::logs())
            .filter(day1.clone())
            .order_by(ir::descending(column("timestamp")))
            .limit(2)
            .columns([column("body"), ir::nanos(column("timestamp")).alias("t")]);
        let rows = engine.fetch(&newest).await.unwrap();
        let bodies: Vec<_> = rows.texts("body").unwrap().into_iter().flatten().collect();
        assert_eq!(bodies, ["request 299 of day 1", "request 298 of day 1"]);
        assert_eq!(
            rows.integers("t").unwrap()[0],
            Some(BASE + DAY + 299 * 60_000_000_000)
        );

        // A union read as one source, then grouped.
        let part = |day: i64| {
            Select::from(DatasetName::logs())
                .filter(ir::time_in(
                    RangeInput::nanos(BASE + day * DAY, BASE + (day + 1) * DAY)
                        .required()
                        .unwrap(),
                ))
                .columns([column("service"), column("timestamp")])
        };
        let both = Select::union_all(vec![part(0), part(2)])
            .group_by([column("service")])
            .aggregate([ir::count_rows().alias("n")]);
        let rows = engine.fetch(&both).await.unwrap();
        assert_eq!(rows.counts("n").unwrap().iter().sum::<u64>(), 600);

        // Time buckets from an origin.
        let buckets = Select::from(DatasetName::logs())
            .filter(day1)
            .group_by([ir::time_bucket(3600, BASE + DAY).alias("t")])
            .aggregate([ir::count_rows().alias("n")])
            .order_by(ir::ascending(column("t")));
        let rows = engine.fetch(&buckets).await.unwrap();
        assert_eq!(
            rows.integers("t").unwrap()[1],
            Some(BASE + DAY + 3_600_000_000_000)
        );
        assert_eq!(rows.counts("n").unwrap()[..2], [60, 60]);

        // A distinct count over only some rows, beside other aggregates:
        // the same counts as a distinct count of a CASE.
        let error = || column("level").eq(ir::text("error"));
        let per_service = |distinct: ir::Expr| {
            Select::from(DatasetName::logs())
                .group_by([column("service")])
                .aggregate([
                    distinct.alias("traces"),
                    ir::max(column("body")).alias("last"),
                ])
                .order_by(ir::ascending(column("service")))
        };
        let filtered = per_service(ir::only_where(
            ir::count_distinct(column("trace_id")),
            error(),
        ));
        let case = per_service(ir::count_distinct(ir::when(error(), column("trace_id"))));
        let (filtered, case) = (
            engine.fetch(&filtered).await.unwrap(),
            engine.fetch(&case).await.unwrap(),
        );
        assert_eq!(filtered.counts("traces").unwrap(), [30, 30, 30]);
        // The filtered distinct count stays in one aggregation (a CASE
        // makes DataFusion group by every trace id first).
        let plan = engine
            .explain(
                &per_service(ir::only_where(
                    ir::count_distinct(column("trace_id")),
                    error(),
                )),
                false,
            )
            .await
            .unwrap();
        assert!(plan.contains("FILTER (WHERE"), "{plan}");
        assert!(!plan.contains("alias1"), "{plan}");
        assert_eq!(case.counts("traces").unwrap(), [30, 30, 30]);
    });
}

#[test]
fn user_values_are_literals_never_sql() {
    let (_dir, engine) = setup(QueryLimits::default());
    rt().block_on(async {
        for hostile in [
            "x' OR '1'='1",
            "jobs-api'; DROP TABLE logs; --",
            "\"service\"",
        ] {
            let select = Select::from(DatasetName::logs())
                .filter(column("service").eq(ir::text(hostile)))
                .aggregate([ir::count_rows().alias("n")]);
            let rows = engine.fetch(&select).await.unwrap();
            assert_eq!(rows.counts("n").unwrap(), [0], "{hostile}");
        }
        let listed = Select::from(DatasetName::logs())
            .filter(ir::in_texts(
                column("service"),
                &["jobs-api".into(), "x' OR 'a'='a".into()],
            ))
            .aggregate([ir::count_rows().alias("n")]);
        assert_eq!(
            engine.fetch(&listed).await.unwrap().counts("n").unwrap(),
            [300]
        );
        // An unknown dataset is a clear error, not an empty answer.
        let missing = Select::from(DatasetName::new("nope").unwrap());
        let e = engine.fetch(&missing).await.unwrap_err();
        assert!(e.to_string().contains("unknown dataset"), "{e}");
    });
}

#[test]
fn search_conditions_match_what_the_search_sql_matches() {
    let (_dir, engine) = setup(QueryLimits::default());
    let logs = DatasetName::logs();
    rt().block_on(async {
        for search in [
            "",
            "service:jobs-api",
            "-service:jobs-api",
            "level:error service:(cards-api OR ads-api)",
            "@http.status_code:>=500",
            "@http.status_code:[200 TO 499]",
            "@http.status_code:5??",
            "\"request 42\"",
            "request*day",
            "_exists_:trace_id -level:info",
            "timestamp:>2025-10-10T12:00:00Z",
            "service:*api NOT \"of day 2\"",
            "@nope:1 OR service:ads-api",
            "o'brien",
        ] {
            let sql = engine.search_predicate(&logs, search).unwrap().unwrap();
            let by_sql = engine
                .sql(&format!("SELECT count(*) AS n FROM logs WHERE {sql}"))
                .await
                .unwrap();
            let by_sql = rows(&by_sql)[0]["n"].as_u64().unwrap();
            let condition = engine.search_condition(&logs, search).unwrap().unwrap();
            let select = Select::from(logs.clone())
                .filter(condition)
                .aggregate([ir::count_rows().alias("n")]);
            let by_ir = engine.fetch(&select).await.unwrap().counts("n").unwrap()[0];
            assert_eq!(by_ir, by_sql, "{search:?} as {sql}");
        }
        // Not vacuous: the searches above select different counts.
        let q = |s: &str| engine.search_condition(&logs, s).unwrap().unwrap();
        let n = |c| async {
            let s = Select::from(DatasetName::logs())
                .filter(c)
                .aggregate([ir::count_rows().alias("n")]);
            engine.fetch(&s).await.unwrap().counts("n").unwrap()[0]
        };
        assert_eq!(n(q("service:jobs-api")).await, 300);
        assert_eq!(n(q("@http.status_code:>=500")).await, 90);
    });
}

#[test]
fn records_serialize_as_arrow_json_rows() {
    let (_dir, engine) = setup(QueryLimits::default());
    rt().block_on(async {
        let select = Select::from(DatasetName::logs())
            .order_by(ir::ascending(column("timestamp")))
            .limit(3)
            .columns([
                column("timestamp"),
                column("body"),
                column("http.status_code"),
                ir::float(ir::int(3)).alias("f"),
                ir::boolean(true).alias("b"),
                ir::cast(column("host"), arrow::datatypes::DataType::Utf8).alias("gone"),
            ]);
        let rows = engine.fetch(&select).await.unwrap();
        let mut written = Vec::new();
        {
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut written);
            for batch in rows.batches() {
                writer.write(batch).unwrap();
            }
            writer.finish().unwrap();
        }
        let by_arrow: Vec<serde_json::Value> = written
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        let records = rows.records().unwrap();
        assert_eq!(records.len(), 3);
        for (record, row) in records.iter().zip(&by_arrow) {
            let got = serde_json::to_value(record).unwrap();
            assert_eq!(&got, row);
            assert!(
                got["timestamp"].is_string() && got["http.status_code"].is_number(),
                "{got}"
            );
            assert!(got.get("gone").is_none(), "nulls are omitted: {got}");
        }
        // The SQL endpoint's rows are the same records.
        let sql = engine
            .sql("SELECT body FROM logs ORDER BY \"timestamp\" LIMIT 3")
            .await
            .unwrap();
        let bodies: Vec<_> = records.iter().map(|r| r.text("body")).collect();
        let sql_bodies: Vec<_> = sql.rows.iter().map(|r| r.text("body")).collect();
        assert_eq!(bodies, sql_bodies);
    });
}
