//! Query results as JSON-ready rows.

use std::time::Duration;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use crate::error::QueryError;

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
    /// One JSON object per row; nulls are omitted.
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub elapsed_ms: f64,
}

impl QueryResult {
    pub(crate) fn from_batches(
        schema: SchemaRef,
        batches: &[RecordBatch],
        elapsed: Duration,
    ) -> Result<QueryResult, QueryError> {
        let columns = ColumnInfo::of(&schema);
        let mut buffer = Vec::new();
        {
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut buffer);
            for batch in batches {
                writer
                    .write(batch)
                    .map_err(|e| QueryError::Execution(e.to_string()))?;
            }
            writer
                .finish()
                .map_err(|e| QueryError::Execution(e.to_string()))?;
        }
        let mut rows = Vec::new();
        for line in buffer.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice(line) {
                Ok(serde_json::Value::Object(map)) => rows.push(map),
                Ok(_) | Err(_) => {
                    return Err(QueryError::Execution(
                        "result row is not a JSON object".into(),
                    ));
                }
            }
        }
        Ok(QueryResult {
            columns,
            rows,
            elapsed_ms: elapsed.as_secs_f64() * 1000.0,
        })
    }
}
