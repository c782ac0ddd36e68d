//! The event search: matching events (newest first), counts per time bucket
//! and top values of facets, from one search-syntax query and a time range.

use model::{DatasetName, TIME_COLUMN};

use crate::engine::QueryEngine;
use crate::error::QueryError;
use crate::fields::DatasetFields;
use crate::range::{RangeInput, bucket_seconds, quote_ident};

/// Most events one search returns.
const MAX_EVENTS: usize = 1000;
/// Most buckets a histogram has.
const MAX_BUCKETS: usize = 500;

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

/// `LIKE` pattern text matching `text` literally.
fn like_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        match c {
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('%');
    out
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HistogramBucket {
    /// Bucket start, nanoseconds since the epoch.
    pub start: i64,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: serde_json::Value,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub events: Vec<serde_json::Map<String, serde_json::Value>>,
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
        model::DatasetKind::Events => vec![],
    }
    .into_iter()
    .map(String::from)
    .collect()
}

fn count_of(row: &serde_json::Map<String, serde_json::Value>, key: &str) -> u64 {
    row.get(key)
        .and_then(|v| v.as_u64().or_else(|| v.as_i64().map(|i| i.max(0) as u64)))
        .unwrap_or(0)
}

impl QueryEngine {
    /// The SQL predicate of a search-syntax query over a dataset's columns
    /// (`TRUE` for an empty query); `None` when the dataset does not exist.
    pub fn search_predicate(
        &self,
        dataset: &DatasetName,
        query: &str,
    ) -> Result<Option<String>, QueryError> {
        let Some(snapshot) = self.store().snapshot(dataset) else {
            return Ok(None);
        };
        if query.trim().is_empty() {
            return Ok(Some("TRUE".to_owned()));
        }
        let fields = DatasetFields::new(dataset.kind(), snapshot.schema.clone());
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
        let Some(snapshot) = self.store().snapshot(dataset) else {
            return Ok(None);
        };
        if query.trim().is_empty() {
            return Ok(Some(crate::ir::boolean(true)));
        }
        let fields = DatasetFields::new(dataset.kind(), snapshot.schema.clone());
        let parsed = search_syntax::parse(query).map_err(|e| QueryError::Search(e.to_string()))?;
        let lowered = search_syntax::lower(&parsed, &fields);
        Ok(Some(crate::ir::condition_expr(&lowered.condition)))
    }

    /// Runs a search: events, histogram and facets, concurrently.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, QueryError> {
        let started = std::time::Instant::now();
        let dataset =
            DatasetName::new(&request.dataset).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let range = request.range.required()?;
        let Some(snapshot) = self.store().snapshot(&dataset) else {
            return Err(QueryError::UnknownDataset(dataset.to_string()));
        };
        let fields = DatasetFields::new(dataset.kind(), snapshot.schema.clone());
        let parsed =
            search_syntax::parse(&request.query).map_err(|e| QueryError::Search(e.to_string()))?;
        let predicate = search_syntax::to_sql(&parsed, &fields);
        let table = quote_ident(dataset.as_str());
        let time = quote_ident(TIME_COLUMN);
        let where_clause = format!("{} AND ({})", range.sql_filter(), predicate.sql);
        let limit = request.limit.min(MAX_EVENTS);
        let events_sql = format!(
            "SELECT * FROM {table} WHERE {where_clause} ORDER BY {time} DESC LIMIT {limit}"
        );
        let seconds = bucket_seconds(range.nanos(), request.buckets.clamp(1, MAX_BUCKETS));
        let histogram_sql = format!(
            "SELECT CAST(date_bin(INTERVAL '{seconds} seconds', {time}, TIMESTAMP '1970-01-01T00:00:00Z') AS BIGINT) AS bucket, \
             count(*) AS n FROM {table} WHERE {where_clause} GROUP BY 1 ORDER BY 1"
        );
        let facet_names = request
            .facets
            .clone()
            .unwrap_or_else(|| default_facets(&dataset));
        let facet_columns: Vec<(String, String)> = facet_names
            .iter()
            .take(20)
            .filter_map(|name| Some((name.clone(), fields.column_for(name)?)))
            .collect();
        let facet_queries = facet_columns.iter().map(|(_, column)| {
            let c = quote_ident(column);
            format!(
                "SELECT {c} AS value, count(*) AS n FROM {table} WHERE {where_clause} AND {c} IS NOT NULL \
                 GROUP BY {c} ORDER BY n DESC, {c} LIMIT 10"
            )
        });
        let facet_futures = futures::future::join_all(
            facet_queries.map(|sql| async move { self.sql_with_limit(&sql, 10).await }),
        );
        let (events, histogram, facet_results) = tokio::join!(
            self.sql_with_limit(&events_sql, limit),
            self.sql_with_limit(&histogram_sql, MAX_BUCKETS * 2 + 2),
            facet_futures
        );
        let histogram: Vec<HistogramBucket> = histogram?
            .rows
            .iter()
            .map(|r| HistogramBucket {
                start: r.get("bucket").and_then(|v| v.as_i64()).unwrap_or(0),
                count: count_of(r, "n"),
            })
            .collect();
        let mut facets = Vec::new();
        for ((name, _), result) in facet_columns.iter().zip(facet_results) {
            let rows = result?.rows;
            facets.push(Facet {
                field: name.clone(),
                values: rows
                    .iter()
                    .map(|r| FacetValue {
                        value: r.get("value").cloned().unwrap_or_default(),
                        count: count_of(r, "n"),
                    })
                    .collect(),
            });
        }
        Ok(SearchResponse {
            events: events?.rows,
            total: histogram.iter().map(|b| b.count).sum(),
            bucket_seconds: seconds,
            histogram,
            facets,
            unknown_fields: predicate.unknown_fields,
            sql_where: where_clause,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

impl QueryEngine {
    /// The most frequent values of a field over a time range (the last day
    /// when none is given), optionally only those with a prefix.
    pub async fn field_values(
        &self,
        dataset: &str,
        request: &ValuesRequest,
    ) -> Result<ValuesResponse, QueryError> {
        let dataset = DatasetName::new(dataset).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let Some(snapshot) = self.store().snapshot(&dataset) else {
            return Err(QueryError::UnknownDataset(dataset.to_string()));
        };
        let fields = DatasetFields::new(dataset.kind(), snapshot.schema.clone());
        let column = fields.column_for(&request.field).ok_or_else(|| {
            QueryError::Invalid(format!(
                "unknown field {:?}: {} has no such column",
                request.field,
                dataset.as_str()
            ))
        })?;
        let range = request
            .range
            .optional()?
            .unwrap_or_else(|| crate::range::TimeRange::last(86_400 * 1_000_000_000));
        let c = quote_ident(&column);
        let table = quote_ident(dataset.as_str());
        let mut filter = format!("{} AND {c} IS NOT NULL", range.sql_filter());
        if !request.prefix.is_empty() {
            filter.push_str(&format!(
                " AND CAST({c} AS VARCHAR) ILIKE '{}' ESCAPE '\\'",
                like_prefix(&request.prefix)
            ));
        }
        let limit = request.limit.clamp(1, 100);
        let sql = format!(
            "SELECT {c} AS value, count(*) AS n FROM {table} WHERE {filter} \
             GROUP BY {c} ORDER BY n DESC, {c} LIMIT {limit}"
        );
        let rows = self.sql_with_limit(&sql, limit).await?.rows;
        Ok(ValuesResponse {
            field: request.field.clone(),
            values: rows
                .iter()
                .map(|r| FacetValue {
                    value: r.get("value").cloned().unwrap_or_default(),
                    count: count_of(r, "n"),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_literal() {
        assert_eq!(like_prefix("50%_a\\'b"), "50\\%\\_a\\\\''b%");
    }
}
