//! The event search: matching events (newest first), counts per time bucket
//! and top values of facets, from one search-syntax query and a time range.

use model::{DatasetName, TIME_COLUMN};

use crate::engine::QueryEngine;
use crate::error::QueryError;
use crate::ir::{self, Select, column};
use crate::range::{RangeInput, bucket_seconds};
use crate::rows::{Cell, Record};
use crate::scope::Scope;

/// Most events one search returns.
const MAX_EVENTS: usize = 1000;
/// Most buckets a histogram has.
const MAX_BUCKETS: usize = 500;
/// Top values shown per facet.
const FACET_VALUES: usize = 10;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SearchRequest {
    pub dataset: String,
    /// Search syntax; empty matches all.
    #[serde(default)]
    #[schema(
        example = "service:jobs-api status:error @http.status_code:>=500 \"timeout\" -env:dev"
    )]
    pub query: String,
    /// `from`/`to` in nanoseconds or `from_ms`/`to_ms`; start inclusive.
    #[serde(flatten)]
    pub range: RangeInput,
    /// Newest events returned.
    #[serde(default = "default_limit")]
    #[schema(default = 100, maximum = 1000)]
    pub limit: usize,
    /// Fields to return top values for; default facets when absent.
    #[serde(default)]
    pub facets: Option<Vec<String>>,
    /// Histogram buckets over the range.
    #[serde(default = "default_buckets")]
    #[schema(default = 60)]
    pub buckets: usize,
}

fn default_limit() -> usize {
    100
}
fn default_buckets() -> usize {
    60
}

/// Top values of one field, for autocomplete.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ValuesRequest {
    pub field: String,
    /// Only values starting with this text (case-insensitive).
    #[serde(default)]
    pub prefix: String,
    #[serde(flatten)]
    pub range: RangeInput,
    #[serde(default = "default_values_limit")]
    pub limit: usize,
}

fn default_values_limit() -> usize {
    20
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ValuesResponse {
    pub field: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HistogramBucket {
    /// Bucket start, nanoseconds since the epoch.
    pub start: i64,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: Cell,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub events: Vec<Record>,
    /// Matching events in the whole range (not only those returned).
    pub total: u64,
    pub bucket_seconds: i64,
    pub histogram: Vec<HistogramBucket>,
    pub facets: Vec<Facet>,
    /// Fields the query names that this dataset does not have.
    pub unknown_fields: Vec<String>,
    /// The SQL WHERE clause the search became.
    pub sql_where: String,
    pub elapsed_ms: f64,
}

fn default_facets(dataset: &DatasetName) -> Vec<String> {
    match dataset.kind() {
        model::DatasetKind::Logs => vec!["service", "level", "env", "host"],
        model::DatasetKind::Spans => {
            vec!["service", "endpoint", "status_code", "kind", "peer", "env"]
        }
        model::DatasetKind::Metrics => vec!["metric", "service", "kind", "env"],
        model::DatasetKind::SpanMetrics => vec!["service", "endpoint", "kind", "peer", "env"],
        model::DatasetKind::Errors => vec!["service", "error_type", "source", "env"],
        model::DatasetKind::CallPairs => vec!["service", "callee", "peer", "env"],
        model::DatasetKind::Flows => vec![
            "client_service",
            "gateway_type",
            "destination_class",
            "destination",
            "observer",
            "env",
        ],
        model::DatasetKind::Audit => vec![
            "source",
            "event_source",
            "event_name",
            "actor",
            "outcome",
            "country",
        ],
        model::DatasetKind::Signals => vec!["rule_id", "severity", "entity", "source"],
        model::DatasetKind::Requests => vec![
            "source",
            "host",
            "method",
            "status",
            "action",
            "country",
            "client_ip",
        ],
        model::DatasetKind::Events => vec![],
    }
    .into_iter()
    .map(String::from)
    .collect()
}

impl QueryEngine {
    /// The SQL predicate of a search-syntax query over a dataset's columns
    /// (`TRUE` for an empty query); `None` when the dataset does not exist.
    pub fn search_predicate(
        &self,
        dataset: &DatasetName,
        query: &str,
    ) -> Result<Option<String>, QueryError> {
        let Some(fields) = self.fields(dataset) else {
            return Ok(None);
        };
        if query.trim().is_empty() {
            return Ok(Some("TRUE".to_owned()));
        }
        let parsed = search_syntax::parse(query).map_err(|e| QueryError::Search(e.to_string()))?;
        Ok(Some(search_syntax::to_sql(&parsed, &fields).sql))
    }

    /// A search-syntax query over a dataset's columns as an IR condition
    /// (`TRUE` for an empty query); `None` when the dataset does not exist.
    pub fn search_condition(
        &self,
        dataset: &DatasetName,
        query: &str,
    ) -> Result<Option<crate::ir::Expr>, QueryError> {
        let Some(fields) = self.fields(dataset) else {
            return Ok(None);
        };
        if query.trim().is_empty() {
            return Ok(Some(ir::boolean(true)));
        }
        let parsed = search_syntax::parse(query).map_err(|e| QueryError::Search(e.to_string()))?;
        let lowered = search_syntax::lower(&parsed, &fields);
        Ok(Some(ir::condition_expr(&lowered.condition)))
    }

    /// Runs a search: events, histogram and facets, concurrently.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, QueryError> {
        let started = std::time::Instant::now();
        let range = request.range.required()?;
        let scope = Scope::new(self, &request.dataset, &request.query, range)?;
        let limit = request.limit.min(MAX_EVENTS);
        let events = scope
            .select()
            .order_by(ir::descending(column(TIME_COLUMN)))
            .limit(limit);
        let seconds = bucket_seconds(range.nanos(), request.buckets.clamp(1, MAX_BUCKETS));
        let histogram = scope
            .select()
            .group_by([ir::time_bucket(seconds, 0).alias("bucket")])
            .aggregate([ir::count_rows().alias("n")])
            .order_by(ir::ascending(column("bucket")));
        let facet_names = request
            .facets
            .clone()
            .unwrap_or_else(|| default_facets(&scope.dataset));
        let facet_columns: Vec<(String, String)> = facet_names
            .iter()
            .take(20)
            .filter_map(|name| Some((name.clone(), scope.fields.column_for(name)?)))
            .collect();
        let facet_futures = futures::future::join_all(
            facet_columns
                .iter()
                .map(|(_, c)| self.top_values(scope.select(), c, FACET_VALUES)),
        );
        let (events, histogram, facet_results) = tokio::join!(
            self.fetch_with_limit(&events, limit),
            self.fetch_with_limit(&histogram, MAX_BUCKETS * 2 + 2),
            facet_futures
        );
        let histogram = histogram?;
        let histogram: Vec<HistogramBucket> = histogram
            .integers("bucket")?
            .into_iter()
            .zip(histogram.counts("n")?)
            .map(|(start, count)| HistogramBucket {
                start: start.unwrap_or(0),
                count,
            })
            .collect();
        let mut facets = Vec::new();
        for ((name, _), values) in facet_columns.iter().zip(facet_results) {
            facets.push(Facet {
                field: name.clone(),
                values: values?,
            });
        }
        Ok(SearchResponse {
            events: events?.records()?,
            total: histogram.iter().map(|b| b.count).sum(),
            bucket_seconds: seconds,
            histogram,
            facets,
            unknown_fields: scope.unknown_fields,
            sql_where: scope.sql_where,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The `limit` most frequent non-null values of `column` among `rows`,
    /// most frequent first (ties by value).
    async fn top_values(
        &self,
        rows: Select,
        column_name: &str,
        limit: usize,
    ) -> Result<Vec<FacetValue>, QueryError> {
        let c = column(column_name);
        let top = rows
            .filter(c.clone().is_not_null())
            .group_by([c.alias("value")])
            .aggregate([ir::count_rows().alias("n")])
            .order_by(ir::descending(column("n")))
            .order_by(ir::ascending(column("value")))
            .limit(limit);
        let rows = self.fetch_with_limit(&top, limit).await?;
        Ok(rows
            .cells("value")?
            .into_iter()
            .zip(rows.counts("n")?)
            .filter_map(|(value, count)| {
                Some(FacetValue {
                    value: value?,
                    count,
                })
            })
            .collect())
    }

    /// The most frequent values of a field over a time range (the last day
    /// when none is given), optionally only those with a prefix.
    pub async fn field_values(
        &self,
        dataset: &str,
        request: &ValuesRequest,
    ) -> Result<ValuesResponse, QueryError> {
        let range = request
            .range
            .optional()?
            .unwrap_or_else(|| crate::range::TimeRange::last(86_400 * 1_000_000_000));
        let scope = Scope::new(self, dataset, "", range)?;
        let (column_name, _) = scope.column(&request.field)?;
        let mut rows = scope.select();
        if !request.prefix.is_empty() {
            rows = rows.filter(ir::starts_with_ignoring_case(
                column(&column_name),
                &request.prefix,
            ));
        }
        let limit = request.limit.clamp(1, 100);
        Ok(ValuesResponse {
            field: request.field.clone(),
            values: self.top_values(rows, &column_name, limit).await?,
        })
    }
}
