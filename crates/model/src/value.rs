//! A scalar value handed by a decoder to the batch builder.

/// One decoded scalar; borrowed text avoids a copy per field on the hot path.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    /// Nanoseconds since the Unix epoch.
    Time(i64),
}
