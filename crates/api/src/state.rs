//! What every handler shares.

use std::sync::Arc;

use ingest::Receiver;
use query::QueryEngine;
use saved::Saved;

#[derive(Clone)]
pub struct AppState {
    /// The ingest receivers (their pipeline, API keys and stats).
    pub receiver: Receiver,
    pub engine: QueryEngine,
    /// Dashboards and saved views.
    pub saved: Arc<Saved>,
    /// Imports AWS log objects; holds the flow attribution's knowledge.
    pub importer: ingest::Importer,
    /// The continuous S3 sources and their status.
    pub sources: ingest::sources::Sources,
    /// The network cost model's prices.
    pub prices: Arc<network::PriceTable>,
    /// The security rules the importer runs, what became of each, and
    /// their text.
    pub rules: Arc<siem::RuleSet>,
    /// The notification destinations' status.
    pub notifications: siem::NotifyBoard,
}
