//! How search-syntax field names map onto a dataset's columns.

use arrow::datatypes::{DataType, SchemaRef};
use model::{ATTRIBUTES_COLUMN, DatasetKind};
use search_syntax::{Column, ColumnKind, FieldRef};

/// The columns of one dataset as the search syntax sees them.
pub struct DatasetFields {
    kind: DatasetKind,
    schema: SchemaRef,
}

/// Names users type for core columns (Datadog's reserved attributes).
fn alias(kind: DatasetKind, name: &str) -> Option<&'static str> {
    match (kind, name) {
        (DatasetKind::Logs, "status" | "severity") => Some("level"),
        (DatasetKind::Logs, "message" | "msg") => Some("body"),
        (DatasetKind::Spans, "resource" | "operation") => Some("name"),
        (DatasetKind::Spans, "status") => Some("status_code"),
        (DatasetKind::Spans | DatasetKind::Logs, "trace.id") => Some("trace_id"),
        (DatasetKind::Metrics, "name") => Some("metric"),
        (_, "service.name") => Some("service"),
        (_, "time") => Some("timestamp"),
        _ => None,
    }
}

impl DatasetFields {
    pub fn new(kind: DatasetKind, schema: SchemaRef) -> DatasetFields {
        DatasetFields { kind, schema }
    }

    /// The column a field name refers to, if the dataset has it.
    pub fn column_name(&self, field: &FieldRef) -> Option<String> {
        let exists = |n: &str| self.schema.field_with_name(n).is_ok() && n != ATTRIBUTES_COLUMN;
        if !field.attribute
            && let Some(core) = alias(self.kind, &field.name).filter(|n| exists(n))
        {
            return Some(core.to_owned());
        }
        exists(&field.name).then(|| field.name.clone())
    }

    /// The column a field name as users type it refers to: `@name` is an
    /// attribute, a bare name may be a core column's alias.
    pub fn column_for(&self, typed: &str) -> Option<String> {
        let field = match typed.strip_prefix('@') {
            Some(rest) => FieldRef {
                name: rest.to_owned(),
                attribute: true,
            },
            None => FieldRef {
                name: typed.to_owned(),
                attribute: false,
            },
        };
        self.column_name(&field)
    }

    /// The type of a column, if the dataset has it.
    pub fn data_type(&self, column: &str) -> Option<DataType> {
        self.schema
            .field_with_name(column)
            .ok()
            .map(|f| f.data_type().clone())
    }

    /// Columns that free text is matched against.
    pub fn text_columns(&self) -> Vec<String> {
        let preferred: &[&str] = match self.kind {
            DatasetKind::Logs => &["body"],
            DatasetKind::Spans => &["name", "status_message"],
            DatasetKind::Metrics => &["metric"],
            DatasetKind::SpanMetrics => &["endpoint", "peer"],
            DatasetKind::Errors => &["message", "error_type", "stack"],
            DatasetKind::CallPairs => &["peer", "callee"],
            DatasetKind::Flows => &["destination", "client_service", "server_service"],
            DatasetKind::Audit => &["event_name", "actor", "error_message"],
            DatasetKind::Signals => &["title", "entity", "detail"],
            DatasetKind::Requests => &["path", "user_agent", "rule"],
            DatasetKind::Events => &["message", "msg", "body"],
        };
        let found: Vec<String> = preferred
            .iter()
            .filter(|n| self.schema.field_with_name(n).is_ok())
            .map(|n| n.to_string())
            .collect();
        if !found.is_empty() {
            return found;
        }
        self.schema
            .fields()
            .iter()
            .filter(|f| {
                matches!(
                    f.data_type(),
                    DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
                )
            })
            .map(|f| f.name().clone())
            .collect()
    }
}

impl search_syntax::Schema for DatasetFields {
    fn resolve(&self, field: &FieldRef) -> Option<Column> {
        let name = self.column_name(field)?;
        let kind = match self.schema.field_with_name(&name).ok()?.data_type() {
            DataType::Int64 | DataType::Int32 | DataType::UInt64 => ColumnKind::Integer,
            DataType::Float64 => ColumnKind::Float,
            DataType::Boolean => ColumnKind::Boolean,
            DataType::Timestamp(..) => ColumnKind::Timestamp,
            _ => ColumnKind::Text,
        };
        Some(Column {
            sql_name: name,
            kind,
        })
    }

    fn text_columns(&self) -> Vec<String> {
        DatasetFields::text_columns(self)
    }
}
