//! The OpenAPI document's frame: title, description, tags and the shared
//! error reply. Its paths and schemas come from the handlers'
//! `#[utoipa::path]` attributes and the request and response types, as
//! the routers in `routes.rs` register them (one list for both).

use utoipa::OpenApi;

use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hannun API",
        version = "0.0.0",
        description = "Ingest, search, aggregations and SQL over logs, spans, metrics and any NDJSON dataset; APM and error tracking; dashboards and saved views. Errors are {\"error\": {\"code\", \"message\"}}. The web UI is served at / from the same port.",
    ),
    tags(
        (name = "meta", description = "Health, this document and counters"),
        (name = "ingest", description = "NDJSON ingest and its counters"),
        (name = "otlp", description = "OTLP/HTTP receivers (also on the OTLP port, 4318)"),
        (name = "query", description = "SQL, search, aggregations and datasets"),
        (name = "apm", description = "Services, the service map and traces"),
        (name = "issues", description = "Error tracking"),
        (name = "saved", description = "Dashboards and saved views"),
        (name = "security", description = "Cloud SIEM: signals from the rules on audit events"),
    ),
    // Types only query parameters and the error reply name: `routes!`
    // collects the schemas of bodies, not of parameters or responses.
    components(
        responses(ErrorBody),
        schemas(ErrorDetail, apm::IssueStatusFilter, apm::IssueSort, apm::TraceScope, apm::SpanStatusFilter),
    ),
)]
pub(crate) struct ApiDoc;

/// The frame the routers add their paths to.
pub(crate) fn frame() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
