//! The one error type of the store.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{context} {path}: {source}")]
    Io {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("write buffer is full ({buffered_bytes} of {limit_bytes} bytes): retry later")]
    Backpressure {
        buffered_bytes: usize,
        limit_bytes: usize,
    },
    #[error("the store is shutting down")]
    Closed,
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("arrow error: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("parquet error: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error(transparent)]
    Model(#[from] model::ModelError),
}

impl StoreError {
    pub(crate) fn io(
        context: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io {
            context,
            path,
            source,
        }
    }
}
