//! The schema and searches the test files share.

use search_syntax::{Column, ColumnKind, FieldRef, Schema};

/// A logs dataset: core columns, one aliased (`status` is `level`), and
/// attributes flattened into columns named after their path.
pub(crate) struct TestSchema;

impl Schema for TestSchema {
    fn resolve(&self, field: &FieldRef) -> Option<Column> {
        let (sql_name, kind) = match (field.name.as_str(), field.attribute) {
            ("service", false) => ("service", ColumnKind::Text),
            ("env", false) => ("env", ColumnKind::Text),
            ("status" | "level", false) => ("level", ColumnKind::Text),
            ("body", false) => ("body", ColumnKind::Text),
            ("timestamp", false) => ("timestamp", ColumnKind::Timestamp),
            ("http.status_code", true) => ("http.status_code", ColumnKind::Integer),
            // Written either way in the wild.
            ("duration", _) => ("duration", ColumnKind::Float),
            ("sampled", _) => ("sampled", ColumnKind::Boolean),
            _ => return None,
        };
        Some(Column {
            sql_name: sql_name.into(),
            kind,
        })
    }

    fn text_columns(&self) -> Vec<String> {
        vec!["body".into()]
    }
}

/// Searches covering every feature of the syntax, each of which must parse.
pub(crate) const QUERIES: &[&str] = &[
    "",
    "   ",
    "timeout",
    "\"connection reset\"",
    "time*",
    "TIMEOUT and or",
    "service:jobs-api",
    "service:jobs-api status:error @http.status_code:>=500 \"timeout\" -env:dev",
    "service:\"jobs api\"",
    "service:jobs\\ api",
    "service:(jobs-api OR cards-api)",
    "service:(a b)",
    "service:(jobs-* OR -cards-api)",
    "@http.status_code:>=500",
    "@http.status_code:<400",
    "@http.status_code:>500 @http.status_code:<=599",
    "@http.status_code:404",
    "@http.status_code:abc",
    "@http.status_code:40?",
    "@duration:[100 TO 500]",
    "@duration:{100 TO 500}",
    "@duration:[100 TO 500}",
    "@duration:[* TO 0.5]",
    "@duration:[* TO *]",
    "@duration:*",
    "_exists_:@http.status_code",
    "service:jobs-*",
    "service:*api?",
    "service:jobs\\*api",
    "service:>m",
    "service:>=10",
    "a OR b AND c",
    "(a OR b) AND NOT c",
    "NOT service:x",
    "-(a b)",
    "-\"connection reset\"",
    "@sampled:TRUE",
    "sampled:maybe",
    "timestamp:>=2024-01-01T00:00:00Z",
    "timestamp:[2024-01-01 TO 2024-02-01}",
    "timestamp:\"2024-01-15 12:00:00\"",
    "timestamp:>yesterday",
    "path\\:x",
    "url:http://example.com/a:b",
    "a*b:c",
    "50%_off",
    "it's",
    "\"say \\\"hi\\\" from C:\\\\temp\"",
    "unknown:1 -@other:2 @service:x unknown:3",
    "- a",
];
