//! RFC 3339 timestamps and epoch numbers to nanoseconds, and back.
//!
//! Hand-written because it runs once per ingested record: a general date
//! library costs more than the whole rest of a log line's decoding.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = bytes.get(at..at + n)?;
    let mut v = 0u32;
    for &b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// Parses `2024-05-01T12:30:00.123456789Z`, `+09:00` offsets, a space instead of
/// `T`, and a bare date. Returns nanoseconds since the epoch.
pub fn parse_rfc3339_nanos(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let year = digits(b, 0, 4)? as i64;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return days.checked_mul(86_400_000_000_000);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = if b.get(16) == Some(&b':') {
        digits(b, 17, 2)?
    } else {
        return None;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + (b[i] - b'0') as i64;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)? as i64;
            let om = match b.get(i + 3) {
                Some(b':') => digits(b, i + 4, 2)? as i64,
                Some(_) => digits(b, i + 3, 2)? as i64,
                None => 0,
            };
            let rest = if b.get(i + 3) == Some(&b':') {
                i + 6
            } else if b.len() > i + 3 {
                i + 5
            } else {
                i + 3
            };
            if rest != b.len() {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let seconds =
        days * 86_400 + hour as i64 * 3600 + minute as i64 * 60 + second as i64 - offset_seconds;
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Formats nanoseconds since the epoch as `2024-05-01T12:30:00.123456789Z`.
pub fn format_rfc3339_nanos(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:09}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// An epoch number in seconds, milliseconds, microseconds or nanoseconds, told
/// apart by magnitude the way shippers (Vector, Fluent Bit) emit them.
fn epoch_number_to_nanos(v: f64) -> Option<i64> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let nanos = if v < 1e11 {
        v * 1e9
    } else if v < 1e14 {
        v * 1e6
    } else if v < 1e17 {
        v * 1e3
    } else {
        v
    };
    if nanos > i64::MAX as f64 {
        None
    } else {
        Some(nanos as i64)
    }
}

/// A JSON time value: an RFC 3339 string, an epoch number, or a numeric string.
pub fn parse_time_value(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::String(s) => parse_rfc3339_nanos(s)
            .or_else(|| s.trim().parse::<f64>().ok().and_then(epoch_number_to_nanos)),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64().filter(|i| *i >= 100_000_000_000_000_000) {
                return Some(i);
            }
            n.as_f64().and_then(epoch_number_to_nanos)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_common_forms() {
        let base = parse_rfc3339_nanos("2024-05-01T12:30:00Z").unwrap();
        assert_eq!(base, 1_714_566_600_000_000_000);
        assert_eq!(parse_rfc3339_nanos("2024-05-01T21:30:00+09:00"), Some(base));
        assert_eq!(parse_rfc3339_nanos("2024-05-01 12:30:00"), Some(base));
        assert_eq!(
            parse_rfc3339_nanos("2024-05-01T12:30:00.5Z"),
            Some(base + 500_000_000)
        );
        assert_eq!(
            parse_rfc3339_nanos("2024-05-01T12:30:00.123456789123Z"),
            Some(base + 123_456_789)
        );
        assert_eq!(
            parse_rfc3339_nanos("2024-05-01"),
            Some(base - 45_000_000_000_000)
        );
        for bad in [
            "",
            "2024",
            "2024-13-01T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:30:00Zjunk",
            "hello",
        ] {
            assert_eq!(parse_rfc3339_nanos(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_units_by_magnitude() {
        let want = 1_714_566_600_000_000_000i64;
        for v in [
            serde_json::json!(1_714_566_600),
            serde_json::json!(1_714_566_600_000i64),
            serde_json::json!(1_714_566_600_000_000i64),
            serde_json::json!(want),
            serde_json::json!("1714566600"),
        ] {
            assert_eq!(parse_time_value(&v), Some(want), "{v}");
        }
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(n in -2_000_000_000_000_000_000i64..4_000_000_000_000_000_000i64) {
            prop_assert_eq!(parse_rfc3339_nanos(&format_rfc3339_nanos(n)), Some(n));
        }
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse_rfc3339_nanos(&s);
        }
    }
}
