//! Savings findings from the counted flows, ranked by what they save a
//! month: S3 and DynamoDB through a NAT gateway (a free gateway endpoint),
//! other AWS services through a NAT gateway (an interface endpoint, when
//! its hours cost less than the NAT processing it saves), calls to our own
//! public endpoints leaving through NAT, internet egress a CDN would serve
//! for less (our endpoints' from the flows; S3's from CloudTrail data
//! events, `s3_egress.rs`), and traffic crossing zones.

use std::collections::{BTreeMap, BTreeSet};

use query::QueryEngine;
use query::ir::{self, column};

use crate::NetworkError;
use crate::finding::{Evidence, Finding, Findings, grouped, round2};
use crate::prices::{GB, HOURS_PER_MONTH, Moved, PriceTable, cost};
use crate::traffic::{TrafficFilter, counted, crosses};

struct Group {
    vpc: Option<String>,
    region: Option<String>,
    gateway_type: String,
    gateway: Option<String>,
    class: String,
    service: Option<String>,
    destination: Option<String>,
    client_task: Option<String>,
    client_kind: Option<String>,
    server_id: Option<String>,
    az_pair: Option<String>,
    sent: u64,
    received: u64,
}

const COLUMNS: [&str; 12] = [
    "vpc_id",
    "region",
    "gateway_type",
    "gateway",
    "destination_class",
    "destination_service",
    "destination",
    "client_task",
    "client_kind",
    "server_id",
    "az_pair",
    "client_az",
];

async fn groups(
    engine: &QueryEngine,
    filter: &TrafficFilter,
) -> Result<(Vec<Group>, f64), NetworkError> {
    let mut columns = COLUMNS.to_vec();
    columns.extend([
        "bytes_sent",
        "bytes_received",
        model::TIME_COLUMN,
        "end_time",
    ]);
    let select = counted(filter, &columns)?
        .group_by(COLUMNS.map(column))
        .aggregate([
            ir::sum(column("bytes_sent")).alias("sent"),
            ir::sum(column("bytes_received")).alias("received"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column("end_time"))).alias("last"),
        ]);
    let rows = engine.fetch(&select).await?;
    let mut texts = BTreeMap::new();
    for c in COLUMNS {
        texts.insert(c, rows.texts(c)?);
    }
    let (sent, received) = (rows.integers("sent")?, rows.integers("received")?);
    let (first, last) = (rows.integers("first")?, rows.integers("last")?);
    let min = first.iter().flatten().min().copied();
    let max = last.iter().flatten().max().copied().or(min);
    let hours = match (min, max) {
        (Some(a), Some(b)) => ((b - a) as f64 / 3.6e12).max(1.0),
        _ => 1.0,
    };
    let t = |c: &str, i: usize| texts[c][i].clone();
    let out = (0..rows.len())
        .map(|i| Group {
            vpc: t("vpc_id", i),
            region: t("region", i),
            gateway_type: t("gateway_type", i).unwrap_or_default(),
            gateway: t("gateway", i),
            class: t("destination_class", i).unwrap_or_default(),
            service: t("destination_service", i),
            destination: t("destination", i),
            client_task: t("client_task", i),
            client_kind: t("client_kind", i),
            server_id: t("server_id", i),
            az_pair: t("az_pair", i),
            sent: sent[i].unwrap_or(0).max(0) as u64,
            received: received[i].unwrap_or(0).max(0) as u64,
        })
        .collect();
    Ok((out, hours))
}

fn moved(g: &Group) -> Moved<'_> {
    Moved {
        gateway_type: &g.gateway_type,
        destination_class: &g.class,
        internet_client: g.client_kind.as_deref() == Some("internet"),
        cross_az: crosses(g.az_pair.as_deref()),
        bytes_sent: g.sent,
        bytes_received: g.received,
    }
}

/// A finding being built: its groups and what each saves in the window.
struct Draft<'a> {
    kind: &'static str,
    service: Option<String>,
    region: Option<String>,
    groups: Vec<(&'a Group, f64)>,
}

/// The findings over `filter`'s flows, largest monthly savings first.
pub async fn findings(
    engine: &QueryEngine,
    prices: &PriceTable,
    filter: &TrafficFilter,
) -> Result<Findings, NetworkError> {
    let prices_note = format!("{} ({})", prices.source, prices.effective_date);
    let (s3, s3_hours) = crate::s3_egress::s3_egress_to_cdn(engine, prices, filter).await?;
    let mut found = if engine.has_dataset(&model::DatasetName::flows()) {
        let (groups, hours) = groups(engine, filter).await?;
        build(prices, &groups, HOURS_PER_MONTH / hours, hours, prices_note)?
    } else {
        Findings {
            observed_hours: s3_hours.map_or(0.0, round2),
            findings: Vec::new(),
            prices: prices_note,
        }
    };
    found.findings.extend(s3);
    found
        .findings
        .sort_by(|a, b| b.monthly_savings_usd.total_cmp(&a.monthly_savings_usd));
    Ok(found)
}

/// The findings of `groups` (a month is `month` times the window).
fn build(
    prices: &PriceTable,
    groups: &[Group],
    month: f64,
    hours: f64,
    prices_note: String,
) -> Result<Findings, NetworkError> {
    let mut drafts: BTreeMap<(&'static str, Option<String>, Option<String>), Draft> =
        BTreeMap::new();
    for g in groups {
        let p = prices.region(g.region.as_deref());
        let m = moved(g);
        let both = (g.sent + g.received) as f64 / GB;
        let mut push = |kind: &'static str, service: Option<String>, saved: f64| {
            drafts
                .entry((kind, service.clone(), g.vpc.clone()))
                .or_insert_with(|| Draft {
                    kind,
                    service,
                    region: g.region.clone(),
                    groups: Vec::new(),
                })
                .groups
                .push((g, saved));
        };
        if g.gateway_type == "nat" {
            match (g.class.as_str(), g.service.as_deref()) {
                ("aws_service", Some("S3")) => push("s3_via_nat", Some("S3".into()), cost(p, &m)),
                ("aws_service", Some("DYNAMODB")) => {
                    push("dynamodb_via_nat", Some("DYNAMODB".into()), cost(p, &m))
                }
                ("aws_service", service) => push(
                    "aws_service_via_nat",
                    Some(service.unwrap_or("AWS").to_owned()),
                    both * (p.nat_gateway_per_gb - p.interface_endpoint_per_gb)
                        + if m.cross_az {
                            both * p.inter_az_per_gb * 2.0
                        } else {
                            0.0
                        },
                ),
                ("own_public_endpoint", _) => push("own_endpoint_via_nat", None, cost(p, &m)),
                _ => {}
            }
        }
        if g.gateway_type == "igw" && g.class == "own_public_endpoint" && m.internet_client {
            let out = g.received as f64 / GB;
            push(
                "internet_egress_to_cdn",
                None,
                out * (p.internet_egress_per_gb - p.cloudfront_per_gb),
            );
        }
        if g.gateway_type == "local" && m.cross_az {
            push("cross_az", None, both * p.inter_az_per_gb * 2.0);
        }
    }
    let mut out = Vec::new();
    for (_, d) in drafts {
        let p = prices.region(d.region.as_deref());
        let saved: f64 = d.groups.iter().map(|(_, s)| s).sum::<f64>() * month;
        let bytes: u64 = d.groups.iter().map(|(g, _)| g.sent + g.received).sum();
        let monthly_bytes = (bytes as f64 * month) as u64;
        let mut resources: BTreeSet<String> = BTreeSet::new();
        let mut zones: BTreeSet<String> = BTreeSet::new();
        for (g, _) in &d.groups {
            if let Some(v) = &g.vpc {
                resources.insert(v.clone());
            }
            match d.kind {
                "internet_egress_to_cdn" => {
                    if let Some(s) = &g.server_id {
                        resources.insert(s.clone());
                    }
                }
                "cross_az" => {}
                _ => {
                    if let Some(gw) = &g.gateway {
                        resources.insert(gw.clone());
                    }
                }
            }
            if let Some(z) = g
                .az_pair
                .as_deref()
                .and_then(|p| p.split_once('→'))
                .map(|(a, _)| a)
            {
                zones.insert(z.to_owned());
            }
        }
        let (saved, break_even) = if d.kind == "aws_service_via_nat" {
            // One endpoint interface per zone the clients are in.
            let azs = zones.len().max(1) as f64;
            let hourly = p.interface_endpoint_hour * azs * HOURS_PER_MONTH;
            let per_gb = p.nat_gateway_per_gb - p.interface_endpoint_per_gb;
            (saved - hourly, (per_gb > 0.0).then(|| hourly / per_gb))
        } else {
            (saved, None)
        };
        if saved <= 0.0 {
            continue;
        }
        let mut evidence: Vec<Evidence> = d
            .groups
            .iter()
            .map(|(g, _)| Evidence {
                client_task: g.client_task.clone(),
                gateway: g.gateway.clone(),
                destination: g.destination.clone(),
                az_pair: g.az_pair.clone(),
                bytes: g.sent + g.received,
                cost_usd: cost(prices.region(g.region.as_deref()), &moved(g)),
            })
            .collect();
        evidence.sort_by_key(|e| std::cmp::Reverse(e.bytes));
        evidence.truncate(5);
        let service = d.service.clone();
        let svc = service.clone().unwrap_or_default();
        let gb_month = grouped(monthly_bytes as f64 / GB);
        let (title, fix) = match d.kind {
            "s3_via_nat" | "dynamodb_via_nat" => (
                format!("{svc} traffic goes through a NAT gateway ({gb_month} GB a month)"),
                format!("Add a gateway VPC endpoint for {svc} to the private subnets' route tables: it is free, and the NAT gateway stops processing this traffic."),
            ),
            "aws_service_via_nat" => (
                format!("{svc} calls go through a NAT gateway ({gb_month} GB a month)"),
                format!(
                    "Create an interface VPC endpoint for {svc} with private DNS in the clients' zones ({}); it pays for its hours above {:.0} GB a month.",
                    zones.iter().cloned().collect::<Vec<_>>().join(", "),
                    break_even.unwrap_or(0.0)
                ),
            ),
            "own_endpoint_via_nat" => (
                format!("Internal calls reach our own public endpoint through a NAT gateway ({gb_month} GB a month)"),
                "Call the service by its internal address (an internal load balancer or service discovery) instead of its public name, so the traffic stays in the VPC.".to_owned(),
            ),
            "internet_egress_to_cdn" => (
                format!("Our public endpoints send {gb_month} GB a month to the internet"),
                "Serve cacheable responses through CloudFront: its transfer out costs less than internet egress, and origin fetches from AWS are free.".to_owned(),
            ),
            _ => (
                format!("{gb_month} GB a month cross availability zones inside the VPC"),
                "Keep calls in their zone: zone-aware routing on the load balancer (cross-zone off) or the service mesh, and NAT gateways per zone.".to_owned(),
            ),
        };
        out.push(Finding {
            kind: d.kind,
            title,
            resources: resources.into_iter().collect(),
            service,
            monthly_savings_usd: round2(saved),
            monthly_savings_krw: (saved * prices.krw_per_usd).round(),
            monthly_bytes,
            break_even_gb_per_month: break_even.map(round2),
            evidence,
            fix,
        });
    }
    out.sort_by(|a, b| b.monthly_savings_usd.total_cmp(&a.monthly_savings_usd));
    Ok(Findings {
        observed_hours: round2(hours),
        findings: out,
        prices: prices_note,
    })
}
