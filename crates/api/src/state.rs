//! What every handler shares.

use ingest::{ApiKeys, Pipeline};
use query::QueryEngine;

#[derive(Clone)]
pub struct AppState {
    pub pipeline: Pipeline,
    pub engine: QueryEngine,
    pub ingest_keys: ApiKeys,
}
