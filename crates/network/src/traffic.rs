//! Traffic by client, gateway and destination: the counted rows of `flows`
//! (each connection once: a gateway's view where a gateway logged it, else
//! the client's; crate `enrich`'s `counted_rows` is the reference), grouped
//! and costed.

use std::collections::BTreeMap;

use model::DatasetName;
use query::ir::{self, Expr, Select, column, text};
use query::{QueryEngine, TimeRange};

use crate::NetworkError;
use crate::prices::{Moved, PriceTable, cost};

/// The fields traffic can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupField {
    ClientService,
    ClientTask,
    Gateway,
    GatewayType,
    Destination,
    DestinationClass,
    DestinationService,
    AzPair,
    Env,
    Team,
    ServerService,
}

impl GroupField {
    pub const ALL: [GroupField; 11] = [
        GroupField::ClientService,
        GroupField::ClientTask,
        GroupField::Gateway,
        GroupField::GatewayType,
        GroupField::Destination,
        GroupField::DestinationClass,
        GroupField::DestinationService,
        GroupField::AzPair,
        GroupField::Env,
        GroupField::Team,
        GroupField::ServerService,
    ];

    /// The name in requests and rows, which is the `flows` column.
    pub fn name(self) -> &'static str {
        match self {
            GroupField::ClientService => "client_service",
            GroupField::ClientTask => "client_task",
            GroupField::Gateway => "gateway",
            GroupField::GatewayType => "gateway_type",
            GroupField::Destination => "destination",
            GroupField::DestinationClass => "destination_class",
            GroupField::DestinationService => "destination_service",
            GroupField::AzPair => "az_pair",
            GroupField::Env => "env",
            GroupField::Team => "team",
            GroupField::ServerService => "server_service",
        }
    }

    pub fn parse(name: &str) -> Result<GroupField, NetworkError> {
        GroupField::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                NetworkError::BadRequest(format!(
                    "cannot group by {name:?}: one of {}",
                    GroupField::ALL.map(GroupField::name).join(", ")
                ))
            })
    }
}

/// Which traffic to read.
#[derive(Debug, Clone, Default)]
pub struct TrafficFilter {
    pub range: Option<TimeRange>,
    /// `env` of the client (its interface's tag); `*` is a wildcard
    /// (`*-prod`).
    pub env: Option<String>,
    /// `nat`, `endpoint` (interface and gateway endpoints), `igw`, `tgw`,
    /// `gateway_endpoint`, `local`, `peering`.
    pub gateway_type: Option<String>,
}

/// One group's traffic.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TrafficRow {
    /// The group's values, by field name (a missing value is null).
    pub group: BTreeMap<String, Option<String>>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub bytes: u64,
    /// The data charges of these bytes under the price table, USD.
    pub cost_usd: f64,
}

const GATEWAY_TYPES: &[&str] = &[
    "nat",
    "endpoint",
    "gateway_endpoint",
    "igw",
    "tgw",
    "local",
    "peering",
    "vgw",
    "local_gateway",
];

/// The filter's condition on `flows`.
fn condition(filter: &TrafficFilter) -> Result<Vec<Expr>, NetworkError> {
    let mut parts = Vec::new();
    if let Some(range) = filter.range {
        parts.push(ir::time_in(range));
    }
    if let Some(env) = filter.env.as_deref().filter(|e| !e.is_empty()) {
        if env.len() > 200 {
            return Err(NetworkError::BadRequest(
                "env is longer than 200 characters".into(),
            ));
        }
        if env.contains('*') {
            let escaped: String = env
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    '*' => vec!['%'],
                    c => vec![c],
                })
                .collect();
            parts.push(column("env").like(text(&escaped)));
        } else {
            parts.push(column("env").eq(text(env)));
        }
    }
    if let Some(kind) = filter.gateway_type.as_deref().filter(|g| !g.is_empty()) {
        if !GATEWAY_TYPES.contains(&kind) {
            return Err(NetworkError::BadRequest(format!(
                "unknown gateway_type {kind:?}: one of {}",
                GATEWAY_TYPES.join(", ")
            )));
        }
        parts.push(if kind == "endpoint" {
            ir::in_texts(
                column("gateway_type"),
                &["endpoint".into(), "gateway_endpoint".into()],
            )
        } else {
            column("gateway_type").eq(text(kind))
        });
    }
    Ok(parts)
}

/// The counted rows of `flows` under `filter`, with `columns`: gateway and
/// server views, and client views of connections no gateway saw.
pub(crate) fn counted(filter: &TrafficFilter, columns: &[&str]) -> Result<Select, NetworkError> {
    let scope = condition(filter)?;
    let flows = || Select::from(DatasetName::flows()).filter(ir::all(scope.clone()));
    let project = || columns.iter().map(|c| column(c)).collect::<Vec<_>>();
    let seen_by_gateway = flows()
        .filter(column("counted").eq(text("gateway")))
        .filter(column("conn").is_not_null())
        .columns([column("conn")]);
    let views = flows()
        .filter(ir::in_texts(
            column("counted"),
            &["gateway".into(), "server".into()],
        ))
        .columns(project());
    let clients = flows()
        .filter(column("counted").eq(text("client")))
        .excluding("conn", seen_by_gateway)
        .columns(project());
    Ok(Select::union_all(vec![views, clients]))
}

/// Columns the cost depends on, read with every grouping.
const COST_COLUMNS: [&str; 5] = [
    "region",
    "gateway_type",
    "destination_class",
    "client_kind",
    "az_pair",
];

/// Whether an `a→b` zone pair crosses zones.
pub(crate) fn crosses(az_pair: Option<&str>) -> bool {
    az_pair
        .and_then(|p| p.split_once('→'))
        .is_some_and(|(a, b)| a != b)
}

/// Traffic grouped by `group_by`, largest first.
pub async fn traffic(
    engine: &QueryEngine,
    prices: &PriceTable,
    group_by: &[GroupField],
    filter: &TrafficFilter,
) -> Result<Vec<TrafficRow>, NetworkError> {
    if !engine.has_dataset(&DatasetName::flows()) {
        return Ok(Vec::new());
    }
    let mut names: Vec<&str> = group_by.iter().map(|f| f.name()).collect();
    names.dedup();
    let mut read: Vec<&str> = names.clone();
    for c in COST_COLUMNS {
        if !read.contains(&c) {
            read.push(c);
        }
    }
    let mut columns = read.clone();
    columns.extend(["bytes_sent", "bytes_received"]);
    let select = Select::union_all(vec![counted(filter, &columns)?])
        .group_by(read.iter().map(|c| column(c)))
        .aggregate([
            ir::sum(column("bytes_sent")).alias("sent"),
            ir::sum(column("bytes_received")).alias("received"),
        ]);
    let rows = engine.fetch(&select).await?;
    let mut values: Vec<Vec<Option<String>>> = Vec::with_capacity(read.len());
    for c in &read {
        values.push(rows.texts(c)?);
    }
    let (sent, received) = (rows.integers("sent")?, rows.integers("received")?);
    let at = |name: &str| read.iter().position(|c| *c == name).expect("read column");
    let mut groups: BTreeMap<Vec<Option<String>>, TrafficRow> = BTreeMap::new();
    for i in 0..rows.len() {
        let v = |name: &str| values[at(name)][i].as_deref();
        let moved = Moved {
            gateway_type: v("gateway_type").unwrap_or(""),
            destination_class: v("destination_class").unwrap_or(""),
            internet_client: v("client_kind") == Some("internet"),
            cross_az: crosses(v("az_pair")),
            bytes_sent: sent[i].unwrap_or(0).max(0) as u64,
            bytes_received: received[i].unwrap_or(0).max(0) as u64,
        };
        let usd = cost(prices.region(v("region")), &moved);
        let key: Vec<Option<String>> = names.iter().map(|n| v(n).map(str::to_owned)).collect();
        let row = groups.entry(key.clone()).or_insert_with(|| TrafficRow {
            group: names
                .iter()
                .zip(key)
                .map(|(n, k)| ((*n).to_owned(), k))
                .collect(),
            bytes_sent: 0,
            bytes_received: 0,
            bytes: 0,
            cost_usd: 0.0,
        });
        row.bytes_sent += moved.bytes_sent;
        row.bytes_received += moved.bytes_received;
        row.bytes += moved.bytes_sent + moved.bytes_received;
        row.cost_usd += usd;
    }
    let mut out: Vec<TrafficRow> = groups.into_values().collect();
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.group.cmp(&b.group)));
    Ok(out)
}
