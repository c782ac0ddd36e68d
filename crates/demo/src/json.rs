//! A small JSON object writer straight into a byte buffer: the demo writes
//! millions of lines, and building `serde_json::Value`s first would be the
//! slowest part of it by far.

use crate::time::write_rfc3339;

/// Writes one JSON object, key by key; `end` closes it.
pub(crate) struct Obj<'b> {
    buf: &'b mut Vec<u8>,
    first: bool,
}

impl<'b> Obj<'b> {
    pub(crate) fn new(buf: &'b mut Vec<u8>) -> Obj<'b> {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    /// Keys are the demo's own constants: plain ASCII, never escaped.
    fn key(&mut self, key: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        write_str(self.buf, value);
    }

    /// A string assembled by `build` into the buffer, then escaped in place
    /// only when it needs it (messages are built from many small pieces).
    pub(crate) fn str_with(&mut self, key: &str, build: impl FnOnce(&mut Vec<u8>)) {
        self.key(key);
        self.buf.push(b'"');
        let from = self.buf.len();
        build(self.buf);
        if self.buf[from..].iter().any(|&b| needs_escape(b)) {
            let raw = self.buf.split_off(from);
            // The builder appended valid UTF-8 (it writes only `&str`s).
            escape_into(self.buf, &String::from_utf8_lossy(&raw));
        }
        self.buf.push(b'"');
    }

    pub(crate) fn int(&mut self, key: &str, value: i64) {
        self.key(key);
        write_int(self.buf, value);
    }

    /// A float with a fixed number of decimals, always with a decimal point,
    /// so the column type the decoder infers from the first row is float.
    pub(crate) fn float(&mut self, key: &str, value: f64, decimals: u32) {
        self.key(key);
        write_fixed(self.buf, value, decimals);
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.buf
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub(crate) fn time(&mut self, key: &str, nanos: i64) {
        self.key(key);
        self.buf.push(b'"');
        write_rfc3339(self.buf, nanos);
        self.buf.push(b'"');
    }

    /// A lowercase hex id of `digits` digits (32 for trace ids, 16 for spans).
    pub(crate) fn hex(&mut self, key: &str, value: u128, digits: usize) {
        self.key(key);
        self.buf.push(b'"');
        write_hex(self.buf, value, digits);
        self.buf.push(b'"');
    }

    /// An array of numbers written by `write` for each element.
    pub(crate) fn array<T: Copy>(&mut self, key: &str, items: &[T], write: fn(&mut Vec<u8>, T)) {
        self.key(key);
        self.buf.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            write(self.buf, *item);
        }
        self.buf.push(b']');
    }

    /// A nested object under `key`; the outer object continues after it ends.
    pub(crate) fn obj(&mut self, key: &str) -> Obj<'_> {
        self.key(key);
        Obj::new(self.buf)
    }

    /// A one-element array holding an object (the span's exception event).
    pub(crate) fn obj_in_array(&mut self, key: &str, fill: impl FnOnce(&mut Obj<'_>)) {
        self.key(key);
        self.buf.push(b'[');
        let mut inner = Obj::new(self.buf);
        fill(&mut inner);
        inner.end();
        self.buf.push(b']');
    }

    pub(crate) fn end(self) {
        self.buf.push(b'}');
    }
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

pub(crate) fn write_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    if s.bytes().any(needs_escape) {
        escape_into(buf, s);
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
    buf.push(b'"');
}

fn escape_into(buf: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b if b < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 15)]);
            }
            b => buf.push(b),
        }
    }
}

pub(crate) fn write_int(buf: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buf.push(b'-');
    }
    write_uint(buf, value.unsigned_abs());
}

pub(crate) fn write_uint(buf: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `value` rounded to `decimals` (at least one) places, without going
/// through the float formatter.
pub(crate) fn write_fixed(buf: &mut Vec<u8>, value: f64, decimals: u32) {
    let decimals = decimals.clamp(1, 9);
    let scale = 10u64.pow(decimals);
    let negative = value < 0.0;
    let scaled = (value.abs() * scale as f64).round();
    // Values the demo writes are far below 2^63 / 1e9; clamp to be safe.
    let scaled = scaled.min(9.0e18) as u64;
    if negative && scaled > 0 {
        buf.push(b'-');
    }
    write_uint(buf, scaled / scale);
    buf.push(b'.');
    let frac = scaled % scale;
    let mut digits = [b'0'; 9];
    let mut rest = frac;
    for slot in digits[..decimals as usize].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    buf.extend_from_slice(&digits[..decimals as usize]);
}

pub(crate) fn write_hex(buf: &mut Vec<u8>, value: u128, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        buf.push(HEX[((value >> (i * 4)) & 15) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Obj<'_>)) -> String {
        let mut buf = Vec::new();
        let mut obj = Obj::new(&mut buf);
        f(&mut obj);
        obj.end();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn writes_valid_json_matching_serde() {
        let text = written(|o| {
            o.str("s", "line\n\t\"quoted\" \\ 명함 \u{1}");
            o.str_with("m", |b| b.extend_from_slice("a \"b\"\nc".as_bytes()));
            o.str_with("plain", |b| b.extend_from_slice(b"GET /v1/jobs 200"));
            o.int("i", -42);
            o.int("min", i64::MIN);
            o.float("f", 42.06, 1);
            o.float("g", -0.0004, 3);
            o.float("h", 0.42, 4);
            o.bool("b", true);
            o.hex("id", 0xabc, 16);
            o.array("a", &[1u64, 2, 3], write_uint);
            let mut inner = o.obj("nested");
            inner.int("x", 1);
            inner.end();
            o.obj_in_array("events", |e| e.str("name", "exception"));
        });
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["s"], "line\n\t\"quoted\" \\ 명함 \u{1}");
        assert_eq!(v["m"], "a \"b\"\nc");
        assert_eq!(v["plain"], "GET /v1/jobs 200");
        assert_eq!(v["i"], -42);
        assert_eq!(v["min"], i64::MIN);
        assert!(text.contains("\"f\":42.1,"), "{text}");
        assert!(text.contains("\"g\":0.000,"), "{text}");
        assert!(text.contains("\"h\":0.4200,"), "{text}");
        assert_eq!(v["id"], "0000000000000abc");
        assert_eq!(v["a"], serde_json::json!([1, 2, 3]));
        assert_eq!(v["nested"]["x"], 1);
        assert_eq!(v["events"][0]["name"], "exception");
    }
}
