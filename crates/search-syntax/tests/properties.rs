//! Property tests: the parser never panics, rendering always yields balanced
//! SQL, and a printed AST parses back to itself.

mod common;

use common::{QUERIES, TestSchema};
use proptest::prelude::*;
use search_syntax::{
    Column, ColumnKind, CompareOp, FieldRef, Matcher, Query, Schema, Term, parse, to_sql,
};

/// Whether parentheses balance outside quotes and every quote is closed.
/// A doubled quote inside a literal closes and reopens it, which is fine.
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

/// Resolves every field except those starting with `x`, to a column named
/// after it (quotes and all), of a kind picked from the name.
struct AnySchema;

impl Schema for AnySchema {
    fn resolve(&self, field: &FieldRef) -> Option<Column> {
        const KINDS: [ColumnKind; 5] = [
            ColumnKind::Text,
            ColumnKind::Integer,
            ColumnKind::Float,
            ColumnKind::Boolean,
            ColumnKind::Timestamp,
        ];
        if field.name.starts_with('x') {
            return None;
        }
        let kind = KINDS[field.name.chars().count() % KINDS.len()];
        Some(Column {
            sql_name: field.name.clone(),
            kind,
        })
    }

    fn text_columns(&self) -> Vec<String> {
        vec!["body".into(), "we\"ird'".into()]
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9.:+-]{0,8}",
        "[-0-9.eE+]{1,6}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]([T ][0-9:]{8}Z?)?",
        r#"[ '"\\%_*?()\[\]{}@:]{0,8}"#,
        any::<String>(),
    ]
}

fn any_field() -> impl Strategy<Value = FieldRef> {
    (
        prop_oneof!["[a-z.]{1,6}", "[x'\"]{1,4}", any::<String>()],
        any::<bool>(),
    )
        .prop_map(|(name, attribute)| FieldRef { name, attribute })
}

fn any_matcher() -> impl Strategy<Value = Matcher> {
    let op = prop_oneof![
        Just(CompareOp::Gt),
        Just(CompareOp::Ge),
        Just(CompareOp::Lt),
        Just(CompareOp::Le)
    ];
    prop_oneof![
        text().prop_map(Matcher::Exact),
        text().prop_map(Matcher::Wildcard),
        (op, text()).prop_map(|(op, v)| Matcher::Compare(op, v)),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(
                |(low, high, low_inclusive, high_inclusive)| Matcher::Range {
                    low,
                    high,
                    low_inclusive,
                    high_inclusive
                }
            ),
        Just(Matcher::Exists),
    ]
}

fn any_query() -> impl Strategy<Value = Query> {
    let term = (proptest::option::of(any_field()), any_matcher())
        .prop_map(|(field, matcher)| Query::Term(Term { field, matcher }));
    prop_oneof![Just(Query::All), term].prop_recursive(5, 64, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Query::And),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Query::Or),
            inner.prop_map(|q| Query::Not(Box::new(q))),
        ]
    })
}

/// Searches assembled from the syntax's own pieces, to reach deeper than
/// random text does.
fn syntax_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("service:"),
        Just("@http.status_code:"),
        Just("_exists_:"),
        Just("@"),
        Just(":"),
        Just("a"),
        Just("jobs-api"),
        Just("*"),
        Just("?"),
        Just("\\"),
        Just("\""),
        Just("'"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just(" TO "),
        Just(" AND "),
        Just(" OR "),
        Just("NOT "),
        Just("-"),
        Just(">="),
        Just("<"),
        Just(" "),
        Just("500"),
        Just("2024-01-01"),
        Just("é"),
        Just("%"),
        Just("_"),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// The search text of `query` in the syntax, for the round-trip property.
/// Only shapes the generator below builds are handled.
fn print(query: &Query) -> String {
    let phrase = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let value = |m: &Matcher| match m {
        Matcher::Exact(v) => phrase(v),
        Matcher::Wildcard(p) => {
            let mut out = String::new();
            let mut chars = p.chars();
            while let Some(c) = chars.next() {
                match c {
                    '*' | '?' => out.push(c),
                    // Already escaped in the pattern: `\*`, `\?`, `\\`.
                    '\\' => out.extend(['\\', chars.next().unwrap()]),
                    c if c.is_alphanumeric() => out.push(c),
                    c => out.extend(['\\', c]),
                }
            }
            out
        }
        Matcher::Compare(op, v) => {
            let op = match op {
                CompareOp::Gt => ">",
                CompareOp::Ge => ">=",
                CompareOp::Lt => "<",
                CompareOp::Le => "<=",
            };
            format!("{op}{}", phrase(v))
        }
        Matcher::Range {
            low,
            high,
            low_inclusive,
            high_inclusive,
        } => {
            let bound = |b: &Option<String>| b.as_deref().map_or("*".into(), phrase);
            let open = if *low_inclusive { '[' } else { '{' };
            let close = if *high_inclusive { ']' } else { '}' };
            format!("{open}{} TO {}{close}", bound(low), bound(high))
        }
        Matcher::Exists => "*".into(),
    };
    match query {
        Query::Term(Term {
            field: None,
            matcher,
        }) => value(matcher),
        Query::Term(Term {
            field: Some(f),
            matcher: Matcher::Exists,
        }) if f.attribute => {
            format!("_exists_:@{}", f.name)
        }
        Query::Term(Term {
            field: Some(f),
            matcher,
        }) => {
            format!(
                "{}{}:{}",
                if f.attribute { "@" } else { "" },
                f.name,
                value(matcher)
            )
        }
        Query::And(parts) => format!(
            "({})",
            parts.iter().map(print).collect::<Vec<_>>().join(" AND ")
        ),
        Query::Or(parts) => format!(
            "({})",
            parts.iter().map(print).collect::<Vec<_>>().join(" OR ")
        ),
        Query::Not(inner) => format!("NOT ({})", print(inner)),
        Query::All => unreachable!("not generated"),
    }
}

/// A wildcard pattern with at least one wildcard, never just `*` (which is Exists).
fn wildcard() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("*".to_string()),
        Just("?".to_string()),
        "[a-zé]",
        prop_oneof![Just("\\*"), Just("\\?"), Just("\\\\")].prop_map(str::to_string),
        r#"[ :()"\[\]{}<>@'%_-]"#,
    ];
    proptest::collection::vec(piece, 1..6)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("needs a wildcard, and `*` alone is Exists", |p| {
            p != "*"
                && p.replace("\\\\", "")
                    .replace("\\*", "")
                    .replace("\\?", "")
                    .contains(['*', '?'])
        })
}

fn printable_query() -> impl Strategy<Value = Query> {
    let field = (
        prop_oneof![
            Just("service"),
            Just("http.status_code"),
            Just("a-b_c/d.9"),
            Just("ünï")
        ],
        any::<bool>(),
    )
        .prop_map(|(name, attribute)| FieldRef {
            name: name.into(),
            attribute,
        });
    let op = prop_oneof![
        Just(CompareOp::Gt),
        Just(CompareOp::Ge),
        Just(CompareOp::Lt),
        Just(CompareOp::Le)
    ];
    let some_text = any::<String>().prop_filter("comparisons need a value", |s| !s.is_empty());
    let bound = proptest::option::of(some_text.clone());
    let field_matcher = prop_oneof![
        any::<String>().prop_map(Matcher::Exact),
        wildcard().prop_map(Matcher::Wildcard),
        (op, some_text).prop_map(|(op, v)| Matcher::Compare(op, v)),
        (bound.clone(), bound, any::<bool>(), any::<bool>()).prop_map(|(low, high, li, hi)| {
            Matcher::Range {
                low,
                high,
                low_inclusive: li,
                high_inclusive: hi,
            }
        }),
        Just(Matcher::Exists),
    ];
    let free_matcher = prop_oneof![
        any::<String>().prop_map(Matcher::Exact),
        wildcard().prop_map(Matcher::Wildcard)
    ];
    let term = prop_oneof![
        (field, field_matcher).prop_map(|(f, matcher)| Query::Term(Term {
            field: Some(f),
            matcher
        })),
        free_matcher.prop_map(|matcher| Query::Term(Term {
            field: None,
            matcher
        })),
    ];
    term.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Query::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Query::Or),
            inner.prop_map(|q| Query::Not(Box::new(q))),
        ]
    })
}

#[test]
fn golden_queries_render_balanced() {
    for q in QUERIES {
        let sql = to_sql(&parse(q).unwrap(), &TestSchema).sql;
        assert!(balanced(&sql), "{q} => {sql}");
    }
    assert!(!balanced("(a"));
    assert!(!balanced("a)("));
    assert!(!balanced("'a"));
    assert!(!balanced("\"a'"));
    assert!(balanced("('a''(' = \"b\"\")\")"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics(chars in proptest::collection::vec(any::<char>(), 0..200)) {
        let input: String = chars.into_iter().collect();
        match parse(&input) {
            Ok(q) => {
                let sql = to_sql(&q, &TestSchema).sql;
                prop_assert!(balanced(&sql), "{input:?} => {sql}");
            }
            Err(e) => prop_assert!(e.position <= input.chars().count(), "{input:?}: {e}"),
        }
    }

    #[test]
    fn syntax_soup_never_panics(input in syntax_soup()) {
        match parse(&input) {
            Ok(q) => {
                for sql in [to_sql(&q, &TestSchema).sql, to_sql(&q, &AnySchema).sql] {
                    prop_assert!(balanced(&sql), "{input:?} => {sql}");
                }
            }
            Err(e) => prop_assert!(e.position <= input.chars().count(), "{input:?}: {e}"),
        }
    }

    #[test]
    fn any_ast_renders_balanced(query in any_query()) {
        for sql in [to_sql(&query, &TestSchema).sql, to_sql(&query, &AnySchema).sql] {
            prop_assert!(balanced(&sql), "{query:?} => {sql}");
        }
    }

    #[test]
    fn printed_ast_parses_back(query in printable_query()) {
        let text = print(&query);
        prop_assert_eq!(parse(&text), Ok(query), "{}", text);
    }
}
