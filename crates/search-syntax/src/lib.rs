//! The event search syntax Datadog and Kibana users already type, parsed into
//! a small AST ([`parse`]) and rendered as a SQL predicate in Apache
//! DataFusion's dialect ([`to_sql`]). No IO, no dependencies beyond `thiserror`.
//!
//! ```text
//! service:jobs-api status:error @http.status_code:>=500 "timeout" -env:dev
//! ```
//!
//! # Syntax
//!
//! | Search | Meaning |
//! |---|---|
//! | (empty) | everything ([`Query::All`]) |
//! | `timeout` | free text: some text column contains `timeout` (any case) |
//! | `"connection reset"` | free text phrase, spaces included |
//! | `time*`, `err?r` | free text with wildcards: `*` any run, `?` one character |
//! | `service:jobs-api` | field equals value |
//! | `@http.status_code:500` | `@` marks an attribute; names may hold `.` `-` `_` `/` and digits |
//! | `service:"jobs api"` | quoted value |
//! | `service:jobs-*`, `host:web-?` | wildcard value |
//! | `@user.id:*`, `_exists_:@user.id` | the field has a value |
//! | `@http.status_code:>=500` | also `>`, `<`, `<=` |
//! | `@duration:[100 TO 500]` | inclusive range; `{100 TO 500}` exclusive, `[100 TO 500}` mixed |
//! | `@duration:[* TO 500]` | `*` is an open bound |
//! | `service:(jobs-api OR cards-api)` | grouped values of one field; `service:(a b)` is AND |
//! | `a b`, `a AND b` | both (AND is implicit) |
//! | `a OR b` | either |
//! | `NOT a`, `-a`, `-(a OR b)` | negation; `-` must touch what it negates |
//! | `(a OR b) c` | parentheses group |
//! | `path\:x`, `jobs\ api`, `\*`, `\(`, `\\` | a backslash makes the next character literal |
//!
//! `AND`, `OR`, `NOT` (and `TO` in ranges) are keywords only in uppercase;
//! `and`/`or` are plain words. `NOT` binds tighter than `AND`, which binds
//! tighter than `OR`: `a OR b c` is `a OR (b AND c)`. Inside quotes only `\"`
//! and `\\` are escapes, and `*`/`?` are literal. A word whose part before
//! `:` is not a field name (`a*b:c`) is free text, colon included.
//!
//! Searches longer than 4096 characters or nested deeper than 64 levels
//! (parentheses, `NOT`, `-`) are refused with a [`ParseError`], as are
//! unbalanced parentheses or quotes, `field:` without a value, unclosed
//! ranges, empty groups and dangling `AND`/`OR`/`NOT`.
//!
//! # SQL
//!
//! Identifiers are double-quoted, strings single-quoted, each with its quote
//! character doubled. Fields go through [`Schema::resolve`]; a field the
//! dataset lacks renders `FALSE` and is listed in
//! [`Predicate::unknown_fields`]. A value a column's type can never hold
//! (`@http.status_code:abc`) also renders `FALSE`. Negation is
//! `NOT COALESCE(x, FALSE)` so that `-env:dev` keeps events without an env.
//! `LIKE`/`ILIKE` patterns use `ESCAPE '\'` (the only escape DataFusion allows).
//!
//! ```
//! use search_syntax::{Column, ColumnKind, FieldRef, Schema, parse, to_sql};
//!
//! struct Logs;
//! impl Schema for Logs {
//!     fn resolve(&self, field: &FieldRef) -> Option<Column> {
//!         let kind = match field.name.as_str() {
//!             "service" => ColumnKind::Text,
//!             "http.status_code" => ColumnKind::Integer,
//!             _ => return None,
//!         };
//!         Some(Column { sql_name: field.name.clone(), kind })
//!     }
//!     fn text_columns(&self) -> Vec<String> {
//!         vec!["body".into()]
//!     }
//! }
//!
//! let query = parse(r#"service:jobs-api @http.status_code:>=500 "timeout""#).unwrap();
//! let predicate = to_sql(&query, &Logs);
//! assert_eq!(
//!     predicate.sql,
//!     r#"("service" = 'jobs-api' AND "http.status_code" >= 500 AND "body" ILIKE '%timeout%' ESCAPE '\')"#
//! );
//! assert_eq!(parse("service:").unwrap_err().to_string(), "missing value after 'service:' at column 9");
//! ```

mod ast;
mod literal;
mod lower;
mod parser;
mod render;

pub use ast::{CompareOp, FieldRef, Matcher, ParseError, Query, Term};
pub use lower::{
    Column, ColumnKind, Comparison, Condition, Literal, Lowered, Operand, Schema, lower,
};
pub use parser::parse;
pub use render::{Predicate, condition_sql, to_sql};
