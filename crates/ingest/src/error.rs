//! The one error type of the ingest crate.

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    BadRequest(String),
    #[error("ingest is over capacity ({0}); retry after {1} s")]
    Backpressure(String, u64),
    #[error("the server is shutting down")]
    Closed,
    #[error("storage failed: {0}")]
    Storage(String),
}

impl IngestError {
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            IngestError::Backpressure(_, s) => Some(*s),
            IngestError::Closed => Some(5),
            _ => None,
        }
    }
}

impl From<store::StoreError> for IngestError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Backpressure { .. } => IngestError::Backpressure(e.to_string(), 1),
            store::StoreError::Closed => IngestError::Closed,
            other => IngestError::Storage(other.to_string()),
        }
    }
}

impl From<formats::FormatError> for IngestError {
    fn from(e: formats::FormatError) -> Self {
        IngestError::BadRequest(e.to_string())
    }
}
