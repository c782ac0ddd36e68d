//! Builds one Arrow batch from decoded records: typed core columns, attribute
//! columns promoted on first sight, and a JSON column for everything else.
//!
//! Columns are padded with nulls lazily (only when a later row sets them, and
//! once at the end), so a row costs only the fields it has.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::columns::{
    ATTRIBUTES_COLUMN, AttributeType, CoreType, MAX_ATTRIBUTE_COLUMNS, core_columns,
};
use crate::conform::DatasetSchema;
use crate::dataset::DatasetKind;
use crate::error::ModelError;
use crate::time::parse_rfc3339_nanos;
use crate::value::Value;

enum TypedBuilder {
    Text(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampNanosecondBuilder),
}

impl TypedBuilder {
    fn new(core_type: CoreType) -> TypedBuilder {
        match core_type {
            CoreType::Text => TypedBuilder::Text(StringBuilder::new()),
            CoreType::Int64 => TypedBuilder::Int(Int64Builder::new()),
            CoreType::Float64 => TypedBuilder::Float(Float64Builder::new()),
            CoreType::Boolean => TypedBuilder::Bool(BooleanBuilder::new()),
            CoreType::Timestamp => TypedBuilder::Time(TimestampNanosecondBuilder::new()),
        }
    }

    fn for_attribute(t: AttributeType) -> TypedBuilder {
        TypedBuilder::new(match t {
            AttributeType::Text => CoreType::Text,
            AttributeType::Int64 => CoreType::Int64,
            AttributeType::Float64 => CoreType::Float64,
            AttributeType::Boolean => CoreType::Boolean,
        })
    }

    fn len(&self) -> usize {
        match self {
            TypedBuilder::Text(b) => b.len(),
            TypedBuilder::Int(b) => b.len(),
            TypedBuilder::Float(b) => b.len(),
            TypedBuilder::Bool(b) => b.len(),
            TypedBuilder::Time(b) => b.len(),
        }
    }

    fn pad_to(&mut self, rows: usize) {
        let missing = rows.saturating_sub(self.len());
        if missing == 0 {
            return;
        }
        match self {
            TypedBuilder::Text(b) => b.append_nulls(missing),
            TypedBuilder::Int(b) => b.append_nulls(missing),
            TypedBuilder::Float(b) => b.append_nulls(missing),
            TypedBuilder::Bool(b) => b.append_nulls(missing),
            TypedBuilder::Time(b) => b.append_nulls(missing),
        }
    }

    /// Appends `value` coerced to this column's type; false when it does not fit.
    fn append(&mut self, value: &Value<'_>) -> bool {
        match (self, value) {
            (_, Value::Null) => return false,
            (TypedBuilder::Text(b), Value::Text(s)) => b.append_value(s),
            (TypedBuilder::Text(b), Value::Int(i)) => b.append_value(itoa(*i)),
            (TypedBuilder::Text(b), Value::Float(f)) => b.append_value(f.to_string()),
            (TypedBuilder::Text(b), Value::Bool(v)) => {
                b.append_value(if *v { "true" } else { "false" })
            }
            (TypedBuilder::Text(b), Value::Time(t)) => {
                b.append_value(crate::time::format_rfc3339_nanos(*t))
            }
            (TypedBuilder::Int(b), Value::Int(i)) => b.append_value(*i),
            (TypedBuilder::Int(b), Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                b.append_value(*f as i64)
            }
            (TypedBuilder::Int(b), Value::Text(s)) => match s.trim().parse::<i64>() {
                Ok(i) => b.append_value(i),
                Err(_) => return false,
            },
            (TypedBuilder::Float(b), Value::Float(f)) => b.append_value(*f),
            (TypedBuilder::Float(b), Value::Int(i)) => b.append_value(*i as f64),
            (TypedBuilder::Float(b), Value::Text(s)) => match s.trim().parse::<f64>() {
                Ok(f) => b.append_value(f),
                Err(_) => return false,
            },
            (TypedBuilder::Bool(b), Value::Bool(v)) => b.append_value(*v),
            (TypedBuilder::Bool(b), Value::Text(s)) if s.eq_ignore_ascii_case("true") => {
                b.append_value(true)
            }
            (TypedBuilder::Bool(b), Value::Text(s)) if s.eq_ignore_ascii_case("false") => {
                b.append_value(false)
            }
            (TypedBuilder::Time(b), Value::Time(t)) => b.append_value(*t),
            (TypedBuilder::Time(b), Value::Text(s)) => match parse_rfc3339_nanos(s) {
                Some(t) => b.append_value(t),
                None => return false,
            },
            (TypedBuilder::Time(b), Value::Int(i)) => {
                match crate::time::parse_time_value(&serde_json::json!(i)) {
                    Some(t) => b.append_value(t),
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            TypedBuilder::Text(b) => Arc::new(b.finish()),
            TypedBuilder::Int(b) => Arc::new(b.finish()),
            TypedBuilder::Float(b) => Arc::new(b.finish()),
            TypedBuilder::Bool(b) => Arc::new(b.finish()),
            TypedBuilder::Time(b) => Arc::new(b.finish().with_timezone("+00:00")),
        }
    }
}

fn itoa(i: i64) -> String {
    i.to_string()
}

fn attribute_type_of(value: &Value<'_>) -> Option<AttributeType> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some(AttributeType::Boolean),
        Value::Int(_) => Some(AttributeType::Int64),
        Value::Float(_) => Some(AttributeType::Float64),
        Value::Text(_) | Value::Time(_) => Some(AttributeType::Text),
    }
}

fn value_to_json(value: &Value<'_>) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::Text(s) => serde_json::Value::from(*s),
        Value::Time(t) => serde_json::Value::from(crate::time::format_rfc3339_nanos(*t)),
    }
}

struct AttributeColumn {
    name: String,
    attribute_type: AttributeType,
    builder: TypedBuilder,
}

/// A finished batch and what it adds to its dataset's schema.
#[derive(Debug, Clone)]
pub struct BuiltBatch {
    pub batch: RecordBatch,
    /// Attribute columns this batch created that the dataset schema lacked.
    pub new_attributes: Vec<(String, AttributeType)>,
    /// Smallest and largest event time in the batch (nanoseconds).
    pub min_time: i64,
    pub max_time: i64,
}

/// Accumulates rows of one dataset kind into Arrow column builders.
pub struct BatchBuilder {
    kind: DatasetKind,
    core: Vec<TypedBuilder>,
    core_lookup: HashMap<&'static str, usize>,
    known: HashMap<String, AttributeType>,
    attributes: Vec<AttributeColumn>,
    attribute_index: HashMap<String, usize>,
    overflow: StringBuilder,
    row_overflow: serde_json::Map<String, serde_json::Value>,
    rows: usize,
    min_time: i64,
    max_time: i64,
}

impl BatchBuilder {
    /// A builder for rows of `schema`'s dataset; attribute columns the schema
    /// already has keep their type.
    pub fn new(schema: &DatasetSchema) -> BatchBuilder {
        let columns = core_columns(schema.kind);
        let mut core_lookup = HashMap::new();
        for (i, c) in columns.iter().enumerate() {
            core_lookup.insert(c.name, i);
            for a in c.aliases {
                core_lookup.entry(*a).or_insert(i);
            }
        }
        BatchBuilder {
            kind: schema.kind,
            core: columns
                .iter()
                .map(|c| TypedBuilder::new(c.core_type))
                .collect(),
            core_lookup,
            known: schema.attributes.iter().cloned().collect(),
            attributes: Vec::new(),
            attribute_index: HashMap::new(),
            overflow: StringBuilder::new(),
            row_overflow: serde_json::Map::new(),
            rows: 0,
            min_time: i64::MAX,
            max_time: i64::MIN,
        }
    }

    /// Index of the core column called `key` or known by that alias.
    pub fn core_index(&self, key: &str) -> Option<usize> {
        self.core_lookup.get(key).copied()
    }

    /// Rows finished so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Sets the event time of the current row (core column 0). Decoders call
    /// this for every row: the time column is never null.
    pub fn set_time(&mut self, nanos: i64) {
        self.set_core(0, Value::Time(nanos));
        self.min_time = self.min_time.min(nanos);
        self.max_time = self.max_time.max(nanos);
    }

    /// Sets a core column of the current row; a value that does not fit the
    /// column's type is kept in the attributes JSON under the column's name.
    pub fn set_core(&mut self, index: usize, value: Value<'_>) {
        let row = self.rows;
        let builder = &mut self.core[index];
        if builder.len() > row || matches!(value, Value::Null) {
            return;
        }
        builder.pad_to(row);
        if !builder.append(&value) {
            let name = core_columns(self.kind)[index].name;
            self.row_overflow
                .insert(name.to_owned(), value_to_json(&value));
        }
    }

    /// Sets an attribute of the current row: its own column when the dataset
    /// has or can still grow one of the value's type, the JSON column otherwise.
    pub fn set_attribute(&mut self, key: &str, value: Value<'_>) {
        if matches!(value, Value::Null) {
            return;
        }
        let row = self.rows;
        let index = match self.attribute_index.get(key) {
            Some(&i) => Some(i),
            None => self.promote(key, &value),
        };
        if let Some(i) = index {
            let column = &mut self.attributes[i];
            if column.builder.len() > row {
                return;
            }
            column.builder.pad_to(row);
            if column.builder.append(&value) {
                return;
            }
        }
        self.row_overflow
            .entry(key.to_owned())
            .or_insert_with(|| value_to_json(&value));
    }

    /// Keeps a structured value (array, or an object the decoder did not
    /// flatten) in the attributes JSON column.
    pub fn set_attribute_json(&mut self, key: &str, value: serde_json::Value) {
        self.row_overflow.entry(key.to_owned()).or_insert(value);
    }

    fn promote(&mut self, key: &str, value: &Value<'_>) -> Option<usize> {
        if self
            .core_lookup
            .get(key)
            .is_some_and(|&i| core_columns(self.kind)[i].name == key)
            || key == ATTRIBUTES_COLUMN
            || key.is_empty()
            || key.len() > 128
        {
            return None;
        }
        let attribute_type = match self.known.get(key) {
            Some(t) => *t,
            None => {
                let new_count = self
                    .attributes
                    .iter()
                    .filter(|c| !self.known.contains_key(&c.name))
                    .count();
                if self.known.len() + new_count >= MAX_ATTRIBUTE_COLUMNS {
                    return None;
                }
                attribute_type_of(value)?
            }
        };
        self.attributes.push(AttributeColumn {
            name: key.to_owned(),
            attribute_type,
            builder: TypedBuilder::for_attribute(attribute_type),
        });
        self.attribute_index
            .insert(key.to_owned(), self.attributes.len() - 1);
        Some(self.attributes.len() - 1)
    }

    /// Finishes the current row.
    pub fn end_row(&mut self) {
        if self.row_overflow.is_empty() {
            self.overflow.append_null();
        } else {
            let json = serde_json::Value::Object(std::mem::take(&mut self.row_overflow));
            self.overflow.append_value(json.to_string());
        }
        self.rows += 1;
    }

    /// Finishes the batch. Columns are ordered: core, attributes the dataset
    /// already knew (in its order), new attributes (first seen first), JSON.
    pub fn finish(mut self) -> Result<BuiltBatch, ModelError> {
        let rows = self.rows;
        let columns = core_columns(self.kind);
        let mut fields = Vec::with_capacity(columns.len() + self.attributes.len() + 1);
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(fields.capacity());
        for (spec, builder) in columns.iter().zip(self.core.iter_mut()) {
            builder.pad_to(rows);
            fields.push(Field::new(spec.name, spec.core_type.data_type(), true));
            arrays.push(builder.finish());
        }
        let mut new_attributes = Vec::new();
        for column in &mut self.attributes {
            column.builder.pad_to(rows);
            fields.push(Field::new(
                &column.name,
                column.attribute_type.data_type(),
                true,
            ));
            arrays.push(column.builder.finish());
            if !self.known.contains_key(&column.name) {
                new_attributes.push((column.name.clone(), column.attribute_type));
            }
        }
        fields.push(Field::new(
            ATTRIBUTES_COLUMN,
            arrow::datatypes::DataType::Utf8,
            true,
        ));
        arrays.push(Arc::new(self.overflow.finish()));
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
        Ok(BuiltBatch {
            batch,
            new_attributes,
            min_time: self.min_time,
            max_time: self.max_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::Int64Type;

    #[test]
    fn promotes_attributes_and_pads_with_nulls() {
        let schema = DatasetSchema::new(DatasetKind::Logs);
        let mut b = BatchBuilder::new(&schema);
        let body = b.core_index("message").unwrap();
        b.set_time(10);
        b.set_core(body, Value::Text("first"));
        b.set_attribute("http.status_code", Value::Int(200));
        b.end_row();
        b.set_time(20);
        b.set_attribute("user", Value::Text("u1"));
        b.set_attribute("http.status_code", Value::Text("not a number"));
        b.set_attribute_json("tags", serde_json::json!(["a", "b"]));
        b.end_row();
        let built = b.finish().unwrap();
        let batch = &built.batch;
        assert_eq!(batch.num_rows(), 2);
        assert_eq!((built.min_time, built.max_time), (10, 20));
        let status = batch
            .column_by_name("http.status_code")
            .unwrap()
            .as_primitive::<Int64Type>();
        assert_eq!(status.value(0), 200);
        assert!(status.is_null(1));
        let user = batch.column_by_name("user").unwrap().as_string::<i32>();
        assert!(user.is_null(0));
        assert_eq!(user.value(1), "u1");
        let json = batch
            .column_by_name(ATTRIBUTES_COLUMN)
            .unwrap()
            .as_string::<i32>();
        assert!(json.is_null(0));
        let row1: serde_json::Value = serde_json::from_str(json.value(1)).unwrap();
        assert_eq!(
            row1,
            serde_json::json!({"http.status_code": "not a number", "tags": ["a", "b"]})
        );
        assert_eq!(built.new_attributes.len(), 2);
    }

    #[test]
    fn attribute_columns_are_capped() {
        let schema = DatasetSchema::new(DatasetKind::Events);
        let mut b = BatchBuilder::new(&schema);
        b.set_time(1);
        for i in 0..MAX_ATTRIBUTE_COLUMNS + 10 {
            b.set_attribute(&format!("k{i}"), Value::Int(i as i64));
        }
        b.end_row();
        let built = b.finish().unwrap();
        assert_eq!(built.new_attributes.len(), MAX_ATTRIBUTE_COLUMNS);
        let json = built
            .batch
            .column_by_name(ATTRIBUTES_COLUMN)
            .unwrap()
            .as_string::<i32>();
        let row: serde_json::Value = serde_json::from_str(json.value(0)).unwrap();
        assert_eq!(row.as_object().unwrap().len(), 10);
    }
}
