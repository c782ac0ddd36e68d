//! Typed query results: the Arrow batches a query produced, read column by
//! column as Rust values, or as records of typed cells for display.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::error::QueryError;

/// The rows of a finished query, as Arrow batches.
#[derive(Debug, Clone)]
pub struct Rows {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

/// One cell of a [`Record`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Boolean(bool),
    Integer(i64),
    Unsigned(u64),
    Float(f64),
    Text(String),
}

/// One row for display: its non-null cells by column name, in column order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub cells: Vec<(Arc<str>, Cell)>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, c)| c)
    }

    /// The cell as text: strings as they are, other values printed.
    pub fn text(&self, name: &str) -> Option<String> {
        Some(match self.get(name)? {
            Cell::Text(s) => s.clone(),
            Cell::Boolean(b) => b.to_string(),
            Cell::Integer(i) => i.to_string(),
            Cell::Unsigned(u) => u.to_string(),
            Cell::Float(f) => f.to_string(),
        })
    }

    /// The cell as a whole number, when it is one (or text holding one).
    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Cell::Integer(i) => Some(*i),
            Cell::Unsigned(u) => i64::try_from(*u).ok(),
            Cell::Text(s) => s.parse().ok(),
            Cell::Boolean(_) | Cell::Float(_) => None,
        }
    }

    /// Removes and returns a cell.
    pub fn remove(&mut self, name: &str) -> Option<Cell> {
        let at = self.cells.iter().position(|(n, _)| &**n == name)?;
        Some(self.cells.remove(at).1)
    }
}

/// The JSON shape Arrow's JSON writer gives a value: numbers and booleans
/// as themselves, everything else as its display text (a float that is not
/// finite as null).
impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Boolean(b) => serializer.serialize_bool(*b),
            Cell::Integer(i) => serializer.serialize_i64(*i),
            Cell::Unsigned(u) => serializer.serialize_u64(*u),
            Cell::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Cell::Float(_) => serializer.serialize_unit(),
            Cell::Text(s) => serializer.serialize_str(s),
        }
    }
}

/// The JSON shape Arrow's JSON writer gives a row: nulls omitted, each cell
/// as [`Cell`] serializes.
impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.cells.len()))?;
        for (name, cell) in &self.cells {
            map.serialize_entry(&**name, cell)?;
        }
        map.end()
    }
}

fn missing(name: &str) -> QueryError {
    QueryError::Execution(format!("the result has no column {name:?}"))
}

impl Rows {
    pub(crate) fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Rows {
        Rows { schema, batches }
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column `name` of every batch, cast to `to`.
    fn cast_column(&self, name: &str, to: &DataType) -> Result<Vec<ArrayRef>, QueryError> {
        let index = self.schema.index_of(name).map_err(|_| missing(name))?;
        let options = CastOptions {
            safe: true,
            ..CastOptions::default()
        };
        self.batches
            .iter()
            .map(|b| {
                let column = b.column(index);
                if column.data_type() == to {
                    Ok(column.clone())
                } else {
                    cast_with_options(column, to, &options)
                        .map_err(|e| QueryError::Execution(format!("column {name:?}: {e}")))
                }
            })
            .collect()
    }

    /// Column `name` as whole numbers (timestamps as ns since the epoch).
    pub fn integers(&self, name: &str) -> Result<Vec<Option<i64>>, QueryError> {
        let mut out = Vec::with_capacity(self.len());
        for array in self.cast_column(name, &DataType::Int64)? {
            out.extend(array.as_primitive::<Int64Type>().iter());
        }
        Ok(out)
    }

    /// Column `name` as floats.
    pub fn floats(&self, name: &str) -> Result<Vec<Option<f64>>, QueryError> {
        let mut out = Vec::with_capacity(self.len());
        for array in self.cast_column(name, &DataType::Float64)? {
            out.extend(array.as_primitive::<Float64Type>().iter());
        }
        Ok(out)
    }

    /// Column `name` as counts: floats and negative numbers saturate to 0.
    pub fn counts(&self, name: &str) -> Result<Vec<u64>, QueryError> {
        Ok(self
            .floats(name)?
            .into_iter()
            .map(|v| v.map_or(0, |f| f.max(0.0) as u64))
            .collect())
    }

    /// Column `name` as text.
    pub fn texts(&self, name: &str) -> Result<Vec<Option<String>>, QueryError> {
        let mut out = Vec::with_capacity(self.len());
        for array in self.cast_column(name, &DataType::Utf8)? {
            out.extend(array.as_string::<i32>().iter().map(|s| s.map(String::from)));
        }
        Ok(out)
    }

    /// Column `name` as literals of its own type, to compare a later
    /// query's values with (`IN` the values this query found).
    pub(crate) fn literals(&self, name: &str) -> Result<Vec<crate::ir::Expr>, QueryError> {
        let index = self.schema.index_of(name).map_err(|_| missing(name))?;
        let mut out = Vec::with_capacity(self.len());
        for batch in &self.batches {
            let column = batch.column(index);
            for i in 0..column.len() {
                let value = datafusion::scalar::ScalarValue::try_from_array(column, i)
                    .map_err(|e| QueryError::Execution(format!("column {name:?}: {e}")))?;
                out.push(datafusion::prelude::lit(value));
            }
        }
        Ok(out)
    }

    /// Column `name` as cells (`None` where null), typed as in records.
    pub fn cells(&self, name: &str) -> Result<Vec<Option<Cell>>, QueryError> {
        let index = self.schema.index_of(name).map_err(|_| missing(name))?;
        let key: Arc<str> = Arc::from(name);
        let mut one = Vec::with_capacity(self.len());
        for batch in &self.batches {
            let start = one.len();
            one.resize_with(start + batch.num_rows(), Record::default);
            append_cells(&mut one[start..], &key, batch.column(index))?;
        }
        Ok(one
            .into_iter()
            .map(|mut r| r.cells.pop().map(|(_, c)| c))
            .collect())
    }

    /// Every row as a [`Record`] of its non-null cells.
    pub fn records(&self) -> Result<Vec<Record>, QueryError> {
        let names: Vec<Arc<str>> = self
            .schema
            .fields()
            .iter()
            .map(|f| Arc::from(f.name().as_str()))
            .collect();
        let mut out = Vec::with_capacity(self.len());
        for batch in &self.batches {
            let start = out.len();
            out.resize_with(start + batch.num_rows(), Record::default);
            for (name, column) in names.iter().zip(batch.columns()) {
                append_cells(&mut out[start..], name, column)?;
            }
        }
        Ok(out)
    }
}

/// Appends the non-null cells of `column` to its rows' records.
fn append_cells(
    records: &mut [Record],
    name: &Arc<str>,
    column: &ArrayRef,
) -> Result<(), QueryError> {
    macro_rules! each {
        ($array:expr, $cell:expr) => {{
            let array = $array;
            for (record, value) in records.iter_mut().zip(array.iter()) {
                if let Some(v) = value {
                    record.cells.push((name.clone(), $cell(v)));
                }
            }
        }};
    }
    use arrow::datatypes::{
        Int8Type, Int16Type, Int32Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
    };
    match column.data_type() {
        DataType::Boolean => each!(column.as_boolean(), Cell::Boolean),
        DataType::Int8 => each!(column.as_primitive::<Int8Type>(), |v: i8| Cell::Integer(
            v.into()
        )),
        DataType::Int16 => each!(column.as_primitive::<Int16Type>(), |v: i16| Cell::Integer(
            v.into()
        )),
        DataType::Int32 => each!(column.as_primitive::<Int32Type>(), |v: i32| Cell::Integer(
            v.into()
        )),
        DataType::Int64 => each!(column.as_primitive::<Int64Type>(), Cell::Integer),
        DataType::UInt8 => each!(column.as_primitive::<UInt8Type>(), |v: u8| Cell::Unsigned(
            v.into()
        )),
        DataType::UInt16 => each!(
            column.as_primitive::<UInt16Type>(),
            |v: u16| Cell::Unsigned(v.into())
        ),
        DataType::UInt32 => each!(
            column.as_primitive::<UInt32Type>(),
            |v: u32| Cell::Unsigned(v.into())
        ),
        DataType::UInt64 => each!(column.as_primitive::<UInt64Type>(), Cell::Unsigned),
        DataType::Float64 => each!(column.as_primitive::<Float64Type>(), Cell::Float),
        DataType::Float32 => each!(
            column.as_primitive::<arrow::datatypes::Float32Type>(),
            |v: f32| Cell::Float(v.into())
        ),
        DataType::Utf8 => each!(column.as_string::<i32>(), |v: &str| Cell::Text(
            v.to_owned()
        )),
        DataType::LargeUtf8 => each!(column.as_string::<i64>(), |v: &str| Cell::Text(
            v.to_owned()
        )),
        DataType::Utf8View => each!(column.as_string_view(), |v: &str| Cell::Text(v.to_owned())),
        _ => {
            // Timestamps, dates, lists...: their display text, as Arrow's
            // JSON writer prints them.
            let options = FormatOptions::default();
            let formatter = ArrayFormatter::try_new(column.as_ref(), &options)
                .map_err(|e| QueryError::Execution(format!("column {name:?}: {e}")))?;
            for (i, record) in records.iter_mut().enumerate() {
                if column.is_valid(i) {
                    record
                        .cells
                        .push((name.clone(), Cell::Text(formatter.value(i).to_string())));
                }
            }
        }
    }
    Ok(())
}
