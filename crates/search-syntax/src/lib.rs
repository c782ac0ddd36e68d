//! The event search syntax Datadog and Kibana users already type, parsed into
//! a small AST and rendered as a SQL predicate (DataFusion dialect).
//!
//! ```text
//! service:jobs-api status:error @http.status_code:>=500 "timeout" -env:dev
//! service:(jobs-api OR cards-api)   @duration:[100 TO 500]   @user.id:*
//! host:web-*   _exists_:trace_id   (a OR b) AND NOT c
//! ```
//! Terms are joined by AND unless `OR` stands between them; `NOT` or a
//! leading `-` negates; `@` marks an attribute; `*` and `?` are wildcards;
//! a backslash escapes the next character. No IO here.

mod ast;
mod parser;
mod render;

pub use ast::{CompareOp, FieldRef, Matcher, ParseError, Query, Term};
pub use parser::parse;
pub use render::{Column, ColumnKind, Predicate, Schema, to_sql};
