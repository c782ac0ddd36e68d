//! The one error type of the query crate.

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("invalid query: {0}")]
    Invalid(String),
    #[error("invalid search: {0}")]
    Search(String),
    #[error("unknown dataset {0:?}")]
    UnknownDataset(String),
    #[error("query took longer than the {seconds} s timeout; narrow the time range or add filters")]
    Timeout { seconds: u64 },
    #[error(
        "query needs more than its {megabytes} MiB memory budget; narrow the time range, add filters or aggregate: {detail}"
    )]
    MemoryBudget { megabytes: usize, detail: String },
    #[error("result has more than {limit} rows; add a LIMIT or aggregate")]
    RowLimit { limit: usize },
    #[error(
        "result is larger than {megabytes} MiB; select fewer or shorter values, add a LIMIT or aggregate"
    )]
    ResultSize { megabytes: usize },
    #[error("query failed: {0}")]
    Execution(String),
}

impl QueryError {
    pub(crate) fn from_datafusion(
        e: datafusion::error::DataFusionError,
        memory_bytes: usize,
    ) -> QueryError {
        use datafusion::error::DataFusionError as E;
        let root = e.find_root();
        match root {
            E::ResourcesExhausted(detail) => QueryError::MemoryBudget {
                megabytes: memory_bytes >> 20,
                detail: detail.clone(),
            },
            E::SQL(..) | E::Plan(..) | E::SchemaError(..) | E::NotImplemented(..) => {
                QueryError::Invalid(root.to_string())
            }
            _ => QueryError::Execution(root.to_string()),
        }
    }
}
