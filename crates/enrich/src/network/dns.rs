//! Which name an address was reached by, from Route 53 Resolver query logs.
//!
//! The resolver logs only the queries it did not answer from its cache, and
//! the log carries no TTL. So an answer holds from the query for `HOLD`,
//! and every flow that uses it extends it by `HOLD` again: a connection
//! pool that resolved once at start-up keeps its name while it keeps
//! talking. A client whose query the cache answered (not logged) gets the
//! name any client last resolved the address to.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use formats::DnsQuery;
use serde::{Deserialize, Serialize};

/// How long an answer holds after its query or its last use, ns.
pub const HOLD_NS: i64 = 15 * 60 * 1_000_000_000;

/// One name an address resolved from, over a span of time (ns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Answer {
    from: i64,
    until: i64,
    name: Arc<str>,
}

/// Answers by (client, address) and by address alone.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(into = "Snapshot", from = "Snapshot")]
pub struct DnsIndex {
    by_client: HashMap<(IpAddr, IpAddr), Vec<Answer>>,
    by_address: HashMap<IpAddr, Vec<Answer>>,
    /// The latest query time seen, ns.
    newest: i64,
    entries: usize,
}

/// The index as stored: JSON maps take only string keys.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    newest: i64,
    by_client: Vec<(IpAddr, IpAddr, Vec<Answer>)>,
    by_address: Vec<(IpAddr, Vec<Answer>)>,
}

impl From<DnsIndex> for Snapshot {
    fn from(index: DnsIndex) -> Snapshot {
        Snapshot {
            newest: index.newest,
            by_client: index
                .by_client
                .into_iter()
                .map(|((c, a), list)| (c, a, list))
                .collect(),
            by_address: index.by_address.into_iter().collect(),
        }
    }
}

impl From<Snapshot> for DnsIndex {
    fn from(s: Snapshot) -> DnsIndex {
        let entries = s.by_client.iter().map(|(_, _, l)| l.len()).sum::<usize>()
            + s.by_address.iter().map(|(_, l)| l.len()).sum::<usize>();
        DnsIndex {
            by_client: s
                .by_client
                .into_iter()
                .map(|(c, a, list)| ((c, a), list))
                .collect(),
            by_address: s.by_address.into_iter().collect(),
            newest: s.newest,
            entries,
        }
    }
}

/// Beyond this many answers the oldest are forgotten.
const MAX_ENTRIES: usize = 2_000_000;
/// Answers per key: a name that rotates through addresses (a CDN) keeps
/// the last few.
const MAX_PER_KEY: usize = 8;

fn add(list: &mut Vec<Answer>, time: i64, name: &Arc<str>) -> bool {
    // The same name again extends the latest answer of that name.
    if let Some(last) = list.last_mut()
        && &last.name == name
    {
        last.until = last.until.max(time + HOLD_NS);
        last.from = last.from.min(time);
        return false;
    }
    list.push(Answer {
        from: time,
        until: time + HOLD_NS,
        name: name.clone(),
    });
    list.sort_by_key(|a| a.from);
    if list.len() > MAX_PER_KEY {
        list.remove(0);
        return false;
    }
    true
}

/// The latest answer in `list` that holds over `[start, end]`, extended to
/// `end + HOLD`.
fn find(list: &mut [Answer], start: i64, end: i64) -> Option<Arc<str>> {
    let answer = list
        .iter_mut()
        .rev()
        .find(|a| a.from <= end && a.until >= start)?;
    answer.until = answer.until.max(end + HOLD_NS);
    Some(answer.name.clone())
}

impl DnsIndex {
    pub fn new() -> DnsIndex {
        DnsIndex::default()
    }

    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Adds a query's answers (A and AAAA, through CNAMEs: the name kept is
    /// the one asked).
    pub fn add(&mut self, query: &DnsQuery) {
        let name: Arc<str> = Arc::from(query.query_name.as_str());
        self.newest = self.newest.max(query.time);
        for address in query.addresses() {
            if let Some(client) = query.src_addr
                && add(
                    self.by_client.entry((client, address)).or_default(),
                    query.time,
                    &name,
                )
            {
                self.entries += 1;
            }
            if add(
                self.by_address.entry(address).or_default(),
                query.time,
                &name,
            ) {
                self.entries += 1;
            }
        }
        if self.entries > MAX_ENTRIES {
            self.forget_before(self.newest - 6 * 3600 * 1_000_000_000);
        }
    }

    /// Forgets answers that stopped holding before `time` (ns).
    pub fn forget_before(&mut self, time: i64) {
        let mut entries = 0;
        self.by_client.retain(|_, list| {
            list.retain(|a| a.until >= time);
            entries += list.len();
            !list.is_empty()
        });
        self.by_address.retain(|_, list| {
            list.retain(|a| a.until >= time);
            entries += list.len();
            !list.is_empty()
        });
        if entries > MAX_ENTRIES {
            // Still too many recent answers: keep those by address only.
            entries -= self.by_client.values().map(Vec::len).sum::<usize>();
            self.by_client.clear();
        }
        self.entries = entries;
    }

    /// The name `client` reached `address` by during `[start, end]` (ns),
    /// and whether the client's own query said so. Using an answer extends
    /// it.
    pub fn name(
        &mut self,
        client: Option<IpAddr>,
        address: IpAddr,
        start: i64,
        end: i64,
    ) -> Option<Arc<str>> {
        if let Some(client) = client
            && let Some(list) = self.by_client.get_mut(&(client, address))
            && let Some(name) = find(list, start, end)
        {
            if let Some(list) = self.by_address.get_mut(&address) {
                find(list, start, end);
            }
            return Some(name);
        }
        find(self.by_address.get_mut(&address)?, start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use formats::DnsAnswer;

    const MIN: i64 = 60 * 1_000_000_000;

    fn query(time: i64, client: &str, name: &str, address: &str) -> DnsQuery {
        DnsQuery {
            time,
            account_id: None,
            region: None,
            vpc_id: None,
            query_name: name.into(),
            query_type: Some("A".into()),
            rcode: Some("NOERROR".into()),
            answers: vec![DnsAnswer {
                record_type: "A".into(),
                data: address.into(),
            }],
            src_addr: Some(client.parse().unwrap()),
            src_port: Some(40000),
            transport: Some("UDP".into()),
            instance_id: None,
            resolver_endpoint_id: None,
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_answer_holds_while_flows_use_it() {
        let mut dns = DnsIndex::new();
        dns.add(&query(0, "10.0.1.5", "api.stripe.com", "54.1.1.1"));
        let c = Some(ip("10.0.1.5"));
        // The flow window that saw the query started before it.
        assert_eq!(
            dns.name(c, ip("54.1.1.1"), -5 * MIN, 5 * MIN).as_deref(),
            Some("api.stripe.com")
        );
        // Used every ten minutes for two hours, it keeps holding.
        for i in 1..12 {
            let t = i * 10 * MIN;
            assert!(dns.name(c, ip("54.1.1.1"), t, t + MIN).is_some(), "{i}");
        }
        // Unused for an hour, it lapses.
        assert_eq!(dns.name(c, ip("54.1.1.1"), 200 * MIN, 201 * MIN), None);
    }

    #[test]
    fn a_client_the_cache_answered_gets_the_name_by_address() {
        let mut dns = DnsIndex::new();
        dns.add(&query(
            0,
            "10.0.1.5",
            "sqs.ap-northeast-2.amazonaws.com",
            "10.0.10.15",
        ));
        assert_eq!(
            dns.name(Some(ip("10.0.2.9")), ip("10.0.10.15"), MIN, 2 * MIN)
                .as_deref(),
            Some("sqs.ap-northeast-2.amazonaws.com")
        );
    }

    #[test]
    fn a_client_keeps_its_own_name_for_a_shared_address() {
        let mut dns = DnsIndex::new();
        dns.add(&query(0, "10.0.1.5", "a.example.com", "151.101.1.1"));
        dns.add(&query(MIN, "10.0.2.9", "b.example.com", "151.101.1.1"));
        assert_eq!(
            dns.name(Some(ip("10.0.1.5")), ip("151.101.1.1"), 2 * MIN, 3 * MIN)
                .as_deref(),
            Some("a.example.com")
        );
        assert_eq!(
            dns.name(Some(ip("10.0.3.3")), ip("151.101.1.1"), 2 * MIN, 3 * MIN)
                .as_deref(),
            Some("b.example.com")
        );
        // Before any query, no name.
        assert_eq!(
            dns.name(None, ip("151.101.1.1"), -60 * MIN, -30 * MIN),
            None
        );
    }
}
