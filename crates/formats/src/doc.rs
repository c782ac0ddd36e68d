//! A JSON document read in place: strings borrow from the text they were
//! read from (copied only when they hold escapes), objects are vectors of
//! their members in the order written. Reading an event this way costs a
//! handful of allocations where `serde_json::Value` costs one or two per
//! member (a `String` per key and per text, a `BTreeMap` per object), and
//! a CloudTrail event is read, matched and dropped millions of times.
//!
//! Lookups by key scan the members: events have tens of them, and a scan
//! of short keys beats hashing at that size. A key written twice reads as
//! its last value, as with `serde_json::Value`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

/// One JSON value borrowed from its text.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Doc<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Doc<'a>>),
    /// Members in the order written.
    Object(Vec<(Cow<'a, str>, Doc<'a>)>),
}

impl<'a> Doc<'a> {
    /// Reads one JSON value; strings without escapes borrow from `text`.
    pub fn parse(text: &'a str) -> Result<Doc<'a>, serde_json::Error> {
        Doc::parse_in(text, &mut DocScratch::default())
    }

    /// The member `key` of an object (the last one if written twice).
    pub fn get(&self, key: &str) -> Option<&Doc<'a>> {
        match self {
            Doc::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a JSON Pointer (RFC 6901), like `Value::pointer`.
    pub fn pointer(&self, pointer: &str) -> Option<&Doc<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut at = self;
        for token in rest.split('/') {
            let token: Cow<'_, str> = if token.contains('~') {
                Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(token)
            };
            at = match at {
                Doc::Object(_) => at.get(&token)?,
                Doc::Array(items) => {
                    // RFC 6901: no leading zeros, no sign.
                    if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
                        return None;
                    }
                    items.get(token.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(at)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Doc::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Doc::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Doc::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Doc::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Doc::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Doc<'a>]> {
        match self {
            Doc::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Doc<'a>)]> {
        match self {
            Doc::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Doc::Null)
    }

    /// The same value as a `serde_json::Value` (a key written twice keeps
    /// its last value).
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Number(n) => Value::Number(n.clone()),
            Doc::Str(s) => Value::String(s.as_ref().to_owned()),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
            Doc::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.as_ref().to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// The same value, owning its text.
    pub fn into_owned(self) -> Doc<'static> {
        match self {
            Doc::Null => Doc::Null,
            Doc::Bool(b) => Doc::Bool(b),
            Doc::Number(n) => Doc::Number(n),
            Doc::Str(s) => Doc::Str(Cow::Owned(s.into_owned())),
            Doc::Array(items) => Doc::Array(items.into_iter().map(Doc::into_owned).collect()),
            Doc::Object(members) => Doc::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }
}

impl From<&Value> for Doc<'static> {
    fn from(v: &Value) -> Doc<'static> {
        match v {
            Value::Null => Doc::Null,
            Value::Bool(b) => Doc::Bool(*b),
            Value::Number(n) => Doc::Number(n.clone()),
            Value::String(s) => Doc::Str(Cow::Owned(s.clone())),
            Value::Array(items) => Doc::Array(items.iter().map(Doc::from).collect()),
            Value::Object(map) => Doc::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Doc::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Compact JSON text, members in the order written.
impl fmt::Display for Doc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => s.serialize_unit(),
            Doc::Bool(b) => s.serialize_bool(*b),
            Doc::Number(n) => n.serialize(s),
            Doc::Str(text) => s.serialize_str(text),
            Doc::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Doc::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

/// Room to read members and items in before each object or array gets a
/// vector of its exact size (no growing, no copying). One per payload:
/// every event of it borrows from the same text.
#[derive(Debug, Default)]
pub struct DocScratch<'a> {
    members: Vec<(Cow<'a, str>, Doc<'a>)>,
    items: Vec<Doc<'a>>,
}

impl<'a> Doc<'a> {
    /// Reads one JSON value as [`Doc::parse`] does, reusing `scratch`.
    pub fn parse_in(
        text: &'a str,
        scratch: &mut DocScratch<'a>,
    ) -> Result<Doc<'a>, serde_json::Error> {
        scratch.members.clear();
        scratch.items.clear();
        let mut d = serde_json::Deserializer::from_str(text);
        let doc = de::DeserializeSeed::deserialize(Seed(scratch), &mut d)?;
        d.end()?;
        Ok(doc)
    }
}

impl<'de> Deserialize<'de> for Doc<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Doc<'de>, D::Error> {
        de::DeserializeSeed::deserialize(Seed(&mut DocScratch::default()), d)
    }
}

struct Seed<'s, 'de>(&'s mut DocScratch<'de>);

impl<'de> de::DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = Doc<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, 'de> {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Doc<'de>, E> {
        Ok(Doc::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Doc<'de>, E> {
        Ok(Doc::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Doc<'de>, E> {
        Ok(Doc::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Doc<'de>, E> {
        Ok(Number::from_f64(n).map_or(Doc::Null, Doc::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc<'de>, A::Error> {
        let start = self.0.items.len();
        while let Some(item) = seq.next_element_seed(Seed(&mut *self.0))? {
            self.0.items.push(item);
        }
        Ok(Doc::Array(self.0.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let start = self.0.members.len();
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value_seed(Seed(&mut *self.0))?;
            self.0.members.push((key, value));
        }
        Ok(Doc::Object(self.0.members.drain(start..).collect()))
    }
}

/// An object key, borrowed when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"type":"Role"}}},"eventName":"GetObject","n":-3,"u":18446744073709551615,"f":1.5,"ok":true,"none":null,"list":[{"a":1},{"a":"x\"y"}],"a~b/c":1,"dup":1,"dup":2,"esc":"line\nbreak \u00e9"}"#;

    #[test]
    fn reads_like_serde_json_and_borrows_plain_strings() {
        let doc = Doc::parse(EVENT).unwrap();
        let value: Value = serde_json::from_str(EVENT).unwrap();
        assert_eq!(doc.to_value(), value);
        assert!(matches!(
            doc.get("eventName"),
            Some(Doc::Str(Cow::Borrowed("GetObject")))
        ));
        assert!(matches!(doc.get("esc"), Some(Doc::Str(Cow::Owned(_)))));
        assert_eq!(doc.get("dup").and_then(Doc::as_u64), Some(2));
        assert_eq!(doc.get("u").and_then(Doc::as_u64), Some(u64::MAX));
        assert_eq!(doc.get("n").and_then(Doc::as_i64), Some(-3));
        assert_eq!(doc.get("f").and_then(Doc::as_f64), Some(1.5));
        assert_eq!(doc.get("ok").and_then(Doc::as_bool), Some(true));
        assert!(doc.get("none").unwrap().is_null());
        assert_eq!(doc.get("missing"), None);
    }

    #[test]
    fn pointers_as_serde_json_reads_them() {
        let doc = Doc::parse(EVENT).unwrap();
        let value: Value = serde_json::from_str(EVENT).unwrap();
        for p in [
            "",
            "/userIdentity/sessionContext/sessionIssuer/type",
            "/list/1/a",
            "/list/01/a",
            "/list/+1/a",
            "/list/9",
            "/a~0b~1c",
            "/eventName/x",
            "nope",
            "/dup",
        ] {
            assert_eq!(
                doc.pointer(p).map(Doc::to_value),
                value.pointer(p).cloned(),
                "{p}"
            );
        }
    }

    #[test]
    fn writes_back_the_same_json() {
        let doc = Doc::parse(EVENT).unwrap();
        let again: Value = serde_json::from_str(&doc.to_string()).unwrap();
        // The duplicate key is written twice and read back as its last.
        assert_eq!(again, doc.to_value());
        assert_eq!(Doc::from(&again).to_value(), again);
        assert_eq!(doc.clone().into_owned(), doc);
    }

    #[test]
    fn a_scratch_serves_many_reads_and_survives_a_bad_one() {
        let mut scratch = DocScratch::default();
        let one = Doc::parse_in(EVENT, &mut scratch).unwrap();
        assert!(Doc::parse_in("{\"a\":[1,{\"b\":", &mut scratch).is_err());
        let two = Doc::parse_in(EVENT, &mut scratch).unwrap();
        assert_eq!(one, two);
        assert_eq!(one, Doc::parse(EVENT).unwrap());
        let Doc::Object(members) = &one else { panic!() };
        assert_eq!(members.capacity(), members.len(), "exact size");
        assert!(
            Doc::parse_in("{} x", &mut scratch).is_err(),
            "trailing text"
        );
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(Doc::parse("{\"a\":").is_err());
        assert!(Doc::parse("[1,]").is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(Doc::parse(&deep).is_err(), "the recursion limit holds");
    }
}
