//! Point-and-click aggregations: one measure (count, sum, average,
//! percentiles...) over the events a search matches, optionally grouped by
//! one field, as a list of groups or as series over time buckets. The SQL
//! is built here, not in the browser, and returned so users can learn it.

use std::collections::BTreeMap;

use arrow::datatypes::DataType;
use model::{DatasetName, TIME_COLUMN};

use crate::engine::QueryEngine;
use crate::error::QueryError;
use crate::fields::DatasetFields;
use crate::range::{RangeInput, TimeRange, bucket_seconds, quote_ident};

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
    pub group: serde_json::Value,
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
    pub group: serde_json::Value,
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

/// The parts every aggregation shares: table, WHERE clause, columns.
struct Scope {
    table: String,
    fields: DatasetFields,
    where_clause: String,
    unknown_fields: Vec<String>,
}

impl Scope {
    fn new(
        engine: &QueryEngine,
        dataset: &str,
        query: &str,
        range: TimeRange,
    ) -> Result<Scope, QueryError> {
        let dataset = DatasetName::new(dataset).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let Some(snapshot) = engine.store().snapshot(&dataset) else {
            return Err(QueryError::UnknownDataset(dataset.to_string()));
        };
        let fields = DatasetFields::new(dataset.kind(), snapshot.schema.clone());
        let parsed = search_syntax::parse(query).map_err(|e| QueryError::Search(e.to_string()))?;
        let predicate = search_syntax::to_sql(&parsed, &fields);
        Ok(Scope {
            table: quote_ident(dataset.as_str()),
            fields,
            where_clause: format!("{} AND ({})", range.sql_filter(), predicate.sql),
            unknown_fields: predicate.unknown_fields,
        })
    }

    /// The column a field names, with its type; an error naming the field
    /// when the dataset has no such column.
    fn column(&self, name: &str) -> Result<(String, DataType), QueryError> {
        let column = self.fields.column_for(name).ok_or_else(|| {
            QueryError::Invalid(format!(
                "unknown field {name:?}: the dataset has no such column"
            ))
        })?;
        let data_type = self.fields.data_type(&column).unwrap_or(DataType::Utf8);
        Ok((column, data_type))
    }

    /// The SQL of the measure.
    fn measure(&self, measure: &Measure) -> Result<String, QueryError> {
        let field = match (&measure.field, measure.op) {
            (None, MeasureOp::Count) => return Ok("CAST(count(*) AS DOUBLE)".into()),
            (Some(f), _) if f.is_empty() && measure.op == MeasureOp::Count => {
                return Ok("CAST(count(*) AS DOUBLE)".into());
            }
            (None, op) => {
                return Err(QueryError::Invalid(format!(
                    "measure {} needs a field",
                    serde_json::to_string(&op).unwrap_or_default()
                )));
            }
            (Some(f), _) => f,
        };
        let (column, data_type) = self.column(field)?;
        let quoted = quote_ident(&column);
        let numeric = if data_type.is_numeric() {
            quoted.clone()
        } else {
            format!("TRY_CAST({quoted} AS DOUBLE)")
        };
        Ok(match measure.op {
            MeasureOp::Count => format!("CAST(count({quoted}) AS DOUBLE)"),
            MeasureOp::CountDistinct => format!("CAST(approx_distinct({quoted}) AS DOUBLE)"),
            MeasureOp::Sum => format!("CAST(sum({numeric}) AS DOUBLE)"),
            MeasureOp::Avg => format!("CAST(avg({numeric}) AS DOUBLE)"),
            MeasureOp::Min => format!("CAST(min({numeric}) AS DOUBLE)"),
            MeasureOp::Max => format!("CAST(max({numeric}) AS DOUBLE)"),
            op => {
                let p = op.percentile().unwrap_or(0.5);
                format!(
                    "CAST(approx_percentile_cont({p}) WITHIN GROUP (ORDER BY {numeric}) AS DOUBLE)"
                )
            }
        })
    }

    /// The group-by column, if any (at most one).
    fn group(&self, group_by: &[String]) -> Result<Option<String>, QueryError> {
        match group_by {
            [] => Ok(None),
            [field] => Ok(Some(quote_ident(&self.column(field)?.0))),
            _ => Err(QueryError::Invalid("group by at most one field".to_owned())),
        }
    }
}

fn number(row: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<f64> {
    row.get(key)
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite())
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
        let measure = scope.measure(&request.measure)?;
        let limit = request.limit.clamp(1, MAX_GROUPS);
        let Scope {
            table,
            where_clause,
            ..
        } = &scope;
        let sql = match scope.group(&request.group_by)? {
            None => format!("SELECT {measure} AS value FROM {table} WHERE {where_clause}"),
            Some(g) => {
                let order = match request.order {
                    Order::Desc => "DESC",
                    Order::Asc => "ASC",
                };
                format!(
                    "SELECT {g} AS \"group\", {measure} AS value FROM {table} WHERE {where_clause} \
                     GROUP BY {g} ORDER BY value {order} NULLS LAST, {g} LIMIT {limit}"
                )
            }
        };
        let result = self.sql_with_limit(&sql, limit).await?;
        let rows = result
            .rows
            .iter()
            .map(|r| AggregateRow {
                group: r.get("group").cloned().unwrap_or_default(),
                value: number(r, "value"),
            })
            .collect();
        Ok(AggregateResponse {
            rows,
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
        let measure = scope.measure(&request.measure)?;
        let seconds = bucket_seconds(range.nanos(), request.buckets.clamp(1, MAX_BUCKETS));
        let limit = request.limit.clamp(1, MAX_SERIES);
        let time = quote_ident(TIME_COLUMN);
        let Scope {
            table,
            where_clause,
            ..
        } = &scope;
        let bucket = format!(
            "CAST(date_bin(INTERVAL '{seconds} seconds', {time}, TIMESTAMP '1970-01-01T00:00:00Z') AS BIGINT)"
        );
        let sql = match scope.group(&request.group_by)? {
            None => format!(
                "SELECT {bucket} AS bucket, {measure} AS value FROM {table} WHERE {where_clause} \
                 GROUP BY 1 ORDER BY 1"
            ),
            Some(g) => format!(
                "WITH top_groups AS (SELECT {g} AS g FROM {table} WHERE {where_clause} AND {g} IS NOT NULL \
                 GROUP BY {g} ORDER BY {measure} DESC NULLS LAST, {g} LIMIT {limit}) \
                 SELECT {bucket} AS bucket, {g} AS \"group\", {measure} AS value FROM {table} \
                 WHERE {where_clause} AND {g} IN (SELECT g FROM top_groups) GROUP BY 1, 2 ORDER BY 1"
            ),
        };
        let bucket_nanos = seconds * 1_000_000_000;
        let first = range.from.div_euclid(bucket_nanos) * bucket_nanos;
        let count = ((range.to - first + bucket_nanos - 1) / bucket_nanos).max(1) as usize;
        let max_rows = count.saturating_mul(limit).saturating_add(limit);
        let result = self.sql_with_limit(&sql, max_rows).await?;
        let fill = match request.measure.op {
            MeasureOp::Count | MeasureOp::CountDistinct => Some(0.0),
            _ => None,
        };
        // Series in order of first appearance of their group by total, so
        // the largest comes first.
        let mut by_group: BTreeMap<String, (serde_json::Value, Vec<Option<f64>>)> = BTreeMap::new();
        for row in &result.rows {
            let Some(start) = row.get("bucket").and_then(|v| v.as_i64()) else {
                continue;
            };
            let index = (start - first) / bucket_nanos;
            if index < 0 || index as usize >= count {
                continue;
            }
            let group = row.get("group").cloned().unwrap_or_default();
            let key = group.to_string();
            let entry = by_group
                .entry(key)
                .or_insert_with(|| (group, vec![fill; count]));
            entry.1[index as usize] = number(row, "value");
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
        let total = |s: &Series| -> f64 { s.points.iter().filter_map(|p| p.1).sum() };
        series.sort_by(|a, b| total(b).total_cmp(&total(a)));
        if series.is_empty() && request.group_by.is_empty() {
            series.push(Series {
                group: serde_json::Value::Null,
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
