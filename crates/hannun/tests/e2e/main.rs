//! End-to-end tests of the `hannun` binary: real processes, real sockets,
//! a real OpenTelemetry SDK, kill -9 and restart. One test binary (see
//! meilisearch's tests/integration.rs for why).

mod harness;

mod apm_flask;
mod audit;
mod backpressure;
mod browser;
mod cli;
mod crash;
mod http_api;
mod network;
mod notify;
mod otel_sdk;
mod requests;
mod s3_source;
mod ui_api;
