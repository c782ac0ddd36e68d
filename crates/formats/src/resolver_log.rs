//! Amazon Route 53 Resolver query logs: one JSON object per line, as
//! delivered to S3, CloudWatch Logs or Firehose. Each says which client
//! (address, instance) asked which name, and what the resolver answered:
//! the addresses a name resolved to, through any CNAMEs. The resolver logs
//! only queries it did not answer from its cache, so one answer stands for
//! every use of it until its TTL ends and beyond; the analysis, not this
//! decoder, decides how long an answer names an address.
//!
//! Pure: text in, typed queries and rejects out.

use std::net::IpAddr;

use serde::Deserialize;

use crate::decoded::{Reject, count_reject};

/// One answer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// A, AAAA, CNAME, ...
    pub record_type: String,
    /// The record's data as logged: an address, or a name for a CNAME.
    pub data: String,
}

impl DnsAnswer {
    /// The address an A or AAAA answer holds.
    pub fn address(&self) -> Option<IpAddr> {
        matches!(self.record_type.as_str(), "A" | "AAAA")
            .then(|| self.data.parse().ok())
            .flatten()
    }
}

/// One logged query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuery {
    /// When the resolver received the query, ns since the epoch.
    pub time: i64,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub vpc_id: Option<String>,
    /// The name asked, lowercase, without the trailing dot.
    pub query_name: String,
    pub query_type: Option<String>,
    /// NOERROR, NXDOMAIN, SERVFAIL, ...
    pub rcode: Option<String>,
    pub answers: Vec<DnsAnswer>,
    pub src_addr: Option<IpAddr>,
    pub src_port: Option<u16>,
    pub transport: Option<String>,
    /// The EC2 instance that asked, when the resolver knows it.
    pub instance_id: Option<String>,
    pub resolver_endpoint_id: Option<String>,
}

impl DnsQuery {
    /// The addresses the name resolved to (A and AAAA answers).
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.answers.iter().filter_map(DnsAnswer::address)
    }
}

/// The queries of one log text, and the lines it rejected.
#[derive(Debug, Default)]
pub struct ResolverLog {
    pub queries: Vec<DnsQuery>,
    pub rejected: usize,
    /// The first few rejects (1-based line numbers).
    pub reject_samples: Vec<Reject>,
}

#[derive(Deserialize)]
struct RawQuery {
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    vpc_id: Option<String>,
    query_timestamp: String,
    query_name: String,
    #[serde(default)]
    query_type: Option<String>,
    #[serde(default)]
    rcode: Option<String>,
    #[serde(default)]
    answers: Vec<RawAnswer>,
    #[serde(default)]
    srcaddr: Option<String>,
    /// A string in AWS's samples; a number is taken too.
    #[serde(default)]
    srcport: Option<serde_json::Value>,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    srcids: Option<RawSourceIds>,
}

#[derive(Deserialize)]
struct RawAnswer {
    #[serde(rename = "Rdata")]
    rdata: String,
    #[serde(rename = "Type")]
    record_type: String,
}

#[derive(Deserialize)]
struct RawSourceIds {
    #[serde(default)]
    instance: Option<String>,
    #[serde(default)]
    resolver_endpoint: Option<String>,
}

/// Decodes resolver query log lines (JSON objects, one per line).
pub fn decode_resolver_log(text: &str) -> ResolverLog {
    let mut log = ResolverLog::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<RawQuery>(line)
            .map_err(|e| format!("not a resolver query log record: {e}"))
            .and_then(query)
        {
            Ok(q) => log.queries.push(q),
            Err(reason) => count_reject(&mut log.rejected, &mut log.reject_samples, i + 1, reason),
        }
    }
    log
}

fn query(raw: RawQuery) -> Result<DnsQuery, String> {
    let time = model::parse_rfc3339_nanos(&raw.query_timestamp).ok_or_else(|| {
        format!(
            "query_timestamp {:?} is not an RFC 3339 time",
            raw.query_timestamp
        )
    })?;
    let src_addr = match raw.srcaddr.as_deref() {
        None | Some("-") | Some("") => None,
        Some(a) => Some(
            a.parse()
                .map_err(|_| format!("srcaddr {a:?} is not an IP address"))?,
        ),
    };
    let src_port = match &raw.srcport {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.is_empty() || s == "-" => None,
        Some(serde_json::Value::String(s)) => Some(
            s.parse()
                .map_err(|_| format!("srcport {s:?} is not a port"))?,
        ),
        Some(serde_json::Value::Number(n)) => Some(
            n.as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| format!("srcport {n} is not a port"))?,
        ),
        Some(other) => return Err(format!("srcport {other} is not a port")),
    };
    let (instance_id, resolver_endpoint_id) = raw
        .srcids
        .map(|s| (s.instance, s.resolver_endpoint))
        .unwrap_or_default();
    Ok(DnsQuery {
        time,
        account_id: raw.account_id,
        region: raw.region,
        vpc_id: raw.vpc_id,
        query_name: normalize_name(&raw.query_name),
        query_type: raw.query_type,
        rcode: raw.rcode,
        answers: raw
            .answers
            .into_iter()
            .map(|a| DnsAnswer {
                data: if a.record_type == "CNAME" {
                    normalize_name(&a.rdata)
                } else {
                    a.rdata
                },
                record_type: a.record_type,
            })
            .collect(),
        src_addr,
        src_port,
        transport: raw.transport,
        instance_id,
        resolver_endpoint_id,
    })
}

/// A DNS name as compared: lowercase, without the root's trailing dot.
fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}
