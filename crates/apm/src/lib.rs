//! APM over the `spans` dataset: a trace as a tree of spans (the waterfall,
//! with its critical path and what is wrong with it), and the logs that
//! carry its id; the service catalog with RED metrics per service.
//!
//! `tree.rs` is pure (rows in, tree out); `trace.rs` fetches rows through
//! the query engine. This crate knows nothing of HTTP or of how spans are
//! stored.

mod services;
mod trace;
mod tree;

pub use services::{ServiceSummary, ServicesResponse, services};
pub use trace::{ApmError, MAX_TRACE_LOGS, MAX_TRACE_SPANS, TraceResponse, fetch_trace};
pub use tree::{SpanNode, TraceTree, build_tree};
