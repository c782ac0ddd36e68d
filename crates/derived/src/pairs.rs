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

/// The two ends of a call: the client or producer span, and the server or
/// consumer span whose parent it is.
#[derive(Clone, Copy)]
enum End {
    Client,
    Server,
}

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
    /// Insertion order of both maps, for eviction.
    order: VecDeque<(u64, End)>,
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

    /// The ends of one side waiting for their other end.
    fn waiting(&mut self, end: End) -> &mut HashMap<u64, Waiting> {
        match end {
            End::Client => &mut self.clients,
            End::Server => &mut self.servers,
        }
    }

    fn wait(&mut self, key: u64, waiting: Waiting, end: End) {
        if self.waiting(end).insert(key, waiting).is_none() {
            self.order.push_back((key, end));
        }
        while self.order.len() > self.capacity {
            let Some((old, side)) = self.order.pop_front() else {
                break;
            };
            if self.waiting(side).remove(&old).is_some() {
                self.evicted += 1;
            }
        }
    }

    /// One end of the call `key` (for a client end the hash of its trace
    /// and span ids, for a server end of its trace and parent ids): the pair
    /// when its other end is waiting, else it waits. A pair is stamped with
    /// its client end's minute, as the caller's rollups are.
    fn meet(&mut self, key: u64, this: Waiting, end: End) -> Option<PairKey> {
        let other_side = match end {
            End::Client => End::Server,
            End::Server => End::Client,
        };
        let Some(other) = self.waiting(other_side).remove(&key) else {
            self.wait(key, this, end);
            return None;
        };
        let (client, server) = match end {
            End::Client => (this, other),
            End::Server => (other, this),
        };
        Some(PairKey {
            minute: client.minute,
            client: client.label,
            server: server.label,
        })
    }

    /// Past `MAX_LABELS`, forgets every label and waiting end. Called
    /// between batches only, so the ids of one batch's pairs stay valid.
    fn forget_all_when_labels_overflow(&mut self) {
        if self.labels.len() < MAX_LABELS {
            return;
        }
        self.evicted += self.pending() as u64;
        self.clients.clear();
        self.servers.clear();
        self.order.clear();
        self.labels.clear();
        self.label_ids.clear();
    }

    /// Feeds a batch of spans whose `peer` columns are filled (see
    /// `spans::enrich`) and returns the `call_pairs` rows of the pairs it
    /// completed, `None` when it completed none.
    pub fn feed(&mut self, spans: &RecordBatch) -> Result<Option<RecordBatch>, ModelError> {
        self.forget_all_when_labels_overflow();
        let found = self.meet_ends(spans);
        self.call_pairs(&found)
    }

    /// Meets every client, producer, server and consumer span of the batch
    /// with its other end; returns the pairs completed, counted by minute,
    /// client label and server label.
    fn meet_ends(&mut self, spans: &RecordBatch) -> HashMap<PairKey, i64> {
        let mut found: HashMap<PairKey, i64> = HashMap::new();
        let rows = Rows::new(spans);
        let Some(times) = rows.time(model::TIME_COLUMN) else {
            return found;
        };
        let (trace, span, parent) = (
            rows.text("trace_id"),
            rows.text("span_id"),
            rows.text("parent_span_id"),
        );
        let (service, env, kind) = (rows.text("service"), rows.text("env"), rows.text("kind"));
        let (peer, peer_kind) = (rows.text("peer"), rows.text("peer_kind"));
        for i in 0..rows.len() {
            let Some(trace_id) = get(trace, i) else {
                continue;
            };
            let minute = times.value(i).div_euclid(MINUTE_NS) * MINUTE_NS;
            let svc = get(service, i).unwrap_or("");
            let pair = match get(kind, i) {
                Some("client" | "producer") => {
                    let Some(span_id) = get(span, i) else {
                        continue;
                    };
                    let label = self.label(
                        svc,
                        get(env, i).unwrap_or(""),
                        get(peer, i).unwrap_or(""),
                        get(peer_kind, i).unwrap_or(""),
                    );
                    self.meet(
                        hash_ids(trace_id, span_id),
                        Waiting { label, minute },
                        End::Client,
                    )
                }
                Some("server" | "consumer") => {
                    let Some(parent_id) = get(parent, i) else {
                        continue;
                    };
                    let label = self.label(svc, "", "", "");
                    self.meet(
                        hash_ids(trace_id, parent_id),
                        Waiting { label, minute },
                        End::Server,
                    )
                }
                _ => None,
            };
            if let Some(key) = pair {
                *found.entry(key).or_default() += 1;
            }
        }
        found
    }

    /// The `call_pairs` rows of the pairs `found`: caller, its env, the peer
    /// its span named and the callee, per minute; `None` when there are none.
    fn call_pairs(&self, found: &HashMap<PairKey, i64>) -> Result<Option<RecordBatch>, ModelError> {
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
        for (key, count) in found {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_labels_forget_everything_waiting() {
        let mut pairer = CallPairer::new(10);
        let label = pairer.label("web", "prod", "api:8080", "external");
        assert!(
            pairer
                .meet(1, Waiting { label, minute: 0 }, End::Client)
                .is_none()
        );
        for i in 2..MAX_LABELS {
            pairer.label(&format!("svc-{i}"), "", "", "");
        }
        pairer.forget_all_when_labels_overflow();
        assert_eq!(pairer.pending(), 1, "below the bound nothing is forgotten");
        pairer.label("one-too-many", "", "", "");
        pairer.forget_all_when_labels_overflow();
        assert_eq!((pairer.pending(), pairer.evicted()), (0, 1));
        assert!(pairer.labels.is_empty() && pairer.label_ids.is_empty());
        // The forgotten call's server end now waits instead of pairing.
        let label = pairer.label("api", "", "", "");
        assert!(
            pairer
                .meet(1, Waiting { label, minute: 0 }, End::Server)
                .is_none()
        );
        assert_eq!(pairer.pending(), 1);
    }
}
