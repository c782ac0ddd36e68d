//! The demo world: a company like the one in the talk (명함 cards, 채용 jobs,
//! 커뮤니티 community, 광고 ads, 리서치 research, 선물하기 gifts), generated
//! deterministically from a seed as NDJSON logs, spans and metrics.
//!
//! Pure: no IO, no threads, no clock. The caller passes the end time and
//! stores the lines; the same config always gives the same bytes.
//!
//! The story in the data, relative to the window's end: the Tokyo→Seoul
//! migration at end − 4 days (`cloud.region` switches from `ap-northeast-1`
//! to `ap-northeast-2`, with a 30-minute cut-over of elevated latency, and
//! the single legacy AWS account gives way to one per domain and stage);
//! the jobs-api prod incident two days before the end at 14:00 KST for 40
//! minutes (`QueryTimeoutError: canceling statement due to statement
//! timeout`, 5xx, latency ×10); and a 25-minute burst of `AxiosError:
//! Network Error` from web-bff calling ads-api in office hours on the last day.

mod bench;
mod dataset;
mod errors;
mod generate;
mod json;
mod log_record;
mod logs;
mod messages;
mod metrics;
mod network;
mod output;
mod random;
mod security;
mod spans;
mod time;
mod timeline;
mod topology;
mod traces;
mod world;

pub use bench::benchmark_logs;
pub use dataset::DemoDataset;
pub use generate::{DemoConfig, generate};
pub use network::{
    FLOW_FORMAT, NetworkConfig, NetworkData, NetworkObject, TruthFlow, generate_network,
};
pub use security::{SecurityConfig, SecurityData, generate_security};
pub use world::{ServiceInfo, services};
