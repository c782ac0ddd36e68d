//! Pure enrichment lookups, the tables behind them embedded or passed in.
//! No IO and no async: the ingest pipeline calls these on decoded records.

mod aws_ranges;
pub mod network;

pub use aws_ranges::{AwsIpRanges, AwsRange};
