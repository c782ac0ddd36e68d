//! The schema of a dataset as it grows, and fitting batches to it.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder, new_null_array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::columns::{ATTRIBUTES_COLUMN, AttributeType, MAX_ATTRIBUTE_COLUMNS, core_columns};
use crate::dataset::DatasetKind;
use crate::error::ModelError;

/// A dataset's columns: its kind's core columns, the attributes promoted so
/// far (in the order they appeared), and the JSON attributes column.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DatasetSchema {
    #[serde(with = "kind_serde")]
    pub kind: DatasetKind,
    pub attributes: Vec<(String, AttributeType)>,
}

mod kind_serde {
    use super::DatasetKind;
    pub(super) fn serialize<S: serde::Serializer>(
        k: &DatasetKind,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.as_str())
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<DatasetKind, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        Ok(match s.as_str() {
            "logs" => DatasetKind::Logs,
            "spans" => DatasetKind::Spans,
            "metrics" => DatasetKind::Metrics,
            "span_metrics" => DatasetKind::SpanMetrics,
            "errors" => DatasetKind::Errors,
            "call_pairs" => DatasetKind::CallPairs,
            "flows" => DatasetKind::Flows,
            "audit" => DatasetKind::Audit,
            "signals" => DatasetKind::Signals,
            "requests" => DatasetKind::Requests,
            _ => DatasetKind::Events,
        })
    }
}

impl DatasetSchema {
    pub fn new(kind: DatasetKind) -> DatasetSchema {
        DatasetSchema {
            kind,
            attributes: Vec::new(),
        }
    }

    pub fn arrow_schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = core_columns(self.kind)
            .iter()
            .map(|c| {
                Field::new(
                    c.name,
                    c.core_type.data_type(),
                    c.name != crate::TIME_COLUMN,
                )
            })
            .collect();
        // A core column added in a later version hides an attribute column
        // of the same name that older data promoted.
        let core = core_columns(self.kind);
        fields.extend(
            self.attributes
                .iter()
                .filter(|(n, _)| !core.iter().any(|c| c.name == n))
                .map(|(n, t)| Field::new(n, t.data_type(), true)),
        );
        fields.push(Field::new(ATTRIBUTES_COLUMN, DataType::Utf8, true));
        Arc::new(Schema::new(fields))
    }

    /// Adds the batch's new attribute columns to the schema, and returns the
    /// batch with any column whose type disagrees with the schema (two writers
    /// racing to create it) folded into the JSON column, so nothing is lost.
    pub fn absorb(&mut self, batch: RecordBatch) -> Result<RecordBatch, ModelError> {
        let known: HashMap<&str, AttributeType> = self
            .attributes
            .iter()
            .map(|(n, t)| (n.as_str(), *t))
            .collect();
        let core_count = core_columns(self.kind).len();
        let mut additions = Vec::new();
        let mut conflicts = Vec::new();
        let schema = batch.schema();
        for (i, field) in schema.fields().iter().enumerate().skip(core_count) {
            if field.name() == ATTRIBUTES_COLUMN {
                continue;
            }
            let Some(t) = AttributeType::from_data_type(field.data_type()) else {
                conflicts.push(i);
                continue;
            };
            match known.get(field.name().as_str()) {
                Some(k) if *k == t => {}
                Some(_) => conflicts.push(i),
                None if self.attributes.len() + additions.len() < MAX_ATTRIBUTE_COLUMNS => {
                    additions.push((field.name().clone(), t))
                }
                None => conflicts.push(i),
            }
        }
        self.attributes.extend(additions);
        if conflicts.is_empty() {
            return Ok(batch);
        }
        fold_into_json(batch, &conflicts)
    }
}

/// Moves the given columns of `batch` into its JSON attributes column.
fn fold_into_json(batch: RecordBatch, fold: &[usize]) -> Result<RecordBatch, ModelError> {
    let schema = batch.schema();
    let json_index = schema.index_of(ATTRIBUTES_COLUMN)?;
    let existing = batch.column(json_index).as_string::<i32>().clone();
    let folded: Vec<(String, ArrayRef)> = fold
        .iter()
        .map(|&i| {
            Ok((
                schema.field(i).name().clone(),
                cast(batch.column(i), &DataType::Utf8)?,
            ))
        })
        .collect::<Result<_, ModelError>>()?;
    let mut out = StringBuilder::new();
    for row in 0..batch.num_rows() {
        let mut object = if existing.is_null(row) {
            serde_json::Map::new()
        } else {
            match serde_json::from_str::<serde_json::Value>(existing.value(row)) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }
        };
        for (name, array) in &folded {
            let strings = array.as_string::<i32>();
            if !strings.is_null(row) {
                object
                    .entry(name.clone())
                    .or_insert_with(|| strings.value(row).into());
            }
        }
        if object.is_empty() {
            out.append_null();
        } else {
            out.append_value(serde_json::Value::Object(object).to_string());
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, field) in schema.fields().iter().enumerate() {
        if fold.contains(&i) {
            continue;
        }
        fields.push(field.as_ref().clone());
        arrays.push(if i == json_index {
            Arc::new(out.finish()) as ArrayRef
        } else {
            batch.column(i).clone()
        });
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

/// Returns `batch` with exactly `target`'s columns: missing ones as nulls,
/// differently typed ones cast (values that do not cast become null).
pub fn conform_batch(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch, ModelError> {
    if batch.schema().as_ref() == target.as_ref() {
        return Ok(batch.clone());
    }
    let rows = batch.num_rows();
    let mut arrays = Vec::with_capacity(target.fields().len());
    for field in target.fields() {
        let array = match batch.column_by_name(field.name()) {
            Some(a) if a.data_type() == field.data_type() => a.clone(),
            Some(a) => cast(a, field.data_type())?,
            None => new_null_array(field.data_type(), rows),
        };
        arrays.push(array);
    }
    let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        target.clone(),
        arrays,
        &options,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BatchBuilder, Value};

    #[test]
    fn conflicting_types_fold_into_json_and_conform() {
        let mut schema = DatasetSchema::new(DatasetKind::Events);
        let mut a = BatchBuilder::new(&schema);
        a.set_time(1);
        a.set_attribute("code", Value::Int(5));
        a.end_row();
        // A writer that started from the same empty schema sees a string first.
        let mut b = BatchBuilder::new(&schema);
        b.set_time(2);
        b.set_attribute("code", Value::Text("E42"));
        b.end_row();
        let a = schema.absorb(a.finish().unwrap().batch).unwrap();
        let b = schema.absorb(b.finish().unwrap().batch).unwrap();
        assert_eq!(
            schema.attributes,
            vec![("code".to_owned(), AttributeType::Int64)]
        );
        assert!(b.column_by_name("code").is_none());
        let target = schema.arrow_schema();
        let a = conform_batch(&a, &target).unwrap();
        let b = conform_batch(&b, &target).unwrap();
        assert_eq!(a.schema(), target);
        assert_eq!(b.column_by_name("code").unwrap().null_count(), 1);
        let json = b
            .column_by_name(ATTRIBUTES_COLUMN)
            .unwrap()
            .as_string::<i32>();
        assert_eq!(json.value(0), r#"{"code":"E42"}"#);
    }
}
