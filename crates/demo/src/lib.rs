//! The demo world: a company like the one in the talk (명함 cards, 채용 jobs,
//! 커뮤니티 community, 광고 ads, 리서치 research, 선물하기 gifts), generated
//! deterministically from a seed as NDJSON logs, spans and metrics.
//!
//! Pure: no IO, no clock. The caller passes the end time and stores the lines.

mod traffic;
mod world;

pub use traffic::{DemoConfig, DemoDataset, benchmark_logs, generate};
pub use world::{ServiceInfo, services};
