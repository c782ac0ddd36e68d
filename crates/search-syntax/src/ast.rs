//! The parsed form of a search, independent of any dataset or SQL dialect.

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The empty search: everything matches.
    All,
    /// One condition.
    Term(Term),
    /// Every part must match.
    And(Vec<Query>),
    /// At least one part must match.
    Or(Vec<Query>),
    /// The inner search must not match.
    Not(Box<Query>),
}

/// One condition: a field (or free text) and what its value must look like.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// `None` for free text, which is matched against the dataset's text columns.
    pub field: Option<FieldRef>,
    /// What the value must look like.
    pub matcher: Matcher,
}

/// A field as written: `service` or `@http.status_code`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    /// The name without the leading `@`.
    pub name: String,
    /// Written with a leading `@` (an event attribute rather than a core column).
    pub attribute: bool,
}

impl FieldRef {
    /// The field as the user wrote it, `@` included; used in messages and
    /// in [`crate::Predicate::unknown_fields`].
    pub(crate) fn display_name(&self) -> String {
        if self.attribute {
            format!("@{}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// What a value must look like.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Equal to this text (free text: contains it, case-insensitively).
    Exact(String),
    /// A pattern in which `*` matches any run of characters and `?` any one
    /// character. A literal `*`, `?` or `\` is written with a backslash before
    /// it (`\*`, `\?`, `\\`); no other character is escaped.
    Wildcard(String),
    /// Ordered against this bound.
    Compare(CompareOp, String),
    /// Between two bounds; `None` is an open end (`*` in the search).
    Range {
        /// Lower bound, `None` when open.
        low: Option<String>,
        /// Upper bound, `None` when open.
        high: Option<String>,
        /// `[` rather than `{`.
        low_inclusive: bool,
        /// `]` rather than `}`.
        high_inclusive: bool,
    },
    /// The field has a value (`field:*` or `_exists_:field`).
    Exists,
}

/// The operator of a comparison such as `>=500`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl CompareOp {
    /// The operator in both the search syntax and SQL.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }
}

/// Why a search could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {}", position + 1)]
pub struct ParseError {
    /// What is wrong, lowercase, without a final period.
    pub message: String,
    /// Character (not byte) offset into the search, 0-based.
    pub position: usize,
}
