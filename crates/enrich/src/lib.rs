//! Pure enrichment lookups, the tables behind them embedded or passed in.
//! No IO and no async: the ingest pipeline calls these on decoded records.

mod audit;
mod aws_ranges;
mod geoip;
mod identity;
pub mod network;
mod requests;

pub use audit::{AuditRow, audit_batch, source_class};
pub use aws_ranges::{AwsIpRanges, AwsRange};
pub use geoip::{GeoIp, Place};
pub use identity::{Actor, ActorType, cloudtrail_actor};
pub use requests::{RequestRow, requests_batch};
