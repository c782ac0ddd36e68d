//! Fuzz target: any UTF-8 search must parse or fail cleanly, and whatever
//! parses must render against a fixed schema with balanced quotes and parentheses.

#![no_main]

use libfuzzer_sys::fuzz_target;
use search_syntax::{Column, ColumnKind, FieldRef, Schema, parse, to_sql};

/// One column of every kind, so every rendering path is reachable.
struct Fixed;

impl Schema for Fixed {
    fn resolve(&self, field: &FieldRef) -> Option<Column> {
        let kind = match field.name.as_str() {
            "service" | "level" => ColumnKind::Text,
            "http.status_code" => ColumnKind::Integer,
            "duration" => ColumnKind::Float,
            "sampled" => ColumnKind::Boolean,
            "timestamp" => ColumnKind::Timestamp,
            _ => return None,
        };
        Some(Column {
            sql_name: field.name.clone(),
            kind,
        })
    }

    fn text_columns(&self) -> Vec<String> {
        vec!["body".into(), "name".into()]
    }
}

/// Parentheses balance outside quotes and every quote is closed.
fn balanced(sql: &str) -> bool {
    let mut depth = 0i64;
    let mut quote = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return false,
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    depth == 0 && quote.is_none()
}

fuzz_target!(|input: &str| {
    match parse(input) {
        Ok(query) => {
            let sql = to_sql(&query, &Fixed).sql;
            assert!(balanced(&sql), "{input:?} => {sql}");
        }
        Err(e) => assert!(e.position <= input.chars().count(), "{input:?}: {e}"),
    }
});
