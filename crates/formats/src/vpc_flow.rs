//! Amazon VPC Flow Logs in their text delivery: space-separated records in
//! the default format (the version 2 fields) or in a custom format, whose
//! field names the first line of every S3 object carries. Every field of
//! versions 2 to 8; `-` is a value the record does not have. NODATA and
//! SKIPDATA records are kept (they say a capture window had no traffic or
//! lost some), with their window and no flow fields.
//!
//! Pure: text in, typed records and rejects out. The `flows` dataset and
//! its enrichment build on these records.

use std::net::IpAddr;

use crate::decoded::{Reject, count_reject};

/// One field of a flow log record, by its name in AWS's format strings
/// (`${srcaddr}`) and header lines (`srcaddr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowField {
    // Version 2 (the default format, in this order).
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    // Version 3.
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    // Version 4.
    Region,
    AzId,
    SublocationType,
    SublocationId,
    // Version 5.
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
    // Version 7.
    EcsClusterArn,
    EcsClusterName,
    EcsContainerInstanceArn,
    EcsContainerInstanceId,
    EcsContainerId,
    EcsSecondContainerId,
    EcsServiceName,
    EcsTaskDefinitionArn,
    EcsTaskArn,
    EcsTaskId,
    // Version 8.
    RejectReason,
}

/// Every field with its name and the version that introduced it.
const FIELDS: [(FlowField, &str, u8); 40] = [
    (FlowField::Version, "version", 2),
    (FlowField::AccountId, "account-id", 2),
    (FlowField::InterfaceId, "interface-id", 2),
    (FlowField::SrcAddr, "srcaddr", 2),
    (FlowField::DstAddr, "dstaddr", 2),
    (FlowField::SrcPort, "srcport", 2),
    (FlowField::DstPort, "dstport", 2),
    (FlowField::Protocol, "protocol", 2),
    (FlowField::Packets, "packets", 2),
    (FlowField::Bytes, "bytes", 2),
    (FlowField::Start, "start", 2),
    (FlowField::End, "end", 2),
    (FlowField::Action, "action", 2),
    (FlowField::LogStatus, "log-status", 2),
    (FlowField::VpcId, "vpc-id", 3),
    (FlowField::SubnetId, "subnet-id", 3),
    (FlowField::InstanceId, "instance-id", 3),
    (FlowField::TcpFlags, "tcp-flags", 3),
    (FlowField::Type, "type", 3),
    (FlowField::PktSrcAddr, "pkt-srcaddr", 3),
    (FlowField::PktDstAddr, "pkt-dstaddr", 3),
    (FlowField::Region, "region", 4),
    (FlowField::AzId, "az-id", 4),
    (FlowField::SublocationType, "sublocation-type", 4),
    (FlowField::SublocationId, "sublocation-id", 4),
    (FlowField::PktSrcAwsService, "pkt-src-aws-service", 5),
    (FlowField::PktDstAwsService, "pkt-dst-aws-service", 5),
    (FlowField::FlowDirection, "flow-direction", 5),
    (FlowField::TrafficPath, "traffic-path", 5),
    (FlowField::EcsClusterArn, "ecs-cluster-arn", 7),
    (FlowField::EcsClusterName, "ecs-cluster-name", 7),
    (
        FlowField::EcsContainerInstanceArn,
        "ecs-container-instance-arn",
        7,
    ),
    (
        FlowField::EcsContainerInstanceId,
        "ecs-container-instance-id",
        7,
    ),
    (FlowField::EcsContainerId, "ecs-container-id", 7),
    (
        FlowField::EcsSecondContainerId,
        "ecs-second-container-id",
        7,
    ),
    (FlowField::EcsServiceName, "ecs-service-name", 7),
    (
        FlowField::EcsTaskDefinitionArn,
        "ecs-task-definition-arn",
        7,
    ),
    (FlowField::EcsTaskArn, "ecs-task-arn", 7),
    (FlowField::EcsTaskId, "ecs-task-id", 7),
    (FlowField::RejectReason, "reject-reason", 8),
];

impl FlowField {
    /// The field a header or format name names (`srcaddr`, `${srcaddr}`,
    /// and the underscore spelling of Parquet and Athena columns).
    pub fn from_name(name: &str) -> Option<FlowField> {
        let name = name
            .strip_prefix("${")
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        FIELDS
            .iter()
            .find(|(_, n, _)| {
                n.len() == name.len()
                    && n.bytes()
                        .zip(name.bytes())
                        .all(|(a, b)| a == b || (a == b'-' && b == b'_'))
            })
            .map(|(f, _, _)| *f)
    }

    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or("", |(_, n, _)| n)
    }

    /// The flow log version that introduced the field.
    pub fn version(self) -> u8 {
        FIELDS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or(0, |(_, _, v)| *v)
    }
}

/// The default format's fields, in order (the version 2 fields).
pub const DEFAULT_FORMAT: [FlowField; 14] = [
    FlowField::Version,
    FlowField::AccountId,
    FlowField::InterfaceId,
    FlowField::SrcAddr,
    FlowField::DstAddr,
    FlowField::SrcPort,
    FlowField::DstPort,
    FlowField::Protocol,
    FlowField::Packets,
    FlowField::Bytes,
    FlowField::Start,
    FlowField::End,
    FlowField::Action,
    FlowField::LogStatus,
];

/// Whether a capture window recorded traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStatus {
    /// Data is logged normally.
    Ok,
    /// No traffic to or from the interface in the window.
    NoData,
    /// Some records were skipped in the window (capacity or an internal
    /// error): the window's figures are incomplete.
    SkipData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

/// One flow log record. Fields the format does not carry, and fields
/// written `-`, are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowRecord {
    pub version: Option<u8>,
    pub account_id: Option<String>,
    pub interface_id: Option<String>,
    pub src_addr: Option<IpAddr>,
    pub dst_addr: Option<IpAddr>,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    /// IANA protocol number (6 TCP, 17 UDP, 1 ICMP).
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    /// Start and end of the capture window, seconds since the epoch.
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub action: Option<Action>,
    pub log_status: Option<LogStatus>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub instance_id: Option<String>,
    /// OR of the TCP flags seen in the window (FIN 1, SYN 2, RST 4, SYN-ACK 18).
    pub tcp_flags: Option<u16>,
    /// IPv4, IPv6 or EFA.
    pub traffic_type: Option<String>,
    /// The packet's own addresses (differ from srcaddr/dstaddr at a NAT
    /// gateway or load balancer interface).
    pub pkt_src_addr: Option<IpAddr>,
    pub pkt_dst_addr: Option<IpAddr>,
    pub region: Option<String>,
    pub az_id: Option<String>,
    pub sublocation_type: Option<String>,
    pub sublocation_id: Option<String>,
    /// AWS's name of the IP range the packet came from or went to (S3,
    /// DYNAMODB, AMAZON, EC2...).
    pub pkt_src_aws_service: Option<String>,
    pub pkt_dst_aws_service: Option<String>,
    pub flow_direction: Option<FlowDirection>,
    /// Path egress traffic took (1 same VPC, 2 internet or VPC endpoint
    /// gateway, 3 virtual private gateway, 4 intra-region peering, 5
    /// inter-region peering, 6 local gateway, 7 gateway VPC endpoint,
    /// 8 internet gateway).
    pub traffic_path: Option<u8>,
    pub ecs_cluster_arn: Option<String>,
    pub ecs_cluster_name: Option<String>,
    pub ecs_container_instance_arn: Option<String>,
    pub ecs_container_instance_id: Option<String>,
    pub ecs_container_id: Option<String>,
    pub ecs_second_container_id: Option<String>,
    pub ecs_service_name: Option<String>,
    pub ecs_task_definition_arn: Option<String>,
    pub ecs_task_arn: Option<String>,
    pub ecs_task_id: Option<String>,
    /// Why traffic was rejected (`BPA`: VPC Block Public Access).
    pub reject_reason: Option<String>,
}

/// The records of one flow log text, and the lines it rejected.
#[derive(Debug, Default)]
pub struct FlowLog {
    /// The fields each record has, in order.
    pub fields: Vec<FlowField>,
    pub records: Vec<FlowRecord>,
    pub rejected: usize,
    /// The first few rejects, with reasons (1-based line numbers).
    pub reject_samples: Vec<Reject>,
}

impl FlowLog {
    fn reject(&mut self, line: usize, reason: String) {
        count_reject(&mut self.rejected, &mut self.reject_samples, line, reason);
    }
}

/// A header line's fields, when `line` is one: its first word is a field
/// name (no record value is one). An unknown name after it is an error
/// naming it.
fn header(line: &str) -> Option<Result<Vec<FlowField>, String>> {
    let words: Vec<&str> = line.split_ascii_whitespace().collect();
    FlowField::from_name(words.first()?)?;
    Some(
        words
            .iter()
            .map(|w| {
                FlowField::from_name(w)
                    .ok_or_else(|| format!("unknown flow log field {w:?} in the header line"))
            })
            .collect(),
    )
}

/// The fields of a custom format string as AWS takes it when the flow log
/// is created (`${version} ${srcaddr} ...`).
pub fn parse_format(format: &str) -> Result<Vec<FlowField>, String> {
    format
        .split_ascii_whitespace()
        .map(|w| FlowField::from_name(w).ok_or_else(|| format!("unknown flow log field {w:?}")))
        .collect()
}

/// Decodes flow log text: a header line (S3 delivery) sets the fields;
/// without one, `format` (the flow log's format, or the default format when
/// `None`) does. A later header line (files concatenated) switches the
/// fields for the lines after it.
pub fn decode_vpc_flow_text(text: &str, format: Option<&[FlowField]>) -> FlowLog {
    let mut log = FlowLog {
        fields: format.unwrap_or(&DEFAULT_FORMAT).to_vec(),
        ..FlowLog::default()
    };
    // `None` after a header line that could not be read: the lines under it
    // cannot be interpreted until the next good header.
    let mut fields = Some(log.fields.clone());
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match header(line) {
            Some(Ok(named)) => {
                if log.records.is_empty() {
                    log.fields = named.clone();
                }
                fields = Some(named);
                continue;
            }
            Some(Err(reason)) => {
                log.reject(number, reason);
                fields = None;
                continue;
            }
            None => {}
        }
        let Some(fields) = &fields else {
            log.reject(number, "under a header line that was rejected".into());
            continue;
        };
        match record(line, fields) {
            Ok(r) => log.records.push(r),
            Err(reason) => log.reject(number, reason),
        }
    }
    log
}

/// Decodes flow log records delivered as Parquet, already read into Arrow
/// batches by the caller: columns are matched to fields by name (AWS
/// writes `srcaddr`, `log_status`, `ecs_task_id`...), values are checked
/// as in text, and a column no field names is an error naming it.
pub fn decode_vpc_flow_batch(batch: &arrow::record_batch::RecordBatch) -> Result<FlowLog, String> {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::DataType;
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let flow_field = FlowField::from_name(field.name()).ok_or_else(|| {
            format!(
                "unknown flow log field {:?} in the Parquet schema",
                field.name()
            )
        })?;
        let text = arrow::compute::cast(column, &DataType::Utf8)
            .map_err(|e| format!("column {:?}: {e}", field.name()))?;
        fields.push(flow_field);
        columns.push(text);
    }
    let mut log = FlowLog {
        fields,
        ..FlowLog::default()
    };
    for row in 0..batch.num_rows() {
        let mut r = FlowRecord::default();
        let mut problem = None;
        for (&field, column) in log.fields.iter().zip(&columns) {
            let column = column.as_string::<i32>();
            if column.is_null(row) || column.value(row) == "-" {
                continue;
            }
            if let Err(e) = set(&mut r, field, column.value(row)) {
                problem = Some(format!("{}: {e}", field.name()));
                break;
            }
        }
        match problem.or_else(|| window_problem(&r)) {
            None => log.records.push(r),
            Some(reason) => log.reject(row + 1, reason),
        }
    }
    Ok(log)
}

/// A capture window that ends before it starts.
fn window_problem(r: &FlowRecord) -> Option<String> {
    match (r.start, r.end) {
        (Some(start), Some(end)) if end < start => {
            Some(format!("end {end} is before start {start}"))
        }
        _ => None,
    }
}

/// One record line under `fields`.
fn record(line: &str, fields: &[FlowField]) -> Result<FlowRecord, String> {
    let values: Vec<&str> = line.split_ascii_whitespace().collect();
    if values.len() != fields.len() {
        return Err(format!(
            "{} values where the format has {} fields",
            values.len(),
            fields.len()
        ));
    }
    let mut r = FlowRecord::default();
    for (&field, &value) in fields.iter().zip(&values) {
        if value == "-" {
            continue;
        }
        set(&mut r, field, value).map_err(|e| format!("{}: {e}", field.name()))?;
    }
    match window_problem(&r) {
        Some(problem) => Err(problem),
        None => Ok(r),
    }
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{value:?} is not a number in range"))
}

fn address(value: &str) -> Result<IpAddr, String> {
    value
        .parse()
        .map_err(|_| format!("{value:?} is not an IP address"))
}

fn set(r: &mut FlowRecord, field: FlowField, value: &str) -> Result<(), String> {
    let text = || Some(value.to_owned());
    match field {
        FlowField::Version => r.version = Some(number(value)?),
        FlowField::AccountId => r.account_id = text(),
        FlowField::InterfaceId => r.interface_id = text(),
        FlowField::SrcAddr => r.src_addr = Some(address(value)?),
        FlowField::DstAddr => r.dst_addr = Some(address(value)?),
        FlowField::SrcPort => r.src_port = Some(number(value)?),
        FlowField::DstPort => r.dst_port = Some(number(value)?),
        FlowField::Protocol => r.protocol = Some(number(value)?),
        FlowField::Packets => r.packets = Some(number(value)?),
        FlowField::Bytes => r.bytes = Some(number(value)?),
        FlowField::Start => r.start = Some(number(value)?),
        FlowField::End => r.end = Some(number(value)?),
        FlowField::Action => {
            r.action = Some(match value {
                "ACCEPT" => Action::Accept,
                "REJECT" => Action::Reject,
                _ => return Err(format!("{value:?} is not ACCEPT or REJECT")),
            })
        }
        FlowField::LogStatus => {
            r.log_status = Some(match value {
                "OK" => LogStatus::Ok,
                "NODATA" => LogStatus::NoData,
                "SKIPDATA" => LogStatus::SkipData,
                _ => return Err(format!("{value:?} is not OK, NODATA or SKIPDATA")),
            })
        }
        FlowField::VpcId => r.vpc_id = text(),
        FlowField::SubnetId => r.subnet_id = text(),
        FlowField::InstanceId => r.instance_id = text(),
        FlowField::TcpFlags => r.tcp_flags = Some(number(value)?),
        FlowField::Type => r.traffic_type = text(),
        FlowField::PktSrcAddr => r.pkt_src_addr = Some(address(value)?),
        FlowField::PktDstAddr => r.pkt_dst_addr = Some(address(value)?),
        FlowField::Region => r.region = text(),
        FlowField::AzId => r.az_id = text(),
        FlowField::SublocationType => r.sublocation_type = text(),
        FlowField::SublocationId => r.sublocation_id = text(),
        FlowField::PktSrcAwsService => r.pkt_src_aws_service = text(),
        FlowField::PktDstAwsService => r.pkt_dst_aws_service = text(),
        FlowField::FlowDirection => {
            r.flow_direction = Some(match value {
                "ingress" => FlowDirection::Ingress,
                "egress" => FlowDirection::Egress,
                _ => return Err(format!("{value:?} is not ingress or egress")),
            })
        }
        FlowField::TrafficPath => r.traffic_path = Some(number(value)?),
        FlowField::EcsClusterArn => r.ecs_cluster_arn = text(),
        FlowField::EcsClusterName => r.ecs_cluster_name = text(),
        FlowField::EcsContainerInstanceArn => r.ecs_container_instance_arn = text(),
        FlowField::EcsContainerInstanceId => r.ecs_container_instance_id = text(),
        FlowField::EcsContainerId => r.ecs_container_id = text(),
        FlowField::EcsSecondContainerId => r.ecs_second_container_id = text(),
        FlowField::EcsServiceName => r.ecs_service_name = text(),
        FlowField::EcsTaskDefinitionArn => r.ecs_task_definition_arn = text(),
        FlowField::EcsTaskArn => r.ecs_task_arn = text(),
        FlowField::EcsTaskId => r.ecs_task_id = text(),
        FlowField::RejectReason => r.reject_reason = text(),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_name_and_round_trips() {
        for (field, name, version) in FIELDS {
            assert_eq!(FlowField::from_name(name), Some(field));
            assert_eq!(FlowField::from_name(&format!("${{{name}}}")), Some(field));
            assert_eq!(
                FlowField::from_name(&name.replace('-', "_")),
                Some(field),
                "Parquet spelling"
            );
            assert_eq!(field.name(), name);
            assert!((2..=8).contains(&version));
        }
        let mut names: Vec<&str> = FIELDS.iter().map(|(_, n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
        assert_eq!(FlowField::from_name("srcadr"), None);
    }

    #[test]
    fn values_out_of_range_name_the_field() {
        let log = decode_vpc_flow_text(
            "2 123456789010 eni-1 10.0.0.1 10.0.0.2 70000 443 6 1 40 1620140661 1620140721 ACCEPT OK",
            None,
        );
        assert_eq!(log.rejected, 1);
        assert!(
            log.reject_samples[0].reason.starts_with("srcport:"),
            "{:?}",
            log.reject_samples
        );
    }
}
