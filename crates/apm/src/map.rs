//! The service map: services, databases, queues and external hosts as nodes;
//! calls as edges.
//!
//! Edges are read from the callers' side: the `span_metrics` rollups of
//! client and producer spans, per calling service and `peer` (what the span
//! says it calls: `peer.service`, a database, a queue or a host). Where such
//! calls were seen paired at ingest with a server or consumer span of
//! another service (`call_pairs`, crate `derived`), the peer is that service
//! and the edge is paired; a peer that lands on several services is split by
//! the pairs' shares. Calls never paired go to their peer, a virtual node
//! when nothing instrumented answers there. Both inputs are minute rollups,
//! so a map over a week reads no raw spans.

use std::collections::{BTreeMap, HashMap};

use query::ir;
use query::{QueryEngine, TimeRange};

use crate::landings::{Landing, landings};
use crate::rollups::{self, Red, entry_red_by_service, env_is, exit_spans};
use crate::trace::ApmError;

/// Most edges drawn; the busiest are kept.
const MAX_EDGES: usize = 1_000;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MapNode {
    pub id: String,
    pub name: String,
    /// service, database, queue or external
    pub kind: String,
    /// Known only from the calls made to it (no spans of its own).
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    #[schema(required = true)]
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MapEdge {
    pub source: String,
    pub target: String,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub rate_per_s: f64,
    #[schema(required = true)]
    pub p50_ms: Option<f64>,
    #[schema(required = true)]
    pub p95_ms: Option<f64>,
    /// The callee is known from paired spans: a client span and the server
    /// span it called.
    pub paired: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceMap {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<MapEdge>,
    pub elapsed_ms: f64,
}

/// Calls from `client` to `peer`, from the caller's rollups.
#[derive(Debug, Clone)]
pub(crate) struct CallGroup {
    pub client: String,
    pub peer: Option<String>,
    pub peer_kind: Option<String>,
    pub red: Red,
}

fn node_id(kind: &str, name: &str) -> String {
    format!("{kind}:{name}")
}

#[derive(Default)]
struct EdgeSums {
    red: Red,
    paired: bool,
}

/// Splits `total` by `weights` (largest remainder), so the parts add up.
fn split(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|&w| total as f64 * w as f64 / sum as f64)
        .collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total.saturating_sub(parts.iter().sum());
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// Builds the map (pure). `services` are the services with entry spans,
/// with their requests, errors and p95. Steps: where each caller's peers
/// landed, the edges (paired peers split by share, the rest to virtual
/// nodes), the nodes, and what the virtual nodes received.
pub(crate) fn build_map(
    calls: &[CallGroup],
    landings: &[Landing],
    services: &BTreeMap<String, (u64, u64, Option<f64>)>,
    range_s: f64,
) -> (Vec<MapNode>, Vec<MapEdge>) {
    let landed = landed(landings);
    let (edges, virtual_nodes) = edges(calls, &landed, services);
    let edge_list = edge_list(edges, range_s);
    let mut nodes = service_nodes(services);
    add_virtual_nodes(&mut nodes, &edge_list, &virtual_nodes);
    (nodes.into_values().collect(), edge_list)
}

/// Where each (client, peer) was seen to land, by count per callee.
type Landed<'a> = HashMap<(&'a str, &'a str), BTreeMap<&'a str, u64>>;

fn landed(landings: &[Landing]) -> Landed<'_> {
    let mut landed: Landed<'_> = HashMap::new();
    for l in landings {
        *landed
            .entry((l.client.as_str(), l.peer.as_deref().unwrap_or("")))
            .or_default()
            .entry(l.callee.as_str())
            .or_default() += l.count;
    }
    landed
}

/// Edges by (source, target) node id, and the virtual nodes (id -> name,
/// kind) of peers never paired with a service.
type Edges = BTreeMap<(String, String), EdgeSums>;
type VirtualNodes = BTreeMap<String, (String, String)>;

fn edges(
    calls: &[CallGroup],
    landed: &Landed<'_>,
    services: &BTreeMap<String, (u64, u64, Option<f64>)>,
) -> (Edges, VirtualNodes) {
    let mut edges = Edges::new();
    let mut virtual_nodes = VirtualNodes::new();
    for c in calls {
        let source = node_id("service", &c.client);
        let peer = c.peer.as_deref().unwrap_or("");
        if let Some(callees) = landed.get(&(c.client.as_str(), peer)) {
            add_paired(&mut edges, c, &source, callees);
            continue;
        }
        let peer = c.peer.clone().unwrap_or_else(|| "unknown".to_owned());
        let kind = c.peer_kind.clone().unwrap_or_else(|| "external".to_owned());
        let target = if kind == "service" && services.contains_key(&peer) {
            if peer == c.client {
                continue;
            }
            node_id("service", &peer)
        } else {
            let id = node_id(&kind, &peer);
            virtual_nodes.insert(id.clone(), (peer, kind));
            id
        };
        edges.entry((source, target)).or_default().red.merge(&c.red);
    }
    (edges, virtual_nodes)
}

/// A caller's calls to a paired peer, split over the services it landed
/// on by their shares (largest remainders, so the counts add up).
fn add_paired(edges: &mut Edges, c: &CallGroup, source: &str, callees: &BTreeMap<&str, u64>) {
    let weights: Vec<u64> = callees.values().copied().collect();
    let requests = split(c.red.requests, &weights);
    let errors = split(c.red.errors, &weights);
    let sum: u64 = weights.iter().sum();
    for (i, (callee, &weight)) in callees.iter().enumerate() {
        // A service calling itself is not an edge.
        if *callee == c.client {
            continue;
        }
        let share = c
            .red
            .scaled(requests[i], errors[i], weight as f64 / sum as f64);
        let e = edges
            .entry((source.to_owned(), node_id("service", callee)))
            .or_default();
        e.red.merge(&share);
        e.paired = true;
    }
}

/// The busiest `MAX_EDGES` edges with their RED.
fn edge_list(edges: Edges, range_s: f64) -> Vec<MapEdge> {
    let mut edge_list: Vec<MapEdge> = edges
        .into_iter()
        .map(|((source, target), e)| MapEdge {
            source,
            target,
            requests: e.red.requests,
            errors: e.red.errors,
            error_rate: ratio(e.red.errors, e.red.requests),
            rate_per_s: e.red.requests as f64 / range_s.max(1e-9),
            p50_ms: e.red.quantile_ms(0.5),
            p95_ms: e.red.quantile_ms(0.95),
            paired: e.paired,
        })
        .collect();
    edge_list.sort_by_key(|x| std::cmp::Reverse(x.requests));
    edge_list.truncate(MAX_EDGES);
    edge_list
}

fn service_nodes(
    services: &BTreeMap<String, (u64, u64, Option<f64>)>,
) -> BTreeMap<String, MapNode> {
    services
        .iter()
        .map(|(name, &(requests, errors, p95))| {
            let id = node_id("service", name);
            let node = MapNode {
                id: id.clone(),
                name: name.clone(),
                kind: "service".into(),
                is_virtual: false,
                requests,
                errors,
                error_rate: ratio(errors, requests),
                p95_ms: p95,
            };
            (id, node)
        })
        .collect()
}

/// A node for every edge end that is not a service with entry spans;
/// virtual nodes show what is sent to them.
fn add_virtual_nodes(
    nodes: &mut BTreeMap<String, MapNode>,
    edge_list: &[MapEdge],
    virtual_nodes: &VirtualNodes,
) {
    for edge in edge_list {
        for id in [&edge.source, &edge.target] {
            if nodes.contains_key(id) {
                continue;
            }
            let (name, kind) = virtual_nodes.get(id).cloned().unwrap_or_else(|| {
                (
                    id.split_once(':').map(|(_, n)| n).unwrap_or(id).to_owned(),
                    "service".to_owned(),
                )
            });
            nodes.insert(
                id.clone(),
                MapNode {
                    id: id.clone(),
                    name,
                    kind,
                    is_virtual: true,
                    requests: 0,
                    errors: 0,
                    error_rate: 0.0,
                    p95_ms: None,
                },
            );
        }
    }
    for edge in edge_list {
        if let Some(node) = nodes.get_mut(&edge.target).filter(|n| n.is_virtual) {
            let before = node.requests as f64;
            node.requests += edge.requests;
            node.errors += edge.errors;
            node.error_rate = ratio(node.errors, node.requests);
            node.p95_ms = match (node.p95_ms, edge.p95_ms) {
                (Some(a), Some(b)) => {
                    Some((a * before + b * edge.requests as f64) / node.requests.max(1) as f64)
                }
                (a, b) => a.or(b),
            };
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The map over `range`, optionally for one environment.
pub async fn service_map(
    engine: &QueryEngine,
    range: TimeRange,
    env: Option<&str>,
) -> Result<ServiceMap, ApmError> {
    let started = std::time::Instant::now();
    let env = env.filter(|e| !e.is_empty());
    let services = entry_red_by_service(engine, range, env).await?;
    let aligned = rollups::aligned(range);
    let calls: Vec<CallGroup> = rollups::grouped(
        engine,
        aligned,
        &ir::all([exit_spans(), env_is(env)]),
        &["service", "peer", "peer_kind"],
    )
    .await?
    .into_iter()
    .map(|(key, red)| CallGroup {
        client: key.first().cloned().flatten().unwrap_or_default(),
        peer: key.get(1).cloned().flatten(),
        peer_kind: key.get(2).cloned().flatten(),
        red,
    })
    .collect();
    let landings = landings(engine, ir::all([ir::time_in(aligned), env_is(env)])).await?;
    let summaries: BTreeMap<String, (u64, u64, Option<f64>)> = services
        .iter()
        .map(|(name, red)| {
            (
                name.clone(),
                (red.requests, red.errors, red.quantile_ms(0.95)),
            )
        })
        .collect();
    let (nodes, edges) = build_map(&calls, &landings, &summaries, range.nanos() as f64 / 1e9);
    Ok(ServiceMap {
        nodes,
        edges,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(client: &str, peer: &str, kind: &str, n: u64, errors: u64) -> CallGroup {
        CallGroup {
            client: client.into(),
            peer: Some(peer.into()),
            peer_kind: Some(kind.into()),
            red: Red {
                requests: n,
                errors,
                duration_sum_ns: n as f64 * 1e7,
                histogram: vec![(derived::bucket_of(10_000_000), n)],
            },
        }
    }

    fn landing(client: &str, peer: &str, callee: &str, count: u64) -> Landing {
        Landing {
            client: client.into(),
            peer: Some(peer.into()),
            callee: callee.into(),
            count,
        }
    }

    fn services() -> BTreeMap<String, (u64, u64, Option<f64>)> {
        [
            ("web".to_owned(), (100, 1, Some(50.0))),
            ("api".to_owned(), (90, 2, Some(40.0))),
            ("search".to_owned(), (30, 0, Some(20.0))),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn pairs_and_virtual_nodes() {
        let calls = vec![
            // web -> api over HTTP: 85 calls, of which some were seen paired
            // (the others' server spans were dropped): all land on api.
            call("web", "api.internal", "external", 85, 3),
            call("api", "postgresql jobs", "database", 200, 0),
            call("api", "emails", "queue", 7, 0),
            // peer.service naming an instrumented service, never paired.
            call("web", "api", "service", 3, 0),
            // A service calling itself is not an edge.
            call("api", "x", "external", 4, 0),
        ];
        let landings = vec![
            landing("web", "api.internal", "api", 80),
            landing("api", "x", "api", 4),
        ];
        let (nodes, edges) = build_map(&calls, &landings, &services(), 60.0);
        let find = |s: &str, t: &str| edges.iter().find(|e| e.source == s && e.target == t);
        let web_api = find("service:web", "service:api").unwrap();
        assert_eq!((web_api.requests, web_api.errors), (88, 3));
        assert!(web_api.paired);
        let p50 = web_api.p50_ms.unwrap();
        assert!((p50 - 10.0).abs() < 0.5, "{p50}");
        let db = find("service:api", "database:postgresql jobs").unwrap();
        assert_eq!(db.requests, 200);
        assert!(!db.paired);
        assert!(find("service:api", "queue:emails").is_some());
        assert!(find("service:api", "service:api").is_none());
        assert!(find("service:api", "external:x").is_none());
        let db_node = nodes
            .iter()
            .find(|n| n.id == "database:postgresql jobs")
            .unwrap();
        assert!(db_node.is_virtual);
        assert_eq!(db_node.kind, "database");
        assert_eq!(db_node.requests, 200);
        assert!(
            !nodes
                .iter()
                .find(|n| n.id == "service:api")
                .unwrap()
                .is_virtual
        );
        // web, api, search, the database and the queue.
        assert_eq!(nodes.len(), 5);
    }

    #[test]
    fn a_peer_answered_by_several_services_is_split_by_their_shares() {
        // A gateway host in front of two services.
        let calls = vec![call("web", "gateway:443", "external", 101, 10)];
        let landings = vec![
            landing("web", "gateway:443", "api", 30),
            landing("web", "gateway:443", "search", 10),
        ];
        let (_, edges) = build_map(&calls, &landings, &services(), 60.0);
        let get = |t: &str| {
            let e = edges.iter().find(|e| e.target == t).unwrap();
            (e.requests, e.errors, e.paired)
        };
        assert_eq!(get("service:api"), (76, 8, true));
        assert_eq!(get("service:search"), (25, 2, true));
        assert_eq!(edges.len(), 2);
    }

    #[test]
    fn split_adds_up() {
        assert_eq!(split(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(split(0, &[5, 0]), vec![0, 0]);
        assert_eq!(split(7, &[0, 0]), vec![0, 0]);
        for total in 0..50 {
            assert_eq!(split(total, &[3, 5, 7, 11]).iter().sum::<u64>(), total);
        }
    }
}
