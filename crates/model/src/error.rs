//! The one error type of the model crate.

/// Errors raised while naming datasets or building batches.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    #[error("invalid dataset name {name:?}: {reason}")]
    InvalidDatasetName { name: String, reason: &'static str },
    #[error("arrow error: {0}")]
    Arrow(String),
}

impl From<arrow::error::ArrowError> for ModelError {
    fn from(e: arrow::error::ArrowError) -> Self {
        ModelError::Arrow(e.to_string())
    }
}
