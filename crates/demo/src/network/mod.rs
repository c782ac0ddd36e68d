//! The demo company's AWS network as AWS itself writes it: the
//! `describe-network-interfaces` JSON of its VPC, Route 53 Resolver query
//! logs, and VPC flow logs in a custom version-7 format, filed under the
//! `AWSLogs/` keys AWS delivers to S3. Every connection is written on every
//! interface that sees it: the client task's, a NAT gateway's four legs,
//! the interface endpoint's, the server's. Beside the files, the truth:
//! the bytes each task sent and received per gateway and destination, which
//! the analysis must find again (crates/enrich's ground-truth test).

mod world;

use std::fmt::Write as _;

use crate::random::{Rand, mix};
use crate::time::write_rfc3339;
use world::{
    ACCOUNT, ECR_ENDPOINT, Eni, FLOW_LOG_ID, INBOUND_DOWN_PER_MIN, INBOUND_UP_PER_MIN,
    INTERNAL_ALB, INTERNET_CLIENTS, NATS, Owner, PUBLIC_ALB, REGION, Route, TALKS, VPC, ZONES,
    interfaces,
};

/// The flow log format every file's header names (custom, version 7).
pub const FLOW_FORMAT: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-name ecs-service-name ecs-task-definition-arn ecs-task-id";

/// Capture window of the flow log (AWS's default aggregation interval).
const WINDOW_S: i64 = 600;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkConfig {
    pub seed: u64,
    /// Window `[start, end)`, seconds since the epoch, whole windows.
    pub start_s: i64,
    pub end_s: i64,
    /// Multiplies the bytes.
    pub scale: f64,
}

/// One object as AWS would deliver it: its key and its (uncompressed) body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkObject {
    pub key: String,
    pub body: Vec<u8>,
}

/// What the analysis should find: bytes a client sent and received through
/// a gateway to a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthFlow {
    /// The client's task family (`jobs-api`), the load balancer's name, or
    /// `internet`.
    pub client_task: String,
    /// `nat`, `endpoint`, `gateway_endpoint`, `igw` or `local`.
    pub gateway_type: &'static str,
    /// `nat-…`, `vpce-…`, `gateway endpoint (DYNAMODB)`, `internet gateway`,
    /// or `""` for local traffic.
    pub gateway: String,
    /// The DNS name the client reached, or the server's name.
    pub destination: String,
    pub destination_class: &'static str,
    pub destination_service: Option<&'static str>,
    /// The client's zone and the gateway's or server's, when both exist.
    pub client_zone: Option<&'static str>,
    pub other_zone: Option<&'static str>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// The files and the truth.
#[derive(Debug, Default)]
pub struct NetworkData {
    /// The interface inventory (`describe-network-interfaces.json`).
    pub inventory: NetworkObject,
    /// Resolver query logs, one object per hour.
    pub resolver_logs: Vec<NetworkObject>,
    /// Flow logs, one object per capture window.
    pub flow_logs: Vec<NetworkObject>,
    pub truth: Vec<TruthFlow>,
    /// Flow log records written.
    pub flow_records: usize,
}

/// One flow log record.
struct Rec<'a> {
    eni: &'a Eni,
    src: &'a str,
    dst: &'a str,
    src_port: u16,
    dst_port: u16,
    bytes: u64,
    start: i64,
    pkt_src: &'a str,
    pkt_dst: &'a str,
    pkt_src_service: &'a str,
    pkt_dst_service: &'a str,
    egress: bool,
    path: Option<u8>,
}

fn write_record(out: &mut String, r: &Rec) {
    let zone = &ZONES[r.eni.zone];
    let subnet = if r.eni.public_subnet {
        zone.public_subnet
    } else {
        zone.private_subnet
    };
    let packets = r.bytes / 1_300 + 1;
    let (cluster, service, task_def, task_id) = match &r.eni.owner {
        Owner::Task {
            service,
            family,
            cluster,
        } => (
            (*cluster).to_owned(),
            (*service).to_owned(),
            format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:42"),
            format!("{:032x}", mix(r.eni.id.len() as u64 ^ fnv(&r.eni.id))),
        ),
        _ => ("-".into(), "-".into(), "-".into(), "-".into()),
    };
    let account = match r.eni.owner {
        // AWS may write `unknown` for interfaces a service created.
        Owner::Endpoint(_) => "unknown",
        _ => ACCOUNT,
    };
    let _ = writeln!(
        out,
        "7 {account} {} {} {} {} {} 6 {packets} {} {} {} ACCEPT OK {VPC} {subnet} - {} IPv4 {} {} {REGION} {} - - {} {} {} {} {cluster} {service} {task_def} {task_id}",
        r.eni.id,
        r.src,
        r.dst,
        r.src_port,
        r.dst_port,
        r.bytes,
        r.start,
        r.start + WINDOW_S - 1,
        if r.egress { 19 } else { 3 },
        r.pkt_src,
        r.pkt_dst,
        zone.id,
        r.pkt_src_service,
        r.pkt_dst_service,
        if r.egress { "egress" } else { "ingress" },
        r.path.map_or_else(|| "-".to_owned(), |p| p.to_string()),
    );
}

/// One connection between a client and a server address.
struct Exchange<'a> {
    client: &'a str,
    client_port: u16,
    server: &'a str,
    server_port: u16,
    /// Bytes from the client, and back.
    up: u64,
    down: u64,
    /// What AWS's IP ranges name the server address (`-` for none).
    server_service: &'a str,
}

/// The two records of `x` on `eni`, one end of it (the client's end when
/// `at_client`): the request and the response, the egress one with `path`.
fn write_exchange(
    out: &mut String,
    eni: &Eni,
    start: i64,
    x: &Exchange,
    at_client: bool,
    path: u8,
) {
    let request = Rec {
        eni,
        src: x.client,
        dst: x.server,
        src_port: x.client_port,
        dst_port: x.server_port,
        bytes: x.up,
        start,
        pkt_src: x.client,
        pkt_dst: x.server,
        pkt_src_service: "-",
        pkt_dst_service: x.server_service,
        egress: at_client,
        path: at_client.then_some(path),
    };
    write_record(out, &request);
    write_record(
        out,
        &Rec {
            src: x.server,
            dst: x.client,
            src_port: x.server_port,
            dst_port: x.client_port,
            bytes: x.down,
            pkt_src: x.server,
            pkt_dst: x.client,
            pkt_src_service: x.server_service,
            pkt_dst_service: "-",
            egress: !at_client,
            path: (!at_client).then_some(path),
            ..request
        },
    );
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The name AWS's IP ranges give an address (what `pkt-*-aws-service`
/// shows), for the demo's addresses.
fn range_service(address: &str) -> &'static str {
    if address.starts_with("3.5.14") {
        "S3"
    } else if address.starts_with("52.94.6.") {
        "DYNAMODB"
    } else if address.starts_with("52.95.") {
        "AMAZON"
    } else if address.starts_with("54.187.") || address.starts_with("13.124.") {
        "EC2"
    } else {
        "-"
    }
}

fn day_path(s: i64) -> String {
    let mut buf = Vec::new();
    write_rfc3339(&mut buf, s * 1_000_000_000);
    let text = String::from_utf8_lossy(&buf).into_owned();
    // 2026-12-01T09:10:00Z -> (2026/12/01, 20261201T0910Z)
    let (y, m, d) = (&text[0..4], &text[5..7], &text[8..10]);
    let (hh, mm) = (&text[11..13], &text[14..16]);
    format!("{y}/{m}/{d}|{y}{m}{d}T{hh}{mm}Z")
}

fn flow_key(window_end: i64, n: u64) -> String {
    let dp = day_path(window_end);
    let (day, stamp) = dp.split_once('|').expect("day path");
    format!(
        "AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/{day}/{ACCOUNT}_vpcflowlogs_{REGION}_{FLOW_LOG_ID}_{stamp}_{:08x}.log",
        mix(n) as u32
    )
}

fn resolver_key(hour_start: i64, n: u64) -> String {
    let dp = day_path(hour_start);
    let (day, stamp) = dp.split_once('|').expect("day path");
    format!(
        "AWSLogs/{ACCOUNT}/vpcdnsquerylogs/{VPC}/{day}/{ACCOUNT}_vpcdnsquerylogs_{VPC}_{stamp}_{:08x}.log",
        mix(n ^ 0xd45) as u32
    )
}

/// The inventory as `aws ec2 describe-network-interfaces` prints it.
fn inventory_json(enis: &[Eni]) -> String {
    let mut out = String::from("{\n    \"NetworkInterfaces\": [\n");
    for (i, eni) in enis.iter().enumerate() {
        let zone = &ZONES[eni.zone];
        let subnet = if eni.public_subnet {
            zone.public_subnet
        } else {
            zone.private_subnet
        };
        let (description, interface_type, requester) = match &eni.owner {
            Owner::Nat(id) => (
                format!("Interface for NAT Gateway {id}"),
                "nat_gateway",
                Some("036872051663"),
            ),
            Owner::Endpoint(id) => (
                format!("VPC Endpoint Interface {id}"),
                "vpc_endpoint",
                Some("727180483921"),
            ),
            Owner::LoadBalancer(name) => (format!("ELB {name}"), "interface", Some("amazon-elb")),
            Owner::Task { .. } => (
                format!(
                    "arn:aws:ecs:{REGION}:{ACCOUNT}:attachment/{:08x}-9d8e-4f6a-b5c4-{:012x}",
                    fnv(&eni.id) as u32,
                    fnv(&eni.id) >> 16
                ),
                "interface",
                Some("578734482556"),
            ),
        };
        let association = eni.public_ip.as_ref().map_or_else(String::new, |ip| {
            format!("            \"Association\": {{\"IpOwnerId\": \"{ACCOUNT}\", \"PublicIp\": \"{ip}\"}},\n")
        });
        let mut tags = Vec::new();
        if let Owner::Task { service, .. } = &eni.owner {
            tags.push(format!(
                "{{\"Key\": \"service\", \"Value\": \"{service}\"}}"
            ));
            tags.push("{\"Key\": \"env\", \"Value\": \"prod\"}".to_owned());
            tags.push("{\"Key\": \"aws:ecs:clusterName\", \"Value\": \"prod\"}".to_owned());
        }
        if let Some(team) = eni.team {
            tags.push(format!("{{\"Key\": \"team\", \"Value\": \"{team}\"}}"));
        }
        let _ = write!(
            out,
            "        {{\n{association}            \"AvailabilityZone\": \"{}\",\n            \"Description\": \"{description}\",\n            \"InterfaceType\": \"{interface_type}\",\n            \"NetworkInterfaceId\": \"{}\",\n            \"OwnerId\": \"{ACCOUNT}\",\n            \"PrivateIpAddress\": \"{}\",\n            \"PrivateIpAddresses\": [{{\"Primary\": true, \"PrivateIpAddress\": \"{}\"}}],\n{}            \"RequesterManaged\": {},\n            \"Status\": \"in-use\",\n            \"SubnetId\": \"{subnet}\",\n            \"TagSet\": [{}],\n            \"VpcId\": \"{VPC}\"\n        }}{}\n",
            zone.name,
            eni.id,
            eni.private_ip,
            eni.private_ip,
            requester.map_or_else(String::new, |r| format!(
                "            \"RequesterId\": \"{r}\",\n"
            )),
            !matches!(eni.owner, Owner::Task { .. }),
            tags.join(", "),
            if i + 1 < enis.len() { "," } else { "" },
        );
    }
    out.push_str("    ]\n}\n");
    out
}

fn resolver_line(out: &mut String, time_s: i64, client: &Eni, name: &str, answers: &[&str]) {
    let mut ts = Vec::new();
    write_rfc3339(&mut ts, time_s * 1_000_000_000);
    let answers: Vec<String> = answers
        .iter()
        .map(|a| format!("{{\"Rdata\":\"{a}\",\"Type\":\"A\",\"Class\":\"IN\"}}"))
        .collect();
    let _ = writeln!(
        out,
        "{{\"version\":\"1.100000\",\"account_id\":\"{ACCOUNT}\",\"region\":\"{REGION}\",\"vpc_id\":\"{VPC}\",\"query_timestamp\":\"{}\",\"query_name\":\"{name}.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\",\"answers\":[{}],\"srcaddr\":\"{}\",\"srcport\":\"{}\",\"transport\":\"UDP\",\"srcids\":{{}}}}",
        String::from_utf8_lossy(&ts),
        answers.join(","),
        client.private_ip,
        30_000 + (fnv(name) % 20_000),
    );
}

/// Adds bytes to the truth row of a (client, gateway, destination).
#[allow(clippy::too_many_arguments)]
fn add_truth(
    truth: &mut Vec<TruthFlow>,
    client_task: &str,
    gateway_type: &'static str,
    gateway: &str,
    destination: &str,
    class: &'static str,
    service: Option<&'static str>,
    zones: (Option<&'static str>, Option<&'static str>),
    sent: u64,
    received: u64,
) {
    if let Some(t) = truth.iter_mut().find(|t| {
        t.client_task == client_task && t.gateway == gateway && t.destination == destination
    }) {
        t.bytes_sent += sent;
        t.bytes_received += received;
        return;
    }
    truth.push(TruthFlow {
        client_task: client_task.to_owned(),
        gateway_type,
        gateway: gateway.to_owned(),
        destination: destination.to_owned(),
        destination_class: class,
        destination_service: service,
        client_zone: zones.0,
        other_zone: zones.1,
        bytes_sent: sent,
        bytes_received: received,
    });
}

/// Generates the network's files for `config`'s window.
pub fn generate_network(config: &NetworkConfig) -> NetworkData {
    let enis = interfaces();
    let mut rng = Rand::new(config.seed ^ 0x6e65_7477);
    let scale = if config.scale.is_finite() {
        config.scale.max(0.0)
    } else {
        0.0
    };
    let mut data = NetworkData {
        inventory: NetworkObject {
            key: "inventory/describe-network-interfaces.json".into(),
            body: inventory_json(&enis).into_bytes(),
        },
        ..NetworkData::default()
    };
    let find = |pred: &dyn Fn(&Eni) -> bool| enis.iter().filter(|e| pred(e)).collect::<Vec<_>>();
    let nat_of = |zone: usize| {
        find(&|e| e.owner == Owner::Nat(NATS[zone]))
            .first()
            .copied()
            .expect("a NAT gateway per zone")
    };
    let endpoint = find(&|e| e.owner == Owner::Endpoint(ECR_ENDPOINT))[0];
    let internal_albs = find(&|e| e.owner == Owner::LoadBalancer(INTERNAL_ALB));
    let public_albs = find(&|e| e.owner == Owner::LoadBalancer(PUBLIC_ALB));
    let start = config.start_s.div_euclid(WINDOW_S) * WINDOW_S;
    let mut resolver = String::new();
    let mut hour_start = start;
    let mut window = start;
    let mut objects = 0u64;
    while window < config.end_s {
        let mut out = String::from(FLOW_FORMAT);
        out.push('\n');
        let hour = window.div_euclid(3600);
        let new_hour = window % 3600 == 0 || window == start;
        if new_hour && !resolver.is_empty() {
            data.resolver_logs.push(NetworkObject {
                key: resolver_key(hour_start, objects),
                body: std::mem::take(&mut resolver).into_bytes(),
            });
        }
        if new_hour {
            hour_start = window;
        }
        for talk in &TALKS {
            for (t, task) in
                find(&|e| matches!(e.owner, Owner::Task { service, .. } if service == talk.service))
                    .into_iter()
                    .enumerate()
            {
                let zone = task.zone;
                // A pooled connection, its port new each hour.
                let port =
                    32_768 + (mix(hour as u64 ^ fnv(&task.id) ^ fnv(talk.name)) % 28_000) as u16;
                let jitter = |rng: &mut Rand| 0.7 + 0.6 * rng.unit();
                let minutes = (WINDOW_S / 60) as f64;
                let up = (talk.up_per_min * minutes * scale * jitter(&mut rng)) as u64;
                let down = (talk.down_per_min * minutes * scale * jitter(&mut rng)) as u64;
                if up == 0 && down == 0 {
                    continue;
                }
                let offset = |eni: &Eni| window + (fnv(&eni.id) % 50) as i64;
                let (server_ip, answers): (String, Vec<String>) = match talk.route {
                    Route::Endpoint => (
                        endpoint.private_ip.clone(),
                        vec![endpoint.private_ip.clone()],
                    ),
                    Route::InternalOtherZone => (
                        internal_albs[1 - zone].private_ip.clone(),
                        internal_albs.iter().map(|e| e.private_ip.clone()).collect(),
                    ),
                    _ => (talk.address.to_owned(), vec![talk.address.to_owned()]),
                };
                if new_hour {
                    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
                    resolver_line(&mut resolver, window + 1 + t as i64, task, talk.name, &refs);
                }
                let service_of = range_service(&server_ip);
                let path = match talk.route {
                    Route::Nat | Route::Endpoint | Route::InternalOtherZone => 1,
                    Route::GatewayEndpoint => 7,
                };
                // The client task's own interface: egress and ingress.
                let exchange = Exchange {
                    client: &task.private_ip,
                    client_port: port,
                    server: &server_ip,
                    server_port: talk.port,
                    up,
                    down,
                    server_service: service_of,
                };
                write_exchange(&mut out, task, offset(task), &exchange, true, path);
                data.flow_records += 2;
                let task_zone = Some(ZONES[zone].name);
                match talk.route {
                    Route::Nat => {
                        // The NAT gateway of the task's zone: four legs.
                        let nat = nat_of(zone);
                        let nat_port =
                            1_024 + (mix(fnv(&task.id) ^ u64::from(port)) % 60_000) as u16;
                        let at = offset(nat);
                        let legs = [
                            (
                                &task.private_ip,
                                &nat.private_ip,
                                port,
                                talk.port,
                                up,
                                &task.private_ip,
                                &server_ip,
                                "-",
                                service_of,
                                false,
                                None,
                            ),
                            (
                                &nat.private_ip,
                                &server_ip,
                                nat_port,
                                talk.port,
                                up,
                                &nat.private_ip,
                                &server_ip,
                                "-",
                                service_of,
                                true,
                                Some(8),
                            ),
                            (
                                &server_ip,
                                &nat.private_ip,
                                talk.port,
                                nat_port,
                                down,
                                &server_ip,
                                &nat.private_ip,
                                service_of,
                                "-",
                                false,
                                None,
                            ),
                            (
                                &nat.private_ip,
                                &task.private_ip,
                                talk.port,
                                port,
                                down,
                                &server_ip,
                                &task.private_ip,
                                service_of,
                                "-",
                                true,
                                Some(1),
                            ),
                        ];
                        for (src, dst, sp, dp, bytes, ps, pd, pss, pds, egress, path) in legs {
                            write_record(
                                &mut out,
                                &Rec {
                                    eni: nat,
                                    src,
                                    dst,
                                    src_port: sp,
                                    dst_port: dp,
                                    bytes,
                                    start: at,
                                    pkt_src: ps,
                                    pkt_dst: pd,
                                    pkt_src_service: pss,
                                    pkt_dst_service: pds,
                                    egress,
                                    path,
                                },
                            );
                        }
                        data.flow_records += 4;
                        add_truth(
                            &mut data.truth,
                            talk.service,
                            "nat",
                            NATS[zone],
                            talk.name,
                            talk.class,
                            talk.aws_service,
                            (task_zone, Some(ZONES[nat.zone].name)),
                            up,
                            down,
                        );
                    }
                    Route::Endpoint | Route::InternalOtherZone => {
                        let server = if talk.route == Route::Endpoint {
                            endpoint
                        } else {
                            internal_albs[1 - zone]
                        };
                        // Its server side: private addresses carry no service name.
                        let inside = Exchange {
                            server_service: "-",
                            ..exchange
                        };
                        write_exchange(&mut out, server, offset(server), &inside, false, 1);
                        data.flow_records += 2;
                        if talk.route == Route::Endpoint {
                            add_truth(
                                &mut data.truth,
                                talk.service,
                                "endpoint",
                                ECR_ENDPOINT,
                                talk.name,
                                talk.class,
                                talk.aws_service,
                                (task_zone, Some(ZONES[server.zone].name)),
                                up,
                                down,
                            );
                        } else {
                            add_truth(
                                &mut data.truth,
                                talk.service,
                                "local",
                                "",
                                talk.name,
                                talk.class,
                                talk.aws_service,
                                (task_zone, Some(ZONES[server.zone].name)),
                                up,
                                down,
                            );
                        }
                    }
                    Route::GatewayEndpoint => {
                        add_truth(
                            &mut data.truth,
                            talk.service,
                            "gateway_endpoint",
                            "gateway endpoint (DYNAMODB)",
                            talk.name,
                            talk.class,
                            talk.aws_service,
                            (task_zone, None),
                            up,
                            down,
                        );
                    }
                }
            }
        }
        // Internet users of the public load balancer, and its calls to the
        // web-bff tasks of its zone.
        let bffs = find(&|e| {
            matches!(
                e.owner,
                Owner::Task {
                    service: "web-bff",
                    ..
                }
            )
        });
        for (z, alb) in public_albs.iter().enumerate() {
            let client_ip =
                INTERNET_CLIENTS[(window / WINDOW_S + z as i64) as usize % INTERNET_CLIENTS.len()];
            let client_port = 40_000 + (mix(window as u64 ^ z as u64) % 20_000) as u16;
            let minutes = (WINDOW_S / 60) as f64;
            let up = (INBOUND_UP_PER_MIN * minutes * scale * (0.7 + 0.6 * rng.unit())) as u64;
            let down = (INBOUND_DOWN_PER_MIN * minutes * scale * (0.7 + 0.6 * rng.unit())) as u64;
            let at = window + (fnv(&alb.id) % 50) as i64;
            let inbound = Exchange {
                client: client_ip,
                client_port,
                server: &alb.private_ip,
                server_port: 443,
                up,
                down,
                server_service: "-",
            };
            write_exchange(&mut out, alb, at, &inbound, false, 8);
            add_truth(
                &mut data.truth,
                "internet",
                "igw",
                "internet gateway",
                "prod-public",
                "own_public_endpoint",
                None,
                (None, None),
                up,
                down,
            );
            // The load balancer forwards to the web-bff task of its zone.
            let Some(bff) = bffs.iter().find(|b| b.zone == z) else {
                continue;
            };
            let lb_port = 20_000 + (mix(window as u64 ^ 0x1b ^ z as u64) % 30_000) as u16;
            let forward = Exchange {
                client: &alb.private_ip,
                client_port: lb_port,
                server: &bff.private_ip,
                server_port: 8080,
                up,
                down,
                server_service: "-",
            };
            write_exchange(&mut out, alb, at, &forward, true, 1);
            // And the task's own view of the same connection.
            let bff_at = window + (fnv(&bff.id) % 50) as i64;
            write_exchange(&mut out, bff, bff_at, &forward, false, 1);
            data.flow_records += 6;
            add_truth(
                &mut data.truth,
                "prod-public",
                "local",
                "",
                "web-bff",
                "same_vpc",
                None,
                (Some(ZONES[z].name), Some(ZONES[bff.zone].name)),
                up,
                down,
            );
        }
        objects += 1;
        data.flow_logs.push(NetworkObject {
            key: flow_key(window + WINDOW_S, objects),
            body: out.into_bytes(),
        });
        window += WINDOW_S;
    }
    if !resolver.is_empty() {
        data.resolver_logs.push(NetworkObject {
            key: resolver_key(hour_start, objects),
            body: resolver.into_bytes(),
        });
    }
    data
}
