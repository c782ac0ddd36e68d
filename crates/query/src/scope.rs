//! [`Scope`]: what a search-syntax request reads, shared by the event
//! search and the point-and-click aggregations: the dataset, its fields, and
//! the rows it keeps (the time range and the search) as an IR condition,
//! with the same condition as SQL text for users to read.

use arrow::datatypes::DataType;
use model::DatasetName;

use crate::engine::QueryEngine;
use crate::error::QueryError;
use crate::fields::DatasetFields;
use crate::ir::{self, Expr, Select};
use crate::range::TimeRange;

pub(crate) struct Scope {
    pub(crate) dataset: DatasetName,
    pub(crate) fields: DatasetFields,
    /// The rows kept: in the range and matching the search.
    pub(crate) condition: Expr,
    /// `condition` as a SQL WHERE clause, for display (never run).
    pub(crate) sql_where: String,
    /// Fields the search names that the dataset does not have.
    pub(crate) unknown_fields: Vec<String>,
}

impl Scope {
    /// The rows of `dataset` in `range` that the search `query` matches.
    pub(crate) fn new(
        engine: &QueryEngine,
        dataset: &str,
        query: &str,
        range: TimeRange,
    ) -> Result<Scope, QueryError> {
        let dataset = DatasetName::new(dataset).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let fields = engine
            .fields(&dataset)
            .ok_or_else(|| QueryError::UnknownDataset(dataset.to_string()))?;
        let parsed = search_syntax::parse(query).map_err(|e| QueryError::Search(e.to_string()))?;
        let lowered = search_syntax::lower(&parsed, &fields);
        Ok(Scope {
            condition: match &lowered.condition {
                search_syntax::Condition::True => ir::time_in(range),
                search => ir::time_in(range).and(ir::condition_expr(search)),
            },
            sql_where: format!(
                "{} AND ({})",
                range.sql_filter(),
                search_syntax::condition_sql(&lowered.condition)
            ),
            unknown_fields: lowered.unknown_fields,
            dataset,
            fields,
        })
    }

    /// The kept rows.
    pub(crate) fn select(&self) -> Select {
        Select::from(self.dataset.clone()).filter(self.condition.clone())
    }

    /// The column a field (as users type it) names, with its type; an error
    /// naming the field when the dataset has no such column.
    pub(crate) fn column(&self, field: &str) -> Result<(String, DataType), QueryError> {
        let column = self.fields.column_for(field).ok_or_else(|| {
            QueryError::Invalid(format!(
                "unknown field {field:?}: {} has no such column",
                self.dataset.as_str()
            ))
        })?;
        let data_type = self.fields.data_type(&column).unwrap_or(DataType::Utf8);
        Ok((column, data_type))
    }
}
