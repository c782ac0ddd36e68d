//! A dataset as a DataFusion table: Parquet files pruned by the catalog's
//! time ranges, then by row-group statistics, bloom filters and late
//! materialization inside the Parquet scan; buffered rows from memory.

mod time_filter;

use std::path::PathBuf;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use async_trait::async_trait;
use datafusion::catalog::Session;
use datafusion::common::DFSchema;
use datafusion::datasource::TableProvider;
use datafusion::datasource::TableType;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::physical_plan::parquet::CachedParquetFileReaderFactory;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::union::UnionExec;
use model::TIME_COLUMN;
use store::{DatasetSnapshot, FileEntry};

use time_filter::{is_time_filter, passes, time_bounds};

/// One dataset, frozen at the moment the query started.
#[derive(Debug)]
pub(crate) struct DatasetTable {
    snapshot: DatasetSnapshot,
    /// The stored schema with strings as views: the Parquet reader then
    /// points into its decoded pages instead of copying every string, and
    /// short strings (service names, levels, hosts) compare inline.
    schema: SchemaRef,
}

/// `schema` with every UTF-8 column as a string view.
fn with_string_views(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 => {
                f.as_ref().clone().with_data_type(DataType::Utf8View)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

impl DatasetTable {
    pub(crate) fn new(snapshot: DatasetSnapshot) -> DatasetTable {
        let schema = with_string_views(&snapshot.schema);
        DatasetTable { snapshot, schema }
    }

    /// The Parquet files the time bounds of `filters` may match, oldest
    /// first: those wholly inside every time filter, and the rest.
    #[allow(clippy::type_complexity)]
    fn files_by_range(
        &self,
        filters: &[Expr],
        time_filters: &[Expr],
    ) -> (Vec<&(PathBuf, FileEntry)>, Vec<&(PathBuf, FileEntry)>) {
        let (low, high) = time_bounds(filters);
        let mut files: Vec<_> = self
            .snapshot
            .files
            .iter()
            .filter(|(_, f)| {
                low.is_none_or(|l| f.max_time >= l) && high.is_none_or(|h| f.min_time <= h)
            })
            .collect();
        files.sort_by_key(|(_, f)| f.min_time);
        files.into_iter().partition(|(_, f)| {
            time_filters
                .iter()
                .all(|e| passes(e, f.min_time) && passes(e, f.max_time))
        })
    }

    /// The buffered rows, projected, with strings as views.
    fn memory_batches(
        &self,
        projection: Option<&Vec<usize>>,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let indices: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let schema = Arc::new(self.schema.project(&indices)?);
        let batches = self
            .snapshot
            .batches
            .iter()
            .map(|batch| {
                let columns = indices
                    .iter()
                    .zip(schema.fields())
                    .map(|(&i, field)| {
                        let column = batch.column(i);
                        if column.data_type() == field.data_type() {
                            Ok(column.clone())
                        } else {
                            arrow::compute::cast(column, field.data_type())
                        }
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
                Ok(RecordBatch::try_new_with_options(
                    schema.clone(),
                    columns,
                    &options,
                )?)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((schema, batches))
    }

    /// A Parquet scan of `files` with `predicate` for statistics, bloom
    /// filters and row filtering.
    fn parquet_scan(
        &self,
        state: &dyn Session,
        schema: &SchemaRef,
        files: &[&(PathBuf, FileEntry)],
        predicate: Option<Expr>,
        projection: Option<Vec<usize>>,
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let store = state
            .runtime_env()
            .object_store(ObjectStoreUrl::local_filesystem())?;
        let metadata_cache = state.runtime_env().cache_manager.get_file_metadata_cache();
        let mut source = ParquetSource::new(schema.clone())
            .with_parquet_file_reader_factory(Arc::new(CachedParquetFileReaderFactory::new(
                store,
                metadata_cache,
            )))
            .with_pushdown_filters(true)
            .with_reorder_filters(true)
            .with_bloom_filter_on_read(true)
            .with_enable_page_index(true);
        if let Some(predicate) = predicate {
            let df_schema = DFSchema::try_from(schema.as_ref().clone())?;
            source = source.with_predicate(state.create_physical_expr(predicate, &df_schema)?);
        }
        let partitions = state.config().target_partitions().max(1).min(files.len());
        let mut groups: Vec<Vec<PartitionedFile>> = vec![Vec::new(); partitions];
        for (i, (path, entry)) in files.iter().enumerate() {
            groups[i % partitions].push(PartitionedFile::new(
                path.to_string_lossy().into_owned(),
                entry.bytes,
            ));
        }
        let config =
            FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                .with_file_groups(groups.into_iter().map(FileGroup::new).collect())
                .with_projection_indices(projection)?
                .with_limit(limit)
                .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}

#[async_trait]
impl TableProvider for DatasetTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // Time bounds are applied exactly by the scan (and skipped for files
        // wholly inside the range); the rest prune files and row groups, and
        // DataFusion still filters rows with them.
        Ok(filters
            .iter()
            .map(|f| {
                if is_time_filter(f) {
                    TableProviderFilterPushDown::Exact
                } else {
                    TableProviderFilterPushDown::Inexact
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = self.schema.clone();
        let time_filters: Vec<Expr> = filters
            .iter()
            .filter(|f| is_time_filter(f))
            .cloned()
            .collect();
        let (inside, partial) = self.files_by_range(filters, &time_filters);
        let output_schema = match projection {
            Some(p) => Arc::new(schema.project(p)?),
            None => schema.clone(),
        };
        // Parts that need the time filter also read the time column, then
        // drop it again if the query did not ask for it.
        let time_index = schema.index_of(TIME_COLUMN)?;
        let filtered_projection = projection.map(|p| {
            let mut p = p.clone();
            if !time_filters.is_empty() && !p.contains(&time_index) {
                p.push(time_index);
            }
            p
        });
        let time_filter = |input| filter_time(state, input, &time_filters, &output_schema);

        let mut inputs: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        if !inside.is_empty() {
            // Wholly inside the range: no time filter, and the limit holds.
            let others: Vec<Expr> = filters
                .iter()
                .filter(|f| !is_time_filter(f))
                .cloned()
                .collect();
            inputs.push(self.parquet_scan(
                state,
                &schema,
                &inside,
                conjunction(others),
                projection.cloned(),
                limit,
            )?);
        }
        if !partial.is_empty() {
            let scan = self.parquet_scan(
                state,
                &schema,
                &partial,
                conjunction(filters.to_vec()),
                filtered_projection.clone(),
                None,
            )?;
            inputs.push(time_filter(scan)?);
        }
        if !self.snapshot.batches.is_empty() {
            let (memory_schema, batches) = self.memory_batches(filtered_projection.as_ref())?;
            let memory = MemorySourceConfig::try_new(&[batches], memory_schema, None)?;
            inputs.push(time_filter(DataSourceExec::from_data_source(memory))?);
        }
        if inputs.is_empty() {
            return Ok(Arc::new(EmptyExec::new(output_schema)));
        }
        UnionExec::try_new(inputs)
    }
}

/// `input` with only the rows that pass `time_filters`, projected to
/// `output_schema` (dropping the time column if only the filter read it).
fn filter_time(
    state: &dyn Session,
    input: Arc<dyn ExecutionPlan>,
    time_filters: &[Expr],
    output_schema: &SchemaRef,
) -> Result<Arc<dyn ExecutionPlan>> {
    let Some(predicate) = conjunction(time_filters.to_vec()) else {
        return Ok(input);
    };
    let df_schema = DFSchema::try_from(input.schema().as_ref().clone())?;
    let filtered: Arc<dyn ExecutionPlan> = Arc::new(FilterExec::try_new(
        state.create_physical_expr(predicate, &df_schema)?,
        input,
    )?);
    if filtered.schema().fields().len() == output_schema.fields().len() {
        return Ok(filtered);
    }
    let columns: Vec<(Arc<dyn datafusion::physical_plan::PhysicalExpr>, String)> = output_schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (Arc::new(Column::new(f.name(), i)) as _, f.name().clone()))
        .collect();
    Ok(Arc::new(ProjectionExec::try_new(columns, filtered)?))
}
