//! Renders a lowered search ([`Condition`]) as a SQL predicate (DataFusion
//! dialect), for the SQL users see and for engines that take SQL text.

use crate::ast::Query;
use crate::literal::{LIKE_ESCAPE, ident, string};
use crate::lower::{Condition, Literal, Operand, Schema, lower};

/// A SQL boolean expression, and the fields it could not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    /// The expression, ready to go after `WHERE` (or inside parentheses).
    pub sql: String,
    /// Fields the schema did not resolve, as written (`@` included), each
    /// once, in order of appearance; their terms rendered as `FALSE`.
    pub unknown_fields: Vec<String>,
}

/// The SQL predicate of `query` over `schema`.
pub fn to_sql(query: &Query, schema: &dyn Schema) -> Predicate {
    let lowered = lower(query, schema);
    Predicate {
        sql: condition_sql(&lowered.condition),
        unknown_fields: lowered.unknown_fields,
    }
}

/// `condition` as SQL text; user values only ever appear as quoted literals.
pub fn condition_sql(condition: &Condition) -> String {
    match condition {
        Condition::True => "TRUE".into(),
        Condition::False => "FALSE".into(),
        Condition::And(parts) => joined(parts, " AND "),
        Condition::Or(parts) => joined(parts, " OR "),
        // SQL's NOT keeps NULL as NULL, so `NOT ("env" = 'dev')` would drop
        // events that have no env at all; Datadog and Kibana keep them.
        Condition::NotTrue(inner) => format!("NOT COALESCE({}, FALSE)", condition_sql(inner)),
        Condition::IsNotNull(column) => format!("{} IS NOT NULL", ident(column)),
        Condition::Like {
            operand,
            pattern,
            case_insensitive,
        } => format!(
            "{} {} {} {LIKE_ESCAPE}",
            operand_sql(operand),
            if *case_insensitive { "ILIKE" } else { "LIKE" },
            string(pattern)
        ),
        Condition::Compare { operand, op, value } => format!(
            "{} {} {}",
            operand_sql(operand),
            op.symbol(),
            literal_sql(value)
        ),
    }
}

fn joined(parts: &[Condition], op: &str) -> String {
    let sql: Vec<String> = parts.iter().map(condition_sql).collect();
    format!("({})", sql.join(op))
}

fn operand_sql(operand: &Operand) -> String {
    match operand {
        Operand::Column(c) => ident(c),
        Operand::ColumnAsText(c) => format!("CAST({} AS VARCHAR)", ident(c)),
        Operand::ColumnAsNumber(c) => format!("TRY_CAST({} AS DOUBLE)", ident(c)),
    }
}

fn literal_sql(literal: &Literal) -> String {
    match literal {
        Literal::Text(t) => string(t),
        Literal::Number(n) => n.clone(),
        Literal::Boolean(b) => b.to_string(),
        Literal::Timestamp(t) => format!("TIMESTAMP {}", string(t)),
    }
}
