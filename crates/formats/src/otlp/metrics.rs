//! OTLP metric data points into the `metrics` dataset, one row per point.

use model::{BatchBuilder, DatasetSchema, Value};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, ExponentialHistogram, Gauge, Histogram, Metric, NumberDataPoint, Sum,
    Summary, exponential_histogram_data_point::Buckets, metric, number_data_point,
};

use super::common::{ResourceColumns, otlp_time, set_attributes};
use crate::decoded::{Decoded, TimeWindow};
use crate::error::FormatError;

fn temporality_name(t: i32) -> Option<&'static str> {
    match AggregationTemporality::try_from(t) {
        Ok(AggregationTemporality::Delta) => Some("delta"),
        Ok(AggregationTemporality::Cumulative) => Some("cumulative"),
        _ => None,
    }
}

/// Core column indexes of the metrics dataset, looked up once per payload.
struct Columns {
    start: usize,
    metric: usize,
    kind: usize,
    unit: usize,
    temporality: usize,
    monotonic: usize,
    value: usize,
    count: usize,
    sum: usize,
    min: usize,
    max: usize,
    buckets: usize,
    bounds: usize,
    scope: usize,
}

/// A metric's points with what its type says about all of them.
struct Series<'a> {
    kind: &'static str,
    temporality: i32,
    monotonic: Option<bool>,
    points: Vec<Point<'a>>,
}

/// The fields of one data point, whatever its metric type.
#[derive(Default)]
struct Point<'a> {
    time: u64,
    start: u64,
    attributes: &'a [KeyValue],
    value: Option<f64>,
    count: Option<u64>,
    sum: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    buckets: Option<String>,
    bounds: Option<String>,
}

pub fn decode_otlp_metrics(
    request: &ExportMetricsServiceRequest,
    schema: &DatasetSchema,
    window: &TimeWindow,
) -> Result<Decoded, FormatError> {
    let mut decoded = Decoded::new();
    let mut builder = BatchBuilder::new(schema);
    let c = |name| builder.core_index(name).expect("metrics core column");
    let columns = Columns {
        start: c("start_timestamp"),
        metric: c("metric"),
        kind: c("kind"),
        unit: c("unit"),
        temporality: c("temporality"),
        monotonic: c("is_monotonic"),
        value: c("value"),
        count: c("count"),
        sum: c("sum"),
        min: c("min"),
        max: c("max"),
        buckets: c("bucket_counts"),
        bounds: c("explicit_bounds"),
        scope: c("scope"),
    };
    let mut record_index = 0;
    for resource_metrics in &request.resource_metrics {
        let resource = ResourceColumns::new(&builder, resource_metrics.resource.as_ref());
        for scope_metrics in &resource_metrics.scope_metrics {
            let scope_name = scope_metrics
                .scope
                .as_ref()
                .map(|s| s.name.as_str())
                .filter(|s| !s.is_empty());
            for m in &scope_metrics.metrics {
                let Some(data) = &m.data else {
                    record_index += 1;
                    decoded.reject(record_index, format!("metric {:?} has no data", m.name));
                    continue;
                };
                let series = series(data);
                for point in &series.points {
                    record_index += 1;
                    let time = otlp_time(point.time).unwrap_or(window.now_nanos);
                    if let Some(reason) = window.check(time) {
                        decoded.reject(record_index, reason);
                        continue;
                    }
                    builder.set_time(time);
                    write_point(&mut builder, &columns, (m, scope_name), &series, point);
                    resource.apply(&mut builder);
                    builder.end_row();
                    decoded.accepted += 1;
                }
            }
        }
    }
    if builder.rows() > 0 {
        decoded.built = Some(builder.finish()?);
    }
    Ok(decoded)
}

/// The row of one point (its time already set): the metric's name, kind,
/// unit, temporality and monotonicity, the point's fields, the scope and
/// the point's attributes.
fn write_point(
    builder: &mut BatchBuilder,
    columns: &Columns,
    (m, scope_name): (&Metric, Option<&str>),
    series: &Series<'_>,
    point: &Point<'_>,
) {
    if let Some(t) = otlp_time(point.start) {
        builder.set_core(columns.start, Value::Time(t));
    }
    builder.set_core(columns.metric, Value::Text(&m.name));
    builder.set_core(columns.kind, Value::Text(series.kind));
    if !m.unit.is_empty() {
        builder.set_core(columns.unit, Value::Text(&m.unit));
    }
    if let Some(t) = temporality_name(series.temporality) {
        builder.set_core(columns.temporality, Value::Text(t));
    }
    if let Some(b) = series.monotonic {
        builder.set_core(columns.monotonic, Value::Bool(b));
    }
    let optional_floats = [
        (columns.value, point.value),
        (columns.sum, point.sum),
        (columns.min, point.min),
        (columns.max, point.max),
    ];
    for (index, v) in optional_floats {
        if let Some(v) = v {
            builder.set_core(index, Value::Float(v));
        }
    }
    if let Some(n) = point.count {
        builder.set_core(columns.count, Value::Int(n.min(i64::MAX as u64) as i64));
    }
    if let Some(b) = &point.buckets {
        builder.set_core(columns.buckets, Value::Text(b));
    }
    if let Some(b) = &point.bounds {
        builder.set_core(columns.bounds, Value::Text(b));
    }
    if let Some(n) = scope_name {
        builder.set_core(columns.scope, Value::Text(n));
    }
    set_attributes(builder, point.attributes);
}

fn series(data: &metric::Data) -> Series<'_> {
    match data {
        metric::Data::Gauge(g) => gauge(g),
        metric::Data::Sum(s) => sum(s),
        metric::Data::Histogram(h) => histogram(h),
        metric::Data::ExponentialHistogram(h) => exponential_histogram(h),
        metric::Data::Summary(s) => summary(s),
    }
}

fn gauge(g: &Gauge) -> Series<'_> {
    Series {
        kind: "gauge",
        temporality: 0,
        monotonic: None,
        points: g.data_points.iter().map(number_point).collect(),
    }
}

fn sum(s: &Sum) -> Series<'_> {
    Series {
        kind: "sum",
        temporality: s.aggregation_temporality,
        monotonic: Some(s.is_monotonic),
        points: s.data_points.iter().map(number_point).collect(),
    }
}

/// A point of either histogram kind (two types with the same field names):
/// count, sum, min and max, its buckets and bounds as JSON text.
macro_rules! histogram_point {
    ($p:expr, $buckets:expr, $bounds:expr) => {{
        let p = $p;
        Point {
            time: p.time_unix_nano,
            start: p.start_time_unix_nano,
            attributes: &p.attributes,
            count: Some(p.count),
            sum: p.sum,
            min: p.min,
            max: p.max,
            buckets: Some($buckets),
            bounds: $bounds,
            ..Point::default()
        }
    }};
}

/// Bucket counts and explicit bounds as JSON arrays.
fn histogram(h: &Histogram) -> Series<'_> {
    let points = h
        .data_points
        .iter()
        .map(|p| {
            let bounds = serde_json::json!(p.explicit_bounds).to_string();
            histogram_point!(
                p,
                serde_json::json!(p.bucket_counts).to_string(),
                Some(bounds)
            )
        })
        .collect();
    Series {
        kind: "histogram",
        temporality: h.aggregation_temporality,
        monotonic: None,
        points,
    }
}

/// Scale, zero count and both bucket ranges as one JSON object.
fn exponential_histogram(h: &ExponentialHistogram) -> Series<'_> {
    let range =
        |b: &Buckets| serde_json::json!({"offset": b.offset, "bucket_counts": b.bucket_counts});
    let points = h
        .data_points
        .iter()
        .map(|p| {
            let buckets = serde_json::json!({
                "scale": p.scale,
                "zero_count": p.zero_count,
                "positive": p.positive.as_ref().map(range),
                "negative": p.negative.as_ref().map(range),
            });
            histogram_point!(p, buckets.to_string(), None)
        })
        .collect();
    Series {
        kind: "exponential_histogram",
        temporality: h.aggregation_temporality,
        monotonic: None,
        points,
    }
}

/// Quantiles as a JSON array of `{quantile, value}` in the buckets column.
fn summary(s: &Summary) -> Series<'_> {
    let points = s
        .data_points
        .iter()
        .map(|p| Point {
            time: p.time_unix_nano,
            start: p.start_time_unix_nano,
            attributes: &p.attributes,
            count: Some(p.count),
            sum: Some(p.sum),
            buckets: Some(
                serde_json::Value::Array(
                    p.quantile_values
                        .iter()
                        .map(|q| serde_json::json!({"quantile": q.quantile, "value": q.value}))
                        .collect(),
                )
                .to_string(),
            ),
            ..Point::default()
        })
        .collect();
    Series {
        kind: "summary",
        temporality: 0,
        monotonic: None,
        points,
    }
}

fn number_point(p: &NumberDataPoint) -> Point<'_> {
    Point {
        time: p.time_unix_nano,
        start: p.start_time_unix_nano,
        attributes: &p.attributes,
        value: p.value.map(|v| match v {
            number_data_point::Value::AsDouble(d) => d,
            number_data_point::Value::AsInt(i) => i as f64,
        }),
        ..Point::default()
    }
}
