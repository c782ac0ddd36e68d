//! APM and error tracking over the `spans`, `span_metrics` and `errors`
//! datasets: a trace as a tree of spans (the waterfall, with its critical
//! path and what is wrong with it) and the logs that carry its id; the
//! service catalog and service pages (RED per endpoint and dependency, from
//! the rollups ingest derives); the service map; trace search; issues.
//!
//! `tree.rs` and the map's pairing (`map::build_map`) are pure; the rest
//! reads through the query engine. This crate knows nothing of HTTP or of
//! how data is stored, and nothing of where issue statuses are kept (the
//! caller passes them in).

mod issue_detail;
mod issues;
mod landings;
mod map;
mod rollups;
mod search;
mod services;
mod trace;
mod tree;
mod vocabulary;

pub use issue_detail::{IssueDetail, IssueSample, IssueSeries, issue_detail};
pub use issues::{
    DEFAULT_ISSUES, IssueQuery, IssueState, IssueSummary, IssuesResponse, MAX_ISSUES,
    check_fingerprint, effective_status, list_issues,
};
pub use map::{MapEdge, MapNode, ServiceMap, service_map};
pub use rollups::RedSummary;
pub use search::{
    DEFAULT_TRACES, MAX_TRACES, TraceSearch, TraceSearchResponse, TraceSummary, search_traces,
};
pub use services::{
    DependencySummary, EndpointSummary, ServiceDetail, ServiceSummary, ServicesResponse,
    service_detail, services,
};
pub use trace::{ApmError, MAX_TRACE_LOGS, MAX_TRACE_SPANS, TraceResponse, fetch_trace};
pub use tree::{SpanNode, TraceTree, build_tree};
pub use vocabulary::{IssueSort, IssueStatus, IssueStatusFilter, SpanStatusFilter, TraceScope};
