//! Renders a parsed search as a SQL predicate over a dataset's columns.

use crate::ast::{CompareOp, FieldRef, Matcher, Query, Term};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Float,
    Boolean,
    Timestamp,
}

/// The column a field resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub sql_name: String,
    pub kind: ColumnKind,
}

/// What a dataset offers a search: its fields and its free-text columns.
pub trait Schema {
    fn resolve(&self, field: &FieldRef) -> Option<Column>;
    fn text_columns(&self) -> Vec<String>;
}

/// A SQL boolean expression and the fields it could not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    pub sql: String,
    pub unknown_fields: Vec<String>,
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// LIKE pattern of a wildcard pattern (see `Matcher::Wildcard`), for `ESCAPE '\'`.
fn like_pattern(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    push_literal(&mut out, next);
                }
            }
            '*' => out.push('%'),
            '?' => out.push('_'),
            other => push_literal(&mut out, other),
        }
    }
    out
}

fn push_literal(out: &mut String, c: char) {
    if matches!(c, '%' | '_' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

fn like_literal(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        push_literal(&mut out, c);
    }
    out
}

fn number(text: &str) -> Option<String> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i.to_string());
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| format!("{f:?}"))
}

fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+' | ' '))
}

fn op_sql(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
    }
}

/// A bound rendered for a column kind, None when it cannot apply.
fn bound(column: &Column, value: &str) -> Option<(String, String)> {
    let c = ident(&column.sql_name);
    match column.kind {
        ColumnKind::Integer | ColumnKind::Float => number(value).map(|n| (c, n)),
        ColumnKind::Text => match number(value) {
            Some(n) => Some((format!("TRY_CAST({c} AS DOUBLE)"), n)),
            None => Some((c, string(value))),
        },
        ColumnKind::Timestamp => looks_like_date(value).then(|| (c, format!("TIMESTAMP {}", string(value)))),
        ColumnKind::Boolean => None,
    }
}

fn field_sql(column: &Column, matcher: &Matcher) -> String {
    let c = ident(&column.sql_name);
    match matcher {
        Matcher::Exists => format!("{c} IS NOT NULL"),
        Matcher::Exact(v) => match column.kind {
            ColumnKind::Text => format!("{c} = {}", string(v)),
            ColumnKind::Integer | ColumnKind::Float => match number(v) {
                Some(n) => format!("{c} = {n}"),
                None => "FALSE".into(),
            },
            ColumnKind::Boolean => match v.to_ascii_lowercase().as_str() {
                "true" => format!("{c} = true"),
                "false" => format!("{c} = false"),
                _ => "FALSE".into(),
            },
            ColumnKind::Timestamp => match bound(column, v) {
                Some((lhs, rhs)) => format!("{lhs} = {rhs}"),
                None => "FALSE".into(),
            },
        },
        Matcher::Wildcard(p) => {
            let target = if column.kind == ColumnKind::Text { c } else { format!("CAST({c} AS VARCHAR)") };
            format!("{target} LIKE {} ESCAPE '\\'", string(&like_pattern(p)))
        }
        Matcher::Compare(op, v) => match bound(column, v) {
            Some((lhs, rhs)) => format!("{lhs} {} {rhs}", op_sql(*op)),
            None => "FALSE".into(),
        },
        Matcher::Range { low, high, low_inclusive, high_inclusive } => {
            let mut parts = Vec::new();
            for (value, op) in [
                (low, if *low_inclusive { ">=" } else { ">" }),
                (high, if *high_inclusive { "<=" } else { "<" }),
            ] {
                if let Some(v) = value {
                    match bound(column, v) {
                        Some((lhs, rhs)) => parts.push(format!("{lhs} {op} {rhs}")),
                        None => return "FALSE".into(),
                    }
                }
            }
            if parts.is_empty() { format!("{c} IS NOT NULL") } else { format!("({})", parts.join(" AND ")) }
        }
    }
}

fn free_text_sql(columns: &[String], matcher: &Matcher) -> String {
    let pattern = match matcher {
        Matcher::Exact(v) => format!("%{}%", like_literal(v)),
        Matcher::Wildcard(p) => format!("%{}%", like_pattern(p)),
        // Comparisons and ranges need a field; free text never has one.
        _ => return "FALSE".into(),
    };
    if columns.is_empty() {
        return "FALSE".into();
    }
    let parts: Vec<String> =
        columns.iter().map(|c| format!("{} ILIKE {} ESCAPE '\\'", ident(c), string(&pattern))).collect();
    if parts.len() == 1 { parts.into_iter().next().expect("one part") } else { format!("({})", parts.join(" OR ")) }
}

struct Renderer<'a> {
    schema: &'a dyn Schema,
    text_columns: Vec<String>,
    unknown: Vec<String>,
}

impl Renderer<'_> {
    fn term(&mut self, term: &Term) -> String {
        match &term.field {
            None => free_text_sql(&self.text_columns, &term.matcher),
            Some(field) => match self.schema.resolve(field) {
                Some(column) => field_sql(&column, &term.matcher),
                None => {
                    let name = if field.attribute { format!("@{}", field.name) } else { field.name.clone() };
                    if !self.unknown.contains(&name) {
                        self.unknown.push(name);
                    }
                    "FALSE".into()
                }
            },
        }
    }

    fn query(&mut self, query: &Query) -> String {
        match query {
            Query::All => "TRUE".into(),
            Query::Term(t) => self.term(t),
            Query::Not(inner) => format!("NOT ({})", self.query(inner)),
            Query::And(parts) => format!("({})", parts.iter().map(|p| self.query(p)).collect::<Vec<_>>().join(" AND ")),
            Query::Or(parts) => format!("({})", parts.iter().map(|p| self.query(p)).collect::<Vec<_>>().join(" OR ")),
        }
    }
}

/// The SQL predicate of `query` over `schema`.
pub fn to_sql(query: &Query, schema: &dyn Schema) -> Predicate {
    let mut r = Renderer { schema, text_columns: schema.text_columns(), unknown: Vec::new() };
    let sql = r.query(query);
    Predicate { sql, unknown_fields: r.unknown }
}
