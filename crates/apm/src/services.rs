//! The service catalog and the service page, from the `span_metrics`
//! rollups: RED, percentiles and Apdex per service (entry spans: server and
//! consumer kinds), per endpoint, and per dependency (client and producer
//! spans by peer), with series for charts and sparklines.

use std::collections::BTreeMap;

use query::ir::{self, column};
use query::{QueryEngine, TimeRange};

use crate::landings::callees_by_peer;
use crate::rollups::{self, GroupKey, Red, RedSummary, entry_spans, env_is, exit_spans};
use crate::trace::ApmError;

/// Buckets of each sparkline.
const SPARK_BUCKETS: i64 = 30;
/// Buckets of the service page's charts.
const CHART_BUCKETS: i64 = 60;
/// Most services listed.
const MAX_SERVICES: usize = 500;
/// Most endpoints and dependencies on a service page.
const MAX_ENDPOINTS: usize = 200;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceSummary {
    pub service: String,
    #[schema(required = true)]
    pub env: Option<String>,
    #[serde(flatten)]
    pub red: RedSummary,
    /// Requests per bucket (`bucket_seconds` wide, from the range's start,
    /// or the whole hour before it when buckets are whole hours).
    pub requests_series: Vec<u64>,
    pub errors_series: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServicesResponse {
    pub services: Vec<ServiceSummary>,
    pub bucket_seconds: i64,
    pub apdex_threshold_ms: f64,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EndpointSummary {
    pub endpoint: String,
    pub kind: String,
    #[serde(flatten)]
    pub red: RedSummary,
    pub requests_series: Vec<u64>,
    pub errors_series: Vec<u64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DependencySummary {
    pub peer: String,
    pub peer_kind: String,
    /// The instrumented service seen answering most calls to this peer
    /// (from calls paired at ingest), if any.
    #[schema(required = true)]
    pub callee: Option<String>,
    #[serde(flatten)]
    pub red: RedSummary,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceSeries {
    pub timestamps_ms: Vec<i64>,
    pub requests: Vec<u64>,
    pub errors: Vec<u64>,
    pub p95_ms: Vec<Option<f64>>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceDetail {
    pub service: String,
    #[schema(required = true)]
    pub env: Option<String>,
    pub summary: RedSummary,
    pub bucket_seconds: i64,
    pub series: ServiceSeries,
    pub endpoints: Vec<EndpointSummary>,
    pub dependencies: Vec<DependencySummary>,
    pub apdex_threshold_ms: f64,
    pub elapsed_ms: f64,
}

fn check_threshold(apdex_threshold_ms: f64) -> Result<f64, ApmError> {
    if apdex_threshold_ms.is_finite() && apdex_threshold_ms > 0.0 {
        Ok(apdex_threshold_ms * 1e6)
    } else {
        Err(ApmError::Invalid(format!(
            "the Apdex threshold must be a positive number of milliseconds, not {apdex_threshold_ms}"
        )))
    }
}

fn counts(slots: Option<&Vec<Red>>, buckets: usize) -> (Vec<u64>, Vec<u64>) {
    match slots {
        Some(s) => (
            s.iter().map(|r| r.requests).collect(),
            s.iter().map(|r| r.errors).collect(),
        ),
        None => (vec![0; buckets], vec![0; buckets]),
    }
}

fn range_seconds(range: TimeRange) -> f64 {
    range.nanos() as f64 / 1e9
}

/// The catalog over `range`, optionally for one environment.
pub async fn services(
    engine: &QueryEngine,
    range: TimeRange,
    env: Option<&str>,
    apdex_threshold_ms: f64,
) -> Result<ServicesResponse, ApmError> {
    let started = std::time::Instant::now();
    let t_ns = check_threshold(apdex_threshold_ms)?;
    let range = rollups::aligned(range);
    let seconds = rollups::bucket_seconds(range, SPARK_BUCKETS);
    let filter = ir::all([entry_spans(), env_is(env)]);
    let groups = ["service", "env"];
    let (summary, series) = futures::join!(
        rollups::grouped(engine, range, &filter, &groups),
        rollups::series(engine, range, &filter, &groups, seconds, false)
    );
    let (summary, series) = (summary?, series?);
    let buckets = rollups::series_buckets(range, seconds);
    let mut services: Vec<ServiceSummary> = summary
        .iter()
        .map(|(key, red)| {
            let (requests_series, errors_series) = counts(series.get(key), buckets);
            ServiceSummary {
                service: key[0].clone().unwrap_or_default(),
                env: key[1].clone(),
                red: red.summary(range_seconds(range), t_ns),
                requests_series,
                errors_series,
            }
        })
        .collect();
    services.sort_by(|a, b| {
        b.red
            .requests
            .cmp(&a.red.requests)
            .then_with(|| a.service.cmp(&b.service))
    });
    services.truncate(MAX_SERVICES);
    Ok(ServicesResponse {
        services,
        bucket_seconds: seconds,
        apdex_threshold_ms,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

fn first(key: &GroupKey, i: usize) -> String {
    key.get(i).cloned().flatten().unwrap_or_default()
}

/// One service's page: summary, charts, endpoints and dependencies.
pub async fn service_detail(
    engine: &QueryEngine,
    service: &str,
    range: TimeRange,
    env: Option<&str>,
    apdex_threshold_ms: f64,
) -> Result<ServiceDetail, ApmError> {
    let started = std::time::Instant::now();
    let t_ns = check_threshold(apdex_threshold_ms)?;
    if service.is_empty() || service.len() > 512 {
        return Err(ApmError::Invalid(
            "a service name has 1 to 512 characters".into(),
        ));
    }
    let range = rollups::aligned(range);
    let base = ir::all([column("service").eq(ir::text(service)), env_is(env)]);
    let entry = base.clone().and(entry_spans());
    let pairs_filter = ir::all([ir::time_in(range), base.clone()]);
    let exit = base.and(exit_spans());
    let chart_seconds = rollups::bucket_seconds(range, CHART_BUCKETS);
    let spark_seconds = rollups::bucket_seconds(range, SPARK_BUCKETS);
    let (chart, endpoints, endpoint_series, dependencies, callees) = futures::join!(
        rollups::series(engine, range, &entry, &[], chart_seconds, true),
        rollups::grouped(engine, range, &entry, &["endpoint", "kind"]),
        rollups::series(
            engine,
            range,
            &entry,
            &["endpoint", "kind"],
            spark_seconds,
            false
        ),
        rollups::grouped(engine, range, &exit, &["peer", "peer_kind"]),
        callees_by_peer(engine, pairs_filter),
    );
    let (chart, endpoints, endpoint_series, dependencies, callees) = (
        chart?,
        endpoints?,
        endpoint_series?,
        dependencies?,
        callees?,
    );
    let chart = chart.into_values().next().unwrap_or_default();
    if chart.iter().all(|r| r.requests == 0) && dependencies.is_empty() {
        return Err(ApmError::NotFound(format!(
            "no spans of service {service:?} in this time range"
        )));
    }
    let mut total = Red::default();
    for slot in &chart {
        total.merge(slot);
    }
    let seconds = range_seconds(range);
    let series = chart_series(chart, range, chart_seconds);
    let spark_buckets = rollups::series_buckets(range, spark_seconds);
    let endpoint_rows = endpoint_rows(&endpoints, &endpoint_series, spark_buckets, seconds, t_ns);
    let dependency_rows = dependency_rows(&dependencies, &callees, seconds, t_ns);
    Ok(ServiceDetail {
        service: service.to_owned(),
        env: env.filter(|e| !e.is_empty()).map(String::from),
        summary: total.summary(seconds, t_ns),
        bucket_seconds: chart_seconds,
        series,
        endpoints: endpoint_rows,
        dependencies: dependency_rows,
        apdex_threshold_ms,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The service page's chart: requests, errors and p95 per bucket.
fn chart_series(mut chart: Vec<Red>, range: TimeRange, seconds: i64) -> ServiceSeries {
    let buckets = rollups::series_buckets(range, seconds);
    let start = rollups::series_start(range, seconds);
    chart.resize(buckets, Red::default());
    ServiceSeries {
        timestamps_ms: (0..buckets as i64)
            .map(|i| (start + i * seconds * 1_000_000_000) / 1_000_000)
            .collect(),
        requests: chart.iter().map(|r| r.requests).collect(),
        errors: chart.iter().map(|r| r.errors).collect(),
        p95_ms: chart.iter().map(|r| r.quantile_ms(0.95)).collect(),
    }
}

/// The busiest endpoints, each with its sparklines.
fn endpoint_rows(
    endpoints: &BTreeMap<GroupKey, Red>,
    series: &BTreeMap<GroupKey, Vec<Red>>,
    spark_buckets: usize,
    seconds: f64,
    t_ns: f64,
) -> Vec<EndpointSummary> {
    let mut rows: Vec<EndpointSummary> = endpoints
        .iter()
        .map(|(key, red)| {
            let (requests_series, errors_series) = counts(series.get(key), spark_buckets);
            EndpointSummary {
                endpoint: first(key, 0),
                kind: first(key, 1),
                red: red.summary(seconds, t_ns),
                requests_series,
                errors_series,
            }
        })
        .collect();
    rows.sort_by_key(|x| std::cmp::Reverse(x.red.requests));
    rows.truncate(MAX_ENDPOINTS);
    rows
}

/// The busiest dependencies, each with the service seen answering it.
fn dependency_rows(
    dependencies: &BTreeMap<GroupKey, Red>,
    callees: &BTreeMap<String, String>,
    seconds: f64,
    t_ns: f64,
) -> Vec<DependencySummary> {
    let mut rows: Vec<DependencySummary> = dependencies
        .iter()
        .map(|(key, red)| DependencySummary {
            peer: first(key, 0),
            peer_kind: first(key, 1),
            callee: callees.get(&first(key, 0)).cloned(),
            red: red.summary(seconds, t_ns),
        })
        .collect();
    rows.sort_by_key(|x| std::cmp::Reverse(x.red.requests));
    rows.truncate(MAX_ENDPOINTS);
    rows
}
