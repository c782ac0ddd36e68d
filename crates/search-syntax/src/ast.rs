//! The parsed form of a search.

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The empty search: everything matches.
    All,
    Term(Term),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

/// One condition: a field (or free text) and how its value must look.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// None for free text.
    pub field: Option<FieldRef>,
    pub matcher: Matcher,
}

/// A field as written: `service` or `@http.status_code`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    pub name: String,
    /// Written with a leading `@`.
    pub attribute: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Exact(String),
    /// A pattern where `*` and `?` are wildcards and `\` escapes a literal
    /// `*`, `?` or `\`.
    Wildcard(String),
    Compare(CompareOp, String),
    Range { low: Option<String>, high: Option<String>, low_inclusive: bool, high_inclusive: bool },
    Exists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Ge,
    Lt,
    Le,
}

/// Why a search could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {}", position + 1)]
pub struct ParseError {
    pub message: String,
    /// Character offset, 0-based.
    pub position: usize,
}
