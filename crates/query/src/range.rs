//! The time range of a request, and the SQL macros that refer to it.

use model::{TIME_COLUMN, format_rfc3339_nanos};

use crate::error::QueryError;

const NANOS_PER_MS: i64 = 1_000_000;

/// A time range as requests spell it: nanoseconds (`from`, `to`) or, for
/// browsers whose numbers cannot hold nanoseconds exactly, milliseconds
/// (`from_ms`, `to_ms`). Start inclusive, end exclusive.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeInput {
    /// Inclusive start, ns since the epoch.
    #[serde(default)]
    pub from: Option<i64>,
    /// Exclusive end, ns since the epoch; now when neither `to` nor `to_ms` is given.
    #[serde(default)]
    pub to: Option<i64>,
    /// Inclusive start, ms since the epoch (instead of `from`).
    #[serde(default)]
    pub from_ms: Option<i64>,
    /// Exclusive end, ms since the epoch (instead of `to`).
    #[serde(default)]
    pub to_ms: Option<i64>,
}

/// A resolved, non-empty time range in nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: i64,
    pub to: i64,
}

impl RangeInput {
    pub fn nanos(from: i64, to: i64) -> RangeInput {
        RangeInput {
            from: Some(from),
            to: Some(to),
            ..RangeInput::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.from_ms.is_none() && self.to_ms.is_none()
    }

    /// The range, if one was given (`to` defaults to now); an error if only
    /// `to` is given, a bound is given twice or the range is empty.
    pub fn optional(&self) -> Result<Option<TimeRange>, QueryError> {
        if self.is_empty() {
            return Ok(None);
        }
        let pick = |nanos: Option<i64>, ms: Option<i64>, name: &str| match (nanos, ms) {
            (Some(n), None) => Ok(n),
            (None, Some(ms)) => ms
                .checked_mul(NANOS_PER_MS)
                .ok_or_else(|| QueryError::Invalid(format!("`{name}_ms` is out of range: {ms}"))),
            (Some(_), Some(_)) => Err(QueryError::Invalid(format!(
                "give either `{name}` (nanoseconds) or `{name}_ms` (milliseconds), not both"
            ))),
            (None, None) => Err(QueryError::Invalid(format!(
                "the time range needs `{name}` (nanoseconds) or `{name}_ms` (milliseconds)"
            ))),
        };
        let from = pick(self.from, self.from_ms, "from")?;
        let to = if self.to.is_none() && self.to_ms.is_none() {
            TimeRange::last(0).to
        } else {
            pick(self.to, self.to_ms, "to")?
        };
        if to <= from {
            return Err(QueryError::Invalid(
                "time range is empty: `to` must be after `from`".into(),
            ));
        }
        Ok(Some(TimeRange { from, to }))
    }

    /// The range; an error if it is missing.
    pub fn required(&self) -> Result<TimeRange, QueryError> {
        self.optional()?.ok_or_else(|| {
            QueryError::Invalid(
                "a time range is required: give `from`/`to` (nanoseconds) or `from_ms`/`to_ms`"
                    .into(),
            )
        })
    }
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `TIMESTAMP '…'` for a time in nanoseconds.
pub fn time_literal(nanos: i64) -> String {
    format!("TIMESTAMP '{}'", format_rfc3339_nanos(nanos))
}

impl TimeRange {
    /// `"timestamp" >= TIMESTAMP '…' AND "timestamp" < TIMESTAMP '…'`.
    pub fn sql_filter(&self) -> String {
        let time = quote_ident(TIME_COLUMN);
        format!(
            "{time} >= {} AND {time} < {}",
            time_literal(self.from),
            time_literal(self.to)
        )
    }

    pub fn nanos(&self) -> i64 {
        self.to - self.from
    }

    /// The last `nanos` up to now (inclusive).
    pub fn last(nanos: i64) -> TimeRange {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        TimeRange {
            from: now - nanos,
            to: now + 1,
        }
    }
}

/// A bucket width from a 1-2-5 ladder of round durations, so that about
/// `buckets` of them cover `range_nanos`.
pub(crate) fn bucket_seconds(range_nanos: i64, buckets: usize) -> i64 {
    const STEPS: &[i64] = &[
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
        172800, 604800,
    ];
    let wanted = (range_nanos / 1_000_000_000).max(1) / buckets.max(1) as i64;
    STEPS
        .iter()
        .copied()
        .find(|s| *s >= wanted)
        .unwrap_or(604800)
}

/// The macros a SQL text may use, Grafana style.
const MACROS: &[&str] = &["$__timeFilter", "$__interval", "$__from", "$__to"];

/// Replaces `$__timeFilter`, `$__interval`, `$__from` and `$__to` with the
/// range's SQL; an error naming the macro when there is no range.
pub fn expand_macros(sql: &str, range: Option<TimeRange>) -> Result<String, QueryError> {
    if !sql.contains("$__") {
        return Ok(sql.to_owned());
    }
    let Some(range) = range else {
        let used = MACROS.iter().find(|m| sql.contains(*m)).unwrap_or(&"$__");
        return Err(QueryError::Invalid(format!(
            "the query uses {used} but the request has no time range (`from_ms`/`to_ms`)"
        )));
    };
    let interval = format!("INTERVAL '{} seconds'", bucket_seconds(range.nanos(), 60));
    let expanded = sql
        .replace("$__timeFilter", &range.sql_filter())
        .replace("$__interval", &interval)
        .replace("$__from", &time_literal(range.from))
        .replace("$__to", &time_literal(range.to));
    if let Some(at) = expanded.find("$__") {
        let name: String = expanded[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        return Err(QueryError::Invalid(format!(
            "unknown macro {name}; known: {}",
            MACROS.join(", ")
        )));
    }
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_or_nanoseconds() {
        let ms: RangeInput = serde_json::from_str(r#"{"from_ms": 1000, "to_ms": 2000}"#).unwrap();
        assert_eq!(
            ms.required().unwrap(),
            TimeRange {
                from: 1_000_000_000,
                to: 2_000_000_000
            }
        );
        let both: RangeInput =
            serde_json::from_str(r#"{"from": 1, "from_ms": 1, "to": 5}"#).unwrap();
        assert!(
            both.required()
                .unwrap_err()
                .to_string()
                .contains("not both")
        );
        // From a time to now.
        let open: RangeInput = serde_json::from_str(r#"{"from_ms": 1000}"#).unwrap();
        let range = open.required().unwrap();
        assert_eq!(range.from, 1_000_000_000);
        assert!(range.to > 1_700_000_000_000_000_000);
        let no_start: RangeInput = serde_json::from_str(r#"{"to": 5}"#).unwrap();
        assert!(
            no_start
                .required()
                .unwrap_err()
                .to_string()
                .contains("`from`")
        );
        assert!(RangeInput::default().optional().unwrap().is_none());
        assert!(RangeInput::nanos(5, 5).required().is_err());
    }

    #[test]
    fn macros_expand() {
        let range = TimeRange {
            from: 0,
            to: 3600 * 1_000_000_000,
        };
        let sql = expand_macros(
            "SELECT date_bin($__interval, timestamp) FROM logs WHERE $__timeFilter",
            Some(range),
        )
        .unwrap();
        assert_eq!(
            sql,
            "SELECT date_bin(INTERVAL '60 seconds', timestamp) FROM logs WHERE \"timestamp\" >= TIMESTAMP '1970-01-01T00:00:00.000000000Z' AND \"timestamp\" < TIMESTAMP '1970-01-01T01:00:00.000000000Z'"
        );
        let missing = expand_macros("SELECT 1 WHERE $__timeFilter", None).unwrap_err();
        assert!(missing.to_string().contains("$__timeFilter"));
        let unknown = expand_macros("SELECT $__nope", Some(range)).unwrap_err();
        assert!(unknown.to_string().contains("$__nope"), "{unknown}");
        assert_eq!(expand_macros("SELECT 1", None).unwrap(), "SELECT 1");
    }

    #[test]
    fn bucket_widths_are_round() {
        assert_eq!(bucket_seconds(3600 * 1_000_000_000, 60), 60);
        assert_eq!(bucket_seconds(7 * 86400 * 1_000_000_000, 60), 10800);
        assert_eq!(bucket_seconds(1_000_000_000, 60), 1);
    }
}
