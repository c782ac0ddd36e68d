//! The one error type of the formats crate: a whole payload that cannot be read.

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("malformed OTLP protobuf: {0}")]
    Protobuf(String),
    #[error("malformed OTLP JSON: {0}")]
    Json(String),
    #[error("could not build batch: {0}")]
    Model(#[from] model::ModelError),
}
