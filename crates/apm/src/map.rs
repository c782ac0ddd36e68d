//! The service map: services, databases, queues and external hosts as nodes;
//! calls as edges. A client or producer span whose child is a server or
//! consumer span of another service is a paired call between two services.
//! A call with no such child goes to what the span says it calls (its
//! `peer`: `peer.service`, a database, a queue or a host), a virtual node
//! when nothing instrumented answers there.

use std::collections::{BTreeMap, HashMap};

use model::DatasetName;
use query::{QueryEngine, TimeRange};
use serde_json::{Map, Value};

use crate::rollups::{num, quote, text};
use crate::services::entry_red_by_service;
use crate::trace::ApmError;

/// Most edges drawn; the busiest are kept.
const MAX_EDGES: usize = 1_000;

#[derive(Debug, Clone, serde::Serialize)]
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
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MapEdge {
    pub source: String,
    pub target: String,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub rate_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    /// Both ends were seen: a client span and the server span it called.
    pub paired: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceMap {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<MapEdge>,
    pub elapsed_ms: f64,
}

/// One row of the pairing query: calls from `client` through `peer` that
/// reached `server` (None when unpaired).
#[derive(Debug, Clone)]
pub struct CallGroup {
    pub client: String,
    pub peer: Option<String>,
    pub peer_kind: Option<String>,
    pub server: Option<String>,
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

fn node_id(kind: &str, name: &str) -> String {
    format!("{kind}:{name}")
}

#[derive(Default)]
struct EdgeSums {
    requests: u64,
    errors: u64,
    /// Request-weighted sums of percentiles (an approximation when merged).
    p50_weighted: f64,
    p95_weighted: f64,
    weight: f64,
    paired: bool,
}

/// Builds the map from call groups (pure). `services` are the services with
/// entry spans, with their requests, errors and p95.
pub fn build_map(
    calls: &[CallGroup],
    services: &BTreeMap<String, (u64, u64, Option<f64>)>,
    range_s: f64,
) -> (Vec<MapNode>, Vec<MapEdge>) {
    // Where each (client, peer) was seen to land when paired, by count.
    let mut landed: HashMap<(&str, &str), BTreeMap<&str, u64>> = HashMap::new();
    for c in calls {
        if let (Some(server), Some(peer)) = (&c.server, &c.peer) {
            *landed
                .entry((c.client.as_str(), peer.as_str()))
                .or_default()
                .entry(server.as_str())
                .or_default() += c.requests;
        }
    }
    let mut edges: BTreeMap<(String, String), EdgeSums> = BTreeMap::new();
    let mut virtual_nodes: BTreeMap<String, (String, String)> = BTreeMap::new();
    for c in calls {
        let source = node_id("service", &c.client);
        let (target, paired) = match &c.server {
            Some(server) if server == &c.client => continue,
            Some(server) => (node_id("service", server), true),
            None => {
                let peer = c.peer.clone().unwrap_or_else(|| "unknown".to_owned());
                let kind = c.peer_kind.clone().unwrap_or_else(|| "external".to_owned());
                let usual = landed
                    .get(&(c.client.as_str(), peer.as_str()))
                    .and_then(|m| m.iter().max_by_key(|(_, n)| **n).map(|(s, _)| *s));
                match usual {
                    Some(server) if server != c.client => (node_id("service", server), true),
                    Some(_) => continue,
                    None if kind == "service" && services.contains_key(&peer) => {
                        (node_id("service", &peer), false)
                    }
                    None => {
                        let id = node_id(&kind, &peer);
                        virtual_nodes.insert(id.clone(), (peer, kind));
                        (id, false)
                    }
                }
            }
        };
        let e = edges.entry((source, target)).or_default();
        e.requests += c.requests;
        e.errors += c.errors;
        let w = c.requests as f64;
        if let Some(p) = c.p50_ms {
            e.p50_weighted += p * w;
        }
        if let Some(p) = c.p95_ms {
            e.p95_weighted += p * w;
            e.weight += w;
        }
        e.paired |= paired;
    }
    let mut edge_list: Vec<MapEdge> = edges
        .into_iter()
        .map(|((source, target), e)| MapEdge {
            source,
            target,
            requests: e.requests,
            errors: e.errors,
            error_rate: ratio(e.errors, e.requests),
            rate_per_s: e.requests as f64 / range_s.max(1e-9),
            p50_ms: (e.weight > 0.0).then(|| e.p50_weighted / e.weight),
            p95_ms: (e.weight > 0.0).then(|| e.p95_weighted / e.weight),
            paired: e.paired,
        })
        .collect();
    edge_list.sort_by_key(|x| std::cmp::Reverse(x.requests));
    edge_list.truncate(MAX_EDGES);

    let mut nodes: BTreeMap<String, MapNode> = BTreeMap::new();
    for (name, &(requests, errors, p95)) in services {
        nodes.insert(
            node_id("service", name),
            MapNode {
                id: node_id("service", name),
                name: name.clone(),
                kind: "service".into(),
                is_virtual: false,
                requests,
                errors,
                error_rate: ratio(errors, requests),
                p95_ms: p95,
            },
        );
    }
    for edge in &edge_list {
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
    // Virtual nodes show what is sent to them.
    for edge in &edge_list {
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
    (nodes.into_values().collect(), edge_list)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn call_group(row: &Map<String, Value>) -> CallGroup {
    let ms = |k: &str| row.get(k).and_then(Value::as_f64).map(|ns| ns / 1e6);
    CallGroup {
        client: text(row, "client").unwrap_or_default(),
        peer: text(row, "peer"),
        peer_kind: text(row, "peer_kind"),
        server: text(row, "server"),
        requests: num(row, "requests") as u64,
        errors: num(row, "errors") as u64,
        p50_ms: ms("p50"),
        p95_ms: ms("p95"),
    }
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
    let calls = if engine.has_dataset(&DatasetName::spans()) {
        let env_sql = env
            .map(|e| format!(" AND env = {}", quote(e)))
            .unwrap_or_default();
        let time = range.sql_filter();
        let sql = format!(
            "SELECT c.service AS client, c.peer AS peer, c.peer_kind AS peer_kind, s.service AS server, \
             count(*) AS requests, sum(CASE WHEN c.status_code = 'error' THEN 1 ELSE 0 END) AS errors, \
             approx_percentile_cont(0.5) WITHIN GROUP (ORDER BY c.duration_ns) AS p50, \
             approx_percentile_cont(0.95) WITHIN GROUP (ORDER BY c.duration_ns) AS p95 \
             FROM (SELECT service, peer, peer_kind, trace_id, span_id, status_code, duration_ns FROM spans \
                   WHERE {time} AND kind IN ('client', 'producer'){env_sql}) c \
             LEFT JOIN (SELECT service, trace_id, parent_span_id FROM spans \
                   WHERE {time} AND kind IN ('server', 'consumer') AND parent_span_id IS NOT NULL) s \
             ON s.trace_id = c.trace_id AND s.parent_span_id = c.span_id \
             GROUP BY 1, 2, 3, 4"
        );
        engine
            .sql(&sql)
            .await?
            .rows
            .iter()
            .map(call_group)
            .collect()
    } else {
        Vec::new()
    };
    let summaries: BTreeMap<String, (u64, u64, Option<f64>)> = services
        .iter()
        .map(|(name, red)| {
            (
                name.clone(),
                (red.requests, red.errors, red.quantile_ms(0.95)),
            )
        })
        .collect();
    let (nodes, edges) = build_map(&calls, &summaries, range.nanos() as f64 / 1e9);
    Ok(ServiceMap {
        nodes,
        edges,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(client: &str, peer: &str, kind: &str, server: Option<&str>, n: u64) -> CallGroup {
        CallGroup {
            client: client.into(),
            peer: Some(peer.into()),
            peer_kind: Some(kind.into()),
            server: server.map(String::from),
            requests: n,
            errors: 1,
            p50_ms: Some(10.0),
            p95_ms: Some(20.0),
        }
    }

    #[test]
    fn pairs_and_virtual_nodes() {
        let services: BTreeMap<String, (u64, u64, Option<f64>)> = [
            ("web".to_owned(), (100, 1, Some(50.0))),
            ("api".to_owned(), (90, 2, Some(40.0))),
        ]
        .into_iter()
        .collect();
        let calls = vec![
            // web -> api over HTTP, mostly paired, some unpaired (the
            // server's spans were dropped): all land on api.
            call("web", "api.internal", "external", Some("api"), 80),
            call("web", "api.internal", "external", None, 5),
            call("api", "postgresql jobs", "database", None, 200),
            call("api", "emails", "queue", None, 7),
            // peer.service naming an instrumented service, never paired.
            call("web", "api", "service", None, 3),
            // A service calling itself is not an edge.
            call("api", "x", "external", Some("api"), 4),
        ];
        let (nodes, edges) = build_map(&calls, &services, 60.0);
        let find = |s: &str, t: &str| edges.iter().find(|e| e.source == s && e.target == t);
        let web_api = find("service:web", "service:api").unwrap();
        assert_eq!(web_api.requests, 88);
        assert!(web_api.paired);
        let db = find("service:api", "database:postgresql jobs").unwrap();
        assert_eq!(db.requests, 200);
        assert!(!db.paired);
        assert!(find("service:api", "queue:emails").is_some());
        assert!(find("service:api", "service:api").is_none());
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
        assert_eq!(nodes.len(), 4);
    }
}
