//! A dataset as a DataFusion table: Parquet files pruned by the catalog's
//! time ranges, then by row-group statistics, bloom filters and late
//! materialization inside the Parquet scan; buffered rows from memory.

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::datasource::TableProvider;
use datafusion::datasource::TableType;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::union::UnionExec;
use model::TIME_COLUMN;
use store::DatasetSnapshot;

/// One dataset, frozen at the moment the query started.
#[derive(Debug)]
pub(crate) struct DatasetTable {
    snapshot: DatasetSnapshot,
}

impl DatasetTable {
    pub(crate) fn new(snapshot: DatasetSnapshot) -> DatasetTable {
        DatasetTable { snapshot }
    }
}

fn timestamp_nanos(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampMicrosecond(Some(v), _) => v.checked_mul(1_000),
        ScalarValue::TimestampMillisecond(Some(v), _) => v.checked_mul(1_000_000),
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1_000_000_000),
        _ => None,
    }
}

fn is_time_column(expr: &Expr) -> bool {
    matches!(expr, Expr::Column(c) if c.name == TIME_COLUMN)
}

fn literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Literal(v, _) => timestamp_nanos(v),
        Expr::Cast(c) => literal(&c.expr),
        _ => None,
    }
}

/// The time range `[low, high]` that `filters` restrict the time column to.
pub(crate) fn time_bounds(filters: &[Expr]) -> (Option<i64>, Option<i64>) {
    let mut low: Option<i64> = None;
    let mut high: Option<i64> = None;
    let mut stack: Vec<&Expr> = filters.iter().collect();
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::BinaryExpr(BinaryExpr {
                left,
                op: Operator::And,
                right,
            }) => {
                stack.push(left);
                stack.push(right);
            }
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                let (op, value) = if is_time_column(left) {
                    (*op, literal(right))
                } else if is_time_column(right) {
                    match op.swap() {
                        Some(swapped) => (swapped, literal(left)),
                        None => continue,
                    }
                } else {
                    continue;
                };
                let Some(v) = value else { continue };
                match op {
                    Operator::Gt | Operator::GtEq => low = Some(low.map_or(v, |l| l.max(v))),
                    Operator::Lt | Operator::LtEq => high = Some(high.map_or(v, |h| h.min(v))),
                    Operator::Eq => {
                        low = Some(low.map_or(v, |l| l.max(v)));
                        high = Some(high.map_or(v, |h| h.min(v)));
                    }
                    _ => {}
                }
            }
            Expr::Between(b) if !b.negated && is_time_column(&b.expr) => {
                if let Some(v) = literal(&b.low) {
                    low = Some(low.map_or(v, |l| l.max(v)));
                }
                if let Some(v) = literal(&b.high) {
                    high = Some(high.map_or(v, |h| h.min(v)));
                }
            }
            _ => {}
        }
    }
    (low, high)
}

#[async_trait]
impl TableProvider for DatasetTable {
    fn schema(&self) -> SchemaRef {
        self.snapshot.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // Inexact: the scan prunes with them, and DataFusion still filters rows.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = self.snapshot.schema.clone();
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
        let mut inputs: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        if !files.is_empty() {
            let mut source = ParquetSource::new(schema.clone())
                .with_pushdown_filters(true)
                .with_reorder_filters(true)
                .with_bloom_filter_on_read(true)
                .with_enable_page_index(true);
            if let Some(predicate) = conjunction(filters.to_vec()) {
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
                    .with_projection_indices(projection.cloned())?
                    .with_limit(limit)
                    .build();
            inputs.push(DataSourceExec::from_data_source(config));
        }
        if !self.snapshot.batches.is_empty() {
            let memory = MemorySourceConfig::try_new(
                std::slice::from_ref(&self.snapshot.batches),
                schema.clone(),
                projection.cloned(),
            )?
            .with_limit(limit);
            inputs.push(DataSourceExec::from_data_source(memory));
        }
        if inputs.is_empty() {
            let projected = match projection {
                Some(p) => Arc::new(schema.project(p)?),
                None => schema,
            };
            return Ok(Arc::new(EmptyExec::new(projected)));
        }
        UnionExec::try_new(inputs)
    }
}
