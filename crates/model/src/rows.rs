//! Typed rows to Arrow columns: what the hand-built batches of the
//! imported datasets (`audit`, `requests`, `signals`, `flows`) share. Each
//! crate keeps its row type and says, per column of the kind, which field
//! of the row fills it.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;

use crate::{DatasetKind, DatasetSchema};

/// Columns of `rows`, one field at a time.
pub struct Columns<'a, R> {
    rows: &'a [R],
}

impl<'a, R> Columns<'a, R> {
    pub fn new(rows: &'a [R]) -> Columns<'a, R> {
        Columns { rows }
    }

    pub fn text(&self, f: &dyn Fn(&R) -> Option<&str>) -> ArrayRef {
        let mut b = StringBuilder::with_capacity(self.rows.len(), self.rows.len() * 16);
        for r in self.rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    }

    pub fn int(&self, f: &dyn Fn(&R) -> Option<i64>) -> ArrayRef {
        let mut b = Int64Builder::with_capacity(self.rows.len());
        for r in self.rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    }

    pub fn float(&self, f: &dyn Fn(&R) -> Option<f64>) -> ArrayRef {
        let mut b = Float64Builder::with_capacity(self.rows.len());
        for r in self.rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    }

    pub fn flag(&self, f: &dyn Fn(&R) -> Option<bool>) -> ArrayRef {
        let mut b = BooleanBuilder::with_capacity(self.rows.len());
        for r in self.rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    }

    /// Nanoseconds since the epoch, as the column's timestamp type.
    pub fn time(&self, data_type: &DataType, f: &dyn Fn(&R) -> Option<i64>) -> ArrayRef {
        let mut b = TimestampNanosecondBuilder::with_capacity(self.rows.len())
            .with_data_type(data_type.clone());
        for r in self.rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    }
}

/// A batch of the kind's core columns with `rows` rows: `column` gives
/// each by name and type; a column it does not know is all nulls.
pub fn batch_of(
    kind: DatasetKind,
    rows: usize,
    mut column: impl FnMut(&str, &DataType) -> Option<ArrayRef>,
) -> Result<RecordBatch, String> {
    let schema = DatasetSchema::new(kind).arrow_schema();
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            column(field.name(), field.data_type())
                .unwrap_or_else(|| arrow::array::new_null_array(field.data_type(), rows))
        })
        .collect();
    RecordBatch::try_new(schema, columns)
        .map_err(|e| format!("building the {} batch: {e}", kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        time: i64,
        source: &'static str,
        rule: Option<String>,
    }

    #[test]
    fn rows_fill_the_named_columns_and_nulls_the_others() {
        let rows = [
            Row {
                time: 1,
                source: "cloudtrail",
                rule: Some("r".into()),
            },
            Row {
                time: 2,
                source: "okta",
                rule: None,
            },
        ];
        let c = Columns::new(&rows);
        let batch = batch_of(DatasetKind::Signals, rows.len(), |name, ty| {
            Some(match name {
                crate::TIME_COLUMN => c.time(ty, &|r| Some(r.time)),
                "source" => c.text(&|r| Some(r.source)),
                "rule_id" => c.text(&|r| r.rule.as_deref()),
                _ => return None,
            })
        })
        .unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column_by_name("rule_id").unwrap().null_count(), 1);
        assert_eq!(batch.column_by_name("title").unwrap().null_count(), 2);
    }
}
