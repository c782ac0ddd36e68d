//! Where calls landed: the `call_pairs` rows ingest derives when it pairs a
//! client or producer span with the server or consumer span that answered
//! it. Read by the service map (peers resolved to services) and the service
//! page (the service answering each dependency).

use std::collections::BTreeMap;

use model::DatasetName;
use query::QueryEngine;
use query::ir::{self, Expr, Select, column};

use crate::trace::ApmError;

/// How many calls from `client` to `peer` were seen answered by `callee`.
#[derive(Debug, Clone)]
pub(crate) struct Landing {
    pub client: String,
    pub peer: Option<String>,
    pub callee: String,
    pub count: u64,
}

/// Where calls landed, per caller, peer and callee, from the `call_pairs`
/// rows matching `filter` (time and any other condition).
pub(crate) async fn landings(engine: &QueryEngine, filter: Expr) -> Result<Vec<Landing>, ApmError> {
    if !engine.has_dataset(&DatasetName::call_pairs()) {
        return Ok(Vec::new());
    }
    let select = Select::from(DatasetName::call_pairs())
        .filter(filter)
        .filter(column("callee").is_not_null())
        .group_by(["service", "peer", "callee"].map(column))
        .aggregate([ir::sum(column("count")).alias("n")]);
    let rows = engine.fetch(&select).await?;
    let (clients, peers, callees, counts) = (
        rows.texts("service")?,
        rows.texts("peer")?,
        rows.texts("callee")?,
        rows.counts("n")?,
    );
    Ok(clients
        .into_iter()
        .zip(peers)
        .zip(callees)
        .zip(counts)
        .map(|(((client, peer), callee), count)| Landing {
            client: client.unwrap_or_default(),
            peer,
            callee: callee.unwrap_or_default(),
            count,
        })
        .collect())
}

/// Per peer called by the rows matching `filter` (a `call_pairs` filter on
/// time, service and env), the service that answered it most often.
pub(crate) async fn callees_by_peer(
    engine: &QueryEngine,
    filter: Expr,
) -> Result<BTreeMap<String, String>, ApmError> {
    let mut busiest: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for l in landings(engine, filter).await? {
        let best = busiest
            .entry(l.peer.unwrap_or_default())
            .or_insert((0, String::new()));
        if l.count > best.0 {
            *best = (l.count, l.callee);
        }
    }
    Ok(busiest
        .into_iter()
        .map(|(peer, (_, callee))| (peer, callee))
        .collect())
}
