//! The query IR feature crates ask with: expressions and [`Select`]s built
//! as values, never as SQL text. Every user value enters as a literal.
//!
//! Expressions are DataFusion's logical `Expr`, so the embedded engine plans
//! them directly and a later ClickHouse backend can unparse the same plan
//! (DataFusion's `Unparser`). Feature crates use only what this module
//! re-exports; names with dots (`http.route`) are single columns here.

mod search;
mod select;

use arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn as aggregate;
use datafusion::logical_expr::SortExpr;
use datafusion::prelude::{Expr as DfExpr, ident, lit};
use datafusion::scalar::ScalarValue;
use model::TIME_COLUMN;

use crate::range::TimeRange;

pub(crate) use search::condition_expr;
pub use select::Select;

/// An expression of the IR (DataFusion's logical expression).
pub type Expr = DfExpr;

/// An ordering of a [`Select`]'s rows.
pub type Order = SortExpr;

/// The column `name`, taken whole (dots and quotes are part of the name).
pub fn column(name: &str) -> Expr {
    ident(name)
}

/// A text literal.
pub fn text(value: &str) -> Expr {
    lit(value)
}

/// A 64-bit integer literal.
pub fn int(value: i64) -> Expr {
    lit(value)
}

/// A boolean literal.
pub fn boolean(value: bool) -> Expr {
    lit(value)
}

/// `expr IN (values...)` over text values; `FALSE` for no values.
pub fn in_texts(expr: Expr, values: &[String]) -> Expr {
    if values.is_empty() {
        return lit(false);
    }
    expr.in_list(values.iter().map(|v| lit(v.as_str())).collect(), false)
}

/// Whether `expr`, as text, starts with `prefix`, ignoring case. The
/// prefix is a value, not a pattern: `%` and `_` match themselves.
pub fn starts_with_ignoring_case(expr: Expr, prefix: &str) -> Expr {
    use datafusion::functions::expr_fn::{lower, starts_with};
    starts_with(
        lower(cast(expr, DataType::Utf8)),
        lit(prefix.to_lowercase()),
    )
}

/// All of `parts` (`TRUE` for none).
pub fn all(parts: impl IntoIterator<Item = Expr>) -> Expr {
    parts
        .into_iter()
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| lit(true))
}

/// Any of `parts` (`FALSE` for none).
pub fn any(parts: impl IntoIterator<Item = Expr>) -> Expr {
    parts
        .into_iter()
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
}

/// A point in time (ns since the epoch) as a UTC timestamp literal, the
/// type of every dataset's `timestamp` column.
pub fn time(nanos: i64) -> Expr {
    lit(ScalarValue::TimestampNanosecond(
        Some(nanos),
        Some("+00:00".into()),
    ))
}

/// `timestamp >= from AND timestamp < to`.
pub fn time_in(range: TimeRange) -> Expr {
    let t = column(TIME_COLUMN);
    t.clone().gt_eq(time(range.from)).and(t.lt(time(range.to)))
}

/// A timestamp expression as i64 nanoseconds since the epoch.
pub fn nanos(expr: Expr) -> Expr {
    cast(expr, DataType::Int64)
}

/// The start (ns since the epoch) of the `seconds`-wide bucket that
/// `timestamp` falls in, buckets counted from `origin_ns`.
pub fn time_bucket(seconds: i64, origin_ns: i64) -> Expr {
    let stride = lit(ScalarValue::IntervalMonthDayNano(Some(
        arrow::datatypes::IntervalMonthDayNano::new(0, 0, seconds.saturating_mul(1_000_000_000)),
    )));
    nanos(datafusion::prelude::date_bin(
        stride,
        column(TIME_COLUMN),
        time(origin_ns),
    ))
}

/// `CAST(expr AS type)`.
pub fn cast(expr: Expr, to: DataType) -> Expr {
    datafusion::prelude::cast(expr, to)
}

/// `expr` as a 64-bit float, NULL where it is not a number.
pub fn try_float(expr: Expr) -> Expr {
    datafusion::logical_expr::try_cast(expr, DataType::Float64)
}

/// `expr` as a 64-bit float.
pub fn float(expr: Expr) -> Expr {
    cast(expr, DataType::Float64)
}

/// `CASE WHEN condition THEN then ELSE otherwise END`.
pub fn if_else(condition: Expr, then: Expr, otherwise: Expr) -> Expr {
    match datafusion::prelude::when(condition, then).otherwise(otherwise) {
        Ok(e) => e,
        Err(e) => unreachable!("a CASE with one branch and an ELSE is valid: {e}"),
    }
}

/// The first of `exprs` that is not NULL.
pub fn coalesce(exprs: Vec<Expr>) -> Expr {
    datafusion::prelude::coalesce(exprs)
}

/// Text concatenation.
pub fn concat(exprs: Vec<Expr>) -> Expr {
    datafusion::prelude::concat(exprs)
}

/// Aggregates (in [`Select::aggregate`]).
pub fn sum(expr: Expr) -> Expr {
    aggregate::sum(expr)
}
pub fn count(expr: Expr) -> Expr {
    aggregate::count(expr)
}
/// `count(*)`.
pub fn count_rows() -> Expr {
    aggregate::count(lit(1i64))
}
pub fn count_distinct(expr: Expr) -> Expr {
    aggregate::count_distinct(expr)
}

/// `aggregate` over only the rows where `condition` holds
/// (`aggregate FILTER (WHERE condition)`); `aggregate` must be an aggregate
/// function call, not yet aliased.
pub fn only_where(aggregate: Expr, condition: Expr) -> Expr {
    use datafusion::logical_expr::ExprFunctionExt;
    match aggregate.filter(condition).build() {
        Ok(e) => e,
        Err(e) => unreachable!("a FILTER on an aggregate function is valid: {e}"),
    }
}
pub fn avg(expr: Expr) -> Expr {
    aggregate::avg(expr)
}
/// An estimate of the distinct values (HyperLogLog).
pub fn approx_distinct(expr: Expr) -> Expr {
    aggregate::approx_distinct(expr)
}
/// An estimate of the `fraction` percentile (0.5 is the median) of `expr`.
pub fn approx_percentile(expr: Expr, fraction: f64) -> Expr {
    aggregate::approx_percentile_cont(ascending(expr), lit(fraction), None)
}
pub fn min(expr: Expr) -> Expr {
    aggregate::min(expr)
}
pub fn max(expr: Expr) -> Expr {
    aggregate::max(expr)
}

/// Ascending order, NULLs last.
pub fn ascending(expr: Expr) -> Order {
    expr.sort(true, false)
}

/// Descending order, NULLs last.
pub fn descending(expr: Expr) -> Order {
    expr.sort(false, false)
}

/// `expr` as SQL text, for showing users what their filters became (a
/// query never runs from this text).
pub fn sql_text(expr: &Expr) -> String {
    match datafusion::sql::unparser::expr_to_sql(expr) {
        Ok(sql) => sql.to_string(),
        Err(e) => format!("/* not expressible in SQL: {e} */"),
    }
}

/// `CASE WHEN condition THEN then END` (NULL otherwise).
pub fn when(condition: Expr, then: Expr) -> Expr {
    match datafusion::prelude::when(condition, then).end() {
        Ok(e) => e,
        Err(e) => unreachable!("a CASE with one branch is valid: {e}"),
    }
}
