//! Which rules an event can match, from one field: most CloudTrail rules
//! select on `eventName` (and Okta's on `eventType`) with plain values, so
//! a rule whose every match needs one of a few event names only has to be
//! evaluated on events of those names. Each source's rules are split into
//! one engine per key value (the rules that need it) and one for the rules
//! that do not say; an event is matched against the second and its key's.
//!
//! The analysis is conservative: a rule is keyed only when its conditions
//! provably require the field to equal one of a set of plain values
//! (Sigma's default comparison: whole value, any case). Anything else (a
//! modifier, a wildcard, `not`, keywords, array quantifiers) leaves it in
//! the unkeyed engine, so matches never change, only the work.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use rsigma_parser::{
    ConditionExpr, Detection, Quantifier, SelectorPattern, SigmaRule, SigmaValue, StringPart,
};

/// The key as the index holds it.
pub(crate) fn normalise(value: &str) -> String {
    value.to_lowercase()
}

/// [`normalise`] in `buf` when the value is short ASCII (event names are),
/// without an allocation.
pub(crate) fn normalise_in<'b>(value: &'b str, buf: &'b mut [u8; 64]) -> Cow<'b, str> {
    if value.len() <= buf.len() && value.is_ascii() {
        let out = &mut buf[..value.len()];
        out.copy_from_slice(value.as_bytes());
        out.make_ascii_lowercase();
        if let Ok(s) = std::str::from_utf8(out) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(normalise(value))
}

/// Lower-case values of `field` one of which every event the rule
/// matches has; None when the rule does not require that.
pub(crate) fn required_values(rule: &SigmaRule, field: &str) -> Option<BTreeSet<String>> {
    let named = &rule.detection.named;
    // Several conditions: any of them may match.
    union(
        rule.detection
            .conditions
            .iter()
            .map(|c| condition(c, named, field)),
    )
}

fn union(sets: impl Iterator<Item = Option<BTreeSet<String>>>) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut any = false;
    for s in sets {
        out.extend(s?);
        any = true;
    }
    any.then_some(out)
}

/// The intersection of the constrained parts (unconstrained parts narrow
/// nothing); None when no part is constrained.
fn intersection(sets: impl Iterator<Item = Option<BTreeSet<String>>>) -> Option<BTreeSet<String>> {
    let mut out: Option<BTreeSet<String>> = None;
    for s in sets.flatten() {
        out = Some(match out {
            None => s,
            Some(o) => o.intersection(&s).cloned().collect(),
        });
    }
    out
}

fn condition(
    expr: &ConditionExpr,
    named: &HashMap<String, Detection>,
    field: &str,
) -> Option<BTreeSet<String>> {
    match expr {
        ConditionExpr::Identifier(name) => detection(named.get(name)?, field),
        ConditionExpr::And(parts) => intersection(parts.iter().map(|p| condition(p, named, field))),
        ConditionExpr::Or(parts) => union(parts.iter().map(|p| condition(p, named, field))),
        ConditionExpr::Not(_) => None,
        ConditionExpr::Selector {
            quantifier,
            pattern,
        } => {
            let mut names: Vec<&String> = named
                .keys()
                .filter(|n| match pattern {
                    SelectorPattern::Them => !n.starts_with('_'),
                    SelectorPattern::Pattern(p) => crate::builtin::glob_matches(p, n),
                })
                .collect();
            names.sort();
            let sets = names.iter().map(|n| detection(&named[*n], field));
            match quantifier {
                Quantifier::All => intersection(sets),
                Quantifier::Any | Quantifier::Count(_) => union(sets),
            }
        }
    }
}

fn detection(d: &Detection, field: &str) -> Option<BTreeSet<String>> {
    match d {
        Detection::AllOf(items) => intersection(items.iter().map(|item| {
            if item.field.name.as_deref() != Some(field) || !item.field.modifiers.is_empty() {
                return None;
            }
            let mut values = BTreeSet::new();
            for v in &item.values {
                let SigmaValue::String(s) = v else {
                    return None;
                };
                // Wildcards make it a pattern, not one value.
                if !s.parts.iter().all(|p| matches!(p, StringPart::Plain(_))) {
                    return None;
                }
                let text: String = s
                    .parts
                    .iter()
                    .map(|p| match p {
                        StringPart::Plain(t) => t.as_str(),
                        StringPart::Special(_) => "",
                    })
                    .collect();
                values.insert(normalise(&text));
            }
            (!values.is_empty()).then_some(values)
        })),
        Detection::AnyOf(parts) => union(parts.iter().map(|p| detection(p, field))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_in_place_is_normalising() {
        for v in [
            "GetObject",
            "ASSUMEROLE",
            "",
            "Ünïcode",
            &"x".repeat(65),
            &"Y".repeat(64),
        ] {
            assert_eq!(normalise_in(v, &mut [0; 64]), normalise(v), "{v}");
        }
        assert!(matches!(
            normalise_in("GetObject", &mut [0; 64]),
            Cow::Borrowed(_)
        ));
    }

    fn values(yaml: &str) -> Option<Vec<String>> {
        let c = rsigma_parser::parse_sigma_yaml(yaml).unwrap();
        required_values(&c.rules[0], "eventName").map(|s| s.into_iter().collect())
    }

    const HEAD: &str = "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n";

    #[test]
    fn plain_event_names_key_a_rule_and_anything_else_does_not() {
        let keyed = values(&format!(
            "{HEAD}  selection:\n    eventSource: iam.amazonaws.com\n    eventName:\n      - PutRolePolicy\n      - AttachRolePolicy\n  filter:\n    userIdentity.type: AWSService\n  condition: selection and not filter\n"
        ));
        assert_eq!(keyed.unwrap(), ["attachrolepolicy", "putrolepolicy"]);
        // Either of two selections: the union.
        let either = values(&format!(
            "{HEAD}  sel_a:\n    eventName: CreateUser\n  sel_b:\n    eventName: DeleteUser\n  condition: 1 of sel_*\n"
        ));
        assert_eq!(either.unwrap(), ["createuser", "deleteuser"]);
        // A wildcard, a modifier, a `not` or a selection without the
        // field: the rule runs on every event.
        for unkeyed in [
            format!("{HEAD}  s:\n    eventName: Create*\n  condition: s\n"),
            format!("{HEAD}  s:\n    eventName|contains: Create\n  condition: s\n"),
            format!("{HEAD}  s:\n    eventName: CreateUser\n  condition: not s\n"),
            format!(
                "{HEAD}  s:\n    eventName: CreateUser\n  t:\n    userIdentity.type: Root\n  condition: s or t\n"
            ),
        ] {
            assert!(values(&unkeyed).is_none(), "{unkeyed}");
        }
        // Conjunction with an unkeyed part still needs the name.
        let and = values(&format!(
            "{HEAD}  s:\n    eventName: CreateUser\n  t:\n    userIdentity.type: Root\n  condition: s and t\n"
        ));
        assert_eq!(and.unwrap(), ["createuser"]);
    }
}
