//! Point-and-click aggregations: one measure (count, sum, average,
//! percentiles...) over the events a search matches, optionally grouped by
//! one field, as a list of groups or as series over time buckets. The query
//! is built here as IR, not in the browser, and returned as SQL text so
//! users can learn it.

use std::collections::BTreeMap;

use crate::engine::QueryEngine;
use crate::error::QueryError;
use crate::ir::{self, Expr, Select, column};
use crate::range::{RangeInput, bucket_seconds};
use crate::rows::{Cell, Rows};
use crate::scope::Scope;

/// Most groups one aggregation returns.
const MAX_GROUPS: usize = 1000;
/// Most series one time series request returns.
const MAX_SERIES: usize = 50;
/// Most buckets one series has.
const MAX_BUCKETS: usize = 1000;

/// What to compute over the matching events.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureOp {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    P50,
    P75,
    P90,
    P95,
    P99,
}

impl MeasureOp {
    fn percentile(self) -> Option<f64> {
        match self {
            MeasureOp::P50 => Some(0.5),
            MeasureOp::P75 => Some(0.75),
            MeasureOp::P90 => Some(0.9),
            MeasureOp::P95 => Some(0.95),
            MeasureOp::P99 => Some(0.99),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct Measure {
    pub op: MeasureOp,
    /// The field measured; not needed for `count`.
    #[serde(default)]
    pub field: Option<String>,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            op: MeasureOp::Count,
            field: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    #[default]
    Desc,
    Asc,
}

/// A measure over matching events, by group.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct AggregateRequest {
    pub dataset: String,
    /// Search syntax; empty matches all.
    #[serde(default)]
    pub query: String,
    #[serde(flatten)]
    pub range: RangeInput,
    #[serde(default)]
    pub measure: Measure,
    /// At most one field to group by.
    #[serde(default)]
    #[schema(max_items = 1)]
    pub group_by: Vec<String>,
    /// Most groups returned.
    #[serde(default = "default_limit")]
    #[schema(default = 10)]
    pub limit: usize,
    #[serde(default)]
    pub order: Order,
}

/// A measure over matching events per time bucket, one series per group.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct TimeseriesRequest {
    pub dataset: String,
    /// Search syntax; empty matches all.
    #[serde(default)]
    pub query: String,
    #[serde(flatten)]
    pub range: RangeInput,
    #[serde(default)]
    pub measure: Measure,
    /// At most one field to group by.
    #[serde(default)]
    #[schema(max_items = 1)]
    pub group_by: Vec<String>,
    /// Most series (the groups with the largest measure over the range).
    #[serde(default = "default_limit")]
    #[schema(default = 10)]
    pub limit: usize,
    /// Time buckets over the range.
    #[serde(default = "default_buckets")]
    #[schema(default = 60, maximum = 1000)]
    pub buckets: usize,
}

fn default_limit() -> usize {
    10
}
fn default_buckets() -> usize {
    60
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AggregateRow {
    /// The group's value; null when not grouped or the field is missing.
    #[schema(required = true)]
    pub group: Option<Cell>,
    #[schema(required = true)]
    pub value: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AggregateResponse {
    pub rows: Vec<AggregateRow>,
    pub sql: String,
    pub unknown_fields: Vec<String>,
    pub elapsed_ms: f64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Series {
    #[schema(required = true)]
    pub group: Option<Cell>,
    /// `[bucket start in milliseconds, value]`, one per bucket of the range.
    pub points: Vec<(i64, Option<f64>)>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TimeseriesResponse {
    pub bucket_seconds: i64,
    pub series: Vec<Series>,
    pub sql: String,
    pub unknown_fields: Vec<String>,
    pub elapsed_ms: f64,
}

/// The measure as an aggregate expression over `scope`'s rows, as a float.
fn measure_expr(scope: &Scope, measure: &Measure) -> Result<Expr, QueryError> {
    let field = match (&measure.field, measure.op) {
        (None, MeasureOp::Count) => return Ok(ir::float(ir::count_rows())),
        (Some(f), MeasureOp::Count) if f.is_empty() => return Ok(ir::float(ir::count_rows())),
        (None, op) => {
            return Err(QueryError::Invalid(format!(
                "measure {} needs a field",
                serde_json::to_string(&op).unwrap_or_default()
            )));
        }
        (Some(f), _) => f,
    };
    let (name, data_type) = scope.column(field)?;
    let numeric = || {
        if data_type.is_numeric() {
            column(&name)
        } else {
            ir::try_float(column(&name))
        }
    };
    Ok(ir::float(match measure.op {
        MeasureOp::Count => ir::count(column(&name)),
        MeasureOp::CountDistinct => ir::approx_distinct(column(&name)),
        MeasureOp::Sum => ir::sum(numeric()),
        MeasureOp::Avg => ir::avg(numeric()),
        MeasureOp::Min => ir::min(numeric()),
        MeasureOp::Max => ir::max(numeric()),
        op => ir::approx_percentile(numeric(), op.percentile().unwrap_or(0.5)),
    }))
}

/// The group-by column, if any (at most one).
fn group_column(scope: &Scope, group_by: &[String]) -> Result<Option<Expr>, QueryError> {
    match group_by {
        [] => Ok(None),
        [field] => Ok(Some(column(&scope.column(field)?.0))),
        _ => Err(QueryError::Invalid("group by at most one field".to_owned())),
    }
}

/// Finite floats of column `name`.
fn finite(rows: &Rows, name: &str) -> Result<Vec<Option<f64>>, QueryError> {
    Ok(rows
        .floats(name)?
        .into_iter()
        .map(|v| v.filter(|v| v.is_finite()))
        .collect())
}

impl QueryEngine {
    /// One measure over the events a search matches, per group.
    pub async fn aggregate(
        &self,
        request: &AggregateRequest,
    ) -> Result<AggregateResponse, QueryError> {
        let started = std::time::Instant::now();
        let range = request.range.required()?;
        let scope = Scope::new(self, &request.dataset, &request.query, range)?;
        let measure = measure_expr(&scope, &request.measure)?.alias("value");
        let limit = request.limit.clamp(1, MAX_GROUPS);
        let select = match group_column(&scope, &request.group_by)? {
            None => scope.select().aggregate([measure]),
            Some(g) => {
                let value = column("value");
                let by_value = match request.order {
                    Order::Desc => ir::descending(value),
                    Order::Asc => ir::ascending(value),
                };
                scope
                    .select()
                    .group_by([g.alias("group")])
                    .aggregate([measure])
                    .order_by(by_value)
                    .order_by(ir::ascending(column("group")))
                    .limit(limit)
            }
        };
        let (rows, sql) = self.fetch_with_sql(&select, limit).await?;
        let groups = if request.group_by.is_empty() {
            vec![None; rows.len()]
        } else {
            rows.cells("group")?
        };
        Ok(AggregateResponse {
            rows: groups
                .into_iter()
                .zip(finite(&rows, "value")?)
                .map(|(group, value)| AggregateRow { group, value })
                .collect(),
            sql,
            unknown_fields: scope.unknown_fields,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// One measure over the events a search matches, per time bucket; one
    /// series per group for the `limit` groups with the largest measure.
    pub async fn timeseries(
        &self,
        request: &TimeseriesRequest,
    ) -> Result<TimeseriesResponse, QueryError> {
        let started = std::time::Instant::now();
        let range = request.range.required()?;
        let scope = Scope::new(self, &request.dataset, &request.query, range)?;
        let measure = measure_expr(&scope, &request.measure)?.alias("value");
        let seconds = bucket_seconds(range.nanos(), request.buckets.clamp(1, MAX_BUCKETS));
        let limit = request.limit.clamp(1, MAX_SERIES);
        let bucket_nanos = seconds * 1_000_000_000;
        let first = range.from.div_euclid(bucket_nanos) * bucket_nanos;
        let count = ((range.to - first + bucket_nanos - 1) / bucket_nanos).max(1) as usize;
        let per_bucket = |select: Select, group: Option<Expr>| {
            select
                .group_by([ir::time_bucket(seconds, 0).alias("bucket")])
                .group_by(group.map(|g| g.alias("group")))
                .aggregate([measure.clone()])
                .order_by(ir::ascending(column("bucket")))
        };
        let (rows, sql) = match group_column(&scope, &request.group_by)? {
            None => {
                let select = per_bucket(scope.select(), None);
                let (rows, sql) = self.fetch_with_sql(&select, count + 1).await?;
                (Some(rows), sql)
            }
            Some(g) => {
                // The groups with the largest measure over the range, then
                // their series.
                let top = scope
                    .select()
                    .filter(g.clone().is_not_null())
                    .group_by([g.clone().alias("group")])
                    .aggregate([measure.clone()])
                    .order_by(ir::descending(column("value")))
                    .order_by(ir::ascending(column("group")))
                    .limit(limit);
                let (top_rows, top_sql) = self.fetch_with_sql(&top, limit).await?;
                let groups = top_rows.literals("group")?;
                let series = per_bucket(
                    scope
                        .select()
                        .filter(g.clone().in_list(groups.clone(), false)),
                    Some(g),
                );
                let (rows, series_sql) = if groups.is_empty() {
                    (None, self.sql_of(&series).await?)
                } else {
                    let max_rows = count.saturating_mul(limit).saturating_add(limit);
                    let (rows, sql) = self.fetch_with_sql(&series, max_rows).await?;
                    (Some(rows), sql)
                };
                let sql = format!(
                    "-- the {limit} largest groups\n{top_sql};\n-- their series\n{series_sql};"
                );
                (rows, sql)
            }
        };
        let fill = match request.measure.op {
            MeasureOp::Count | MeasureOp::CountDistinct => Some(0.0),
            _ => None,
        };
        let mut by_group: BTreeMap<String, (Option<Cell>, Vec<Option<f64>>)> = BTreeMap::new();
        if let Some(rows) = rows {
            let groups = if request.group_by.is_empty() {
                vec![None; rows.len()]
            } else {
                rows.cells("group")?
            };
            let points = rows
                .integers("bucket")?
                .into_iter()
                .zip(finite(&rows, "value")?);
            for (group, (start, value)) in groups.into_iter().zip(points) {
                let Some(start) = start else {
                    continue;
                };
                let index = (start - first) / bucket_nanos;
                if index < 0 || index as usize >= count {
                    continue;
                }
                let entry = by_group
                    .entry(format!("{group:?}"))
                    .or_insert_with(|| (group, vec![fill; count]));
                entry.1[index as usize] = value;
            }
        }
        let mut series: Vec<Series> = by_group
            .into_values()
            .map(|(group, values)| Series {
                group,
                points: values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| ((first + i as i64 * bucket_nanos) / 1_000_000, v))
                    .collect(),
            })
            .collect();
        // The largest series first.
        let total = |s: &Series| -> f64 { s.points.iter().filter_map(|p| p.1).sum() };
        series.sort_by(|a, b| total(b).total_cmp(&total(a)));
        if series.is_empty() && request.group_by.is_empty() {
            series.push(Series {
                group: None,
                points: (0..count)
                    .map(|i| ((first + i as i64 * bucket_nanos) / 1_000_000, fill))
                    .collect(),
            });
        }
        Ok(TimeseriesResponse {
            bucket_seconds: seconds,
            series,
            sql,
            unknown_fields: scope.unknown_fields,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}
