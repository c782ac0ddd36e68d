//! [`Select`]: one read of a dataset (or of several, one after another) as a
//! value: filters, grouping and aggregates, projection, order and limit. The
//! engine lowers it onto DataFusion's `DataFrame`, which plans it as
//! DataFusion's SQL planner would plan the same query.

use datafusion::dataframe::DataFrame;
use datafusion::error::Result as DfResult;
use datafusion::prelude::SessionContext;
use model::DatasetName;

use super::{Expr, Order, all};

/// What a [`Select`] reads.
#[derive(Debug, Clone)]
enum Source {
    Dataset(DatasetName),
    /// The rows of every part, one after another (`UNION ALL`): the parts
    /// must produce the same columns.
    UnionAll(Vec<Select>),
}

/// A read of a dataset, built as a value. Operations apply in SQL's order
/// whatever order they were added in: filter, group and aggregate, project,
/// order, limit. To group what a projection produced, read it through
/// [`Select::union_all`].
#[derive(Debug, Clone)]
pub struct Select {
    source: Source,
    filters: Vec<Expr>,
    /// Rows whose column's value another select produces are dropped.
    excluded: Vec<(String, Select)>,
    group_by: Vec<Expr>,
    aggregates: Vec<Expr>,
    columns: Option<Vec<Expr>>,
    order_by: Vec<Order>,
    limit: Option<usize>,
}

impl Select {
    fn over(source: Source) -> Select {
        Select {
            source,
            filters: Vec::new(),
            excluded: Vec::new(),
            group_by: Vec::new(),
            aggregates: Vec::new(),
            columns: None,
            order_by: Vec::new(),
            limit: None,
        }
    }

    /// Every column of `dataset`.
    pub fn from(dataset: DatasetName) -> Select {
        Select::over(Source::Dataset(dataset))
    }

    /// The rows of `parts`, one after another: a read of the results of
    /// other selects (of one, to group or filter what it produced).
    pub fn union_all(parts: Vec<Select>) -> Select {
        Select::over(Source::UnionAll(parts))
    }

    /// Keeps the rows where `condition` is true (ANDed with earlier filters).
    pub fn filter(mut self, condition: Expr) -> Select {
        self.filters.push(condition);
        self
    }

    /// Groups by `exprs` (each named by its alias, `expr.alias("name")`).
    /// Keeps only the rows whose `column` is not among the values `other`
    /// produces in its one column (an anti-join; applied with the filters).
    /// A row whose `column` is null is kept.
    pub fn excluding(mut self, column: &str, other: Select) -> Select {
        self.excluded.push((column.to_owned(), other));
        self
    }

    pub fn group_by(mut self, exprs: impl IntoIterator<Item = Expr>) -> Select {
        self.group_by.extend(exprs);
        self
    }

    /// Aggregates per group (or over all rows without a grouping).
    pub fn aggregate(mut self, exprs: impl IntoIterator<Item = Expr>) -> Select {
        self.aggregates.extend(exprs);
        self
    }

    /// The result's columns (after grouping, of the groups and aggregates).
    pub fn columns(mut self, exprs: impl IntoIterator<Item = Expr>) -> Select {
        self.columns = Some(exprs.into_iter().collect());
        self
    }

    /// Orders the rows (after earlier orderings).
    pub fn order_by(mut self, order: Order) -> Select {
        self.order_by.push(order);
        self
    }

    /// At most `rows` rows.
    pub fn limit(mut self, rows: usize) -> Select {
        self.limit = Some(rows);
        self
    }

    /// The datasets this select reads.
    pub(crate) fn datasets(&self) -> Vec<&DatasetName> {
        match &self.source {
            Source::Dataset(d) => vec![d],
            Source::UnionAll(parts) => parts.iter().flat_map(Select::datasets).collect(),
        }
        .into_iter()
        .chain(self.excluded.iter().flat_map(|(_, other)| other.datasets()))
        .collect()
    }

    /// The select as a DataFrame of `ctx`, where every dataset is a table.
    pub(crate) fn lower<'a>(
        &'a self,
        ctx: &'a SessionContext,
    ) -> futures::future::BoxFuture<'a, DfResult<DataFrame>> {
        Box::pin(async move {
            let mut frame = match &self.source {
                Source::Dataset(d) => {
                    ctx.table(datafusion::common::TableReference::bare(d.as_str()))
                        .await?
                }
                Source::UnionAll(parts) => {
                    let mut frames = Vec::with_capacity(parts.len());
                    for part in parts {
                        frames.push(part.lower(ctx).await?);
                    }
                    let mut frames = frames.into_iter();
                    let first = frames.next().ok_or_else(|| {
                        datafusion::error::DataFusionError::Plan("a union of no selects".into())
                    })?;
                    frames.try_fold(first, DataFrame::union)?
                }
            };
            if !self.filters.is_empty() {
                frame = frame.filter(all(self.filters.iter().cloned()))?;
            }
            for (i, (column, other)) in self.excluded.iter().enumerate() {
                let right = other.lower(ctx).await?;
                let produced = right.schema().field(0).name().clone();
                let key = format!("__excluded_{i}");
                let right = right.select(vec![super::column(&produced).alias(&key)])?;
                frame = frame.join(
                    right,
                    datafusion::logical_expr::JoinType::LeftAnti,
                    &[column.as_str()],
                    &[key.as_str()],
                    None,
                )?;
            }
            if !self.group_by.is_empty() || !self.aggregates.is_empty() {
                frame = frame.aggregate(self.group_by.clone(), self.aggregates.clone())?;
            }
            if let Some(columns) = &self.columns {
                frame = frame.select(columns.clone())?;
            }
            if !self.order_by.is_empty() {
                frame = frame.sort(self.order_by.clone())?;
            }
            if let Some(limit) = self.limit {
                frame = frame.limit(0, Some(limit))?;
            }
            Ok(frame)
        })
    }
}
