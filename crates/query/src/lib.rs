//! Queries over every dataset: SQL (DataFusion dialect) and the event search
//! syntax, run on the embedded store under a memory budget, a timeout and a
//! row limit.
//!
//! Feature crates reach storage only through here, so another engine
//! (ClickHouse) can replace the embedded one without touching them.

mod aggregate;
mod engine;
mod error;
mod fields;
mod interrupt;
pub mod ir;
mod range;
mod results;
mod rows;
mod schemas;
mod scope;
mod search;
mod table;

pub use aggregate::{
    AggregateRequest, AggregateResponse, AggregateRow, Measure, MeasureOp, Order, Series,
    TimeseriesRequest, TimeseriesResponse,
};
pub use engine::{DatasetDescription, QueryEngine, QueryLimits};
pub use error::QueryError;
pub use fields::DatasetFields;
pub use range::{RangeInput, TimeRange, expand_macros, time_literal};
pub use results::{ColumnInfo, QueryResult};
pub use rows::{Cell, Record, Rows};
pub use schemas::{DatasetStatsSchema, StoreStatsSchema};
pub use search::{
    Facet, FacetValue, HistogramBucket, SearchRequest, SearchResponse, ValuesRequest,
    ValuesResponse,
};
pub use store::{DatasetStats, StoreStats};
