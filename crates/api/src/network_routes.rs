//! Importing AWS log objects and the network cost analysis: traffic by
//! client, gateway and destination, and findings ranked by monthly savings
//! (crate `network`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use query::RangeInput;

use crate::error::{ApiError, IngestFailures, ListFailures};
use crate::extract::params;
use crate::state::AppState;

/// Which object `POST /api/v1/import` receives.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportParams {
    /// The object's key or path (`AWSLogs/<account>/vpcflowlogs/...`): its
    /// layout says what it is when the content alone does not.
    key: String,
    /// `vpc_flow_logs`, `resolver_query_logs`, `eni_inventory`,
    /// `cloudtrail` or `okta`, to skip detection.
    kind: Option<String>,
}

/// Import one AWS log object
///
/// The body is the object as AWS stores it (gzip, Parquet or text; at most 256 MiB). Its kind comes from `kind`, else the key's AWSLogs layout, else its content: VPC flow logs (every field of versions 2-8, custom formats, text or Parquet) are attributed to clients, gateways and destinations and stored in the `flows` dataset; Route 53 Resolver query logs and `aws ec2 describe-network-interfaces` output feed that attribution. Replies with the records read, the rejects with their reasons, and any problem (unknown content, truncated gzip). Same API key as ingest.
#[utoipa::path(
    post,
    path = "/api/v1/import",
    tag = "ingest",
    params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, body = ingest::ObjectReport),
        IngestFailures,
    )
)]
pub(crate) async fn import(
    State(state): State<AppState>,
    p: Result<Query<ImportParams>, QueryRejection>,
    request: axum::extract::Request,
) -> Result<Json<ingest::ObjectReport>, ApiError> {
    let p = params(p)?;
    Ok(Json(
        state
            .receiver
            .import_http(&state.importer, &p.key, p.kind.as_deref(), request)
            .await?,
    ))
}

/// What the importer has read, per kind
///
/// Objects, records, rejects and bytes per kind since the server started, the latest objects with rejects or problems, how many network interfaces and DNS answers the flow attribution knows, and each configured S3 source's progress (objects imported, listed, changed; its latest problems).
#[utoipa::path(get, path = "/api/v1/import/status", tag = "ingest", responses((status = 200, body = ingest::ImportStatus)))]
pub(crate) async fn import_status(State(state): State<AppState>) -> Json<ingest::ImportStatus> {
    let mut status = state.importer.status();
    status.sources = state.sources.status();
    Json(status)
}

/// Filters of the network views.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct NetworkParams {
    /// Comma-separated: client_service, client_task, gateway, gateway_type,
    /// destination, destination_class, destination_service, az_pair, env,
    /// team, server_service.
    group_by: Option<String>,
    /// The client's environment tag; `*` is a wildcard (`*-prod`).
    env: Option<String>,
    /// nat, endpoint (interface and gateway endpoints), igw, tgw,
    /// gateway_endpoint, local, peering.
    gateway_type: Option<String>,
}

/// The last week, as the network page opens.
const DEFAULT_RANGE_NS: i64 = 7 * 24 * 3_600_000_000_000;

fn filter(
    p: &NetworkParams,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<network::TrafficFilter, ApiError> {
    let range = params(range)?
        .optional()?
        .unwrap_or_else(|| query::TimeRange::last(DEFAULT_RANGE_NS));
    Ok(network::TrafficFilter {
        range: Some(range),
        env: p.env.clone(),
        gateway_type: p.gateway_type.clone(),
    })
}

/// Network traffic and its cost
///
/// Bytes each way and their data charges (USD, from the price table) grouped by the fields asked, largest first, over the last week unless a range is given. Each connection counts once: a NAT gateway's or endpoint's view where it logged the connection, else the client's. The talk's two tables are `group_by=client_task,gateway&gateway_type=nat` and `group_by=client_task,destination&gateway_type=nat`.
#[utoipa::path(
    get,
    path = "/api/v1/network/traffic",
    tag = "network",
    params(RangeInput, NetworkParams),
    responses(
        (status = 200, body = Vec<network::TrafficRow>),
        ListFailures,
    )
)]
pub(crate) async fn traffic(
    State(state): State<AppState>,
    p: Result<Query<NetworkParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<Vec<network::TrafficRow>>, ApiError> {
    let p = params(p)?;
    let filter = filter(&p, range)?;
    let names = p.group_by.as_deref().unwrap_or("client_task,gateway");
    let mut fields = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        fields.push(network::GroupField::parse(name)?);
    }
    Ok(Json(
        network::traffic(&state.engine, &state.prices, &fields, &filter).await?,
    ))
}

/// Network savings findings
///
/// Ways to pay less for the traffic of the range, largest monthly savings first (USD and KRW, the observed span scaled to a month): S3 or DynamoDB through a NAT gateway (`s3_via_nat`, `dynamodb_via_nat`: a free gateway endpoint), other AWS services through NAT (`aws_service_via_nat`: an interface endpoint, net of its hours, with the break-even), calls to our own public endpoints through NAT (`own_endpoint_via_nat`), internet egress a CDN would serve (`internet_egress_to_cdn` from our endpoints' flows, `s3_egress_to_cdn` from S3 data events in CloudTrail) and zone crossings (`cross_az`); each with its resources, top flows and the fix.
#[utoipa::path(
    get,
    path = "/api/v1/network/findings",
    tag = "network",
    params(RangeInput, NetworkParams),
    responses(
        (status = 200, body = network::Findings),
        ListFailures,
    )
)]
pub(crate) async fn findings(
    State(state): State<AppState>,
    p: Result<Query<NetworkParams>, QueryRejection>,
    range: Result<Query<RangeInput>, QueryRejection>,
) -> Result<Json<network::Findings>, ApiError> {
    let p = params(p)?;
    let filter = filter(&p, range)?;
    Ok(Json(
        network::findings(&state.engine, &state.prices, &filter).await?,
    ))
}

impl From<network::NetworkError> for ApiError {
    fn from(e: network::NetworkError) -> Self {
        match e {
            network::NetworkError::BadRequest(m) => ApiError::BadRequest(m),
            network::NetworkError::Query(q) => ApiError::Query(q),
        }
    }
}
