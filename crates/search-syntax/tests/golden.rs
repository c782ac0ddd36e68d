//! Snapshot tests: the AST and SQL of representative searches, the errors of
//! bad ones, and the limits that protect the server.

mod common;

use common::{QUERIES, TestSchema};
use search_syntax::{Query, parse, to_sql};
use std::fmt::Write;

#[test]
fn parser_ast() {
    let mut out = String::new();
    for q in QUERIES {
        let ast = parse(q).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        writeln!(out, "{q}\n  {ast:?}").unwrap();
    }
    insta::assert_snapshot!("parser_ast", out);
}

#[test]
fn rendered_sql() {
    let mut out = String::new();
    for q in QUERIES {
        let predicate = to_sql(&parse(q).unwrap(), &TestSchema);
        writeln!(out, "{q}\n  {}", predicate.sql).unwrap();
        if !predicate.unknown_fields.is_empty() {
            writeln!(out, "  unknown: {:?}", predicate.unknown_fields).unwrap();
        }
    }
    insta::assert_snapshot!("rendered_sql", out);
}

#[test]
fn parse_errors() {
    let bad = [
        "service:",
        "service: x",
        "@http.status_code:>=",
        "(a OR b",
        "a)",
        "\"unclosed",
        "service:\"unclosed",
        "@duration:[1 TO",
        "@duration:[1 500]",
        "@duration:[TO 5]",
        "@duration:[1 TO ]",
        "@duration:[1 TO 5 6]",
        "a OR",
        "OR a",
        "a AND AND b",
        "NOT",
        "(a NOT)",
        "()",
        "service:()",
        "service:(a OR)",
        "@:x",
        ":foo",
        "_exists_:",
        "_exists_:a*b",
        "héllo wörld service:",
    ];
    let mut out = String::new();
    for q in bad {
        let err = parse(q).expect_err(q);
        // A caret under the column makes the snapshot checkable by eye.
        writeln!(out, "{q}\n{}^ {err}", " ".repeat(err.position)).unwrap();
    }
    insta::assert_snapshot!("parse_errors", out);
}

#[test]
fn empty_input_matches_everything() {
    assert_eq!(parse("").unwrap(), Query::All);
    assert_eq!(parse(" \t\n").unwrap(), Query::All);
    assert_eq!(to_sql(&Query::All, &TestSchema).sql, "TRUE");
}

#[test]
fn input_length_is_limited() {
    assert!(parse(&"a".repeat(4096)).is_ok());
    let err = parse(&"a".repeat(4097)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "search is longer than 4096 characters at column 4097"
    );
    // The limit counts characters, not bytes.
    assert!(parse(&"é".repeat(4096)).is_ok());
}

#[test]
fn nesting_depth_is_limited() {
    let nested =
        |n: usize, open: &str, close: &str| format!("{}a{}", open.repeat(n), close.repeat(n));
    let cases = [
        (nested(64, "(", ")"), nested(65, "(", ")")),
        (nested(64, "NOT ", ""), nested(65, "NOT ", "")),
        (nested(64, "-", ""), nested(65, "-", "")),
        (
            format!("service:{}", nested(64, "(", ")")),
            format!("service:{}", nested(65, "(", ")")),
        ),
        // Kinds of nesting count together.
        (nested(32, "(-", ")"), nested(33, "(-", ")")),
    ];
    for (ok, too_deep) in cases {
        let q = parse(&ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        let sql = to_sql(&q, &TestSchema).sql;
        assert!(sql.contains("'%a%'") || sql.contains("= 'a'"), "{sql}");
        let err = parse(&too_deep).unwrap_err();
        assert!(err.message.contains("deeper than 64"), "{too_deep}: {err}");
    }
}

#[test]
fn unknown_fields_are_listed_once_each() {
    let q = parse("a:1 @a:2 a:3 -b:4 service:x").unwrap();
    assert_eq!(to_sql(&q, &TestSchema).unknown_fields, ["a", "@a", "b"]);
}

#[test]
fn free_text_without_text_columns_matches_nothing() {
    struct NoText;
    impl search_syntax::Schema for NoText {
        fn resolve(&self, _: &search_syntax::FieldRef) -> Option<search_syntax::Column> {
            None
        }
        fn text_columns(&self) -> Vec<String> {
            Vec::new()
        }
    }
    assert_eq!(to_sql(&parse("timeout").unwrap(), &NoText).sql, "FALSE");
}

#[test]
fn several_text_columns_are_ored() {
    struct TwoText;
    impl search_syntax::Schema for TwoText {
        fn resolve(&self, _: &search_syntax::FieldRef) -> Option<search_syntax::Column> {
            None
        }
        fn text_columns(&self) -> Vec<String> {
            vec!["name".into(), "status \"message\"".into()]
        }
    }
    assert_eq!(
        to_sql(&parse("50%").unwrap(), &TwoText).sql,
        r#"("name" ILIKE '%50\%%' ESCAPE '\' OR "status ""message""" ILIKE '%50\%%' ESCAPE '\')"#
    );
}
