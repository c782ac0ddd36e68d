//! The HTTP API: the only crate that knows HTTP and JSON DTOs. Routes for
//! ingest (NDJSON, OTLP/HTTP), SQL, search, aggregations, datasets and
//! stats, dashboards and saved views; the OpenAPI document; the embedded
//! web UI.

mod apm_routes;
mod error;
mod extract;
mod otlp_http;
mod routes;
mod saved_routes;
mod state;
mod web;

pub use routes::{OPENAPI_JSON, ROUTES, app_router, otlp_router};
pub use state::AppState;
