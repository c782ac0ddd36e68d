//! The identity investigator: one identity (an IAM user, root, a role, a
//! person signed in through SSO, SAML or Okta, an access key) across every
//! audit source: its actions over time, where it came from, the roles it
//! assumed and who assumed it (the AssumeRole chain), and its signals.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use model::DatasetName;
use query::ir::{self, Expr, Select, column, text};
use query::{QueryEngine, TimeRange};
use serde_json::Value;

use crate::SiemError;
use crate::events::{AuditEvent, audit_events};
use crate::exceptions::SignalException;
use crate::signals::{Signal, SignalFilter, signals};

/// An identity seen in the range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct IdentitySummary {
    pub actor: String,
    #[schema(required = true)]
    pub actor_type: Option<String>,
    #[schema(required = true)]
    pub name: Option<String>,
    /// cloudtrail, okta.
    pub sources: Vec<String>,
    pub events: u64,
    pub failures: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
}

/// Most identities listed.
const MAX_IDENTITIES: usize = 500;
/// Most (identity, source) groups read before filtering.
const MAX_GROUPS: usize = 20_000;

/// The identities of the range, the latest active first; `q` keeps those
/// whose id or name contains it (any case).
pub async fn identities(
    engine: &QueryEngine,
    range: TimeRange,
    q: Option<&str>,
) -> Result<Vec<IdentitySummary>, SiemError> {
    if !engine.has_dataset(&DatasetName::audit()) {
        return Ok(Vec::new());
    }
    let select = Select::from(DatasetName::audit())
        .filter(ir::time_in(range))
        .filter(column("actor").is_not_null())
        .group_by([column("actor"), column("source")])
        .aggregate([
            ir::max(column("actor_type")).alias("actor_type"),
            ir::max(column("actor_name")).alias("name"),
            ir::count_rows().alias("events"),
            ir::only_where(ir::count_rows(), column("outcome").eq(text("failure")))
                .alias("failures"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ])
        .order_by(ir::descending(column("last")))
        .limit(MAX_GROUPS);
    let rows = engine.fetch(&select).await?;
    let (actors, sources, types, names) = (
        rows.texts("actor")?,
        rows.texts("source")?,
        rows.texts("actor_type")?,
        rows.texts("name")?,
    );
    let (events, failures, first, last) = (
        rows.counts("events")?,
        rows.counts("failures")?,
        rows.integers("first")?,
        rows.integers("last")?,
    );
    let needle = q.map(str::to_lowercase).filter(|q| !q.is_empty());
    let mut by_actor: HashMap<String, IdentitySummary> = HashMap::new();
    for i in 0..rows.len() {
        let Some(actor) = &actors[i] else { continue };
        if let Some(n) = &needle
            && !actor.to_lowercase().contains(n)
            && !names[i]
                .as_ref()
                .is_some_and(|x| x.to_lowercase().contains(n))
        {
            continue;
        }
        let (f, l) = (
            first[i].unwrap_or(0) / 1_000_000,
            last[i].unwrap_or(0) / 1_000_000,
        );
        let s = by_actor
            .entry(actor.clone())
            .or_insert_with(|| IdentitySummary {
                actor: actor.clone(),
                actor_type: types[i].clone(),
                name: names[i].clone(),
                sources: Vec::new(),
                events: 0,
                failures: 0,
                first_seen_ms: f,
                last_seen_ms: l,
            });
        if let Some(src) = &sources[i] {
            s.sources.push(src.clone());
        }
        s.events += events[i];
        s.failures += failures[i];
        s.first_seen_ms = s.first_seen_ms.min(f);
        s.last_seen_ms = s.last_seen_ms.max(l);
    }
    let mut out: Vec<IdentitySummary> = by_actor.into_values().collect();
    for s in &mut out {
        s.sources.sort();
    }
    out.sort_by(|a, b| {
        b.last_seen_ms
            .cmp(&a.last_seen_ms)
            .then(a.actor.cmp(&b.actor))
    });
    out.truncate(MAX_IDENTITIES);
    Ok(out)
}

/// Everything the investigator shows about one identity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Identity {
    pub actor: String,
    #[schema(required = true)]
    pub actor_type: Option<String>,
    /// The names it went by (user names, e-mails, display names).
    pub names: Vec<String>,
    pub accounts: Vec<String>,
    pub events: u64,
    pub failures: u64,
    pub timeline: IdentityTimeline,
    /// Its latest actions (at most 200).
    pub recent: Vec<AuditEvent>,
    /// Where its actions came from.
    pub places: Vec<IdentityPlace>,
    /// The access keys it used.
    pub access_keys: Vec<KeyUse>,
    /// Roles it acted as or assumed, and who assumed it.
    pub chain: Chain,
    pub signals: Vec<Signal>,
}

/// Actions per time bucket, split by outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct IdentityTimeline {
    pub from_ms: i64,
    pub step_ms: i64,
    pub success: Vec<u64>,
    /// Failed and denied actions.
    pub failure: Vec<u64>,
}

/// One source address of an identity's actions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct IdentityPlace {
    pub source_ip: String,
    #[schema(required = true)]
    pub country: Option<String>,
    #[schema(required = true)]
    pub city: Option<String>,
    #[schema(required = true)]
    pub latitude: Option<f64>,
    #[schema(required = true)]
    pub longitude: Option<f64>,
    /// The network's owner (ASN organisation).
    #[schema(required = true)]
    pub as_org: Option<String>,
    pub events: u64,
    pub failures: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
}

/// An access key and when it was used.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct KeyUse {
    pub access_key_id: String,
    pub events: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
}

/// The AssumeRole chain around an identity, as a graph.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Chain {
    pub nodes: Vec<ChainNode>,
    pub edges: Vec<ChainEdge>,
    /// Some AssumeRole events of the range were not read (too many).
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainNode {
    /// The identity (an actor as the investigator takes it).
    pub id: String,
    /// root, iam_user, role, person, aws_service, ... as in `audit`.
    pub kind: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainEdge {
    pub from: String,
    pub to: String,
    /// `assumed_role` (an AssumeRole call, or its SAML and web-identity
    /// kin), or `signed_in_as` (a person's SSO or SAML sessions of a role).
    pub how: String,
    pub count: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
}

/// Most AssumeRole events read to draw a chain, and most nodes drawn.
const MAX_ASSUME_EVENTS: usize = 20_000;
const MAX_CHAIN_NODES: usize = 60;
const MAX_RECENT: usize = 200;
const MAX_PLACES: usize = 200;
const TIMELINE_BUCKETS: i64 = 60;

const ASSUME_EVENTS: [&str; 3] = [
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
];

/// The identity `actor` over the range; None when it has no events there.
pub async fn identity(
    engine: &QueryEngine,
    actor: &str,
    range: TimeRange,
    exceptions: Vec<SignalException>,
) -> Result<Option<Identity>, SiemError> {
    if actor.is_empty() || actor.chars().count() > 2_048 {
        return Err(SiemError::BadRequest(
            "an identity has 1 to 2,048 characters".into(),
        ));
    }
    if !engine.has_dataset(&DatasetName::audit()) {
        return Ok(None);
    }
    let mine = ir::all([ir::time_in(range), column("actor").eq(text(actor))]);
    let timeline = timeline(engine, range, mine.clone()).await?;
    let (events, failures) = (
        timeline.success.iter().sum::<u64>() + timeline.failure.iter().sum::<u64>(),
        timeline.failure.iter().sum::<u64>(),
    );
    if events == 0 {
        return Ok(None);
    }
    let recent = audit_events(engine, mine.clone(), MAX_RECENT, false).await?;
    let about = about(engine, mine.clone()).await?;
    let places = places(engine, mine.clone()).await?;
    let access_keys = keys(engine, mine.clone()).await?;
    let chain = chain(engine, actor, range, mine).await?;
    let signals = signals(
        engine,
        &SignalFilter {
            range: Some(range),
            entity: Some(actor.to_owned()),
            exceptions,
            include_suppressed: true,
            ..SignalFilter::default()
        },
    )
    .await?;
    Ok(Some(Identity {
        actor: actor.to_owned(),
        actor_type: about.actor_type,
        names: about.names,
        accounts: about.accounts,
        events,
        failures,
        timeline,
        recent,
        places,
        access_keys,
        chain,
        signals,
    }))
}

async fn timeline(
    engine: &QueryEngine,
    range: TimeRange,
    mine: Expr,
) -> Result<IdentityTimeline, SiemError> {
    let seconds = ((range.nanos() / 1_000_000_000) / TIMELINE_BUCKETS).max(60);
    let step = seconds * 1_000_000_000;
    let buckets = ((range.nanos().max(1) + step - 1) / step) as usize;
    let select = Select::from(DatasetName::audit())
        .filter(mine)
        .group_by([ir::time_bucket(seconds, range.from).alias("t")])
        .aggregate([
            ir::count_rows().alias("all"),
            ir::only_where(ir::count_rows(), column("outcome").eq(text("failure")))
                .alias("failures"),
        ]);
    let rows = engine.fetch(&select).await?;
    let (times, all, failures) = (
        rows.integers("t")?,
        rows.counts("all")?,
        rows.counts("failures")?,
    );
    let mut out = IdentityTimeline {
        from_ms: range.from / 1_000_000,
        step_ms: seconds * 1_000,
        success: vec![0; buckets],
        failure: vec![0; buckets],
    };
    for i in 0..rows.len() {
        let Some(t) = times[i] else { continue };
        let b = (t - range.from).div_euclid(step);
        if b < 0 || b as usize >= buckets {
            continue;
        }
        out.failure[b as usize] += failures[i];
        out.success[b as usize] += all[i] - failures[i].min(all[i]);
    }
    Ok(out)
}

struct About {
    actor_type: Option<String>,
    names: Vec<String>,
    accounts: Vec<String>,
}

async fn about(engine: &QueryEngine, mine: Expr) -> Result<About, SiemError> {
    let select = Select::from(DatasetName::audit())
        .filter(mine)
        .group_by([
            column("actor_type"),
            column("actor_name"),
            column("account_id"),
        ])
        .aggregate([ir::count_rows().alias("n")])
        .order_by(ir::descending(column("n")))
        .limit(1_000);
    let rows = engine.fetch(&select).await?;
    let (types, names, accounts) = (
        rows.texts("actor_type")?,
        rows.texts("actor_name")?,
        rows.texts("account_id")?,
    );
    let distinct = |v: Vec<Option<String>>| -> Vec<String> {
        let mut seen = BTreeSet::new();
        v.into_iter()
            .flatten()
            .filter(|x| seen.insert(x.clone()))
            .collect()
    };
    // The actor's own names (session names are ids for Okta and CI runs).
    Ok(About {
        actor_type: types.into_iter().flatten().next(),
        names: distinct(names),
        accounts: distinct(accounts),
    })
}

async fn places(engine: &QueryEngine, mine: Expr) -> Result<Vec<IdentityPlace>, SiemError> {
    let select = Select::from(DatasetName::audit())
        .filter(mine)
        .filter(column("source_ip").is_not_null())
        .group_by([column("source_ip")])
        .aggregate([
            ir::max(column("country")).alias("country"),
            ir::max(column("city")).alias("city"),
            ir::max(column("latitude")).alias("latitude"),
            ir::max(column("longitude")).alias("longitude"),
            ir::max(column("as_org")).alias("as_org"),
            ir::count_rows().alias("n"),
            ir::only_where(ir::count_rows(), column("outcome").eq(text("failure")))
                .alias("failures"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ])
        .order_by(ir::descending(column("n")))
        .limit(MAX_PLACES);
    let rows = engine.fetch(&select).await?;
    let (ips, countries, cities, orgs) = (
        rows.texts("source_ip")?,
        rows.texts("country")?,
        rows.texts("city")?,
        rows.texts("as_org")?,
    );
    let (lat, lon) = (rows.floats("latitude")?, rows.floats("longitude")?);
    let (n, failures, first, last) = (
        rows.counts("n")?,
        rows.counts("failures")?,
        rows.integers("first")?,
        rows.integers("last")?,
    );
    Ok((0..rows.len())
        .filter_map(|i| {
            Some(IdentityPlace {
                source_ip: ips[i].clone()?,
                country: countries[i].clone(),
                city: cities[i].clone(),
                latitude: lat[i],
                longitude: lon[i],
                as_org: orgs[i].clone(),
                events: n[i],
                failures: failures[i],
                first_seen_ms: first[i].unwrap_or(0) / 1_000_000,
                last_seen_ms: last[i].unwrap_or(0) / 1_000_000,
            })
        })
        .collect())
}

async fn keys(engine: &QueryEngine, mine: Expr) -> Result<Vec<KeyUse>, SiemError> {
    let select = Select::from(DatasetName::audit())
        .filter(mine)
        .filter(column("access_key_id").is_not_null())
        .group_by([column("access_key_id")])
        .aggregate([
            ir::count_rows().alias("n"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ])
        .order_by(ir::descending(column("last")))
        .limit(200);
    let rows = engine.fetch(&select).await?;
    let (ids, n, first, last) = (
        rows.texts("access_key_id")?,
        rows.counts("n")?,
        rows.integers("first")?,
        rows.integers("last")?,
    );
    Ok((0..rows.len())
        .filter_map(|i| {
            Some(KeyUse {
                access_key_id: ids[i].clone()?,
                events: n[i],
                first_seen_ms: first[i].unwrap_or(0) / 1_000_000,
                last_seen_ms: last[i].unwrap_or(0) / 1_000_000,
            })
        })
        .collect())
}

/// One edge seen in the events, before it is kept or not.
#[derive(Default)]
struct Seen {
    count: u64,
    first: i64,
    last: i64,
}

impl Seen {
    fn add(&mut self, t: i64, n: u64) {
        if self.count == 0 {
            (self.first, self.last) = (t, t);
        }
        self.count += n;
        self.first = self.first.min(t);
        self.last = self.last.max(t);
    }
}

/// The role an AssumeRole-family event asked for, from its JSON.
pub fn assumed_role(raw: &str) -> Option<String> {
    let v: Value = serde_json::from_str(raw).ok()?;
    v.pointer("/requestParameters/roleArn")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The AssumeRole chain: every AssumeRole-family call of the range
/// (successful ones) as caller → role edges, the roles the identity's
/// sessions belonged to as identity → role edges, and the connected part
/// around the identity, breadth first, at most `MAX_CHAIN_NODES` nodes.
async fn chain(
    engine: &QueryEngine,
    actor: &str,
    range: TimeRange,
    mine: Expr,
) -> Result<Chain, SiemError> {
    let mut edges: BTreeMap<(String, String, &'static str), Seen> = BTreeMap::new();
    let mut kinds: HashMap<String, (String, String)> = HashMap::new();
    // The roles its own sessions belonged to (SSO and SAML sign-ins).
    let sessions = Select::from(DatasetName::audit())
        .filter(mine)
        .filter(column("role_arn").is_not_null())
        .group_by([
            column("role_arn"),
            column("role_name"),
            column("actor_type"),
        ])
        .aggregate([
            ir::count_rows().alias("n"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ])
        .limit(500);
    let rows = engine.fetch(&sessions).await?;
    let (roles, role_names, types) = (
        rows.texts("role_arn")?,
        rows.texts("role_name")?,
        rows.texts("actor_type")?,
    );
    let (n, first, last) = (
        rows.counts("n")?,
        rows.integers("first")?,
        rows.integers("last")?,
    );
    for i in 0..rows.len() {
        let Some(role) = &roles[i] else { continue };
        if role == actor {
            continue;
        }
        kinds.entry(actor.to_owned()).or_insert_with(|| {
            (
                types[i].clone().unwrap_or_else(|| "unknown".into()),
                actor.to_owned(),
            )
        });
        kinds.insert(
            role.clone(),
            (
                "role".into(),
                role_names[i].clone().unwrap_or_else(|| role.clone()),
            ),
        );
        let e = edges
            .entry((actor.to_owned(), role.clone(), "signed_in_as"))
            .or_default();
        e.add(first[i].unwrap_or(0) / 1_000_000, n[i]);
        e.add(last[i].unwrap_or(0) / 1_000_000, 0);
    }
    // Every successful AssumeRole-family call of the range.
    let calls = Select::from(DatasetName::audit())
        .filter(ir::time_in(range))
        .filter(ir::in_texts(
            column("event_name"),
            &ASSUME_EVENTS.map(str::to_owned),
        ))
        .filter(column("outcome").eq(text("success")))
        .columns([
            column("actor"),
            column("actor_type"),
            column("actor_name"),
            column("raw"),
            ir::nanos(column(model::TIME_COLUMN)).alias("t"),
        ])
        .order_by(ir::descending(column("t")))
        .limit(MAX_ASSUME_EVENTS + 1);
    let rows = engine.fetch(&calls).await?;
    let truncated = rows.len() > MAX_ASSUME_EVENTS;
    let (callers, caller_types, caller_names, raws, times) = (
        rows.texts("actor")?,
        rows.texts("actor_type")?,
        rows.texts("actor_name")?,
        rows.texts("raw")?,
        rows.integers("t")?,
    );
    for i in 0..rows.len().min(MAX_ASSUME_EVENTS) {
        let (Some(caller), Some(raw)) = (&callers[i], &raws[i]) else {
            continue;
        };
        let Some(role) = assumed_role(raw) else {
            continue;
        };
        if &role == caller {
            continue;
        }
        kinds.entry(caller.clone()).or_insert_with(|| {
            (
                caller_types[i].clone().unwrap_or_else(|| "unknown".into()),
                caller_names[i].clone().unwrap_or_else(|| caller.clone()),
            )
        });
        kinds.entry(role.clone()).or_insert_with(|| {
            (
                "role".into(),
                role.rsplit('/').next().unwrap_or(&role).to_owned(),
            )
        });
        edges
            .entry((caller.clone(), role, "assumed_role"))
            .or_default()
            .add(times[i].unwrap_or(0) / 1_000_000, 1);
    }
    // The part connected to the identity.
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, to, _) in edges.keys() {
        next.entry(from).or_default().push(to);
        next.entry(to).or_default().push(from);
    }
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    let mut queue = VecDeque::from([actor]);
    keep.insert(actor);
    while let Some(at) = queue.pop_front() {
        for &n in next.get(at).into_iter().flatten() {
            if keep.len() >= MAX_CHAIN_NODES {
                break;
            }
            if keep.insert(n) {
                queue.push_back(n);
            }
        }
    }
    if keep.len() == 1 {
        return Ok(Chain {
            truncated,
            ..Chain::default()
        });
    }
    let nodes = keep
        .iter()
        .map(|id| {
            let (kind, label) = kinds
                .get(*id)
                .cloned()
                .unwrap_or_else(|| ("unknown".into(), (*id).to_owned()));
            ChainNode {
                id: (*id).to_owned(),
                kind,
                label,
            }
        })
        .collect();
    let edges = edges
        .iter()
        .filter(|((f, t, _), _)| keep.contains(f.as_str()) && keep.contains(t.as_str()))
        .map(|((from, to, how), s)| ChainEdge {
            from: from.clone(),
            to: to.clone(),
            how: (*how).to_owned(),
            count: s.count,
            first_seen_ms: s.first,
            last_seen_ms: s.last,
        })
        .collect();
    Ok(Chain {
        nodes,
        edges,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_assumed_role_comes_from_the_request() {
        let raw = r#"{"eventName":"AssumeRole","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Deploy","roleSessionName":"ci"}}"#;
        assert_eq!(
            super::assumed_role(raw).as_deref(),
            Some("arn:aws:iam::111122223333:role/Deploy")
        );
        assert_eq!(super::assumed_role("{}"), None);
        assert_eq!(super::assumed_role("not json"), None);
    }
}
