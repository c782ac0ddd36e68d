//! AWS CloudTrail events in every form they reach a user: the log files a
//! trail delivers to S3 (`{"Records":[...]}`, gzip is undone by the caller),
//! JSON arrays of records (what `aws cloudtrail lookup-events` users and
//! tools such as Stratus Red Team save), single events and JSON lines of
//! them, and EventBridge events ("AWS API Call via CloudTrail" and
//! friends, the record in `detail`), one per line or concatenated as
//! Firehose delivers them. Digest files carry signatures, not events: they
//! are recognised and skipped.
//!
//! Each event keeps its JSON text as delivered next to the parsed value,
//! both borrowed from the payload: detections match on the value, and the
//! text is what the `audit` dataset stores, so a rule run over history sees
//! the event AWS wrote.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::decoded::{Reject, count_reject};
use crate::doc::Key;
use crate::{Doc, DocScratch};

/// One CloudTrail event, borrowed from the payload it was read from.
#[derive(Debug, Clone)]
pub struct CloudTrailEvent<'a> {
    /// `eventTime`, ns since the epoch.
    pub time: i64,
    pub event: Doc<'a>,
    /// The event's JSON text as delivered.
    pub raw: Cow<'a, str>,
}

impl CloudTrailEvent<'_> {
    /// The same event, owning its text.
    pub fn into_owned(self) -> CloudTrailEvent<'static> {
        CloudTrailEvent {
            time: self.time,
            event: self.event.into_owned(),
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }

    /// A top-level string field of the event.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.event.get(field).and_then(Doc::as_str)
    }
}

/// What a CloudTrail payload held.
#[derive(Debug, Default)]
pub struct CloudTrailLog<'a> {
    pub events: Vec<CloudTrailEvent<'a>>,
    pub rejected: usize,
    pub reject_samples: Vec<Reject>,
    /// The payload was a digest file (signatures of log files, no events).
    pub digest: bool,
}

impl<'a> CloudTrailLog<'a> {
    fn reject(&mut self, record: usize, reason: impl Into<String>) {
        count_reject(&mut self.rejected, &mut self.reject_samples, record, reason);
    }

    /// Takes one top-level JSON value, read once: a `Records` file, an
    /// array of records, an EventBridge event, a digest or one record
    /// (`text` is the value's own text). `record` numbers the records for
    /// rejects (1-based, running over the payload).
    fn take(
        &mut self,
        top: Top<'a>,
        text: &'a [u8],
        record: &mut usize,
        scratch: &mut DocScratch<'a>,
    ) {
        match top {
            Top::Array(items) => {
                for item in items {
                    *record += 1;
                    self.event(item.get(), *record, scratch);
                }
            }
            Top::Object {
                records: Some(Records::List(items)),
                ..
            } => {
                for item in items {
                    *record += 1;
                    self.event(item.get(), *record, scratch);
                }
            }
            Top::Object {
                records: Some(Records::NotList),
                ..
            } => {
                *record += 1;
                self.reject(*record, "Records is not an array");
            }
            Top::Object {
                detail: Some(detail),
                detail_type: true,
                ..
            } => {
                *record += 1;
                self.event(detail.get(), *record, scratch);
            }
            Top::Object { digest: true, .. } => self.digest = true,
            Top::Object { .. } => {
                *record += 1;
                match std::str::from_utf8(text) {
                    Ok(text) => self.event(text, *record, scratch),
                    Err(e) => self.reject(*record, format!("invalid UTF-8: {e}")),
                }
            }
            Top::Other => {
                *record += 1;
                self.reject(*record, "not a JSON object");
            }
        }
    }

    fn event(&mut self, raw: &'a str, record: usize, scratch: &mut DocScratch<'a>) {
        match parse_event(raw, scratch) {
            Ok(e) => self.events.push(e),
            Err(reason) => self.reject(record, reason),
        }
    }
}

/// A top-level value, with what tells the forms apart: records are kept
/// as their text, everything else is skipped over.
enum Top<'a> {
    Array(Vec<&'a RawValue>),
    Object {
        records: Option<Records<'a>>,
        detail: Option<&'a RawValue>,
        detail_type: bool,
        digest: bool,
    },
    Other,
}

/// The value of `Records`.
enum Records<'a> {
    List(Vec<&'a RawValue>),
    NotList,
}

impl<'de> serde::Deserialize<'de> for Top<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Top<'de>, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> serde::de::Visitor<'de> for TopVisitor {
    type Value = Top<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Top<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Top::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let (mut records, mut detail, mut detail_type, mut digest) = (None, None, false, false);
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "Records" => records = Some(map.next_value()?),
                "detail" => detail = Some(map.next_value()?),
                "detail-type" => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    detail_type = true;
                }
                "digestStartTime" => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    digest = true;
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Top::Object {
            records,
            detail,
            detail_type,
            digest,
        })
    }

    fn visit_bool<E>(self, _: bool) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
    fn visit_unit<E>(self) -> Result<Top<'de>, E> {
        Ok(Top::Other)
    }
}

impl<'de> serde::Deserialize<'de> for Records<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Records<'de>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Records<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the records")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Records<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Records::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Records<'de>, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Records::NotList)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
            fn visit_str<E>(self, _: &str) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
            fn visit_unit<E>(self) -> Result<Records<'de>, E> {
                Ok(Records::NotList)
            }
        }
        d.deserialize_any(V)
    }
}

/// One record: a JSON object with `eventTime`, `eventName` and
/// `eventSource`.
fn parse_event<'a>(
    raw: &'a str,
    scratch: &mut DocScratch<'a>,
) -> Result<CloudTrailEvent<'a>, String> {
    let event = Doc::parse_in(raw, scratch).map_err(|e| format!("invalid JSON: {e}"))?;
    if event.as_object().is_none() {
        return Err("a record is not a JSON object".to_owned());
    }
    let text = |name: &str| event.get(name).and_then(Doc::as_str);
    let Some(time) = text("eventTime") else {
        return Err("no eventTime: not a CloudTrail event".to_owned());
    };
    let Some(time) = model::parse_rfc3339_nanos(time) else {
        return Err(format!("eventTime {time:?} is not an RFC 3339 time"));
    };
    if text("eventName").is_none_or(str::is_empty) {
        return Err("no eventName".to_owned());
    }
    if text("eventSource").is_none_or(str::is_empty) {
        return Err("no eventSource".to_owned());
    }
    Ok(CloudTrailEvent {
        time,
        event,
        raw: Cow::Borrowed(raw),
    })
}

/// Decodes a CloudTrail payload (already gunzipped) in any of the forms
/// above. A bad record is rejected with its number and reason; the rest
/// are kept. JSON lines are read line by line, so one broken line costs
/// only itself; other text is read value by value, up to the first
/// syntax error (the rest is rejected as one record, with the position).
pub fn decode_cloudtrail(bytes: &[u8]) -> CloudTrailLog<'_> {
    let mut log = CloudTrailLog::default();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut record = 0;
    let mut scratch = DocScratch::default();
    if is_json_lines(bytes) {
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<Top>(line) {
                Ok(top) => log.take(top, line, &mut record, &mut scratch),
                Err(e) => {
                    record += 1;
                    log.reject(record, format!("line {}: invalid JSON: {e}", i + 1));
                }
            }
        }
        return log;
    }
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<Top>();
    loop {
        let at = values.byte_offset();
        match values.next() {
            None => break,
            Some(Ok(top)) => {
                let text = bytes[at..values.byte_offset()].trim_ascii_start();
                log.take(top, text, &mut record, &mut scratch);
            }
            Some(Err(e)) => {
                record += 1;
                log.reject(record, format!("invalid JSON at byte {at}: {e}"));
                break;
            }
        }
    }
    log
}

/// More than one line, and the first non-empty line a whole JSON value.
fn is_json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    lines.next().is_some()
        && first.starts_with(b"{")
        && serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2026-12-01T09:00:00Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.142","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"b"},"responseElements":null,"eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

    fn names<'l>(log: &'l CloudTrailLog<'_>) -> Vec<&'l str> {
        log.events
            .iter()
            .map(|e| e.str("eventName").unwrap())
            .collect()
    }

    #[test]
    fn a_trail_file_and_an_array_and_lines_and_eventbridge() {
        let file = format!(r#"{{"Records":[{EVENT},{EVENT}]}}"#);
        let log = decode_cloudtrail(file.as_bytes());
        assert_eq!((names(&log), log.rejected), (vec!["CreateBucket"; 2], 0));
        assert_eq!(log.events[0].raw, EVENT);
        assert_eq!(log.events[0].time, 1_796_115_600_000_000_000);

        let array = format!("[{EVENT},\n {EVENT}]");
        assert_eq!(decode_cloudtrail(array.as_bytes()).events.len(), 2);

        let bridge = format!(
            r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2026-12-01T09:00:01Z","region":"us-east-1","resources":[],"detail":{EVENT}}}"#
        );
        let lines = format!("{bridge}\n{EVENT}\n\n{bridge}\n");
        let log = decode_cloudtrail(lines.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (3, 0));
        assert_eq!(log.events[0].raw, EVENT);

        // Firehose concatenates without newlines.
        let concatenated = format!("{bridge}{bridge}{EVENT}");
        assert_eq!(decode_cloudtrail(concatenated.as_bytes()).events.len(), 3);
    }

    #[test]
    fn a_digest_is_skipped_and_bad_records_are_rejected_with_reasons() {
        let digest = r#"{"awsAccountId":"111122223333","digestStartTime":"2026-12-01T08:00:00Z","digestEndTime":"2026-12-01T09:00:00Z","logFiles":[]}"#;
        let log = decode_cloudtrail(digest.as_bytes());
        assert!(log.digest);
        assert_eq!((log.events.len(), log.rejected), (0, 0));

        let no_time = EVENT.replace("\"eventTime\":\"2026-12-01T09:00:00Z\",", "");
        let bad_time = EVENT.replace("2026-12-01T09:00:00Z", "yesterday");
        let lines = format!("{EVENT}\n{no_time}\n{{broken\n{bad_time}\n[1]\n");
        let log = decode_cloudtrail(lines.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (1, 4));
        let reasons: Vec<_> = log
            .reject_samples
            .iter()
            .map(|r| format!("{}: {}", r.record, r.reason))
            .collect();
        assert!(reasons[0].starts_with("2: no eventTime"), "{reasons:?}");
        assert!(reasons[1].contains("line 3: invalid JSON"), "{reasons:?}");
        assert!(reasons[2].contains("\"yesterday\""), "{reasons:?}");
        assert!(reasons[3].contains("not a JSON object"), "{reasons:?}");

        // A file whose Records is not a list is one reject, and the values
        // after it are still read; a single event keeps its own text.
        let odd = format!("{{\"Records\":{{\"a\":[1]}}}}  \t{EVENT}  {{\"Records\":7}}");
        let log = decode_cloudtrail(odd.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (1, 2));
        assert_eq!(log.events[0].raw, EVENT);
        assert_eq!(log.reject_samples[0].reason, "Records is not an array");

        let truncated = &format!(r#"{{"Records":[{EVENT},{EVENT}]}}"#)[..300];
        let log = decode_cloudtrail(truncated.as_bytes());
        assert_eq!((log.events.len(), log.rejected), (0, 1));
        assert!(log.reject_samples[0].reason.contains("invalid JSON"));
    }
}
