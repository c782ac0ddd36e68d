//! Renders a parsed search as a SQL predicate (DataFusion dialect) over the
//! columns a dataset's [`Schema`] offers.

use crate::ast::{CompareOp, FieldRef, Matcher, Query, Term};
use crate::literal::{
    LIKE_ESCAPE, boolean, ident, like_literal, like_pattern, number, string, timestamp,
};

/// How a column's values compare, which decides how a search value is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Strings.
    Text,
    /// Whole numbers.
    Integer,
    /// Floating-point numbers.
    Float,
    /// `true`/`false`.
    Boolean,
    /// Points in time.
    Timestamp,
}

/// The column a field resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name in SQL, unquoted (it is quoted when rendered).
    pub sql_name: String,
    /// How its values compare.
    pub kind: ColumnKind,
}

/// What a dataset offers a search: its fields, and where free text is looked for.
pub trait Schema {
    /// The column `field` refers to, or `None` when this dataset has no such
    /// field. Aliases (`status` for a `level` column, say) belong here.
    fn resolve(&self, field: &FieldRef) -> Option<Column>;
    /// Unquoted names of the text columns free text is matched against.
    fn text_columns(&self) -> Vec<String>;
}

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
    let mut renderer = Renderer {
        schema,
        text_columns: None,
        unknown_fields: Vec::new(),
    };
    let sql = renderer.query(query);
    Predicate {
        sql,
        unknown_fields: renderer.unknown_fields,
    }
}

const TRUE: &str = "TRUE";
const FALSE: &str = "FALSE";

struct Renderer<'a> {
    schema: &'a dyn Schema,
    /// Asked of the schema once, and only if there is free text.
    text_columns: Option<Vec<String>>,
    unknown_fields: Vec<String>,
}

impl Renderer<'_> {
    fn query(&mut self, query: &Query) -> String {
        match query {
            Query::All => TRUE.into(),
            Query::Term(term) => self.term(term),
            // SQL's NOT keeps NULL as NULL, so `NOT ("env" = 'dev')` would drop
            // events that have no env at all; Datadog and Kibana keep them.
            Query::Not(inner) => format!("NOT COALESCE({}, FALSE)", self.query(inner)),
            Query::And(parts) => self.join(parts, " AND ", TRUE),
            Query::Or(parts) => self.join(parts, " OR ", FALSE),
        }
    }

    /// Parts joined by `op` inside parentheses; `empty` is the identity of `op`.
    fn join(&mut self, parts: &[Query], op: &str, empty: &str) -> String {
        match parts {
            [] => empty.into(),
            [only] => self.query(only),
            _ => {
                let sql: Vec<String> = parts.iter().map(|p| self.query(p)).collect();
                format!("({})", sql.join(op))
            }
        }
    }

    fn term(&mut self, term: &Term) -> String {
        let Some(field) = &term.field else {
            return self.free_text(&term.matcher);
        };
        match self.schema.resolve(field) {
            Some(column) => field_sql(&column, &term.matcher),
            None => {
                let name = field.display_name();
                if !self.unknown_fields.contains(&name) {
                    self.unknown_fields.push(name);
                }
                FALSE.into()
            }
        }
    }

    /// Free text: a case-insensitive substring match on any text column.
    fn free_text(&mut self, matcher: &Matcher) -> String {
        let pattern = match matcher {
            Matcher::Exact(text) => format!("%{}%", like_literal(text)),
            Matcher::Wildcard(wildcard) => {
                let (like, starts_any, ends_any) = like_pattern(wildcard);
                let (head, tail) = (
                    if starts_any { "" } else { "%" },
                    if ends_any { "" } else { "%" },
                );
                format!("{head}{like}{tail}")
            }
            // The parser never builds these without a field; nothing to compare.
            Matcher::Compare(..) | Matcher::Range { .. } | Matcher::Exists => return FALSE.into(),
        };
        let pattern = string(&pattern);
        let schema = self.schema;
        let columns = self
            .text_columns
            .get_or_insert_with(|| schema.text_columns());
        let parts: Vec<String> = columns
            .iter()
            .map(|c| format!("{} ILIKE {pattern} {LIKE_ESCAPE}", ident(c)))
            .collect();
        match parts.len() {
            0 => FALSE.into(),
            1 => parts.concat(),
            _ => format!("({})", parts.join(" OR ")),
        }
    }
}

/// A term on a resolved column.
fn field_sql(column: &Column, matcher: &Matcher) -> String {
    let col = ident(&column.sql_name);
    let sql = match matcher {
        Matcher::Exists => Some(format!("{col} IS NOT NULL")),
        Matcher::Wildcard(wildcard) => {
            // Non-text columns match on their text form (`40?` on a status code).
            let target = if column.kind == ColumnKind::Text {
                col
            } else {
                format!("CAST({col} AS VARCHAR)")
            };
            Some(format!(
                "{target} LIKE {} {LIKE_ESCAPE}",
                string(&like_pattern(wildcard).0)
            ))
        }
        Matcher::Exact(value) => match column.kind {
            ColumnKind::Text => Some(format!("{col} = {}", string(value))),
            ColumnKind::Integer | ColumnKind::Float => {
                number(value).map(|n| format!("{col} = {n}"))
            }
            ColumnKind::Boolean => boolean(value).map(|b| format!("{col} = {b}")),
            ColumnKind::Timestamp => {
                timestamp(value).map(|t| format!("{col} = TIMESTAMP {}", string(t)))
            }
        },
        Matcher::Compare(op, value) => comparable(column, &[value])
            .map(|(lhs, rhs)| format!("{lhs} {} {}", op.symbol(), rhs[0])),
        Matcher::Range {
            low,
            high,
            low_inclusive,
            high_inclusive,
        } => {
            let low_op = if *low_inclusive {
                CompareOp::Ge
            } else {
                CompareOp::Gt
            };
            let high_op = if *high_inclusive {
                CompareOp::Le
            } else {
                CompareOp::Lt
            };
            let bounds: Vec<(CompareOp, &String)> = [(low_op, low), (high_op, high)]
                .into_iter()
                .filter_map(|(op, b)| Some((op, b.as_ref()?)))
                .collect();
            let values: Vec<&String> = bounds.iter().map(|(_, b)| *b).collect();
            if bounds.is_empty() {
                return format!("{col} IS NOT NULL");
            }
            comparable(column, &values).map(|(lhs, rhs)| {
                let parts: Vec<String> = bounds
                    .iter()
                    .zip(rhs)
                    .map(|((op, _), r)| format!("{lhs} {} {r}", op.symbol()))
                    .collect();
                if parts.len() == 1 {
                    parts.concat()
                } else {
                    format!("({})", parts.join(" AND "))
                }
            })
        }
    };
    // A value this column can never hold matches nothing.
    sql.unwrap_or_else(|| FALSE.into())
}

/// The left-hand side and literals to order `column` against `values`, or
/// `None` when they cannot be compared. All values get the same treatment so
/// that a range never mixes numeric and string order.
fn comparable(column: &Column, values: &[&String]) -> Option<(String, Vec<String>)> {
    let col = ident(&column.sql_name);
    let numbers = || values.iter().map(|v| number(v)).collect::<Option<Vec<_>>>();
    match column.kind {
        ColumnKind::Integer | ColumnKind::Float => Some((col, numbers()?)),
        // Text holding numbers (an attribute like "500") compares as numbers
        // when the bounds are numbers; values that are not numbers cast to NULL.
        ColumnKind::Text => match numbers() {
            Some(n) => Some((format!("TRY_CAST({col} AS DOUBLE)"), n)),
            None => Some((col, values.iter().map(|v| string(v)).collect())),
        },
        ColumnKind::Timestamp => {
            let literals = values
                .iter()
                .map(|v| Some(format!("TIMESTAMP {}", string(timestamp(v)?))));
            Some((col, literals.collect::<Option<Vec<_>>>()?))
        }
        ColumnKind::Boolean => None,
    }
}
