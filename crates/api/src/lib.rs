//! The HTTP API: the only crate that knows HTTP and JSON DTOs. Routes for
//! ingest (NDJSON, OTLP/HTTP), SQL, search, aggregations, datasets and
//! stats, dashboards and saved views; the OpenAPI document; the embedded
//! web UI.

mod apm_routes;
mod error;
mod extract;
mod network_routes;
mod openapi;
mod otlp_http;
mod routes;
mod saved_routes;
mod siem_routes;
mod state;
mod web;

pub use routes::{app_router, openapi_document, openapi_json, otlp_router};
pub use siem_routes::disabled_rules;
pub use state::AppState;
