//! Okta System Log events (the `LogEvent` objects of the System Log API):
//! a page of the API (a JSON array), JSON lines as exports and log
//! streaming write them, single events, and EventBridge events carrying
//! one in `detail` (Okta's log streaming to AWS). Top-level keys are
//! matched without regard to case and written back in Okta's own
//! spelling (`eventType`, `displayMessage`, ...), so events re-keyed in
//! lower case by other tools read the same; `published` may be RFC 3339 or
//! `YYYY-MM-DD HH:MM:SS.fff` (UTC).

use std::borrow::Cow;

use serde_json::Value;

use crate::Doc;
use crate::decoded::{Reject, count_reject};

/// One Okta event.
#[derive(Debug, Clone)]
pub struct OktaEvent {
    /// `published`, ns since the epoch.
    pub time: i64,
    /// The event, top-level keys in Okta's spelling.
    pub event: Doc<'static>,
    /// Its JSON text as delivered.
    pub raw: String,
}

impl OktaEvent {
    pub fn str(&self, pointer: &str) -> Option<&str> {
        self.event.pointer(pointer).and_then(Doc::as_str)
    }
}

/// What an Okta payload held.
#[derive(Debug, Default)]
pub struct OktaLog {
    pub events: Vec<OktaEvent>,
    pub rejected: usize,
    pub reject_samples: Vec<Reject>,
}

/// The LogEvent's top-level fields, as Okta spells them.
const FIELDS: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "version",
    "severity",
    "legacyEventType",
    "displayMessage",
    "actor",
    "client",
    "device",
    "outcome",
    "target",
    "transaction",
    "debugContext",
    "authenticationContext",
    "securityContext",
    "request",
];

fn canonical(key: &str) -> Option<&'static str> {
    FIELDS.iter().copied().find(|f| f.eq_ignore_ascii_case(key))
}

/// `published` in RFC 3339, or with a space and no zone (UTC).
fn published(text: &str) -> Option<i64> {
    model::parse_rfc3339_nanos(text).or_else(|| {
        let t = text.trim().replacen(' ', "T", 1);
        model::parse_rfc3339_nanos(&format!("{t}Z"))
    })
}

fn event(value: &Value, raw: &str) -> Result<OktaEvent, String> {
    let Some(object) = value.as_object() else {
        return Err("an event is not a JSON object".to_owned());
    };
    let mut fields: Vec<(Cow<'static, str>, Doc<'static>)> = Vec::with_capacity(object.len());
    for (k, v) in object {
        let key = canonical(k).map_or_else(|| Cow::Owned(k.clone()), Cow::Borrowed);
        // Keys differing only in case name one field: the last one read.
        fields.retain(|(have, _)| *have != key);
        fields.push((key, Doc::from(v)));
    }
    let event = Doc::Object(fields);
    let Some(time) = event.get("published").and_then(Doc::as_str) else {
        return Err("no published time: not an Okta System Log event".to_owned());
    };
    let Some(time) = published(time) else {
        return Err(format!("published {time:?} is not a time"));
    };
    if event
        .get("eventType")
        .and_then(Doc::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("no eventType".to_owned());
    }
    Ok(OktaEvent {
        time,
        event,
        raw: raw.to_owned(),
    })
}

impl OktaLog {
    fn reject(&mut self, record: usize, reason: impl Into<String>) {
        count_reject(&mut self.rejected, &mut self.reject_samples, record, reason);
    }

    fn take(&mut self, value: Value, raw: &str, record: &mut usize) {
        match value {
            Value::Array(items) => {
                for item in items {
                    *record += 1;
                    let text = item.to_string();
                    match event(&item, &text) {
                        Ok(e) => self.events.push(e),
                        Err(reason) => self.reject(*record, reason),
                    }
                }
            }
            Value::Object(ref o) if o.contains_key("detail-type") && o.contains_key("detail") => {
                *record += 1;
                let detail = &o["detail"];
                match event(detail, &detail.to_string()) {
                    Ok(e) => self.events.push(e),
                    Err(reason) => self.reject(*record, reason),
                }
            }
            other => {
                *record += 1;
                match event(&other, raw) {
                    Ok(e) => self.events.push(e),
                    Err(reason) => self.reject(*record, reason),
                }
            }
        }
    }
}

/// Decodes an Okta payload (already gunzipped); a bad event is rejected
/// with its number and reason, the rest kept.
pub fn decode_okta(bytes: &[u8]) -> OktaLog {
    let mut log = OktaLog::default();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start();
    let mut record = 0;
    // One document (an API page or a pretty-printed event), else lines.
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        log.take(value, trimmed.trim_end(), &mut record);
        return log;
    }
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(value) => log.take(value, line, &mut record),
            Err(e) => {
                record += 1;
                log.reject(record, format!("line {}: invalid JSON: {e}", i + 1));
            }
        }
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = r#"{"uuid":"u1","published":"2026-12-01T09:00:00.000Z","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"User login to Okta","actor":{"id":"00u1","type":"User","alternateId":"alice@corp.example","displayName":"Alice"},"client":{"ipAddress":"81.2.69.142","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"outcome":{"result":"SUCCESS"},"target":null}"#;

    #[test]
    fn a_page_lines_and_eventbridge_read_alike() {
        let page = format!("[{LOGIN},{LOGIN}]");
        let log = decode_okta(page.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (2, 0));
        assert_eq!(log.events[0].time, 1_796_115_600_000_000_000);
        assert_eq!(
            log.events[0].str("/actor/alternateId"),
            Some("alice@corp.example")
        );
        let bridge = format!(
            r#"{{"version":"0","id":"x","detail-type":"SystemLog","source":"aws.partner/okta.com/corp/stream","detail":{LOGIN}}}"#
        );
        let lines = format!("{LOGIN}\n{bridge}\n{{oops\n");
        let log = decode_okta(lines.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (2, 1));
        assert!(
            log.reject_samples[0]
                .reason
                .starts_with("line 3: invalid JSON")
        );
    }

    #[test]
    fn lower_cased_keys_and_a_space_separated_time_are_read() {
        let lower = r#"{"uuid":"u2","published":"2022-12-13 00:58:19.811","eventtype":"app.generic.unauth_app_access_attempt","displaymessage":"User attempted unauthorized access to app","actor":{"alternateId":"homer@duff.example","type":"User"},"outcome":{"result":"FAILURE"}}"#;
        let log = decode_okta(lower.as_bytes());
        assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
        let e = &log.events[0];
        assert_eq!(
            e.str("/eventType"),
            Some("app.generic.unauth_app_access_attempt")
        );
        assert_eq!(
            e.str("/displayMessage"),
            Some("User attempted unauthorized access to app")
        );
        assert_eq!(e.time, 1_670_893_099_811_000_000);
        let no_type = decode_okta(br#"{"published":"2026-12-01T09:00:00Z"}"#);
        assert_eq!(no_type.rejected, 1);
    }
}
