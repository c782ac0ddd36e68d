//! A lowered search ([`search_syntax::Condition`]) as an IR expression: the
//! same meaning the SQL renderer gives it, with every value a literal.

use arrow::datatypes::{DataType, TimeUnit};
use datafusion::logical_expr::expr::Like;
use datafusion::prelude::{Expr, lit, try_cast};
use search_syntax::{Comparison, Condition, Literal, Operand};

use super::{all, any, cast, column};

/// `condition` as an expression.
pub(crate) fn condition_expr(condition: &Condition) -> Expr {
    match condition {
        Condition::True => lit(true),
        Condition::False => lit(false),
        Condition::And(parts) => all(parts.iter().map(condition_expr)),
        Condition::Or(parts) => any(parts.iter().map(condition_expr)),
        Condition::NotTrue(inner) => {
            !datafusion::prelude::coalesce(vec![condition_expr(inner), lit(false)])
        }
        Condition::IsNotNull(name) => column(name).is_not_null(),
        Condition::Like {
            operand,
            pattern,
            case_insensitive,
        } => Expr::Like(Like::new(
            false,
            Box::new(operand_expr(operand)),
            Box::new(lit(pattern.as_str())),
            Some('\\'),
            *case_insensitive,
        )),
        Condition::Compare { operand, op, value } => {
            let (lhs, rhs) = (operand_expr(operand), literal_expr(value));
            match op {
                Comparison::Eq => lhs.eq(rhs),
                Comparison::Gt => lhs.gt(rhs),
                Comparison::Ge => lhs.gt_eq(rhs),
                Comparison::Lt => lhs.lt(rhs),
                Comparison::Le => lhs.lt_eq(rhs),
            }
        }
    }
}

fn operand_expr(operand: &Operand) -> Expr {
    match operand {
        Operand::Column(c) => column(c),
        Operand::ColumnAsText(c) => cast(column(c), DataType::Utf8),
        Operand::ColumnAsNumber(c) => try_cast(column(c), DataType::Float64),
    }
}

/// The literal as DataFusion's SQL planner would type it: integers that fit
/// as Int64, other numbers as Float64 (integers beyond i64 too, as its
/// parser does), timestamps parsed from their text.
fn literal_expr(literal: &Literal) -> Expr {
    match literal {
        Literal::Text(t) => lit(t.as_str()),
        Literal::Number(n) => match n.parse::<i64>() {
            Ok(i) => lit(i),
            Err(_) => lit(n.parse::<f64>().unwrap_or(f64::NAN)),
        },
        Literal::Boolean(b) => lit(*b),
        Literal::Timestamp(t) => cast(
            lit(t.as_str()),
            DataType::Timestamp(TimeUnit::Nanosecond, None),
        ),
    }
}
