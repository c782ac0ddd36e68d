//! Network cost over the `flows` dataset (written by `hannun import`,
//! attributed by crate `enrich`): traffic by client, gateway and
//! destination with its cost (`traffic.rs`), the price table
//! (`prices.rs`, data in `data/prices.toml`), and findings ranked by
//! monthly savings (`findings.rs`). Every read is a `query::ir::Select`.

mod finding;
mod findings;
mod prices;
mod s3_egress;
mod traffic;

pub use finding::{Evidence, Finding, Findings};
pub use findings::findings;
pub use prices::{GB, HOURS_PER_MONTH, Moved, PriceTable, RegionPrices, cost};
pub use traffic::{GroupField, TrafficFilter, TrafficRow, traffic};

/// Why a network request failed.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Query(#[from] query::QueryError),
}
