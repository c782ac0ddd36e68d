//! Which rows the analysis adds up, each connection once: every gateway
//! view (a NAT gateway's leg from the client, an interface endpoint's
//! interface) and server view (of clients that log nothing of ours), and the
//! client's view of connections no gateway saw. The traffic queries
//! (crate `network`) say the same in SQL; this is the reference their tests
//! compare with.

use std::collections::HashSet;

use super::row::{Counted, FlowRow};

/// The rows counted, in order.
pub fn counted_rows(rows: &[FlowRow]) -> Vec<&FlowRow> {
    let seen_by_gateway: HashSet<i64> = rows
        .iter()
        .filter(|r| r.counted == Some(Counted::Gateway))
        .filter_map(|r| r.conn)
        .collect();
    rows.iter()
        .filter(|r| match r.counted {
            Some(Counted::Gateway | Counted::Server) => true,
            Some(Counted::Client) => !r.conn.is_some_and(|c| seen_by_gateway.contains(&c)),
            _ => false,
        })
        .collect()
}
