//! Sigma correlation rules (Sigma 2: `event_count`, `value_count`,
//! `temporal`, `temporal_ordered`, `value_sum`, `value_avg`,
//! `value_percentile`, `value_median`) counted with our own state: per
//! rule and group (the `group-by` fields' values) the base rules' matches
//! inside the `timespan`, sliding. When the condition holds the
//! correlation fires once and its group starts over, so a burst of 100
//! failed logins with `gte: 10` is ten firings, not ninety-one.
//!
//! Events may arrive out of order (objects are imported as they are
//! listed): a match older than the group's newest by more than the
//! timespan is dropped, and the window is kept by event time. The state
//! is bounded: at most `MAX_GROUPS` groups per rule, the least recently
//! seen evicted first.

use std::collections::{BTreeMap, HashMap, VecDeque};

use formats::Doc;
use rsigma_parser::{ConditionExpr, ConditionOperator, CorrelationCondition, CorrelationType};

use crate::Severity;

/// Most groups one correlation keeps.
pub const MAX_GROUPS: usize = 100_000;

/// A correlation rule as we count it.
#[derive(Debug, Clone)]
pub struct Correlation {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    kind: Kind,
    /// Our ids of the rules it correlates, in the rule's order.
    pub rules: Vec<String>,
    /// Each rule's name as the condition refers to it (its `name` or `id`).
    names: Vec<String>,
    /// Per `group-by` field: the field to read in each rule's events
    /// (aliases resolved), else the field itself.
    group_by: Vec<(String, HashMap<String, String>)>,
    timespan_ns: i64,
    /// The base rules' own matches are signals too.
    pub generate: bool,
}

#[derive(Debug, Clone)]
enum Kind {
    EventCount(Vec<(ConditionOperator, u64)>),
    ValueCount(String, Vec<(ConditionOperator, u64)>),
    /// A numeric field's sum, average, percentile (rank) or median.
    ValueStat(String, Stat, Vec<(ConditionOperator, u64)>),
    Temporal {
        ordered: bool,
        condition: Option<ConditionExpr>,
    },
}

#[derive(Debug, Clone, Copy)]
enum Stat {
    Sum,
    Avg,
    Percentile(u64),
}

impl Correlation {
    /// Ours from the parsed rule; `rule_id` resolves a reference (an id
    /// or a name) to the id of a loaded rule. Err: why it cannot run.
    pub fn from_sigma(
        rule: &rsigma_parser::CorrelationRule,
        id: String,
        severity: Severity,
        rule_id: impl Fn(&str) -> Option<String>,
    ) -> Result<Correlation, String> {
        let mut rules = Vec::new();
        for r in &rule.rules {
            rules.push(rule_id(r).ok_or_else(|| format!("rule {r:?} is not loaded"))?);
        }
        if rules.is_empty() {
            return Err("it names no rules".into());
        }
        let threshold = |need_field: bool| -> Result<(Vec<_>, Option<String>, u64), String> {
            match &rule.condition {
                CorrelationCondition::Threshold {
                    predicates,
                    field,
                    percentile,
                } => {
                    let field = field.as_ref().and_then(|f| f.first().cloned());
                    if need_field && field.is_none() {
                        return Err(format!(
                            "a {} correlation needs a condition field",
                            rule.correlation_type.as_str()
                        ));
                    }
                    Ok((predicates.clone(), field, percentile.unwrap_or(50)))
                }
                CorrelationCondition::Extended(_) => Err(format!(
                    "a {} correlation needs a threshold condition",
                    rule.correlation_type.as_str()
                )),
            }
        };
        let kind = match rule.correlation_type {
            CorrelationType::EventCount => Kind::EventCount(threshold(false)?.0),
            CorrelationType::ValueCount => {
                let (p, f, _) = threshold(true)?;
                Kind::ValueCount(f.unwrap_or_default(), p)
            }
            CorrelationType::ValueSum => {
                let (p, f, _) = threshold(true)?;
                Kind::ValueStat(f.unwrap_or_default(), Stat::Sum, p)
            }
            CorrelationType::ValueAvg => {
                let (p, f, _) = threshold(true)?;
                Kind::ValueStat(f.unwrap_or_default(), Stat::Avg, p)
            }
            CorrelationType::ValuePercentile => {
                let (p, f, rank) = threshold(true)?;
                Kind::ValueStat(f.unwrap_or_default(), Stat::Percentile(rank.min(100)), p)
            }
            CorrelationType::ValueMedian => {
                let (p, f, _) = threshold(true)?;
                Kind::ValueStat(f.unwrap_or_default(), Stat::Percentile(50), p)
            }
            CorrelationType::Temporal | CorrelationType::TemporalOrdered => Kind::Temporal {
                ordered: rule.correlation_type == CorrelationType::TemporalOrdered,
                condition: match &rule.condition {
                    CorrelationCondition::Extended(e) => Some(e.clone()),
                    CorrelationCondition::Threshold { .. } => None,
                },
            },
        };
        let group_by = rule
            .group_by
            .iter()
            .map(|g| {
                let per_rule = rule
                    .aliases
                    .iter()
                    .find(|a| &a.alias == g)
                    .map(|a| {
                        a.mapping
                            .iter()
                            .filter_map(|(r, field)| Some((rule_id(r)?, field.clone())))
                            .collect()
                    })
                    .unwrap_or_default();
                (g.clone(), per_rule)
            })
            .collect();
        let timespan_ns = i64::try_from(rule.timespan.seconds)
            .unwrap_or(i64::MAX / 1_000_000_000)
            .saturating_mul(1_000_000_000);
        if timespan_ns <= 0 {
            return Err("its timespan is zero".into());
        }
        Ok(Correlation {
            id,
            title: rule.title.clone(),
            severity,
            kind,
            names: rule.rules.clone(),
            rules,
            group_by,
            timespan_ns,
            generate: rule.generate,
        })
    }

    /// The timespan as the rule says it, for messages.
    fn describe(&self, group: &str, seen: &str) -> String {
        let minutes = self.timespan_ns / 60_000_000_000;
        let span = if minutes >= 60 && minutes % 60 == 0 {
            format!("{} h", minutes / 60)
        } else if minutes > 0 {
            format!("{minutes} min")
        } else {
            format!("{} s", self.timespan_ns / 1_000_000_000)
        };
        if group.is_empty() {
            format!("{seen} within {span}")
        } else {
            format!("{seen} within {span} for {group}")
        }
    }
}

/// A field of an event by its Sigma name: the key itself, else a dotted
/// path (`userIdentity.arn`).
pub(crate) fn field<'d, 'a>(event: &'d Doc<'a>, name: &str) -> Option<&'d Doc<'a>> {
    if let Some(v) = event.get(name) {
        return Some(v);
    }
    let mut v = event;
    for part in name.split('.') {
        v = v.get(part)?;
    }
    Some(v)
}

fn field_text(event: &Doc<'_>, name: &str) -> Option<String> {
    match field(event, name)? {
        Doc::Null => None,
        Doc::Str(s) => Some(s.as_ref().to_owned()),
        other => Some(other.to_string()),
    }
}

fn holds(predicates: &[(ConditionOperator, u64)], value: f64) -> bool {
    !predicates.is_empty()
        && predicates.iter().all(|(op, n)| {
            let n = *n as f64;
            match op {
                ConditionOperator::Lt => value < n,
                ConditionOperator::Lte => value <= n,
                ConditionOperator::Gt => value > n,
                ConditionOperator::Gte => value >= n,
                ConditionOperator::Eq => value == n,
                ConditionOperator::Neq => value != n,
            }
        })
}

/// What one group has seen inside the window.
#[derive(Debug, Default)]
struct Group {
    /// Matches: time, which rule (index), the value (value_* kinds).
    seen: VecDeque<(i64, usize, Option<String>)>,
    newest: i64,
    touched: u64,
}

/// A correlation that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    /// The group's values, `field=value` joined.
    pub group: String,
    /// What was counted, in words.
    pub detail: String,
}

/// The correlations and their state.
#[derive(Debug, Default)]
pub struct Correlator {
    rules: Vec<Correlation>,
    groups: Vec<HashMap<String, Group>>,
    /// The base rules whose own matches are not signals (`generate: false`).
    silent: std::collections::HashSet<String>,
    clock: u64,
}

impl Correlator {
    pub fn new(rules: Vec<Correlation>) -> Correlator {
        let mut silent = std::collections::HashSet::new();
        let mut loud = std::collections::HashSet::new();
        for c in &rules {
            for r in &c.rules {
                if c.generate {
                    loud.insert(r.clone());
                } else {
                    silent.insert(r.clone());
                }
            }
        }
        silent.retain(|r| !loud.contains(r));
        Correlator {
            groups: rules.iter().map(|_| HashMap::new()).collect(),
            rules,
            silent,
            clock: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a base rule's own matches are signals.
    pub fn generates(&self, rule_id: &str) -> bool {
        !self.silent.contains(rule_id)
    }

    /// Feeds one event's base-rule matches; returns the correlations that
    /// fired on it.
    pub fn observe(&mut self, time: i64, event: &Doc<'_>, matched: &[&str]) -> Vec<Fired> {
        let mut out = Vec::new();
        if matched.is_empty() {
            return out;
        }
        self.clock += 1;
        for (ci, c) in self.rules.iter().enumerate() {
            let hits: Vec<usize> = (0..c.rules.len())
                .filter(|&i| matched.contains(&c.rules[i].as_str()))
                .collect();
            let Some(&ri) = hits.first() else {
                continue;
            };
            let rule = &c.rules[ri];
            let key: Vec<String> = c
                .group_by
                .iter()
                .map(|(g, aliases)| {
                    let name = aliases.get(rule).unwrap_or(g);
                    format!("{g}={}", field_text(event, name).unwrap_or_default())
                })
                .collect();
            let key = key.join(", ");
            let value = match &c.kind {
                Kind::ValueCount(f, _) | Kind::ValueStat(f, _, _) => {
                    match field_text(event, f) {
                        Some(v) => Some(v),
                        // An event without the counted field adds nothing.
                        None => continue,
                    }
                }
                _ => None,
            };
            let groups = &mut self.groups[ci];
            if !groups.contains_key(&key) && groups.len() >= MAX_GROUPS {
                make_room(groups, time.saturating_sub(c.timespan_ns));
            }
            let group = groups.entry(key.clone()).or_default();
            group.touched = self.clock;
            if time < group.newest.saturating_sub(c.timespan_ns) {
                continue;
            }
            // Keep the window in time order.
            // A temporal rule counts each of its rules the event matched;
            // the others count the event once.
            let temporal = matches!(c.kind, Kind::Temporal { .. });
            for &i in if temporal { &hits[..] } else { &hits[..1] } {
                let at = group.seen.partition_point(|(t, _, _)| *t <= time);
                group.seen.insert(at, (time, i, value.clone()));
            }
            group.newest = group.newest.max(time);
            let horizon = group.newest.saturating_sub(c.timespan_ns);
            while group.seen.front().is_some_and(|(t, _, _)| *t < horizon) {
                group.seen.pop_front();
            }
            if let Some(detail) = evaluate(c, group) {
                group.seen.clear();
                out.push(Fired {
                    rule_id: c.id.clone(),
                    title: c.title.clone(),
                    severity: c.severity,
                    detail: c.describe(&key, &detail),
                    group: key,
                });
            }
        }
        out
    }
}

/// Frees groups when a correlation holds `MAX_GROUPS`: first those with
/// nothing newer than `horizon`, then the least recently seen tenth.
/// Amortised: a tenth is freed at a time, not one group per event.
fn make_room(groups: &mut HashMap<String, Group>, horizon: i64) {
    groups.retain(|_, g| g.newest >= horizon);
    if groups.len() < MAX_GROUPS {
        return;
    }
    let mut touched: Vec<u64> = groups.values().map(|g| g.touched).collect();
    let tenth = touched.len() / 10;
    let (_, cut, _) = touched.select_nth_unstable(tenth);
    let cut = *cut;
    groups.retain(|_, g| g.touched > cut);
}

/// What the window holds, in words, when the condition holds.
fn evaluate(c: &Correlation, group: &Group) -> Option<String> {
    match &c.kind {
        Kind::EventCount(p) => {
            let n = group.seen.len();
            holds(p, n as f64).then(|| format!("{n} events"))
        }
        Kind::ValueCount(field, p) => {
            let distinct: std::collections::BTreeSet<&str> = group
                .seen
                .iter()
                .filter_map(|(_, _, v)| v.as_deref())
                .collect();
            let n = distinct.len();
            holds(p, n as f64).then(|| format!("{n} distinct {field}"))
        }
        Kind::ValueStat(field, stat, p) => {
            let mut values: Vec<f64> = group
                .seen
                .iter()
                .filter_map(|(_, _, v)| v.as_deref()?.parse::<f64>().ok())
                .collect();
            if values.is_empty() {
                return None;
            }
            let (name, value) = match stat {
                Stat::Sum => ("sum", values.iter().sum::<f64>()),
                Stat::Avg => ("average", values.iter().sum::<f64>() / values.len() as f64),
                Stat::Percentile(rank) => {
                    values.sort_by(f64::total_cmp);
                    let i = ((*rank as f64 / 100.0) * (values.len() - 1) as f64).round() as usize;
                    ("percentile", values[i.min(values.len() - 1)])
                }
            };
            holds(p, value).then(|| format!("{name} of {field} {value}"))
        }
        Kind::Temporal { ordered, condition } => {
            // The first time each rule matched in the window.
            let mut first: BTreeMap<usize, i64> = BTreeMap::new();
            for (t, ri, _) in &group.seen {
                first.entry(*ri).or_insert(*t);
            }
            let matched = |name: &str| -> bool {
                c.names
                    .iter()
                    .zip(&c.rules)
                    .enumerate()
                    .any(|(i, (n, id))| (n == name || id == name) && first.contains_key(&i))
            };
            let all = (0..c.rules.len()).all(|i| first.contains_key(&i));
            let fired = match condition {
                Some(expr) => eval_condition(expr, &matched),
                None => all,
            };
            let in_order = !ordered
                || (all && (1..c.rules.len()).all(|i| first.get(&(i - 1)) <= first.get(&i)));
            (fired && in_order).then(|| {
                let seen: Vec<&str> = first.keys().map(|i| c.names[*i].as_str()).collect();
                format!("{} together", seen.join(", "))
            })
        }
    }
}

fn eval_condition(expr: &ConditionExpr, matched: &impl Fn(&str) -> bool) -> bool {
    match expr {
        ConditionExpr::And(parts) => parts.iter().all(|p| eval_condition(p, matched)),
        ConditionExpr::Or(parts) => parts.iter().any(|p| eval_condition(p, matched)),
        ConditionExpr::Not(p) => !eval_condition(p, matched),
        ConditionExpr::Identifier(name) => matched(name),
        // Quantified selectors name detection items, not rules.
        ConditionExpr::Selector { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Doc` of a `json!` literal.
    macro_rules! json {
        ($($t:tt)+) => {
            Doc::from(&serde_json::json!($($t)+))
        };
    }

    fn parse(yaml: &str) -> Correlation {
        let collection = rsigma_parser::parse_sigma_yaml(yaml).unwrap();
        let rule = &collection.correlations[0];
        let names: Vec<(String, String)> = collection
            .rules
            .iter()
            .flat_map(|r| {
                let id = r.id.clone().unwrap();
                [r.id.clone(), r.name.clone()]
                    .into_iter()
                    .flatten()
                    .map(move |n| (n, id.clone()))
            })
            .collect();
        Correlation::from_sigma(rule, rule.id.clone().unwrap(), Severity::High, |r| {
            names.iter().find(|(n, _)| n == r).map(|(_, id)| id.clone())
        })
        .unwrap()
    }

    const BASE: &str = r#"
title: Failed console login
id: 00000000-0000-0000-0000-00000000000a
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
    condition: selection
---
title: Console login
id: 00000000-0000-0000-0000-00000000000b
name: login
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: ConsoleLogin}
    condition: selection
"#;

    const MIN: i64 = 60_000_000_000;

    #[test]
    fn event_count_fires_at_the_threshold_per_group_and_starts_over() {
        let c = parse(&format!(
            "{BASE}---\ntitle: Brute force\nid: c1\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {{gte: 3}}\nlevel: high\n"
        ));
        assert!(!c.generate);
        let mut k = Correlator::new(vec![c]);
        assert!(!k.generates("00000000-0000-0000-0000-00000000000a"));
        let ev = |arn: &str| json!({"userIdentity": {"arn": arn}});
        let a = "00000000-0000-0000-0000-00000000000a";
        let alice = ev("arn:aws:iam::1:user/alice");
        assert!(k.observe(0, &alice, &[a]).is_empty());
        assert!(
            k.observe(MIN, &ev("arn:aws:iam::1:user/bob"), &[a])
                .is_empty()
        );
        assert!(k.observe(2 * MIN, &alice, &[a]).is_empty());
        let fired = k.observe(3 * MIN, &alice, &[a]);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].group, "userIdentity.arn=arn:aws:iam::1:user/alice");
        assert_eq!(
            fired[0].detail,
            "3 events within 10 min for userIdentity.arn=arn:aws:iam::1:user/alice"
        );
        // Starts over: two more are not enough.
        assert!(k.observe(4 * MIN, &alice, &[a]).is_empty());
        assert!(k.observe(5 * MIN, &alice, &[a]).is_empty());
        // Outside the window: the old ones no longer count.
        assert!(k.observe(30 * MIN, &alice, &[a]).is_empty());
        // Unrelated matches are ignored.
        assert!(k.observe(31 * MIN, &alice, &["other"]).is_empty());
    }

    #[test]
    fn value_count_counts_distinct_values_and_out_of_order_events_fit() {
        let c = parse(&format!(
            "{BASE}---\ntitle: Many users from one address\nid: c2\ncorrelation:\n  type: value_count\n  rules: [login]\n  group-by: [sourceIPAddress]\n  timespan: 1h\n  condition: {{gte: 3, field: userIdentity.userName}}\nlevel: high\n"
        ));
        let mut k = Correlator::new(vec![c]);
        let b = "00000000-0000-0000-0000-00000000000b";
        let ev = |user: &str| json!({"sourceIPAddress": "203.0.113.9", "userIdentity": {"userName": user}});
        assert!(k.observe(10 * MIN, &ev("a"), &[b]).is_empty());
        assert!(k.observe(11 * MIN, &ev("a"), &[b]).is_empty());
        // Earlier than the newest, still inside the hour.
        assert!(k.observe(5 * MIN, &ev("b"), &[b]).is_empty());
        let fired = k.observe(12 * MIN, &ev("c"), &[b]);
        assert_eq!(fired.len(), 1, "{fired:?}");
        assert!(
            fired[0]
                .detail
                .starts_with("3 distinct userIdentity.userName")
        );
        // Too old for the window: dropped.
        assert!(k.observe(-100 * MIN, &ev("d"), &[b]).is_empty());
    }

    #[test]
    fn temporal_ordered_needs_every_rule_in_order() {
        let c = parse(&format!(
            "{BASE}---\ntitle: Failure then success\nid: c3\ncorrelation:\n  type: temporal_ordered\n  rules: [failed_login, login]\n  group-by: [userIdentity.arn]\n  timespan: 5m\ngenerate: true\nlevel: high\n"
        ));
        let mut k = Correlator::new(vec![c]);
        assert!(k.generates("00000000-0000-0000-0000-00000000000b"));
        let (a, b) = (
            "00000000-0000-0000-0000-00000000000a",
            "00000000-0000-0000-0000-00000000000b",
        );
        let ev = json!({"userIdentity": {"arn": "x"}});
        // One event matching both, failure and success at once, is in order.
        assert_eq!(k.observe(0, &ev, &[a, b]).len(), 1);
        // Success first, then a failure: not in order.
        let mut k2 = Correlator::new(vec![parse(&format!(
            "{BASE}---\ntitle: Failure then success\nid: c3\ncorrelation:\n  type: temporal_ordered\n  rules: [failed_login, login]\n  group-by: [userIdentity.arn]\n  timespan: 5m\nlevel: high\n"
        ))]);
        assert!(k2.observe(0, &ev, &[b]).is_empty());
        // A failure after the success: the first success precedes it.
        assert!(k2.observe(MIN, &ev, &[a]).is_empty());
        let mut k3 = Correlator::new(vec![parse(&format!(
            "{BASE}---\ntitle: Failure then success\nid: c3\ncorrelation:\n  type: temporal_ordered\n  rules: [failed_login, login]\n  group-by: [userIdentity.arn]\n  timespan: 5m\nlevel: high\n"
        ))]);
        assert!(k3.observe(0, &ev, &[a]).is_empty());
        let fired = k3.observe(MIN, &ev, &[b]);
        assert_eq!(fired.len(), 1);
        assert!(fired[0].detail.starts_with("failed_login, login together"));
        // Unordered temporal fires either way.
        let mut k4 = Correlator::new(vec![parse(&format!(
            "{BASE}---\ntitle: Both\nid: c4\ncorrelation:\n  type: temporal\n  rules: [failed_login, login]\n  group-by: [userIdentity.arn]\n  timespan: 5m\nlevel: high\n"
        ))]);
        assert!(k4.observe(0, &ev, &[b]).is_empty());
        assert_eq!(k4.observe(MIN, &ev, &[a]).len(), 1);
        // Too far apart.
        assert!(k4.observe(20 * MIN, &ev, &[b]).is_empty());
        assert!(k4.observe(30 * MIN, &ev, &[a]).is_empty());
    }

    #[test]
    fn value_sum_adds_a_numeric_field() {
        let c = parse(&format!(
            "{BASE}---\ntitle: Big downloads\nid: c5\ncorrelation:\n  type: value_sum\n  rules: [login]\n  group-by: [sourceIPAddress]\n  timespan: 1h\n  condition: {{gt: 100, field: bytes}}\nlevel: high\n"
        ));
        let mut k = Correlator::new(vec![c]);
        let b = "00000000-0000-0000-0000-00000000000b";
        let ev = |n: u64| json!({"sourceIPAddress": "x", "bytes": n});
        assert!(k.observe(0, &ev(60), &[b]).is_empty());
        assert!(
            k.observe(MIN, &json!({"sourceIPAddress": "x"}), &[b])
                .is_empty()
        );
        assert_eq!(k.observe(2 * MIN, &ev(41), &[b]).len(), 1);
    }

    #[test]
    fn a_rule_naming_an_unknown_rule_or_lacking_a_field_is_refused() {
        let collection = rsigma_parser::parse_sigma_yaml(
            "title: x\nid: c6\ncorrelation:\n  type: value_count\n  rules: [nope]\n  group-by: [a]\n  timespan: 1h\n  condition: {gte: 2}\n",
        )
        .unwrap();
        let rule = &collection.correlations[0];
        let err = Correlation::from_sigma(rule, "c6".into(), Severity::Low, |_| None).unwrap_err();
        assert!(err.contains("\"nope\" is not loaded"), "{err}");
        let err = Correlation::from_sigma(rule, "c6".into(), Severity::Low, |_| Some("r".into()))
            .unwrap_err();
        assert!(err.contains("needs a condition field"), "{err}");
    }

    #[test]
    fn the_state_stays_bounded_under_many_groups() {
        let c = parse(&format!(
            "{BASE}---\ntitle: Spray\nid: c7\ncorrelation:\n  type: event_count\n  rules: [login]\n  group-by: [sourceIPAddress]\n  timespan: 1d\n  condition: {{gte: 1000}}\nlevel: high\n"
        ));
        let mut k = Correlator::new(vec![c]);
        let b = "00000000-0000-0000-0000-00000000000b";
        for i in 0..(MAX_GROUPS + 50) {
            k.observe(i as i64, &json!({"sourceIPAddress": i.to_string()}), &[b]);
        }
        assert!(k.groups[0].len() <= MAX_GROUPS, "{}", k.groups[0].len());
        assert!(k.groups[0].len() >= MAX_GROUPS * 8 / 10);
    }
}
