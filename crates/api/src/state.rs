//! What every handler shares.

use std::sync::Arc;

use ingest::{ApiKeys, Pipeline};
use query::QueryEngine;
use saved::Saved;

#[derive(Clone)]
pub struct AppState {
    pub pipeline: Pipeline,
    pub engine: QueryEngine,
    pub ingest_keys: ApiKeys,
    /// Dashboards and saved views.
    pub saved: Arc<Saved>,
}
