//! Lowers a parsed search onto a dataset's columns as a [`Condition`]: a
//! dialect-neutral predicate whose columns are resolved and whose values are
//! typed literals. The SQL renderer (`render.rs`) writes it as text, and the
//! query engine builds its own expressions from it, so both agree on what a
//! search means by construction.

use crate::ast::{CompareOp, Matcher, Query, Term};
use crate::literal::{boolean, like_literal, like_pattern, number, timestamp};

/// How a column's values compare, which decides how a search value is lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Strings.
    Text,
    /// Whole numbers.
    Integer,
    /// Floating-point numbers.
    Float,
    /// `true`/`false`.
    Boolean,
    /// Points in time.
    Timestamp,
}

/// The column a field resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name, unquoted.
    pub sql_name: String,
    /// How its values compare.
    pub kind: ColumnKind,
}

/// What a dataset offers a search: its fields, and where free text is looked for.
pub trait Schema {
    /// The column `field` refers to, or `None` when this dataset has no such
    /// field. Aliases (`status` for a `level` column, say) belong here.
    fn resolve(&self, field: &crate::FieldRef) -> Option<Column>;
    /// Unquoted names of the text columns free text is matched against.
    fn text_columns(&self) -> Vec<String>;
}

/// A search lowered onto columns. Everything a user typed is in a
/// [`Literal`] or a LIKE pattern, never in a name.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Matches everything.
    True,
    /// Matches nothing (an unknown field, a value the column cannot hold).
    False,
    /// Every part (at least two).
    And(Vec<Condition>),
    /// At least one part (at least two).
    Or(Vec<Condition>),
    /// The inner condition is not true: `NOT COALESCE(inner, FALSE)`, so a
    /// missing value counts as not matching and its negation keeps the row,
    /// as Datadog and Kibana do.
    NotTrue(Box<Condition>),
    /// The column has a value.
    IsNotNull(String),
    /// `operand LIKE pattern` (or ILIKE) with `\` as the escape character.
    Like {
        operand: Operand,
        /// `%` any run, `_` any one character, `\` escapes.
        pattern: String,
        case_insensitive: bool,
    },
    /// `operand op value`.
    Compare {
        operand: Operand,
        op: Comparison,
        value: Literal,
    },
}

/// The left-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// The column's value.
    Column(String),
    /// The column's value as text (`40?` on a status code).
    ColumnAsText(String),
    /// The column's text as a double, NULL when it is not a number (an
    /// attribute like `"500"` compared with numeric bounds).
    ColumnAsNumber(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparison {
    /// The operator in SQL.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
        }
    }
}

impl From<CompareOp> for Comparison {
    fn from(op: CompareOp) -> Comparison {
        match op {
            CompareOp::Gt => Comparison::Gt,
            CompareOp::Ge => Comparison::Ge,
            CompareOp::Lt => Comparison::Lt,
            CompareOp::Le => Comparison::Le,
        }
    }
}

/// A typed value from the search.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    /// A finite number, as a plain decimal (every digit of a large integer
    /// kept) or Rust's normalised spelling.
    Number(String),
    Boolean(bool),
    /// A date or date-time that DataFusion parses as a timestamp.
    Timestamp(String),
}

/// A lowered search, and the fields it could not find.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub condition: Condition,
    /// Fields the schema did not resolve, as written (`@` included), each
    /// once, in order of appearance; their terms lowered to `False`.
    pub unknown_fields: Vec<String>,
}

/// `query` lowered onto `schema`'s columns.
pub fn lower(query: &Query, schema: &dyn Schema) -> Lowered {
    let mut lowerer = Lowerer {
        schema,
        text_columns: None,
        unknown_fields: Vec::new(),
    };
    let condition = lowerer.query(query);
    Lowered {
        condition,
        unknown_fields: lowerer.unknown_fields,
    }
}

struct Lowerer<'a> {
    schema: &'a dyn Schema,
    /// Asked of the schema once, and only if there is free text.
    text_columns: Option<Vec<String>>,
    unknown_fields: Vec<String>,
}

/// `parts` joined: the identity `empty` for none, the part itself for one.
fn joined(
    mut parts: Vec<Condition>,
    empty: Condition,
    many: fn(Vec<Condition>) -> Condition,
) -> Condition {
    match parts.len() {
        0 => empty,
        1 => parts.pop().expect("one part"),
        _ => many(parts),
    }
}

impl Lowerer<'_> {
    fn query(&mut self, query: &Query) -> Condition {
        match query {
            Query::All => Condition::True,
            Query::Term(term) => self.term(term),
            Query::Not(inner) => Condition::NotTrue(Box::new(self.query(inner))),
            Query::And(parts) => {
                let parts = parts.iter().map(|p| self.query(p)).collect();
                joined(parts, Condition::True, Condition::And)
            }
            Query::Or(parts) => {
                let parts = parts.iter().map(|p| self.query(p)).collect();
                joined(parts, Condition::False, Condition::Or)
            }
        }
    }

    fn term(&mut self, term: &Term) -> Condition {
        let Some(field) = &term.field else {
            return self.free_text(&term.matcher);
        };
        match self.schema.resolve(field) {
            Some(column) => field_condition(&column, &term.matcher),
            None => {
                let name = field.display_name();
                if !self.unknown_fields.contains(&name) {
                    self.unknown_fields.push(name);
                }
                Condition::False
            }
        }
    }

    /// Free text: a case-insensitive substring match on any text column.
    fn free_text(&mut self, matcher: &Matcher) -> Condition {
        let pattern = match matcher {
            Matcher::Exact(text) => format!("%{}%", like_literal(text)),
            Matcher::Wildcard(wildcard) => {
                let (like, starts_any, ends_any) = like_pattern(wildcard);
                let (head, tail) = (
                    if starts_any { "" } else { "%" },
                    if ends_any { "" } else { "%" },
                );
                format!("{head}{like}{tail}")
            }
            // The parser never builds these without a field; nothing to compare.
            Matcher::Compare(..) | Matcher::Range { .. } | Matcher::Exists => {
                return Condition::False;
            }
        };
        let schema = self.schema;
        let columns = self
            .text_columns
            .get_or_insert_with(|| schema.text_columns());
        let parts = columns
            .iter()
            .map(|c| Condition::Like {
                operand: Operand::Column(c.clone()),
                pattern: pattern.clone(),
                case_insensitive: true,
            })
            .collect();
        joined(parts, Condition::False, Condition::Or)
    }
}

/// A term on a resolved column.
fn field_condition(column: &Column, matcher: &Matcher) -> Condition {
    let name = || column.sql_name.clone();
    let condition = match matcher {
        Matcher::Exists => Some(Condition::IsNotNull(name())),
        Matcher::Wildcard(wildcard) => Some(Condition::Like {
            // Non-text columns match on their text form (`40?` on a status code).
            operand: if column.kind == ColumnKind::Text {
                Operand::Column(name())
            } else {
                Operand::ColumnAsText(name())
            },
            pattern: like_pattern(wildcard).0,
            case_insensitive: false,
        }),
        Matcher::Exact(value) => {
            let literal = match column.kind {
                ColumnKind::Text => Some(Literal::Text(value.clone())),
                ColumnKind::Integer | ColumnKind::Float => number(value).map(Literal::Number),
                ColumnKind::Boolean => boolean(value).map(Literal::Boolean),
                ColumnKind::Timestamp => timestamp(value).map(|t| Literal::Timestamp(t.to_owned())),
            };
            literal.map(|value| Condition::Compare {
                operand: Operand::Column(name()),
                op: Comparison::Eq,
                value,
            })
        }
        Matcher::Compare(op, value) => {
            comparable(column, &[value]).map(|(operand, mut values)| Condition::Compare {
                operand,
                op: (*op).into(),
                value: values.remove(0),
            })
        }
        Matcher::Range {
            low,
            high,
            low_inclusive,
            high_inclusive,
        } => {
            let low_op = if *low_inclusive {
                Comparison::Ge
            } else {
                Comparison::Gt
            };
            let high_op = if *high_inclusive {
                Comparison::Le
            } else {
                Comparison::Lt
            };
            let bounds: Vec<(Comparison, &String)> = [(low_op, low), (high_op, high)]
                .into_iter()
                .filter_map(|(op, b)| Some((op, b.as_ref()?)))
                .collect();
            if bounds.is_empty() {
                return Condition::IsNotNull(name());
            }
            let values: Vec<&String> = bounds.iter().map(|(_, b)| *b).collect();
            comparable(column, &values).map(|(operand, literals)| {
                let parts = bounds
                    .iter()
                    .zip(literals)
                    .map(|((op, _), value)| Condition::Compare {
                        operand: operand.clone(),
                        op: *op,
                        value,
                    })
                    .collect();
                joined(parts, Condition::True, Condition::And)
            })
        }
    };
    // A value this column can never hold matches nothing.
    condition.unwrap_or(Condition::False)
}

/// The operand and literals to order `column` against `values`, or `None`
/// when they cannot be compared. All values get the same treatment so that
/// a range never mixes numeric and string order.
fn comparable(column: &Column, values: &[&String]) -> Option<(Operand, Vec<Literal>)> {
    let col = || column.sql_name.clone();
    let numbers = || {
        values
            .iter()
            .map(|v| number(v).map(Literal::Number))
            .collect::<Option<Vec<_>>>()
    };
    match column.kind {
        ColumnKind::Integer | ColumnKind::Float => Some((Operand::Column(col()), numbers()?)),
        // Text holding numbers (an attribute like "500") compares as numbers
        // when the bounds are numbers; values that are not numbers cast to NULL.
        ColumnKind::Text => match numbers() {
            Some(n) => Some((Operand::ColumnAsNumber(col()), n)),
            None => Some((
                Operand::Column(col()),
                values.iter().map(|v| Literal::Text((*v).clone())).collect(),
            )),
        },
        ColumnKind::Timestamp => {
            let literals = values
                .iter()
                .map(|v| Some(Literal::Timestamp(timestamp(v)?.to_owned())));
            Some((
                Operand::Column(col()),
                literals.collect::<Option<Vec<_>>>()?,
            ))
        }
        ColumnKind::Boolean => None,
    }
}
