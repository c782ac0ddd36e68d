//! Queries over every dataset: SQL (DataFusion dialect) and the event search
//! syntax, run on the embedded store under a memory budget, a timeout and a
//! row limit.
//!
//! Feature crates reach storage only through here, so another engine
//! (ClickHouse) can replace the embedded one without touching them.

mod engine;
mod error;
mod fields;
mod results;
mod search;
mod table;

pub use engine::{QueryEngine, QueryLimits};
pub use error::QueryError;
pub use fields::DatasetFields;
pub use results::{ColumnInfo, QueryResult};
pub use search::{Facet, FacetValue, HistogramBucket, SearchRequest, SearchResponse};
