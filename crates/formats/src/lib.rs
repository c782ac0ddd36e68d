//! Pure decoders, one module per wire or file format: bytes in, an Arrow batch
//! (telemetry) or typed records (AWS logs) of what was accepted and a list of
//! rejected records (with reasons) out.
//!
//! AWS's HTTP request logs share one entry type (`http_log.rs`:
//! [`HttpRequestEntry`], [`HttpLog`]) across their decoders: `waf_log.rs`
//! (WAF web ACL logs: JSON lines, concatenated, arrays, pretty-printed,
//! CloudWatch Logs subscription payloads), `alb_log.rs` (Application Load
//! Balancer access logs, every field to the 2025 transform fields, later
//! ones kept) and `cloudfront_log.rs` (CloudFront standard logs, W3C,
//! columns from `#Fields:`, values URL-decoded once).
//!
//! No IO and no async: the receivers in `ingest` and `api` hand bytes here.

mod alb_log;
mod aws_object;
mod cloudfront_log;
mod cloudtrail;
mod decoded;
mod doc;
mod eni_inventory;
mod error;
mod http_log;
mod ndjson;
mod okta;
mod otlp;
mod resolver_log;
mod vpc_flow;
mod waf_log;

pub use alb_log::decode_alb_log;
pub use aws_object::{AwsLogKey, AwsLogKind, Content, parse_aws_log_key, sniff};
pub use cloudfront_log::decode_cloudfront_log;
pub use cloudtrail::{CloudTrailEvent, CloudTrailLog, decode_cloudtrail};
pub use decoded::{Decoded, Reject, TimeWindow};
pub use doc::{Doc, DocScratch};
pub use eni_inventory::{EniInventory, EniOwner, NetworkInterface, decode_eni_inventory};
pub use error::FormatError;
pub use http_log::{HttpLog, HttpLogSource, HttpRequestEntry};
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
pub use waf_log::decode_waf_log;
