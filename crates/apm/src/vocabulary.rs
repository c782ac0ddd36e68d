//! The closed vocabularies of the APM API, each in one place: an issue's
//! status and how issue lists are filtered and sorted, and which spans and
//! statuses a trace search matches. Query parameters parse into them; a
//! blank parameter is the same as none.

use std::fmt;
use std::str::FromStr;

/// Declares a closed vocabulary: an enum of unit variants, its words, and
/// the message naming them all when a word is not one of them.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => $word:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every word, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<$name, String> {
                match text {
                    $($word => Ok($name::$variant),)+
                    other => {
                        let words: Vec<&str> = $name::ALL.iter().map(|w| w.as_str()).collect();
                        let (last, rest) = words.split_last().expect("a vocabulary has words");
                        Err(format!("{} must be {} or {last}, not {other:?}", $what, rest.join(", ")))
                    }
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a user said about an issue.
    IssueStatus, "status", { Open => "open", Resolved => "resolved", Ignored => "ignored" }
);

vocabulary!(
    /// Which issues a list shows: one status, or all.
    IssueStatusFilter, "status", {
        Open => "open", Resolved => "resolved", Ignored => "ignored", All => "all"
    }
);

vocabulary!(
    /// How a list of issues is ordered (newest first by the field).
    IssueSort, "sort", { LastSeen => "last_seen", Count => "count", FirstSeen => "first_seen" }
);

vocabulary!(
    /// Which spans a trace search matches: root spans, service entry
    /// spans (server and consumer kinds, and roots), or any span.
    TraceScope, "scope", { Root => "root", Entry => "entry", All => "all" }
);

vocabulary!(
    /// Which spans by status: failed ones, any other, or all.
    SpanStatusFilter, "status", { Error => "error", Ok => "ok", Any => "any" }
);

/// Deserializes an optional query parameter of a vocabulary: absent or
/// blank is `None`, a word of the vocabulary is itself, anything else is an
/// error naming every word.
pub(crate) fn blank_or<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = String>,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(word) => word.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_print_and_name_the_others() {
        for s in IssueStatus::ALL {
            assert_eq!(s.as_str().parse::<IssueStatus>(), Ok(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(
            "closed".parse::<IssueStatus>().unwrap_err(),
            "status must be open, resolved or ignored, not \"closed\""
        );
        assert_eq!(
            "x".parse::<TraceScope>().unwrap_err(),
            "scope must be root, entry or all, not \"x\""
        );
        assert_eq!(
            "x".parse::<IssueSort>().unwrap_err(),
            "sort must be last_seen, count or first_seen, not \"x\""
        );
        assert_eq!("any".parse(), Ok(SpanStatusFilter::Any));
    }

    #[derive(serde::Deserialize)]
    struct Params {
        #[serde(default, deserialize_with = "blank_or")]
        scope: Option<TraceScope>,
    }

    #[test]
    fn blank_parameters_are_none() {
        let parse = |json: &str| serde_json::from_str::<Params>(json).map(|p| p.scope);
        assert_eq!(parse("{}").unwrap(), None);
        assert_eq!(parse(r#"{"scope": " "}"#).unwrap(), None);
        assert_eq!(parse(r#"{"scope": "all"}"#).unwrap(), Some(TraceScope::All));
        let e = parse(r#"{"scope": "every"}"#).unwrap_err().to_string();
        assert!(e.contains("scope must be root, entry or all"), "{e}");
    }
}
