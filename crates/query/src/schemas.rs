//! OpenAPI descriptions of JSON that query's responses carry but whose Rust
//! types do not derive one: a [`Record`] (its own `Serialize`), and the
//! store's dataset and engine stats (`store` takes no OpenAPI dependency).
//! The tests check each description names exactly the keys the real type
//! serializes.

use std::borrow::Cow;

use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OneOfBuilder, RefOr};

use crate::rows::{Cell, Record};

/// One value: a boolean, number or text (null for a float that is not
/// finite).
fn scalar() -> Schema {
    let one_of = [
        Type::Boolean,
        Type::Integer,
        Type::Number,
        Type::String,
        Type::Null,
    ]
    .into_iter()
    .fold(OneOfBuilder::new(), |one_of, kind| {
        one_of.item(ObjectBuilder::new().schema_type(SchemaType::Type(kind)))
    });
    Schema::OneOf(one_of.build())
}

/// A value as [`Cell`] serializes.
impl utoipa::PartialSchema for Cell {
    fn schema() -> RefOr<Schema> {
        RefOr::T(scalar())
    }
}

impl utoipa::ToSchema for Cell {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Cell")
    }
}

/// A row: its non-null cells by column name, numbers and booleans as
/// themselves, everything else as text (a float that is not finite is null).
impl utoipa::PartialSchema for Record {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "A row: its non-null cells by column name; numbers and booleans as themselves, everything else as text (a float that is not finite is null).",
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(scalar()))))
            .into()
    }
}

impl utoipa::ToSchema for Record {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Record")
    }
}

/// Size of one dataset (`store::DatasetStats` as it serializes).
#[derive(utoipa::ToSchema)]
#[schema(as = DatasetStats)]
#[allow(dead_code)] // never built: it only describes `store::DatasetStats`
pub struct DatasetStatsSchema {
    name: String,
    /// logs, spans, metrics, events or a derived kind.
    kind: String,
    /// Parquet files.
    files: u64,
    file_bytes: u64,
    /// Rows in Parquet files.
    file_rows: u64,
    /// Rows written but not yet flushed to Parquet (queryable already).
    buffered_rows: u64,
    columns: usize,
    /// Earliest event, ns since the epoch.
    #[schema(required = true)]
    min_time: Option<i64>,
    /// Latest event, ns since the epoch.
    #[schema(required = true)]
    max_time: Option<i64>,
}

/// Engine-wide storage counters (`store::StoreStats` as it serializes).
#[derive(utoipa::ToSchema)]
#[schema(as = StoreStats)]
#[allow(dead_code)] // never built: it only describes `store::StoreStats`
pub struct StoreStatsSchema {
    appended_batches: u64,
    appended_rows: u64,
    wal_bytes: u64,
    /// Bytes of rows written but not yet flushed to Parquet.
    buffered_bytes: usize,
    flushes: u64,
    compactions: u64,
    files_deleted_by_retention: u64,
    /// The latest background (flush, compaction, retention) error.
    #[schema(required = true)]
    last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::PartialSchema;

    use super::*;

    fn described<T: PartialSchema>() -> BTreeSet<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["properties"]
            .as_object()
            .expect("an object schema")
            .keys()
            .cloned()
            .collect()
    }

    fn serialized(value: impl serde::Serialize) -> BTreeSet<String> {
        let value = serde_json::to_value(value).unwrap();
        value.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn stats_descriptions_name_the_serialized_keys() {
        assert_eq!(
            described::<DatasetStatsSchema>(),
            serialized(store::DatasetStats::default())
        );
        assert_eq!(
            described::<StoreStatsSchema>(),
            serialized(store::StoreStats::default())
        );
    }

    #[test]
    fn a_record_is_an_object_of_scalars() {
        let schema = serde_json::to_value(Record::schema()).unwrap();
        assert_eq!(schema["type"], "object");
        let kinds: Vec<&str> = schema["additionalProperties"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["boolean", "integer", "number", "string", "null"]);
    }
}
