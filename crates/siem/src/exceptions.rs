//! Tuning: exceptions that suppress the detections a rule should not
//! raise (a CI role that legitimately edits policies, an office range,
//! one noisy account), each with a reason and, when temporary, an end.
//!
//! Detections are always stored; an exception is applied when signals are
//! read, so adding one quiets the signals already raised, removing one
//! brings them back, and the volume of a rule can be shown with and
//! without its exceptions over the same history: noise is measured.

use query::ir::{self, Expr, column, text};

use crate::SiemError;

/// The detection fields an exception can name, besides the entity.
pub const EXCEPTION_FIELDS: [&str; 4] = ["source_ip", "account_id", "event_name", "place"];

/// Most exceptions (all are applied to every signal read).
pub const MAX_EXCEPTIONS: usize = 1_000;

/// An exception as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SignalException {
    pub id: String,
    /// The rule whose detections it suppresses, or `*` for every rule.
    pub rule_id: String,
    /// Only detections about this identity.
    #[schema(required = true)]
    #[serde(default)]
    pub entity: Option<String>,
    /// Only detections whose `field` (source_ip, account_id, event_name
    /// or place) has `value`.
    #[schema(required = true)]
    #[serde(default)]
    pub field: Option<String>,
    #[schema(required = true)]
    #[serde(default)]
    pub value: Option<String>,
    /// Detections after this instant (RFC 3339) are no longer suppressed.
    #[schema(required = true)]
    #[serde(default)]
    pub until: Option<String>,
    pub reason: String,
    #[schema(required = true)]
    #[serde(default)]
    pub by: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub created_at: String,
}

/// A new exception, as a client sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionInput {
    /// A rule's id, or `*` for every rule.
    pub rule_id: String,
    pub entity: Option<String>,
    /// source_ip, account_id, event_name or place.
    pub field: Option<String>,
    pub value: Option<String>,
    /// RFC 3339, or a day (`2027-01-31`, meaning its end in UTC).
    pub until: Option<String>,
    /// Why the detections are expected (required).
    pub reason: String,
    /// Who adds it (until sign-in exists, the caller says).
    pub by: Option<String>,
}

/// Longest value of any exception field.
const MAX_VALUE_CHARS: usize = 500;

impl ExceptionInput {
    /// The document to store, after checking every field; `known_rule`
    /// says whether a rule id is one the server runs.
    pub fn validate(
        self,
        known_rule: impl Fn(&str) -> bool,
    ) -> Result<serde_json::Value, SiemError> {
        let bad = |m: String| Err(SiemError::BadRequest(m));
        let trim = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let rule_id = self.rule_id.trim().to_owned();
        if rule_id.is_empty() {
            return bad("`rule_id` is required: a rule's id, or * for every rule".into());
        }
        if rule_id != "*" && !known_rule(&rule_id) {
            return bad(format!("no rule has the id {rule_id:?}"));
        }
        let (entity, field, value) = (trim(self.entity), trim(self.field), trim(self.value));
        if let Some(f) = &field
            && !EXCEPTION_FIELDS.contains(&f.as_str())
        {
            return bad(format!(
                "`field` {f:?} is not one of {}",
                EXCEPTION_FIELDS.join(", ")
            ));
        }
        if field.is_some() != value.is_some() {
            return bad("`field` and `value` go together: give both or neither".into());
        }
        if rule_id == "*" && entity.is_none() && field.is_none() {
            return bad(
                "an exception for every rule needs an `entity` or a `field` and `value`".into(),
            );
        }
        for (name, v) in [("entity", &entity), ("value", &value)] {
            if v.as_ref()
                .is_some_and(|v| v.chars().count() > MAX_VALUE_CHARS)
            {
                return bad(format!(
                    "`{name}` is longer than {MAX_VALUE_CHARS} characters"
                ));
            }
        }
        let until = match trim(self.until) {
            None => None,
            Some(u) => match parse_until(&u) {
                Some(nanos) => Some(model::format_rfc3339_nanos(nanos)),
                None => {
                    return bad(format!(
                        "`until` {u:?} is neither RFC 3339 nor a day (YYYY-MM-DD)"
                    ));
                }
            },
        };
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            return bad("`reason` is required: say why these detections are expected".into());
        }
        let by = trim(self.by).map(|b| b.chars().take(200).collect::<String>());
        Ok(serde_json::json!({
            "rule_id": rule_id,
            "entity": entity,
            "field": field,
            "value": value,
            "until": until,
            "reason": reason,
            "by": by,
        }))
    }
}

/// `until` as ns: an instant, or the last nanosecond of a UTC day.
fn parse_until(text: &str) -> Option<i64> {
    if text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
        let start = model::parse_rfc3339_nanos(&format!("{text}T00:00:00Z"))?;
        return Some(start + 86_400_000_000_000 - 1);
    }
    model::parse_rfc3339_nanos(text)
}

impl SignalException {
    /// A stored document, if it is a well-formed exception.
    pub fn from_doc(doc: &serde_json::Map<String, serde_json::Value>) -> Option<SignalException> {
        serde_json::from_value(serde_json::Value::Object(doc.clone())).ok()
    }

    /// Whether it still suppresses detections made at `nanos`.
    pub fn active_at(&self, nanos: i64) -> bool {
        self.until
            .as_deref()
            .and_then(model::parse_rfc3339_nanos)
            .is_none_or(|until| nanos <= until)
    }

    /// The detections (rows of `signals`) it suppresses.
    fn condition(&self) -> Expr {
        let mut parts = Vec::new();
        if self.rule_id != "*" {
            parts.push(column("rule_id").eq(text(&self.rule_id)));
        }
        if let Some(e) = &self.entity {
            parts.push(column("entity").eq(text(e)));
        }
        if let (Some(f), Some(v)) = (&self.field, &self.value)
            && EXCEPTION_FIELDS.contains(&f.as_str())
        {
            parts.push(column(f).eq(text(v)));
        }
        if let Some(until) = self.until.as_deref().and_then(model::parse_rfc3339_nanos) {
            parts.push(column(model::TIME_COLUMN).lt_eq(ir::time(until)));
        }
        ir::all(parts)
    }
}

/// True for the detections any of `exceptions` suppresses, false for the
/// others (never null: a detection without the named field is not
/// suppressed). None when there are no exceptions.
pub fn suppressed(exceptions: &[SignalException]) -> Option<Expr> {
    if exceptions.is_empty() {
        return None;
    }
    let any = ir::any(exceptions.iter().map(SignalException::condition));
    Some(ir::coalesce(vec![any, ir::boolean(false)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rule: &str) -> ExceptionInput {
        ExceptionInput {
            rule_id: rule.into(),
            reason: "CI role".into(),
            ..Default::default()
        }
    }

    fn known(id: &str) -> bool {
        id == "aws-iam-policy-modified"
    }

    #[test]
    fn a_rule_wide_exception_with_a_day_ends_at_the_days_last_instant() {
        let doc = ExceptionInput {
            until: Some("2027-01-31".into()),
            ..input("aws-iam-policy-modified")
        }
        .validate(known)
        .unwrap();
        assert_eq!(doc["until"], "2027-01-31T23:59:59.999999999Z");
        assert_eq!(doc["entity"], serde_json::Value::Null);
    }

    #[test]
    fn bad_exceptions_are_refused_naming_the_problem() {
        let err = |i: ExceptionInput| i.validate(known).unwrap_err().to_string();
        assert!(err(input("nope")).contains("no rule has the id \"nope\""));
        assert!(err(input("*")).contains("needs an `entity`"));
        assert!(
            err(ExceptionInput {
                reason: " ".into(),
                ..input("aws-iam-policy-modified")
            })
            .contains("`reason` is required")
        );
        assert!(
            err(ExceptionInput {
                field: Some("user_agent".into()),
                value: Some("x".into()),
                ..input("aws-iam-policy-modified")
            })
            .contains("not one of source_ip")
        );
        assert!(
            err(ExceptionInput {
                field: Some("source_ip".into()),
                ..input("aws-iam-policy-modified")
            })
            .contains("go together")
        );
        assert!(
            err(ExceptionInput {
                until: Some("next week".into()),
                ..input("aws-iam-policy-modified")
            })
            .contains("neither RFC 3339")
        );
    }

    #[test]
    fn the_condition_names_every_part_and_is_never_null() {
        let doc = ExceptionInput {
            entity: Some("arn:aws:iam::1:role/ci".into()),
            field: Some("source_ip".into()),
            value: Some("203.0.113.9".into()),
            until: Some("2027-01-31T00:00:00Z".into()),
            ..input("aws-iam-policy-modified")
        }
        .validate(known)
        .unwrap();
        let mut map = doc.as_object().unwrap().clone();
        map.insert("id".into(), "x1".into());
        let e = SignalException::from_doc(&map).unwrap();
        assert!(e.active_at(model::parse_rfc3339_nanos("2027-01-30T00:00:00Z").unwrap()));
        assert!(!e.active_at(model::parse_rfc3339_nanos("2027-02-01T00:00:00Z").unwrap()));
        let sql = ir::sql_text(&suppressed(&[e]).unwrap());
        for part in [
            "rule_id",
            "aws-iam-policy-modified",
            "entity",
            "arn:aws:iam::1:role/ci",
            "source_ip",
            "203.0.113.9",
            "coalesce",
        ] {
            assert!(sql.contains(part), "{part} missing from {sql}");
        }
        assert!(suppressed(&[]).is_none());
    }
}
