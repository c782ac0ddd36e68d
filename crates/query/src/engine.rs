//! Runs SQL on the embedded store under the query limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::dataframe::DataFrame;
use datafusion::execution::cache::cache_manager::{
    CacheManager, CacheManagerConfig, FileMetadataCache,
};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use model::DatasetName;
use store::{DatasetStats, Store, StoreStats};

use crate::error::QueryError;
use crate::fields::DatasetFields;
use crate::interrupt::YieldEverywhere;
use crate::ir::Select;
use crate::results::{ColumnInfo, QueryResult};
use crate::rows::Rows;
use crate::table::DatasetTable;

/// The limits every query runs under.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    pub memory_bytes: usize,
    pub timeout: Duration,
    pub max_rows: usize,
    /// Most bytes a result may hold (Arrow memory of its batches): the
    /// row limit does not bound one huge value (`string_agg` of a table).
    pub max_result_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            memory_bytes: 1 << 30,
            timeout: Duration::from_secs(30),
            max_rows: 100_000,
            max_result_bytes: 256 << 20,
        }
    }
}

/// What a dataset holds: its columns and their types, and its stats.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DatasetDescription {
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    #[schema(value_type = Option<crate::schemas::DatasetStatsSchema>)]
    #[schema(required = true)]
    pub stats: Option<DatasetStats>,
}

/// Memory for cached Parquet footers and page indexes, shared by queries.
const METADATA_CACHE_BYTES: usize = 64 << 20;

/// Plans and runs queries against snapshots of the store.
#[derive(Clone)]
pub struct QueryEngine {
    store: Store,
    limits: QueryLimits,
    /// Parquet metadata of the store's files, kept across queries: files
    /// are immutable and never reuse a name, so an entry never goes stale.
    metadata_cache: Arc<FileMetadataCache>,
}

impl QueryEngine {
    pub fn new(store: Store, limits: QueryLimits) -> QueryEngine {
        let config = CacheManagerConfig::default().with_metadata_cache_limit(METADATA_CACHE_BYTES);
        let metadata_cache = match CacheManager::try_new(&config) {
            Ok(manager) => manager.get_file_metadata_cache(),
            Err(e) => unreachable!("the default cache configuration is valid: {e}"),
        };
        QueryEngine {
            store,
            limits,
            metadata_cache,
        }
    }

    /// Rows, files and bytes of every dataset.
    pub fn dataset_stats(&self) -> Vec<DatasetStats> {
        self.store.dataset_stats()
    }

    /// Totals of the storage: buffer, files, WAL.
    pub fn storage_stats(&self) -> StoreStats {
        self.store.stats()
    }

    /// A dataset's columns and stats; `None` when it has received no data.
    pub fn describe(&self, dataset: &DatasetName) -> Option<DatasetDescription> {
        let snapshot = self.store.snapshot(dataset)?;
        let columns = ColumnInfo::of(&snapshot.schema);
        let stats = self
            .store
            .dataset_stats()
            .into_iter()
            .find(|s| s.name == dataset.as_str());
        Some(DatasetDescription {
            name: dataset.as_str().to_owned(),
            columns,
            stats,
        })
    }

    pub fn limits(&self) -> QueryLimits {
        self.limits
    }

    /// A session with every dataset registered as a table of the same name.
    fn context(&self) -> Result<SessionContext, QueryError> {
        let caches = CacheManagerConfig::default()
            .with_file_metadata_cache(Some(self.metadata_cache.clone()))
            .with_metadata_cache_limit(METADATA_CACHE_BYTES);
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(self.limits.memory_bytes, 1.0)
            .with_cache_manager(caches)
            .build_arc()
            .map_err(|e| QueryError::Execution(e.to_string()))?;
        let config = SessionConfig::new()
            .with_information_schema(true)
            .with_default_catalog_and_schema("hannun", "public");
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_physical_optimizer_rule(Arc::new(YieldEverywhere))
            .build();
        let ctx = SessionContext::new_with_state(state);
        for dataset in self.store.datasets() {
            if let Some(snapshot) = self.store.snapshot(&dataset) {
                ctx.register_table(dataset.as_str(), Arc::new(DatasetTable::new(snapshot)))
                    .map_err(|e| QueryError::Execution(e.to_string()))?;
            }
        }
        Ok(ctx)
    }

    /// Whether the dataset exists (has received data).
    pub fn has_dataset(&self, name: &DatasetName) -> bool {
        self.store.datasets().contains(name)
    }

    /// Runs one SQL statement (read-only) and returns at most `max_rows` rows.
    pub async fn sql(&self, sql: &str) -> Result<QueryResult, QueryError> {
        self.sql_with_limit(sql, self.limits.max_rows).await
    }

    pub(crate) async fn sql_with_limit(
        &self,
        sql: &str,
        max_rows: usize,
    ) -> Result<QueryResult, QueryError> {
        let started = Instant::now();
        let ctx = self.context()?;
        let memory = self.limits.memory_bytes;
        let plan = async {
            let options = datafusion::execution::context::SQLOptions::new()
                .with_allow_ddl(false)
                .with_allow_dml(false)
                .with_allow_statements(false);
            ctx.sql_with_options(sql, options)
                .await
                .map_err(|e| QueryError::from_datafusion(e, memory))
        };
        let rows = self.collect(plan, max_rows).await?;
        QueryResult::from_rows(&rows, started.elapsed())
    }

    /// Runs a [`Select`] under the query limits. A dataset that has not
    /// received data is an error: check `has_dataset` first.
    pub async fn fetch(&self, select: &Select) -> Result<Rows, QueryError> {
        self.fetch_with_limit(select, self.limits.max_rows).await
    }

    /// [`QueryEngine::fetch`] with at most `max_rows` rows.
    pub async fn fetch_with_limit(
        &self,
        select: &Select,
        max_rows: usize,
    ) -> Result<Rows, QueryError> {
        let frame = self.lower(select).await?;
        self.collect(async { Ok(frame) }, max_rows).await
    }

    /// [`QueryEngine::fetch_with_limit`], and the select as SQL text for
    /// display ([`QueryEngine::sql_of`]), planned once.
    pub(crate) async fn fetch_with_sql(
        &self,
        select: &Select,
        max_rows: usize,
    ) -> Result<(Rows, String), QueryError> {
        let frame = self.lower(select).await?;
        let sql = unparse(&frame)?;
        Ok((self.collect(async { Ok(frame) }, max_rows).await?, sql))
    }

    /// `select` as a DataFrame of a fresh session; a dataset that has not
    /// received data is an error.
    async fn lower(&self, select: &Select) -> Result<DataFrame, QueryError> {
        let known = self.store.datasets();
        for dataset in select.datasets() {
            if !known.contains(dataset) {
                return Err(QueryError::UnknownDataset(dataset.to_string()));
            }
        }
        let ctx = self.context()?;
        select
            .lower(&ctx)
            .await
            .map_err(|e| QueryError::from_datafusion(e, self.limits.memory_bytes))
    }

    /// The fields of a dataset (its columns and their aliases), if it has
    /// received data.
    pub fn fields(&self, dataset: &DatasetName) -> Option<DatasetFields> {
        let snapshot = self.store.snapshot(dataset)?;
        Some(DatasetFields::new(dataset.kind(), snapshot.schema.clone()))
    }

    /// `select` as SQL text (DataFusion's `Unparser`), for showing users
    /// what a request asked; it is never run from this text.
    pub async fn sql_of(&self, select: &Select) -> Result<String, QueryError> {
        unparse(&self.lower(select).await?)
    }

    /// The plan DataFusion runs for `select`, as text; with `analyze`, after
    /// running it, with each operator's rows and time.
    pub async fn explain(&self, select: &Select, analyze: bool) -> Result<String, QueryError> {
        let frame = self
            .lower(select)
            .await?
            .explain(false, analyze)
            .map_err(|e| QueryError::from_datafusion(e, self.limits.memory_bytes))?;
        let rows = self.collect(async { Ok(frame) }, usize::MAX).await?;
        let mut text = String::new();
        for (kind, plan) in rows
            .texts("plan_type")?
            .into_iter()
            .zip(rows.texts("plan")?)
        {
            text.push_str(&format!(
                "{}:\n{}\n",
                kind.unwrap_or_default(),
                plan.unwrap_or_default()
            ));
        }
        Ok(text)
    }

    /// Plans and runs a query, failing past `max_rows` rows, the result
    /// bytes, the memory budget or the timeout. Every operator yields to the
    /// runtime (`interrupt.rs`), so the timeout fires on time and dropping
    /// this future (a client that went away) stops the query.
    async fn collect(
        &self,
        plan: impl Future<Output = Result<DataFrame, QueryError>>,
        max_rows: usize,
    ) -> Result<Rows, QueryError> {
        let memory = self.limits.memory_bytes;
        let max_bytes = self.limits.max_result_bytes;
        let run = async {
            let frame = plan.await?;
            let schema = Arc::new(frame.schema().as_arrow().clone());
            let mut stream = frame
                .execute_stream()
                .await
                .map_err(|e| QueryError::from_datafusion(e, memory))?;
            let mut batches = Vec::new();
            let (mut rows, mut bytes) = (0, 0);
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(|e| QueryError::from_datafusion(e, memory))?;
                rows += batch.num_rows();
                bytes += batch.get_array_memory_size();
                if rows > max_rows {
                    return Err(QueryError::RowLimit { limit: max_rows });
                }
                if bytes > max_bytes {
                    return Err(QueryError::ResultSize {
                        megabytes: max_bytes >> 20,
                    });
                }
                batches.push(batch);
            }
            Ok(Rows::new(schema, batches))
        };
        tokio::time::timeout(self.limits.timeout, run)
            .await
            .map_err(|_| QueryError::Timeout {
                seconds: self.limits.timeout.as_secs(),
            })?
    }
}

/// A planned select as SQL text (DataFusion's `Unparser`).
fn unparse(frame: &DataFrame) -> Result<String, QueryError> {
    datafusion::sql::unparser::plan_to_sql(frame.logical_plan())
        .map(|statement| statement.to_string())
        .map_err(|e| QueryError::Execution(format!("not expressible in SQL: {e}")))
}
