//! Time arithmetic of the demo world: RFC 3339 formatting with nanoseconds,
//! and Korean local time (KST) for seasonality and scheduled events.

pub(crate) const SECOND: i64 = 1_000_000_000;
pub(crate) const MINUTE: i64 = 60 * SECOND;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;
/// Korea has no daylight saving time, so KST is always UTC+9.
pub(crate) const KST_OFFSET: i64 = 9 * HOUR;

/// The UTC instant of the KST midnight that starts the KST day of `t`.
pub(crate) fn kst_midnight(t: i64) -> i64 {
    (t + KST_OFFSET).div_euclid(DAY) * DAY - KST_OFFSET
}

/// KST hour of day as a fraction (13.5 is 13:30 KST).
pub(crate) fn kst_hour(t: i64) -> f64 {
    (t + KST_OFFSET).rem_euclid(DAY) as f64 / HOUR as f64
}

/// KST day of week, 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn kst_weekday(t: i64) -> i64 {
    ((t + KST_OFFSET).div_euclid(DAY) + 3).rem_euclid(7)
}

/// Appends `2026-11-24T05:13:02.123456789Z`: always nine fraction digits and
/// `Z`, so every timestamp the demo writes has the same length and parses as
/// strict RFC 3339.
pub(crate) fn write_rfc3339(buf: &mut Vec<u8>, nanos: i64) {
    let secs = nanos.div_euclid(SECOND);
    let frac = nanos.rem_euclid(SECOND) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let mut out = *b"0000-00-00T00:00:00.000000000Z";
    let y = y.clamp(0, 9999) as u32;
    put_digits(&mut out[0..4], y);
    put_digits(&mut out[5..7], m);
    put_digits(&mut out[8..10], d);
    put_digits(&mut out[11..13], sod / 3600);
    put_digits(&mut out[14..16], (sod / 60) % 60);
    put_digits(&mut out[17..19], sod % 60);
    put_digits(&mut out[20..29], frac);
    buf.extend_from_slice(&out);
}

/// Writes `value` as exactly `out.len()` decimal digits, zero padded.
fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`), exact for every i64 day the demo can produce.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(nanos: i64) -> String {
        let mut buf = Vec::new();
        write_rfc3339(&mut buf, nanos);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(fmt(0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(fmt(1), "1970-01-01T00:00:00.000000001Z");
        assert_eq!(fmt(-1), "1969-12-31T23:59:59.999999999Z");
        // 2000-02-29 (a leap day in a century leap year).
        assert_eq!(fmt(951_782_400 * SECOND), "2000-02-29T00:00:00.000000000Z");
        // 2026-11-24T05:13:02.123456789Z, checked with `date -u -d @1795497182`.
        assert_eq!(
            fmt(1_795_497_182 * SECOND + 123_456_789),
            "2026-11-24T05:13:02.123456789Z"
        );
        assert_eq!(
            fmt(4_102_444_799 * SECOND),
            "2099-12-31T23:59:59.000000000Z"
        );
    }

    #[test]
    fn kst_helpers() {
        // 2026-11-24T05:13:02Z is 14:13:02 KST on a Tuesday.
        let t = 1_795_497_182 * SECOND;
        assert!((kst_hour(t) - (14.0 + 13.0 / 60.0 + 2.0 / 3600.0)).abs() < 1e-9);
        assert_eq!(kst_weekday(t), 1);
        assert_eq!(fmt(kst_midnight(t)), "2026-11-23T15:00:00.000000000Z");
        // Just before KST midnight stays on the same KST day.
        let late = kst_midnight(t) + DAY - 1;
        assert_eq!(kst_midnight(late), kst_midnight(t));
    }
}
