//! Events as the Sigma engine reads them: a [`Doc`] (JSON borrowed from the
//! text as delivered) behind `rsigma_eval`'s `Event` trait, with the field
//! semantics of its `JsonEvent`: a flat key named like the whole path wins,
//! then dots walk objects, and a key applied to an array applies to every
//! member (any of them may match). Paths with `[index]` or escapes, which
//! CloudTrail, Okta and WAF rules do not use, are answered by `JsonEvent`
//! itself on a copy, so every path reads the same either way (a test
//! compares both on real events and generated ones).

use std::borrow::Cow;

use formats::Doc;
use rsigma_eval::event::{Event, EventValue, JsonEvent};
use serde_json::Value;

/// Traversal depth cap, as `JsonEvent`'s.
const MAX_DEPTH: usize = 64;

/// One event for the Sigma engine. Most of the engine's probes are for
/// top-level keys or start with one, and most miss: the top-level keys
/// are summed up once (a 64-bit filter of their lengths and end bytes,
/// and whether any holds a dot) so a miss rarely scans them.
#[derive(Debug, Clone, Copy)]
pub struct DocEvent<'d, 'a> {
    doc: &'d Doc<'a>,
    members: Option<&'d [(Cow<'a, str>, Doc<'a>)]>,
    filter: u64,
    dotted_keys: bool,
}

/// The filter bit of a key.
fn key_bit(key: &str) -> u64 {
    let b = key.as_bytes();
    let (first, last) = (
        b.first().copied().unwrap_or(0),
        b.last().copied().unwrap_or(0),
    );
    let h = (b.len() as u64)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add(u64::from(first).wrapping_mul(31))
        .wrapping_add(u64::from(last));
    1 << (h % 64)
}

impl<'d, 'a> DocEvent<'d, 'a> {
    pub fn new(doc: &'d Doc<'a>) -> DocEvent<'d, 'a> {
        let members = doc.as_object();
        let (mut filter, mut dotted_keys) = (0, false);
        for (k, _) in members.unwrap_or_default() {
            filter |= key_bit(k);
            dotted_keys |= k.contains('.');
        }
        DocEvent {
            doc,
            members,
            filter,
            dotted_keys,
        }
    }

    /// A top-level member (the last one if written twice).
    fn top(&self, key: &str) -> Option<&'d Doc<'a>> {
        if self.filter & key_bit(key) == 0 {
            return None;
        }
        self.members?
            .iter()
            .rev()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
    }

    /// Paths with index or escape syntax, and non-object events: the
    /// engine's own reader, on a copy.
    fn by_json_event(&self, path: &str) -> Option<EventValue<'static>> {
        let value = self.doc.to_value();
        JsonEvent::borrow(&value).get_field(path).map(owned)
    }
}

fn event_value<'d>(doc: &'d Doc<'_>) -> EventValue<'d> {
    match doc {
        Doc::Null => EventValue::Null,
        Doc::Bool(b) => EventValue::Bool(*b),
        Doc::Number(n) => match n.as_i64() {
            Some(i) => EventValue::Int(i),
            None => EventValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Doc::Str(s) => EventValue::Str(Cow::Borrowed(s.as_ref())),
        Doc::Array(items) => EventValue::Array(items.iter().map(event_value).collect()),
        Doc::Object(members) => EventValue::Map(
            members
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_ref()), event_value(v)))
                .collect(),
        ),
    }
}

fn owned(v: EventValue<'_>) -> EventValue<'static> {
    match v {
        EventValue::Str(s) => EventValue::Str(Cow::Owned(s.into_owned())),
        EventValue::Int(i) => EventValue::Int(i),
        EventValue::Float(f) => EventValue::Float(f),
        EventValue::Bool(b) => EventValue::Bool(b),
        EventValue::Null => EventValue::Null,
        EventValue::Array(items) => EventValue::Array(items.into_iter().map(owned).collect()),
        EventValue::Map(members) => EventValue::Map(
            members
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), owned(v)))
                .collect(),
        ),
    }
}

/// Follows dotted `segments` from `at`, every terminal value into `out`;
/// a segment met by an array applies to each of its members.
fn collect<'d>(at: &'d Doc<'_>, segments: &[&str], out: &mut Vec<EventValue<'d>>, depth: usize) {
    if depth == 0 {
        return;
    }
    let Some((key, rest)) = segments.split_first() else {
        out.push(event_value(at));
        return;
    };
    match at {
        Doc::Object(_) => {
            if let Some(next) = at.get(key) {
                collect(next, rest, out, depth - 1);
            }
        }
        Doc::Array(items) => {
            for item in items {
                collect(item, segments, out, depth - 1);
            }
        }
        _ => {}
    }
}

fn visit_strings<'d>(
    doc: &'d Doc<'_>,
    visit: &mut dyn FnMut(&'d str) -> bool,
    depth: usize,
) -> bool {
    if depth == 0 {
        return false;
    }
    match doc {
        Doc::Str(s) => visit(s),
        Doc::Array(items) => items.iter().any(|v| visit_strings(v, visit, depth - 1)),
        Doc::Object(members) => members
            .iter()
            .any(|(_, v)| visit_strings(v, visit, depth - 1)),
        _ => false,
    }
}

impl Event for DocEvent<'_, '_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        if self.members.is_none() {
            return self.by_json_event(path);
        }
        let dotted = path.contains('.');
        // A top-level key named like the whole path wins.
        if (!dotted || self.dotted_keys)
            && let Some(v) = self.top(path)
        {
            return Some(event_value(v));
        }
        if path.contains('[') || path.contains('\\') {
            return self.by_json_event(path);
        }
        if !dotted {
            return None;
        }
        let mut segments: [&str; 16] = [""; 16];
        let mut n = 0;
        for s in path.split('.') {
            if n == segments.len() {
                return self.by_json_event(path);
            }
            segments[n] = s;
            n += 1;
        }
        let mut out = Vec::new();
        if segments[0].is_empty() {
            collect(self.doc, &segments[..n], &mut out, MAX_DEPTH);
        } else {
            // Most probes miss at the root: no walk then.
            collect(self.top(segments[0])?, &segments[1..n], &mut out, MAX_DEPTH);
        }
        match out.len() {
            0 => None,
            1 => out.pop(),
            _ => Some(EventValue::Array(out)),
        }
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        visit_strings(self.doc, &mut |s| pred(s), MAX_DEPTH)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        let mut out = Vec::new();
        visit_strings(
            self.doc,
            &mut |s| {
                out.push(Cow::Borrowed(s));
                false
            },
            MAX_DEPTH,
        );
        out
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        visit_strings(
            self.doc,
            &mut |s| {
                visit(s);
                false
            },
            MAX_DEPTH,
        );
    }

    fn to_json(&self) -> Value {
        self.doc.to_value()
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        self.members.map(|members| {
            members
                .iter()
                .map(|(k, _)| Cow::Borrowed(k.as_ref()))
                .collect()
        })
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        match self.members {
            Some(members) => {
                for (k, _) in members {
                    visit(k);
                }
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str, paths: &[&str]) {
        let doc = Doc::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        let ours = DocEvent::new(&doc);
        let theirs = JsonEvent::borrow(&value);
        for p in paths {
            assert_eq!(ours.get_field(p), theirs.get_field(p), "{p} in {text}");
        }
        let mut a: Vec<String> = ours
            .all_string_values()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut b: Vec<String> = theirs
            .all_string_values()
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(ours.to_json(), theirs.to_json());
    }

    #[test]
    fn fields_read_as_json_event_reads_them() {
        same(
            r#"{"a":{"b":[{"c":1},{"c":"x"},{"d":2},[{"c":true}]],"e":null},"a.b":"flat","n":18446744073709551615,"f":-1.25,"k[0]":1,"k":[5,6],"x\\y":1}"#,
            &[
                "a",
                "a.b",
                "a.b.c",
                "a.b.d",
                "a.e",
                "a.e.f",
                "n",
                "f",
                "k[0]",
                "k[1]",
                "k[-1]",
                "a.b[0].c",
                "x\\y",
                ".a",
                "a.",
                "",
                "missing",
                "missing.x",
                "a.b.c.d",
                "a\\[b\\]",
            ],
        );
        same(r#"[{"a":1},{"a":2}]"#, &["a", "[0].a", "a.b"]);
        same(r#""text""#, &["a", "a.b"]);
    }
}
