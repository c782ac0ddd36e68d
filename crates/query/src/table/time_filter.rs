//! What a query's filters say about the time column: the bounds that
//! prune files, and whether a filter is a time bound the scan applies
//! exactly. Pure functions of DataFusion expressions.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use model::TIME_COLUMN;

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

/// `(operator, literal)` of a comparison between the time column and a
/// timestamp literal, oriented as `time <op> literal`.
fn time_comparison(expr: &Expr) -> Option<(Operator, i64)> {
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = expr else {
        return None;
    };
    let (op, value) = if is_time_column(left) {
        (*op, literal(right)?)
    } else if is_time_column(right) {
        (op.swap()?, literal(left)?)
    } else {
        return None;
    };
    matches!(
        op,
        Operator::Gt | Operator::GtEq | Operator::Lt | Operator::LtEq
    )
    .then_some((op, value))
}

/// Whether the scan can apply `expr` exactly: a time-range bound, which it
/// skips for files entirely inside the range and filters row by row elsewhere.
pub(super) fn is_time_filter(expr: &Expr) -> bool {
    time_comparison(expr).is_some()
}

/// Whether time `t` passes the time filter `expr`.
pub(super) fn passes(expr: &Expr, t: i64) -> bool {
    match time_comparison(expr) {
        Some((Operator::Gt, v)) => t > v,
        Some((Operator::GtEq, v)) => t >= v,
        Some((Operator::Lt, v)) => t < v,
        Some((Operator::LtEq, v)) => t <= v,
        _ => false,
    }
}

/// The time range `[low, high]` that `filters` restrict the time column to.
pub(super) fn time_bounds(filters: &[Expr]) -> (Option<i64>, Option<i64>) {
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

#[cfg(test)]
mod tests {
    use datafusion::prelude::{col, lit};

    use super::*;

    fn at(nanos: i64) -> Expr {
        lit(ScalarValue::TimestampNanosecond(
            Some(nanos),
            Some("+00:00".into()),
        ))
    }

    #[test]
    fn bounds_come_from_every_comparison_and_between() {
        let t = || col(TIME_COLUMN);
        let filters = [
            t().gt_eq(at(100)).and(t().lt(at(900))),
            at(150).lt(t()),
            col("service").eq(lit("a")),
        ];
        assert_eq!(time_bounds(&filters), (Some(150), Some(900)));
        assert_eq!(
            time_bounds(&[t().between(at(10), at(20))]),
            (Some(10), Some(20))
        );
        assert_eq!(time_bounds(&[t().eq(at(7))]), (Some(7), Some(7)));
        assert_eq!(time_bounds(&[col("other").gt(at(7))]), (None, None));
    }

    #[test]
    fn only_single_bounds_are_exact_filters() {
        let t = || col(TIME_COLUMN);
        assert!(is_time_filter(&t().lt(at(5))));
        assert!(is_time_filter(&at(5).lt_eq(t())));
        assert!(!is_time_filter(&t().eq(at(5))), "equality is not a bound");
        assert!(!is_time_filter(&t().gt(at(1)).and(t().lt(at(5)))));
        assert!(!is_time_filter(&col("service").gt(lit("a"))));
        // `5 <= t` is `t >= 5`: passes from 5 on.
        assert!(passes(&at(5).lt_eq(t()), 5));
        assert!(!passes(&at(5).lt_eq(t()), 4));
        assert!(passes(&t().lt(at(5)), 4));
        assert!(!passes(&t().lt(at(5)), 5));
    }
}
