//! SQL text for identifiers, strings and LIKE patterns, and the checks that
//! decide whether a search value can be a number, boolean or timestamp literal.
//! Everything user-typed reaches SQL through here, so this is where injection
//! is ruled out.

/// A double-quoted identifier, `"` doubled inside.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A single-quoted string literal, `'` doubled inside. DataFusion's default
/// dialect gives backslashes no meaning in string literals, so none are escaped.
pub(crate) fn string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The suffix every LIKE/ILIKE gets: the backslash, which is also the only
/// escape character DataFusion supports.
pub(crate) const LIKE_ESCAPE: &str = "ESCAPE '\\'";

fn push_like_literal(out: &mut String, c: char) {
    if matches!(c, '%' | '_' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

/// `text` as a LIKE pattern that matches exactly it.
pub(crate) fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| push_like_literal(&mut out, c));
    out
}

/// A LIKE pattern from a [`crate::Matcher::Wildcard`] pattern, and whether it
/// starts and ends with `%` (so free text need not add another).
pub(crate) fn like_pattern(wildcard: &str) -> (String, bool, bool) {
    let mut out = String::with_capacity(wildcard.len());
    let mut chars = wildcard.chars();
    let mut ends_any = false;
    let starts_any = wildcard.starts_with('*');
    while let Some(c) = chars.next() {
        ends_any = c == '*';
        match c {
            '*' => out.push('%'),
            '?' => out.push('_'),
            // A trailing lone backslash (only in hand-built patterns) is literal.
            '\\' => push_like_literal(&mut out, chars.next().unwrap_or('\\')),
            other => push_like_literal(&mut out, other),
        }
    }
    (out, starts_any, ends_any)
}

/// A numeric literal for `text`, or `None` when it is not a finite number.
/// Plain decimals pass through as typed (so large integers keep every digit);
/// other spellings Rust accepts, like `+5` or `.5`, are normalised.
pub(crate) fn number(text: &str) -> Option<String> {
    let text = text.trim();
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(if is_plain_decimal(text) {
        text.to_owned()
    } else {
        format!("{value:?}")
    })
}

/// `-?digits(.digits)?([eE][+-]?digits)?`, which every SQL dialect reads alike.
fn is_plain_decimal(text: &str) -> bool {
    fn digits(s: &str) -> (&str, &str) {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s.split_at(end)
    }
    let (int, rest) = digits(text.strip_prefix('-').unwrap_or(text));
    if int.is_empty() {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(r) => match digits(r) {
            ("", _) => return false,
            (_, r) => r,
        },
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(r) => {
            matches!(digits(r.strip_prefix(['+', '-']).unwrap_or(r)), (d, "") if !d.is_empty())
        }
        None => rest.is_empty(),
    }
}

/// `true` or `false`, in any case.
pub(crate) fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `text` when DataFusion will accept it as a `TIMESTAMP '...'` literal: a
/// date, optionally with a time (`T`, `t` or space between), fractional
/// seconds and a zone (`Z` or an offset). Anything else would make the whole
/// query fail at run time instead of just not matching.
pub(crate) fn timestamp(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    // Nanosecond timestamps only span 1677-09-21 to 2262-04-11.
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(1678..=2261).contains(&year)
        || !(1..=days_in_month).contains(&day)
    {
        return None;
    }
    if b.len() == 10 {
        return Some(text);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if !(1..=9).contains(&n) {
            return None;
        }
        rest = &fraction[n..];
    }
    let zone_ok = match rest.as_bytes() {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', zone @ ..] => {
            let hhmm = match *zone {
                [h1, h2] => [h1, h2, b'0', b'0'],
                [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => [h1, h2, m1, m2],
                _ => return None,
            };
            let [h1, h2, m1, m2] = hhmm.map(|d| d.wrapping_sub(b'0'));
            hhmm.iter().all(u8::is_ascii_digit) && h1 * 10 + h2 < 24 && m1 * 10 + m2 < 60
        }
        _ => false,
    };
    zone_ok.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(string("it's"), "'it''s'");
        assert_eq!(string(r"C:\temp"), r"'C:\temp'");
    }

    #[test]
    fn like_patterns_escape_literals() {
        assert_eq!(like_literal(r"50%_off\x"), r"50\%\_off\\x");
        assert_eq!(
            like_pattern(r"a*b?c\*d\?e\\f%g_"),
            (r"a%b_c*d?e\\f\%g\_".into(), false, false)
        );
        assert_eq!(like_pattern("*x*"), ("%x%".into(), true, true));
        assert_eq!(like_pattern(r"x\*"), ("x*".into(), false, false));
        assert_eq!(like_pattern("x\\"), (r"x\\".into(), false, false));
    }

    #[test]
    fn numbers_pass_through_or_normalise() {
        for (text, want) in [
            ("500", Some("500")),
            ("-12.5", Some("-12.5")),
            ("1e3", Some("1e3")),
            ("2.5E-3", Some("2.5E-3")),
            ("98765432109876543210", Some("98765432109876543210")),
            ("+5", Some("5.0")),
            (".5", Some("0.5")),
            ("5.", Some("5.0")),
            (" 7 ", Some("7")),
            ("1e400", None),
            ("inf", None),
            ("NaN", None),
            ("0x10", None),
            ("1_000", None),
            ("12abc", None),
            ("", None),
        ] {
            assert_eq!(number(text).as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn booleans_ignore_case() {
        assert_eq!(boolean("TRUE"), Some(true));
        assert_eq!(boolean("False"), Some(false));
        assert_eq!(boolean("1"), None);
    }

    #[test]
    fn timestamps_follow_what_datafusion_parses() {
        for good in [
            "2024-01-01",
            "2024-02-29",
            "2024-01-01T00:00:00Z",
            "2024-01-01t23:59:59z",
            "2024-01-01 12:30:00",
            "2024-01-01T12:30:00.123456789+05:30",
            "2024-01-01T12:30:00-0800",
            "2024-01-01T12:30:00+01",
        ] {
            assert_eq!(timestamp(good), Some(good), "{good}");
        }
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-04-31",
            "1500-01-01",
            "2024-1-01",
            "2024-01-01T12:30",
            "2024-01-01T24:00:00",
            "2024-01-01T12:30:00.",
            "2024-01-01T12:30:00.1234567890",
            "2024-01-01T12:30:00+5",
            "2024-01-01T12:30:00 PST",
            "2024-01-01x12:30:00",
            "now-1h",
            "2024-01-0é",
            "",
        ] {
            assert_eq!(timestamp(bad), None, "{bad}");
        }
    }
}
