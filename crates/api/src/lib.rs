//! The HTTP API: the only crate that knows HTTP and JSON DTOs. Routes for
//! ingest (NDJSON, OTLP/HTTP), SQL, search, datasets and stats; the OpenAPI
//! document; the web page.

mod body;
mod error;
mod otlp_http;
mod routes;
mod state;

pub use routes::{OPENAPI_JSON, ROUTES, app_router, otlp_router};
pub use state::AppState;
