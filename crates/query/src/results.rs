//! The result of a user's SQL: its columns and typed records.

use std::time::Duration;

use crate::error::QueryError;
use crate::rows::{Record, Rows};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ColumnInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

impl ColumnInfo {
    /// The columns of `schema`, with their types as DataFusion prints them.
    pub(crate) fn of(schema: &arrow::datatypes::Schema) -> Vec<ColumnInfo> {
        schema
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                data_type: f.data_type().to_string(),
            })
            .collect()
    }
}

/// Columns and rows of a finished query.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QueryResult {
    pub columns: Vec<ColumnInfo>,
    /// One object per row; nulls are omitted.
    pub rows: Vec<Record>,
    pub elapsed_ms: f64,
}

impl QueryResult {
    pub(crate) fn from_rows(rows: &Rows, elapsed: Duration) -> Result<QueryResult, QueryError> {
        Ok(QueryResult {
            columns: ColumnInfo::of(rows.schema()),
            rows: rows.records()?,
            elapsed_ms: elapsed.as_secs_f64() * 1000.0,
        })
    }
}
