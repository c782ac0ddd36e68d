//! Pairing calls across services at ingest, for the service map: a client or
//! producer span and the server or consumer span whose parent it is are the
//! two ends of one call. The two ends usually arrive in different batches,
//! from different processes, seconds apart, so the pairer keeps the spans
//! still waiting for their other end, up to a bound, and emits one
//! `call_pairs` row per pair found: the caller, the peer its span named, the
//! callee service.
//!
//! The map then reads RED numbers from the caller's rollups and only asks
//! the pairs where each (caller, peer) lands, so a map over days reads small
//! rollups instead of joining raw spans. Like the OpenTelemetry Collector's
//! servicegraph connector, a pair whose other end is evicted (or arrives
//! after a restart) is not counted; any later pair of the same caller and
//! peer resolves the peer again.
//!
//! Deterministic and free of IO: the ingest edge owns one pairer and feeds
//! it every spans batch in order.

use std::collections::{HashMap, VecDeque};

use arrow::record_batch::RecordBatch;
use model::{BatchBuilder, DatasetKind, DatasetSchema, ModelError, Value};

use crate::fingerprint::fnv1a;
use crate::rows::{Rows, get, text};

const MINUTE_NS: i64 = 60_000_000_000;

/// Spans waiting for their other end, on each side, by default: at 50,000
/// client spans a second that is 20 seconds of waiting, in about 40 MB.
pub const DEFAULT_PENDING: usize = 1_000_000;

/// Distinct (service, env, peer, peer kind) tuples remembered; past this the
/// table and everything waiting is cleared before the next batch
/// (cardinality abuse).
const MAX_LABELS: usize = 100_000;

/// One end of a call waiting for the other.
#[derive(Clone, Copy)]
struct Waiting {
    /// Index in `labels`: for a client end (service, env, peer, peer kind),
    /// for a server end (service, "", "", "").
    label: u32,
    /// Minute of the client end's start (for a server end, its own).
    minute: i64,
}

struct Label {
    service: String,
    env: String,
    peer: String,
    peer_kind: String,
}

/// Pairs client/producer spans with their server/consumer children across
/// batches. See the module documentation.
pub struct CallPairer {
    capacity: usize,
    /// Client ends by hash of (trace id, span id).
    clients: HashMap<u64, Waiting>,
    /// Server ends by hash of (trace id, parent span id).
    servers: HashMap<u64, Waiting>,
    /// Insertion order of both maps (true: client side), for eviction.
    order: VecDeque<(u64, bool)>,
    labels: Vec<Label>,
    /// Label ids by FNV-1a of their four fields (probing on a collision), so
    /// a lookup per span allocates nothing.
    label_ids: HashMap<u64, u32>,
    evicted: u64,
}

impl Default for CallPairer {
    fn default() -> CallPairer {
        CallPairer::new(DEFAULT_PENDING)
    }
}

fn hash_ids(trace_id: &str, span_id: &str) -> u64 {
    fnv1a(&[trace_id, span_id])
}

#[derive(Hash, PartialEq, Eq)]
struct PairKey {
    minute: i64,
    client: u32,
    server: u32,
}

impl CallPairer {
    /// A pairer that keeps at most `capacity` waiting ends in all.
    pub fn new(capacity: usize) -> CallPairer {
        CallPairer {
            capacity: capacity.max(1),
            clients: HashMap::new(),
            servers: HashMap::new(),
            order: VecDeque::new(),
            labels: Vec::new(),
            label_ids: HashMap::new(),
            evicted: 0,
        }
    }

    /// Ends waiting now.
    pub fn pending(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// Ends dropped unpaired because the pairer was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn label(&mut self, service: &str, env: &str, peer: &str, peer_kind: &str) -> u32 {
        let mut hash = fnv1a(&[service, env, peer, peer_kind]);
        while let Some(&id) = self.label_ids.get(&hash) {
            let l = &self.labels[id as usize];
            if (
                l.service.as_str(),
                l.env.as_str(),
                l.peer.as_str(),
                l.peer_kind.as_str(),
            ) == (service, env, peer, peer_kind)
            {
                return id;
            }
            hash = hash.wrapping_add(1);
        }
        let id = self.labels.len() as u32;
        self.labels.push(Label {
            service: service.to_owned(),
            env: env.to_owned(),
            peer: peer.to_owned(),
            peer_kind: peer_kind.to_owned(),
        });
        self.label_ids.insert(hash, id);
        id
    }

    fn wait(&mut self, key: u64, end: Waiting, client: bool) {
        let map = if client {
            &mut self.clients
        } else {
            &mut self.servers
        };
        if map.insert(key, end).is_none() {
            self.order.push_back((key, client));
        }
        while self.order.len() > self.capacity {
            let Some((old, side)) = self.order.pop_front() else {
                break;
            };
            let map = if side {
                &mut self.clients
            } else {
                &mut self.servers
            };
            if map.remove(&old).is_some() {
                self.evicted += 1;
            }
        }
    }

    /// Feeds a batch of spans whose `peer` columns are filled (see
    /// `spans::enrich`) and returns the `call_pairs` rows of the pairs it
    /// completed, `None` when it completed none.
    pub fn feed(&mut self, spans: &RecordBatch) -> Result<Option<RecordBatch>, ModelError> {
        if self.labels.len() >= MAX_LABELS {
            // Cleared between batches only, so the ids of one batch's pairs
            // stay valid.
            self.evicted += self.pending() as u64;
            self.clients.clear();
            self.servers.clear();
            self.order.clear();
            self.labels.clear();
            self.label_ids.clear();
        }
        let rows = Rows::new(spans);
        let Some(times) = rows.time(model::TIME_COLUMN) else {
            return Ok(None);
        };
        let (trace, span, parent) = (
            rows.text("trace_id"),
            rows.text("span_id"),
            rows.text("parent_span_id"),
        );
        let (service, env, kind) = (rows.text("service"), rows.text("env"), rows.text("kind"));
        let (peer, peer_kind) = (rows.text("peer"), rows.text("peer_kind"));
        let mut found: HashMap<PairKey, i64> = HashMap::new();
        for i in 0..rows.len() {
            let Some(trace_id) = get(trace, i) else {
                continue;
            };
            let minute = times.value(i).div_euclid(MINUTE_NS) * MINUTE_NS;
            let svc = get(service, i).unwrap_or("");
            match get(kind, i) {
                Some("client" | "producer") => {
                    let Some(span_id) = get(span, i) else {
                        continue;
                    };
                    let key = hash_ids(trace_id, span_id);
                    let client = self.label(
                        svc,
                        get(env, i).unwrap_or(""),
                        get(peer, i).unwrap_or(""),
                        get(peer_kind, i).unwrap_or(""),
                    );
                    if let Some(server) = self.servers.remove(&key) {
                        *found
                            .entry(PairKey {
                                minute,
                                client,
                                server: server.label,
                            })
                            .or_default() += 1;
                    } else {
                        self.wait(
                            key,
                            Waiting {
                                label: client,
                                minute,
                            },
                            true,
                        );
                    }
                }
                Some("server" | "consumer") => {
                    let Some(parent_id) = get(parent, i) else {
                        continue;
                    };
                    let key = hash_ids(trace_id, parent_id);
                    let server = self.label(svc, "", "", "");
                    if let Some(client) = self.clients.remove(&key) {
                        *found
                            .entry(PairKey {
                                minute: client.minute,
                                client: client.label,
                                server,
                            })
                            .or_default() += 1;
                    } else {
                        self.wait(
                            key,
                            Waiting {
                                label: server,
                                minute,
                            },
                            false,
                        );
                    }
                }
                _ => {}
            }
        }
        if found.is_empty() {
            return Ok(None);
        }
        let schema = DatasetSchema::new(DatasetKind::CallPairs);
        let mut b = BatchBuilder::new(&schema);
        let index = |name: &str| b.core_index(name).expect("call_pairs core column");
        let columns = [
            index("service"),
            index("env"),
            index("peer"),
            index("peer_kind"),
            index("callee"),
            index("count"),
        ];
        for (key, count) in &found {
            let (Some(client), Some(server)) = (
                self.labels.get(key.client as usize),
                self.labels.get(key.server as usize),
            ) else {
                continue;
            };
            b.set_time(key.minute);
            let values = [
                text(&client.service),
                text(&client.env),
                text(&client.peer),
                text(&client.peer_kind),
                text(&server.service),
                Value::Int(*count),
            ];
            for (column, value) in columns.iter().zip(values) {
                b.set_core(*column, value);
            }
            b.end_row();
        }
        Ok(Some(b.finish()?.batch))
    }
}
