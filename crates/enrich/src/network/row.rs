//! One attributed flow record (a row of the `flows` dataset) and the Arrow
//! batch of many, in the column order of `model`'s `flows` kind.

use arrow::record_batch::RecordBatch;
use std::sync::Arc;

use model::DatasetKind;

/// Who saw the record, and whether the analysis adds it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A gateway's view (a NAT gateway's leg from the client, an interface
    /// endpoint): always counted.
    Gateway,
    /// The client's own interface: counted unless a gateway saw the same
    /// connection (`conn`).
    Client,
    /// The server's interface, when the client has no interface of ours
    /// that would log it (the internet, another VPC): counted.
    Server,
    /// A duplicate view (a NAT gateway's leg to the internet, a server
    /// whose client logs the connection), a rejected record, or no data.
    No,
}

impl Counted {
    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Gateway => "gateway",
            Counted::Client => "client",
            Counted::Server => "server",
            Counted::No => "no",
        }
    }
}

/// One flow record read as one side of a connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowRow {
    pub time: i64,
    pub end_time: Option<i64>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub vpc_id: Option<String>,
    pub interface_id: Option<String>,
    /// `client`, `server`, `gateway`, `transit` or `none`.
    pub observer: &'static str,
    pub counted: Option<Counted>,
    pub conn: Option<i64>,
    pub action: Option<&'static str>,
    pub log_status: Option<&'static str>,
    pub protocol: Option<i64>,
    pub traffic_path: Option<i64>,
    pub client_addr: Option<String>,
    pub client_port: Option<i64>,
    pub client_kind: Option<&'static str>,
    pub client_id: Option<String>,
    pub client_service: Option<String>,
    pub client_task: Option<String>,
    pub client_az: Option<String>,
    pub env: Option<String>,
    pub team: Option<String>,
    pub server_addr: Option<String>,
    pub server_port: Option<i64>,
    pub server_kind: Option<&'static str>,
    pub server_id: Option<String>,
    pub server_service: Option<String>,
    pub server_az: Option<String>,
    pub gateway_type: Option<&'static str>,
    pub gateway: Option<String>,
    pub gateway_az: Option<String>,
    pub destination: Option<String>,
    pub destination_class: Option<&'static str>,
    pub destination_service: Option<String>,
    pub destination_domain: Option<Arc<str>>,
    pub az_pair: Option<String>,
    pub bytes_sent: i64,
    pub bytes_received: i64,
    pub packets_sent: i64,
    pub packets_received: i64,
}

/// The rows as one batch of the `flows` dataset's core columns.
pub fn flow_batch(rows: &[FlowRow]) -> Result<RecordBatch, String> {
    let c = model::Columns::new(rows);
    model::batch_of(DatasetKind::Flows, rows.len(), |name, ty| {
        Some(match name {
            model::TIME_COLUMN => c.time(ty, &|r| Some(r.time)),
            "end_time" => c.time(ty, &|r| r.end_time),
            "account_id" => c.text(&|r| r.account_id.as_deref()),
            "region" => c.text(&|r| r.region.as_deref()),
            "vpc_id" => c.text(&|r| r.vpc_id.as_deref()),
            "interface_id" => c.text(&|r| r.interface_id.as_deref()),
            "observer" => c.text(&|r| Some(r.observer)),
            "counted" => c.text(&|r| r.counted.map(Counted::as_str)),
            "conn" => c.int(&|r| r.conn),
            "action" => c.text(&|r| r.action),
            "log_status" => c.text(&|r| r.log_status),
            "protocol" => c.int(&|r| r.protocol),
            "traffic_path" => c.int(&|r| r.traffic_path),
            "client_addr" => c.text(&|r| r.client_addr.as_deref()),
            "client_port" => c.int(&|r| r.client_port),
            "client_kind" => c.text(&|r| r.client_kind),
            "client_id" => c.text(&|r| r.client_id.as_deref()),
            "client_service" => c.text(&|r| r.client_service.as_deref()),
            "client_task" => c.text(&|r| r.client_task.as_deref()),
            "client_az" => c.text(&|r| r.client_az.as_deref()),
            "env" => c.text(&|r| r.env.as_deref()),
            "team" => c.text(&|r| r.team.as_deref()),
            "server_addr" => c.text(&|r| r.server_addr.as_deref()),
            "server_port" => c.int(&|r| r.server_port),
            "server_kind" => c.text(&|r| r.server_kind),
            "server_id" => c.text(&|r| r.server_id.as_deref()),
            "server_service" => c.text(&|r| r.server_service.as_deref()),
            "server_az" => c.text(&|r| r.server_az.as_deref()),
            "gateway_type" => c.text(&|r| r.gateway_type),
            "gateway" => c.text(&|r| r.gateway.as_deref()),
            "gateway_az" => c.text(&|r| r.gateway_az.as_deref()),
            "destination" => c.text(&|r| r.destination.as_deref()),
            "destination_class" => c.text(&|r| r.destination_class),
            "destination_service" => c.text(&|r| r.destination_service.as_deref()),
            "destination_domain" => c.text(&|r| r.destination_domain.as_deref()),
            "az_pair" => c.text(&|r| r.az_pair.as_deref()),
            "bytes_sent" => c.int(&|r| Some(r.bytes_sent)),
            "bytes_received" => c.int(&|r| Some(r.bytes_received)),
            "packets_sent" => c.int(&|r| Some(r.packets_sent)),
            "packets_received" => c.int(&|r| Some(r.packets_received)),
            // The attributes JSON column and any promoted ones: empty.
            _ => return None,
        })
    })
}
