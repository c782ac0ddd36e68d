//! The service catalog: every service seen in spans with its request rate,
//! error rate, latency percentiles and Apdex over a time range, from the
//! entry spans (server and consumer kinds), with a per-bucket series for
//! sparklines.

use std::collections::BTreeMap;

use query::{QueryEngine, TimeRange};
use serde_json::{Map, Value};

use crate::trace::ApmError;

/// Buckets of each service's sparkline.
const SPARK_BUCKETS: i64 = 30;
/// Most services listed.
const MAX_SERVICES: usize = 500;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceSummary {
    pub service: String,
    pub env: Option<String>,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    /// Requests per second over the range.
    pub rate_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// (satisfied + tolerating / 2) / requests, with the threshold T of the
    /// request (tolerating up to 4T).
    pub apdex: Option<f64>,
    /// Requests per bucket (`bucket_seconds` wide, from the range's start).
    pub requests_series: Vec<u64>,
    pub errors_series: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ServicesResponse {
    pub services: Vec<ServiceSummary>,
    pub bucket_seconds: i64,
    pub apdex_threshold_ms: f64,
    pub elapsed_ms: f64,
}

/// A service in one environment.
type ServiceKey = (String, Option<String>);

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn num(row: &Map<String, Value>, key: &str) -> Option<f64> {
    row.get(key).and_then(|v| v.as_f64())
}

/// The catalog over `range`, optionally for one environment.
pub async fn services(
    engine: &QueryEngine,
    range: TimeRange,
    env: Option<&str>,
    apdex_threshold_ms: f64,
) -> Result<ServicesResponse, ApmError> {
    let started = std::time::Instant::now();
    if !(apdex_threshold_ms.is_finite() && apdex_threshold_ms > 0.0) {
        return Err(ApmError::Invalid(format!(
            "the Apdex threshold must be a positive number of milliseconds, not {apdex_threshold_ms}"
        )));
    }
    let seconds = ((range.nanos() / 1_000_000_000) / SPARK_BUCKETS).max(1);
    let empty = ServicesResponse {
        services: Vec::new(),
        bucket_seconds: seconds,
        apdex_threshold_ms,
        elapsed_ms: 0.0,
    };
    if !engine
        .store()
        .datasets()
        .iter()
        .any(|d| d.as_str() == "spans")
    {
        return Ok(empty);
    }
    let t = (apdex_threshold_ms * 1e6) as i64;
    let mut filter = format!("{} AND kind IN ('server', 'consumer')", range.sql_filter());
    if let Some(env) = env.filter(|e| !e.is_empty()) {
        filter.push_str(&format!(" AND env = {}", quote(env)));
    }
    let summary_sql = format!(
        "SELECT service, env, count(*) AS requests, \
         sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END) AS errors, \
         approx_percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns) AS p50, \
         approx_percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns) AS p95, \
         approx_percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ns) AS p99, \
         sum(CASE WHEN duration_ns <= {t} THEN 1 ELSE 0 END) AS satisfied, \
         sum(CASE WHEN duration_ns > {t} AND duration_ns <= {} THEN 1 ELSE 0 END) AS tolerating \
         FROM spans WHERE {filter} GROUP BY service, env ORDER BY requests DESC, service LIMIT {MAX_SERVICES}",
        t.saturating_mul(4)
    );
    let series_sql = format!(
        "SELECT service, env, CAST(date_bin(INTERVAL '{seconds} seconds', \"timestamp\", {}) AS BIGINT) AS bucket, \
         count(*) AS requests, sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END) AS errors \
         FROM spans WHERE {filter} GROUP BY 1, 2, 3",
        query::time_literal(range.from)
    );
    let (summary, series) = futures_join(engine, &summary_sql, &series_sql).await?;
    let buckets =
        ((range.nanos() + seconds * 1_000_000_000 - 1) / (seconds * 1_000_000_000)).max(1) as usize;
    let mut spark: BTreeMap<ServiceKey, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
    for row in &series {
        let key = (
            row.get("service")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned(),
            row.get("env").and_then(|v| v.as_str()).map(String::from),
        );
        let Some(bucket) = row.get("bucket").and_then(|v| v.as_i64()) else {
            continue;
        };
        let index = (bucket - range.from).div_euclid(seconds * 1_000_000_000);
        if index < 0 || index as usize >= buckets {
            continue;
        }
        let entry = spark
            .entry(key)
            .or_insert_with(|| (vec![0; buckets], vec![0; buckets]));
        entry.0[index as usize] = num(row, "requests").unwrap_or(0.0) as u64;
        entry.1[index as usize] = num(row, "errors").unwrap_or(0.0) as u64;
    }
    let range_s = range.nanos() as f64 / 1e9;
    let services = summary
        .iter()
        .map(|row| {
            let service = row
                .get("service")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned();
            let env = row.get("env").and_then(|v| v.as_str()).map(String::from);
            let requests = num(row, "requests").unwrap_or(0.0);
            let errors = num(row, "errors").unwrap_or(0.0);
            let ms = |key: &str| num(row, key).map(|ns| ns / 1e6);
            let apdex = (requests > 0.0).then(|| {
                (num(row, "satisfied").unwrap_or(0.0) + num(row, "tolerating").unwrap_or(0.0) / 2.0)
                    / requests
            });
            let (requests_series, errors_series) = spark
                .remove(&(service.clone(), env.clone()))
                .unwrap_or_else(|| (vec![0; buckets], vec![0; buckets]));
            ServiceSummary {
                service,
                env,
                requests: requests as u64,
                errors: errors as u64,
                error_rate: if requests > 0.0 {
                    errors / requests
                } else {
                    0.0
                },
                rate_per_s: requests / range_s.max(1e-9),
                p50_ms: ms("p50"),
                p95_ms: ms("p95"),
                p99_ms: ms("p99"),
                apdex,
                requests_series,
                errors_series,
            }
        })
        .collect();
    Ok(ServicesResponse {
        services,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        ..empty
    })
}

async fn futures_join(
    engine: &QueryEngine,
    a: &str,
    b: &str,
) -> Result<(Vec<Map<String, Value>>, Vec<Map<String, Value>>), ApmError> {
    let (x, y) = futures::join!(engine.sql(a), engine.sql(b));
    Ok((x?.rows, y?.rows))
}
