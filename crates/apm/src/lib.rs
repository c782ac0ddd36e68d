//! APM over the `spans` dataset: a trace as a tree of spans (the waterfall,
//! with its critical path and what is wrong with it), and the logs that
//! carry its id.
//!
//! `tree.rs` is pure (rows in, tree out); `trace.rs` fetches rows through
//! the query engine. This crate knows nothing of HTTP or of how spans are
//! stored.

mod trace;
mod tree;

pub use trace::{MAX_TRACE_LOGS, MAX_TRACE_SPANS, TraceError, TraceResponse, fetch_trace};
pub use tree::{SpanNode, TraceTree, build_tree};
