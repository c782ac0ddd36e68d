//! Event model of hannun: dataset names and kinds, the Arrow schema of every
//! dataset, and the builder that turns decoded records into Arrow batches.
//!
//! No IO and no async here: every other crate depends on this one, so it stays
//! small and fast to compile.

mod builder;
mod columns;
mod conform;
mod dataset;
mod error;
mod rows;
mod time;
mod value;

pub use builder::{BatchBuilder, BuiltBatch};
pub use columns::{
    ATTRIBUTES_COLUMN, AttributeType, CoreColumn, CoreType, MAX_ATTRIBUTE_COLUMNS, TIME_COLUMN,
    core_columns, summed_columns,
};
pub use conform::{DatasetSchema, conform_batch};
pub use dataset::{DatasetKind, DatasetName};
pub use error::ModelError;
pub use rows::{Columns, batch_of};
pub use time::{format_rfc3339_nanos, parse_rfc3339_nanos, parse_time_value};
pub use value::Value;
