//! Snapshot tests of the parser and the SQL renderer, and property tests.

use proptest::prelude::*;
use search_syntax::{Column, ColumnKind, FieldRef, Schema, parse, to_sql};

struct TestSchema;

impl Schema for TestSchema {
    fn resolve(&self, field: &FieldRef) -> Option<Column> {
        let (name, kind) = match (field.name.as_str(), field.attribute) {
            ("service", false) => ("service", ColumnKind::Text),
            ("env", false) => ("env", ColumnKind::Text),
            ("status" | "level", false) => ("level", ColumnKind::Text),
            ("host", false) => ("host", ColumnKind::Text),
            ("timestamp", false) => ("timestamp", ColumnKind::Timestamp),
            ("http.status_code", _) => ("http.status_code", ColumnKind::Integer),
            ("duration", _) => ("duration", ColumnKind::Float),
            ("sampled", _) => ("sampled", ColumnKind::Boolean),
            ("user.id", true) => ("user.id", ColumnKind::Text),
            _ => return None,
        };
        Some(Column { sql_name: name.into(), kind })
    }
    fn text_columns(&self) -> Vec<String> {
        vec!["body".into()]
    }
}

const QUERIES: &[&str] = &[
    "",
    "timeout",
    "\"connection reset\"",
    "time*",
    "service:jobs-api",
    "service:jobs-api status:error @http.status_code:>=500 \"timeout\" -env:dev",
    "service:(jobs-api OR cards-api)",
    "service:(a b)",
    "@duration:[100 TO 500]",
    "@duration:{100 TO 500]",
    "@duration:[* TO 500}",
    "@user.id:*",
    "_exists_:@user.id",
    "host:web-*",
    "host:we?-1",
    "a OR b AND c",
    "(a OR b) AND NOT c",
    "NOT service:x",
    "-(a b)",
    "@http.status_code:<400",
    "@http.status_code:abc",
    "@sampled:true",
    "timestamp:>2024-05-01T00:00:00Z",
    "service:\"jobs api\"",
    "path\\:x",
    "body\\*literal",
    "50%_off",
    "it's",
    "unknown_field:1 -@other:2",
    "service:jobs-api OR service:cards-api -status:info",
];

#[test]
fn parser_and_renderer_snapshots() {
    let mut out = String::new();
    for q in QUERIES {
        let parsed = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        let sql = to_sql(&parsed, &TestSchema);
        out.push_str(&format!("{q}\n  ast: {parsed:?}\n  sql: {}\n  unknown: {:?}\n", sql.sql, sql.unknown_fields));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn error_snapshots() {
    let bad = [
        "service:",
        "service: x",
        "(a OR b",
        "a)",
        "\"unclosed",
        "@duration:[1 TO",
        "@duration:[1 2]",
        "a OR",
        "a AND",
        "NOT",
        "()",
        "service:()",
        "@:x",
        "@duration:>=",
    ];
    let out: String = bad.iter().map(|q| format!("{q:?} => {}\n", parse(q).unwrap_err())).collect();
    insta::assert_snapshot!(out);
}

#[test]
fn limits_protect_the_server() {
    assert!(parse(&"a ".repeat(3000)).unwrap_err().message.contains("longer than"));
    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&deep).unwrap_err().message.contains("nested"));
}

fn balanced(sql: &str) -> bool {
    let mut depth = 0i32;
    let mut in_string = false;
    for c in sql.chars() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !in_string
}

proptest! {
    #[test]
    fn parse_never_panics_and_renders_balanced(input in "\\PC{0,200}") {
        if let Ok(q) = parse(&input) {
            let sql = to_sql(&q, &TestSchema).sql;
            prop_assert!(balanced(&sql), "{input:?} => {sql}");
        }
    }

    #[test]
    fn structured_inputs_render_balanced(parts in proptest::collection::vec(
        prop_oneof!["service:[a-z'\"*?%_\\\\-]{1,8}", "@duration:[<>]=?[0-9]{1,4}", "\"[a-z' ]{0,8}\"", "[a-z'%_*]{1,8}", "-env:[a-z]{1,4}", "OR", "AND", "NOT", "\\(", "\\)"], 0..12)) {
        let input = parts.join(" ");
        if let Ok(q) = parse(&input) {
            let sql = to_sql(&q, &TestSchema).sql;
            prop_assert!(balanced(&sql), "{input:?} => {sql}");
        }
    }
}
