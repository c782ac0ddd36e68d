//! Reading a decoded batch row by row: core columns by name, attributes from
//! their own column or, when the dataset keeps them in the JSON column, from
//! there (parsed at most once per row, and only when the key occurs in it).

use std::borrow::Cow;
use std::cell::OnceCell;

use arrow::array::{Array, AsArray, StringArray};
use arrow::datatypes::{DataType, Int64Type, TimestampNanosecondType};
use arrow::record_batch::RecordBatch;
use model::ATTRIBUTES_COLUMN;
use serde_json::{Map, Value};

pub(crate) struct Rows<'a> {
    batch: &'a RecordBatch,
    json: Option<&'a StringArray>,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(batch: &'a RecordBatch) -> Rows<'a> {
        Rows {
            batch,
            json: text_column(batch, ATTRIBUTES_COLUMN),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.batch.num_rows()
    }

    pub(crate) fn text(&self, name: &str) -> Option<&'a StringArray> {
        text_column(self.batch, name)
    }

    pub(crate) fn int(&self, name: &str) -> Option<&'a arrow::array::Int64Array> {
        let column = self.batch.column_by_name(name)?;
        column.as_primitive_opt::<Int64Type>()
    }

    pub(crate) fn time(
        &self,
        name: &str,
    ) -> Option<&'a arrow::array::PrimitiveArray<TimestampNanosecondType>> {
        self.batch
            .column_by_name(name)?
            .as_primitive_opt::<TimestampNanosecondType>()
    }

    /// The attributes of row `row`, looked up lazily.
    pub(crate) fn row(&self, row: usize) -> Row<'a, '_> {
        Row {
            rows: self,
            row,
            parsed: OnceCell::new(),
        }
    }
}

fn text_column<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a StringArray> {
    batch.column_by_name(name)?.as_string_opt::<i32>()
}

/// Text of a column at a row, `None` when null or empty.
pub(crate) fn get(column: Option<&StringArray>, row: usize) -> Option<&str> {
    let c = column?;
    if c.is_null(row) {
        return None;
    }
    Some(c.value(row)).filter(|s| !s.is_empty())
}

/// A text cell to build: null when empty.
pub(crate) fn text(s: &str) -> model::Value<'_> {
    if s.is_empty() {
        model::Value::Null
    } else {
        model::Value::Text(s)
    }
}

pub(crate) struct Row<'a, 'r> {
    rows: &'r Rows<'a>,
    row: usize,
    parsed: OnceCell<Option<Map<String, Value>>>,
}

impl<'a> Row<'a, '_> {
    /// An attribute's value as text (numbers and booleans formatted), from
    /// its column when it has one and is set, else from the JSON column.
    pub(crate) fn attr(&self, key: &str) -> Option<Cow<'a, str>> {
        if let Some(column) = self.rows.batch.column_by_name(key)
            && !column.is_null(self.row)
        {
            {
                match column.data_type() {
                    DataType::Utf8 => {
                        let v = column.as_string::<i32>().value(self.row);
                        return (!v.is_empty()).then_some(Cow::Borrowed(v));
                    }
                    DataType::Int64 => {
                        return Some(Cow::Owned(
                            column
                                .as_primitive::<Int64Type>()
                                .value(self.row)
                                .to_string(),
                        ));
                    }
                    DataType::Float64 => {
                        return Some(Cow::Owned(
                            column
                                .as_primitive::<arrow::datatypes::Float64Type>()
                                .value(self.row)
                                .to_string(),
                        ));
                    }
                    DataType::Boolean => {
                        return Some(Cow::Owned(column.as_boolean().value(self.row).to_string()));
                    }
                    _ => {}
                }
            }
        }
        let raw = get(self.rows.json, self.row)?;
        if !raw.contains(key) {
            return None;
        }
        let parsed = self
            .parsed
            .get_or_init(|| serde_json::from_str::<Map<String, Value>>(raw).ok());
        match parsed.as_ref()?.get(key)? {
            Value::String(s) if !s.is_empty() => Some(Cow::Owned(s.clone())),
            Value::String(_) | Value::Null => None,
            other => Some(Cow::Owned(other.to_string())),
        }
    }

    /// The first of `keys` that is set.
    pub(crate) fn first(&self, keys: &[&str]) -> Option<Cow<'a, str>> {
        keys.iter().find_map(|k| self.attr(k))
    }
}
