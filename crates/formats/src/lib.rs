//! Pure decoders, one module per wire or file format: bytes in, an Arrow batch
//! of accepted rows and a list of rejected records (with reasons) out.
//!
//! No IO and no async: the receivers in `ingest` and `api` hand bytes here.

mod aws_object;
mod cloudtrail;
mod decoded;
mod eni_inventory;
mod error;
mod ndjson;
mod okta;
mod otlp;
mod resolver_log;
mod vpc_flow;

pub use aws_object::{AwsLogKey, AwsLogKind, Content, parse_aws_log_key, sniff};
pub use cloudtrail::{CloudTrailEvent, CloudTrailLog, decode_cloudtrail};
pub use decoded::{Decoded, Reject, TimeWindow};
pub use eni_inventory::{EniInventory, EniOwner, NetworkInterface, decode_eni_inventory};
pub use error::FormatError;
pub use ndjson::{decode_ndjson, normalize_level};
pub use okta::{OktaEvent, OktaLog, decode_okta};
pub use otlp::{
    OtlpEncoding, decode_otlp_logs, decode_otlp_metrics, decode_otlp_traces, parse_otlp_logs,
    parse_otlp_metrics, parse_otlp_traces,
};
pub use resolver_log::{DnsAnswer, DnsQuery, ResolverLog, decode_resolver_log};
pub use vpc_flow::{
    Action, DEFAULT_FORMAT, FlowDirection, FlowField, FlowLog, FlowRecord, LogStatus,
    decode_vpc_flow_batch, decode_vpc_flow_text, parse_format,
};
