//! A flow record read as one side of a connection: which end is the
//! client, what it is (ECS task, instance, load balancer...), which gateway
//! the traffic went through (NAT gateway, interface or gateway endpoint,
//! internet gateway, transit gateway, peering), where it went and what kind
//! of place that is, and whether this record is the one the analysis counts.
//!
//! One connection is seen by several interfaces: the client's, the server's
//! when it is ours, and a NAT gateway's on four legs (client -> NAT, NAT ->
//! internet and back, NAT -> client; docs/research/network-cost.md). Each
//! record says who saw it (`observer`) and whether it is counted
//! (`counted`), and carries the connection's key (`conn`), equal on every
//! interface, so the analysis adds each connection once: the gateway's view
//! when a gateway logged it (it names the NAT gateway and the final
//! destination, through `pkt-dstaddr`), else the client's.

use std::collections::HashMap;
use std::net::IpAddr;

use formats::{Action, FlowDirection, FlowRecord, LogStatus};

use super::dns::DnsIndex;
use super::row::{Counted, FlowRow};
use super::services::{aws_service_of_name, has_gateway_endpoint, is_specific_range};
use super::topology::{Interface, InterfaceKind, Topology};
use crate::AwsIpRanges;

/// Server ports that sit inside the ephemeral range, so that "the lower
/// port is the server" would get them wrong.
const HIGH_SERVER_PORTS: &[u16] = &[
    50051, 9092, 9093, 6379, 5432, 3306, 27017, 9200, 9300, 11211, 2181, 5672, 8080, 8443, 8000,
    8888, 9090, 4317, 4318, 7000, 7001, 9042, 6443, 15672, 8125, 8126,
];

/// Everything the attribution knows: the topology (inventory and what flows
/// taught), the DNS answers, and the path each interface's egress took to
/// each remote address (so the ingress record of a connection, which has
/// no `traffic-path`, goes the way its egress went).
#[derive(Debug, Default)]
pub struct Network {
    pub topology: Topology,
    pub dns: DnsIndex,
    paths: HashMap<(String, IpAddr), u8>,
}

const MAX_PATHS: usize = 1_000_000;

/// A client's view of a connection that a gateway's view in the same
/// batch also shows is settled now (`counted` = no), as the analysis would
/// settle it (`counted_rows`): AWS delivers every interface's records of a
/// capture window in one file, so the query-time check of `conn` is left
/// with the client views whose gateway view came in another batch.
fn settle_in_batch(rows: &mut [FlowRow]) {
    let seen: std::collections::HashSet<i64> = rows
        .iter()
        .filter(|r| r.counted == Some(Counted::Gateway))
        .filter_map(|r| r.conn)
        .collect();
    if seen.is_empty() {
        return;
    }
    for r in rows.iter_mut() {
        if r.counted == Some(Counted::Client) && r.conn.is_some_and(|c| seen.contains(&c)) {
            r.counted = Some(Counted::No);
        }
    }
}

/// Private, shared (100.64/10), link-local and unique-local addresses: what
/// cannot be an internet destination.
pub fn is_private(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(a) => {
            let s = a.segments()[0];
            a.is_loopback() || (s & 0xfe00) == 0xfc00 || (s & 0xffc0) == 0xfe80
        }
    }
}

/// FNV-1a of the connection: client address and port, server address and
/// port, protocol.
pub fn connection_key(
    client: IpAddr,
    client_port: u16,
    server: IpAddr,
    server_port: u16,
    protocol: u8,
) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let addr = |a: IpAddr| match a {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    eat(&addr(client));
    eat(&client_port.to_be_bytes());
    eat(&addr(server));
    eat(&server_port.to_be_bytes());
    eat(&[protocol]);
    h as i64
}

/// What is known about one end of a connection.
struct End<'a> {
    addr: IpAddr,
    port: u16,
    interface: Option<&'a Interface>,
    /// Ours but reached by its public address.
    public_of_ours: bool,
}

impl Network {
    pub fn new() -> Network {
        Network::default()
    }

    /// Attributes a batch of records (learning first what they teach about
    /// interfaces and paths, so a batch's ingress records find their egress
    /// records' path).
    pub fn attribute(&mut self, ranges: &AwsIpRanges, records: &[FlowRecord]) -> Vec<FlowRow> {
        for r in records {
            self.learn(r);
        }
        let mut ctx = Ctx {
            topo: &self.topology,
            dns: &mut self.dns,
            paths: &self.paths,
            ranges,
        };
        let mut rows: Vec<FlowRow> = records.iter().map(|r| ctx.attribute_one(r)).collect();
        settle_in_batch(&mut rows);
        rows
    }

    fn learn(&mut self, r: &FlowRecord) {
        let Some(id) = r.interface_id.as_deref() else {
            return;
        };
        let egress = r.flow_direction == Some(FlowDirection::Egress);
        let local = egress.then_some(r.src_addr).flatten();
        let kind = self.topology.interface(id).map(|i| i.kind);
        if !matches!(
            kind,
            Some(InterfaceKind::NatGateway | InterfaceKind::VpcEndpoint)
        ) {
            self.topology.learn(r, local);
        }
        if let (Some(path), true, Some(remote)) =
            (r.traffic_path, egress, r.pkt_dst_addr.or(r.dst_addr))
        {
            if self.paths.len() >= MAX_PATHS {
                self.paths.clear();
            }
            self.paths.insert((id.to_owned(), remote), path);
        }
    }
}

/// One batch's attribution: the topology read, the DNS answers extended.
struct Ctx<'a> {
    topo: &'a Topology,
    dns: &'a mut DnsIndex,
    paths: &'a HashMap<(String, IpAddr), u8>,
    ranges: &'a AwsIpRanges,
}

impl<'a> Ctx<'a> {
    fn attribute_one(&mut self, r: &FlowRecord) -> FlowRow {
        let mut row = FlowRow {
            time: r.start.unwrap_or(0).saturating_mul(1_000_000_000),
            end_time: r.end.map(|e| e.saturating_mul(1_000_000_000)),
            account_id: r.account_id.clone(),
            region: r.region.clone(),
            vpc_id: r.vpc_id.clone(),
            interface_id: r.interface_id.clone(),
            observer: "none",
            counted: Some(Counted::No),
            action: r.action.map(|a| match a {
                Action::Accept => "ACCEPT",
                Action::Reject => "REJECT",
            }),
            log_status: r.log_status.map(|s| match s {
                LogStatus::Ok => "OK",
                LogStatus::NoData => "NODATA",
                LogStatus::SkipData => "SKIPDATA",
            }),
            protocol: r.protocol.map(i64::from),
            traffic_path: r.traffic_path.map(i64::from),
            ..FlowRow::default()
        };
        let (Some(src), Some(dst)) = (r.src_addr, r.dst_addr) else {
            return row;
        };
        let topo = self.topo;
        let interface = r.interface_id.as_deref().and_then(|id| topo.interface(id));
        if row.vpc_id.is_none() {
            row.vpc_id = interface.as_ref().and_then(|i| i.vpc_id.clone());
        }
        let accepted = r.action != Some(Action::Reject);
        match interface.as_ref().map(|i| i.kind) {
            Some(InterfaceKind::NatGateway) => {
                self.nat_view(r, interface.expect("matched"), src, dst, &mut row)
            }
            Some(InterfaceKind::VpcEndpoint) => {
                self.endpoint_view(r, interface.expect("matched"), src, dst, &mut row)
            }
            Some(InterfaceKind::TransitGateway) => row.observer = "transit",
            _ => self.host_view(r, interface, src, dst, &mut row),
        }
        if !accepted {
            row.counted = Some(Counted::No);
        }
        row
    }

    /// A record on a NAT gateway's interface. Leg A (client <-> NAT private
    /// address) names the client in `srcaddr`/`dstaddr` and the final
    /// destination in `pkt-dstaddr`/`pkt-srcaddr`: it is the gateway's view,
    /// counted. Leg B (NAT <-> internet) repeats the same bytes without the
    /// client: never counted.
    fn nat_view(
        &mut self,
        r: &FlowRecord,
        nat: &'a Interface,
        src: IpAddr,
        dst: IpAddr,
        row: &mut FlowRow,
    ) {
        let topo = self.topo;
        let to_nat = nat.private_addresses.contains(&dst);
        let from_nat = nat.private_addresses.contains(&src);
        let other = if to_nat { src } else { dst };
        row.observer = "transit";
        if !(to_nat || from_nat)
            || !(is_private(other) || topo.by_private(other, nat.vpc_id.as_deref()).is_some())
        {
            return;
        }
        row.observer = "gateway";
        let (client_port, server_port) = if to_nat {
            (r.src_port, r.dst_port)
        } else {
            (r.dst_port, r.src_port)
        };
        let final_server = if to_nat {
            r.pkt_dst_addr
        } else {
            r.pkt_src_addr
        }
        .filter(|a| !nat.private_addresses.contains(a));
        let client = End {
            addr: other,
            port: client_port.unwrap_or(0),
            interface: topo.by_private(other, nat.vpc_id.as_deref()),
            public_of_ours: false,
        };
        fill_client(row, &client);
        row.gateway_type = Some("nat");
        row.gateway = Some(nat.resource.clone());
        row.gateway_az.clone_from(&nat.zone);
        self.count_bytes(r, to_nat, row);
        let Some(server_addr) = final_server else {
            // The log lacks pkt-dstaddr: the destination, and so the
            // connection's key, is unknown; the client's own record counts.
            row.counted = Some(Counted::No);
            row.destination = Some("unknown (no pkt-dstaddr in the NAT gateway's flow log)".into());
            row.destination_class = Some("unknown");
            return;
        };
        let server = self.end(server_addr, server_port.unwrap_or(0), nat.vpc_id.as_deref());
        fill_server(row, &server);
        let aws_service = if to_nat {
            &r.pkt_dst_aws_service
        } else {
            &r.pkt_src_aws_service
        };
        self.destination(
            row,
            &client,
            &server,
            aws_service.as_deref(),
            nat.vpc_id.as_deref(),
        );
        row.az_pair = pair(&row.client_az, &row.gateway_az);
        row.conn = Some(connection_key(
            other,
            client.port,
            server_addr,
            server.port,
            r.protocol.unwrap_or(0),
        ));
        row.counted = Some(Counted::Gateway);
    }

    /// A record on an interface endpoint's interface: the client and the
    /// endpoint, the gateway's view of the connection.
    fn endpoint_view(
        &mut self,
        r: &FlowRecord,
        endpoint: &'a Interface,
        src: IpAddr,
        dst: IpAddr,
        row: &mut FlowRow,
    ) {
        let to_endpoint =
            endpoint.private_addresses.contains(&dst) || !endpoint.private_addresses.contains(&src);
        let (client_addr, client_port, server_addr, server_port) = if to_endpoint {
            (src, r.src_port, dst, r.dst_port)
        } else {
            (dst, r.dst_port, src, r.src_port)
        };
        row.observer = "gateway";
        let client = End {
            addr: client_addr,
            port: client_port.unwrap_or(0),
            interface: self
                .topo
                .by_private(client_addr, endpoint.vpc_id.as_deref()),
            public_of_ours: false,
        };
        fill_client(row, &client);
        let server = End {
            addr: server_addr,
            port: server_port.unwrap_or(0),
            interface: Some(endpoint),
            public_of_ours: false,
        };
        fill_server(row, &server);
        self.count_bytes(r, to_endpoint, row);
        self.endpoint_destination(row, &client, server_addr, endpoint);
        row.az_pair = pair(&row.client_az, &row.gateway_az);
        row.conn = Some(connection_key(
            client_addr,
            client.port,
            server_addr,
            server.port,
            r.protocol.unwrap_or(0),
        ));
        row.counted = Some(Counted::Gateway);
    }

    fn endpoint_destination(
        &mut self,
        row: &mut FlowRow,
        client: &End<'a>,
        server_addr: IpAddr,
        endpoint: &'a Interface,
    ) {
        row.gateway_type = Some("endpoint");
        row.gateway = Some(endpoint.resource.clone());
        row.gateway_az.clone_from(&endpoint.zone);
        row.destination_class = Some("aws_service");
        let name = self.dns.name(
            Some(client.addr),
            server_addr,
            row.time,
            row.end_time.unwrap_or(row.time),
        );
        let service = name.as_deref().and_then(aws_service_of_name);
        row.destination_service = service.map(str::to_owned);
        row.destination = Some(
            name.as_deref()
                .map(str::to_owned)
                .or_else(|| service.map(str::to_owned))
                .unwrap_or_else(|| endpoint.resource.clone()),
        );
        row.destination_domain = name;
    }

    /// A record on any other interface: the client's view or the server's.
    fn host_view(
        &mut self,
        r: &FlowRecord,
        local: Option<&'a Interface>,
        src: IpAddr,
        dst: IpAddr,
        row: &mut FlowRow,
    ) {
        let vpc = row.vpc_id.clone();
        let vpc = vpc.as_deref();
        // Which end is this interface: its address, else the direction.
        let local_is_src = match local {
            Some(i) if i.private_addresses.contains(&src) => true,
            Some(i) if i.private_addresses.contains(&dst) => false,
            _ => match r.flow_direction {
                Some(FlowDirection::Egress) => true,
                Some(FlowDirection::Ingress) => false,
                None => is_private(src) && !is_private(dst),
            },
        };
        let (local_addr, local_port, remote_addr, remote_port) = if local_is_src {
            (
                src,
                r.src_port.unwrap_or(0),
                r.pkt_dst_addr.unwrap_or(dst),
                r.dst_port.unwrap_or(0),
            )
        } else {
            (
                dst,
                r.dst_port.unwrap_or(0),
                r.pkt_src_addr.unwrap_or(src),
                r.src_port.unwrap_or(0),
            )
        };
        let local_end = End {
            addr: local_addr,
            port: local_port,
            interface: local,
            public_of_ours: false,
        };
        let remote_end = self.end(remote_addr, remote_port, vpc);
        let local_is_client = is_client(&local_end, &remote_end, local_is_src);
        let (client, server) = if local_is_client {
            (local_end, remote_end)
        } else {
            (remote_end, local_end)
        };
        fill_client(row, &client);
        fill_server(row, &server);
        // Bytes the client sent: the record's source is the client.
        self.count_bytes(r, local_is_src == local_is_client, row);
        row.conn = Some(connection_key(
            client.addr,
            client.port,
            server.addr,
            server.port,
            r.protocol.unwrap_or(0),
        ));
        let interface_id = r.interface_id.clone().unwrap_or_default();
        if local_is_client {
            row.observer = "client";
            row.counted = Some(Counted::Client);
            let path = r
                .traffic_path
                .filter(|_| local_is_src)
                .or_else(|| self.paths.get(&(interface_id, server.addr)).copied());
            self.route(row, &client, &server, path, vpc, r);
        } else {
            row.observer = "server";
            // The client's own interface logs it when it is one of ours.
            let client_logs = client
                .interface
                .is_some_and(|i| i.kind != InterfaceKind::NatGateway);
            row.counted = Some(if client_logs {
                Counted::No
            } else {
                Counted::Server
            });
            self.inbound(row, &client, &server, vpc, r);
        }
    }

    /// The gateway and destination of a connection seen by its client.
    #[allow(clippy::too_many_arguments)]
    fn route(
        &mut self,
        row: &mut FlowRow,
        client: &End<'a>,
        server: &End<'a>,
        path: Option<u8>,
        vpc: Option<&str>,
        r: &FlowRecord,
    ) {
        let aws_service = if r.flow_direction == Some(FlowDirection::Ingress) {
            r.pkt_src_aws_service.as_deref()
        } else {
            r.pkt_dst_aws_service.as_deref()
        };
        if let Some(endpoint) = server
            .interface
            .filter(|i| i.kind == InterfaceKind::VpcEndpoint)
        {
            self.endpoint_destination(row, client, server.addr, endpoint);
            row.az_pair = pair(&row.client_az, &row.gateway_az);
            return;
        }
        self.destination(row, client, server, aws_service, vpc);
        let public =
            !is_private(server.addr) && server.interface.is_none_or(|_| server.public_of_ours);
        if !public {
            row.gateway_type = Some(match path {
                Some(3) => "vgw",
                Some(4 | 5) => "peering",
                Some(6) => "local_gateway",
                _ if row.destination_class == Some("other_vpc") => "tgw",
                _ => "local",
            });
            if row.destination_class == Some("same_vpc") {
                row.az_pair = pair(&row.client_az, &row.server_az);
            }
            return;
        }
        let client_public = client
            .interface
            .is_some_and(|i| !i.public_addresses.is_empty());
        let service = row.destination_service.clone();
        let gateway_endpoint_service = service.as_deref().is_some_and(has_gateway_endpoint);
        let topo = self.topo;
        let vpc_has_nat = topo.nat_gateways(vpc).next().is_some();
        let gateway = match path {
            Some(7) => "gateway_endpoint",
            Some(8) => "igw",
            Some(2) if gateway_endpoint_service && !client_public => "gateway_endpoint",
            Some(2) => "igw",
            Some(1) => "nat",
            _ if client_public => "igw",
            _ if gateway_endpoint_service && !vpc_has_nat => "gateway_endpoint",
            _ => "nat",
        };
        row.gateway_type = Some(gateway);
        match gateway {
            "nat" => {
                // Which NAT gateway: the client's own record cannot say; the
                // one in its zone, else the VPC's first.
                let zone = row.client_az.clone();
                let nat = topo
                    .nat_gateways(vpc)
                    .find(|n| n.zone.is_some() && n.zone == zone)
                    .or_else(|| topo.nat_gateways(vpc).next());
                row.gateway =
                    Some(nat.map_or_else(|| "nat (unknown)".to_owned(), |n| n.resource.clone()));
                row.gateway_az = nat.and_then(|n| n.zone.clone());
                row.az_pair = pair(&row.client_az, &row.gateway_az);
            }
            "gateway_endpoint" => {
                row.gateway = Some(format!(
                    "gateway endpoint ({})",
                    service.as_deref().unwrap_or("S3")
                ));
            }
            _ => row.gateway = Some("internet gateway".to_owned()),
        }
    }

    /// A connection seen by its server (one of ours): where it came from.
    fn inbound(
        &mut self,
        row: &mut FlowRow,
        client: &End<'a>,
        server: &End<'a>,
        vpc: Option<&str>,
        r: &FlowRecord,
    ) {
        row.destination = Some(
            server
                .interface
                .map_or_else(|| server.addr.to_string(), |i| i.name().to_owned()),
        );
        match client.interface {
            Some(i) if i.vpc_id.as_deref() == vpc || vpc.is_none() => {
                row.destination_class = Some("same_vpc");
                row.gateway_type = Some("local");
                row.az_pair = pair(&row.client_az, &row.server_az);
            }
            Some(_) => {
                row.destination_class = Some("other_vpc");
                row.gateway_type = Some(match r.traffic_path {
                    Some(4 | 5) => "peering",
                    _ => "tgw",
                });
            }
            None if is_private(client.addr) => {
                row.destination_class = Some(if self.vpc_known(vpc) {
                    "other_vpc"
                } else {
                    "same_vpc"
                });
                row.gateway_type = Some(if self.vpc_known(vpc) { "tgw" } else { "local" });
            }
            None => {
                // From the internet to one of ours, through its public address.
                row.destination_class = Some("own_public_endpoint");
                row.gateway_type = Some("igw");
                row.gateway = Some("internet gateway".to_owned());
                row.client_kind = Some("internet");
            }
        }
    }

    /// Whether an inventory describes the VPC (so an unknown private
    /// address is not in it).
    fn vpc_known(&self, vpc: Option<&str>) -> bool {
        vpc.is_some_and(|v| self.topo.has_inventory_of(v))
    }

    /// The destination of a connection and its class.
    #[allow(clippy::too_many_arguments)]
    fn destination(
        &mut self,
        row: &mut FlowRow,
        client: &End<'a>,
        server: &End<'a>,
        aws_service: Option<&str>,
        vpc: Option<&str>,
    ) {
        let name = self.dns.name(
            Some(client.addr),
            server.addr,
            row.time,
            row.end_time.unwrap_or(row.time),
        );
        if let Some(i) = server.interface {
            row.destination_class = Some(if server.public_of_ours {
                "own_public_endpoint"
            } else if i.vpc_id.as_deref() == vpc || vpc.is_none() || i.vpc_id.is_none() {
                "same_vpc"
            } else {
                "other_vpc"
            });
            row.destination = Some(
                name.as_deref()
                    .map_or_else(|| i.name().to_owned(), str::to_owned),
            );
            row.destination_domain = name;
            return;
        }
        if is_private(server.addr) {
            row.destination_class = Some(if self.vpc_known(vpc) {
                "other_vpc"
            } else {
                "same_vpc"
            });
            row.destination = Some(
                name.as_deref()
                    .map_or_else(|| server.addr.to_string(), str::to_owned),
            );
            row.destination_domain = name;
            return;
        }
        let by_name = name.as_deref().and_then(aws_service_of_name);
        let by_range = self
            .ranges
            .lookup(server.addr)
            .map(|range| range.service)
            .filter(|s| is_specific_range(s));
        let service = aws_service
            .filter(|s| is_specific_range(s))
            .map(str::to_owned)
            .or_else(|| by_name.map(str::to_owned))
            .or(by_range);
        row.destination_class = Some(if service.is_some() {
            "aws_service"
        } else {
            "internet"
        });
        row.destination = Some(
            name.as_deref()
                .map(str::to_owned)
                .or_else(|| service.clone())
                .unwrap_or_else(|| server.addr.to_string()),
        );
        row.destination_service = service;
        row.destination_domain = name;
    }

    /// An address as one end of a connection: our interface, by private or
    /// public address, or nothing known.
    fn end(&self, addr: IpAddr, port: u16, vpc: Option<&str>) -> End<'a> {
        let topo = self.topo;
        if let Some(i) = topo.by_private(addr, vpc) {
            return End {
                addr,
                port,
                interface: Some(i),
                public_of_ours: false,
            };
        }
        if let Some(i) = topo.by_public(addr) {
            return End {
                addr,
                port,
                interface: Some(i),
                public_of_ours: true,
            };
        }
        End {
            addr,
            port,
            interface: None,
            public_of_ours: false,
        }
    }

    /// Puts the record's bytes on the side they went: from the client
    /// (`sent`) or back (`received`).
    fn count_bytes(&self, r: &FlowRecord, from_client: bool, row: &mut FlowRow) {
        let bytes = r.bytes.unwrap_or(0).min(i64::MAX as u64) as i64;
        let packets = r.packets.unwrap_or(0).min(i64::MAX as u64) as i64;
        if from_client {
            row.bytes_sent = bytes;
            row.packets_sent = packets;
        } else {
            row.bytes_received = bytes;
            row.packets_received = packets;
        }
    }
}

/// Whether the local end of a record is the connection's client.
fn is_client(local: &End, remote: &End, local_is_src: bool) -> bool {
    let serving = |e: &End| {
        e.interface.is_some_and(|i| {
            matches!(
                i.kind,
                InterfaceKind::Rds | InterfaceKind::VpcEndpoint | InterfaceKind::NatGateway
            )
        })
    };
    if serving(remote) && !serving(local) {
        return true;
    }
    if serving(local) && !serving(remote) {
        return false;
    }
    let known = |p: u16| HIGH_SERVER_PORTS.contains(&p);
    match (known(local.port), known(remote.port)) {
        (false, true) => return true,
        (true, false) => return false,
        _ => {}
    }
    match local.port.cmp(&remote.port) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => local_is_src,
    }
}

fn fill_client(row: &mut FlowRow, client: &End) {
    row.client_addr = Some(client.addr.to_string());
    row.client_port = Some(i64::from(client.port));
    match client.interface {
        Some(i) => {
            row.client_kind = Some(i.kind.as_str());
            row.client_id = Some(i.resource.clone());
            row.client_service = Some(i.name().to_owned());
            row.client_task = Some(i.task.clone().unwrap_or_else(|| i.name().to_owned()));
            row.client_az.clone_from(&i.zone);
            row.env.clone_from(&i.env);
            row.team.clone_from(&i.team);
        }
        None if is_private(client.addr) => {
            row.client_kind = Some("unknown_private");
            row.client_service = Some(client.addr.to_string());
            row.client_task = Some(client.addr.to_string());
        }
        None => {
            // Internet clients are one client; their addresses stay in
            // `client_addr`.
            row.client_kind = Some("internet");
            row.client_service = Some("internet".to_owned());
            row.client_task = Some("internet".to_owned());
        }
    }
}

fn fill_server(row: &mut FlowRow, server: &End) {
    row.server_addr = Some(server.addr.to_string());
    row.server_port = Some(i64::from(server.port));
    if let Some(i) = server.interface {
        row.server_kind = Some(i.kind.as_str());
        row.server_id = Some(i.resource.clone());
        row.server_service = Some(i.name().to_owned());
        row.server_az.clone_from(&i.zone);
        if row.env.is_none() {
            row.env.clone_from(&i.env);
        }
        if row.team.is_none() {
            row.team.clone_from(&i.team);
        }
    } else {
        row.server_kind = Some(if is_private(server.addr) {
            "unknown_private"
        } else {
            "internet"
        });
    }
}

fn pair(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}→{b}")),
        _ => None,
    }
}
