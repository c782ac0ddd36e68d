//! Sigma rules (SigmaHQ's format) loaded from files and matched against
//! single events. Each rule is routed by its `logsource` to one of our
//! sources (CloudTrail, Okta, WAF) and evaluated only on that source's
//! events: a `not selection` rule written for another product would
//! otherwise fire on every event. Rules for products hannun has no source
//! for load, are reported as not routed, and never run.
//!
//! Matching single events is the `rsigma-eval` crate's (one engine per
//! source, each built with one `add_collection` call); correlation rules
//! are parsed here and counted by `correlate` with our own state.

use std::collections::HashMap;
use std::sync::Arc;

use formats::Doc;
use rsigma_eval::Engine;
use rsigma_parser::{LogSource, SigmaCollection, SigmaRule};

use crate::Severity;
use crate::correlate::Correlation;
use crate::event::DocEvent;
use crate::prefilter;

/// Our sources that Sigma rules can be routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Cloudtrail,
    Okta,
    Waf,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Cloudtrail, Source::Okta, Source::Waf];

    /// The field that keys the source's rules (`prefilter`).
    pub(crate) fn key_field(self) -> Option<&'static str> {
        match self {
            Source::Cloudtrail => Some("eventName"),
            Source::Okta => Some("eventType"),
            Source::Waf => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cloudtrail => "cloudtrail",
            Source::Okta => "okta",
            Source::Waf => "waf",
        }
    }

    /// The source a rule's logsource names, or why it has none.
    pub fn of_logsource(logsource: &LogSource) -> Result<Source, String> {
        let product = logsource.product.as_deref().map(str::to_ascii_lowercase);
        let service = logsource.service.as_deref().map(str::to_ascii_lowercase);
        match (product.as_deref(), service.as_deref()) {
            (Some("aws"), Some("cloudtrail")) => Ok(Source::Cloudtrail),
            (Some("aws"), Some("waf")) => Ok(Source::Waf),
            (Some("okta"), Some("okta") | None) => Ok(Source::Okta),
            (product, service) => Err(format!(
                "logsource product {} service {}: hannun has no such source",
                product.unwrap_or("(none)"),
                service.unwrap_or("(none)")
            )),
        }
    }
}

/// Whether a rule (or a rule document) loaded, and where it runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RuleLoad {
    /// Evaluated on this source's events.
    Loaded { source: Source },
    /// Parsed, but for a product hannun has no source for: never evaluated.
    NotRouted { reason: String },
    /// Not usable: the reason (a YAML or Sigma error, a modifier the engine
    /// refuses, a correlation that names unknown rules).
    Failed { reason: String },
}

/// One rule (or one unreadable document) of the loaded files.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleReport {
    /// The file it came from.
    pub file: String,
    /// The rule's `id` (when it has none: `file#title`).
    pub id: String,
    pub title: String,
    /// `detection` or `correlation`.
    pub kind: &'static str,
    pub severity: Severity,
    pub load: RuleLoad,
}

/// A single-event match of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaMatch {
    pub rule_id: Arc<str>,
    pub title: Arc<str>,
    pub severity: Severity,
}

/// What the engine behind the Sigma rules must do: the seam that keeps
/// `rsigma-eval` replaceable.
pub trait EventMatcher: Send + Sync {
    /// The rules of `source` that `event` matches, appended to `out`.
    fn matches(&self, source: Source, event: &Doc<'_>, out: &mut Vec<SigmaMatch>);

    /// The correlation rules over the single-event matches.
    fn correlations(&self) -> Vec<Correlation> {
        Vec::new()
    }
}

/// The loaded Sigma rules: one engine per source, the correlation rules,
/// and the load report.
pub struct SigmaRules {
    engines: HashMap<Source, SourceEngines>,
    /// Rule id by the engine's title, per source (the engine reports the
    /// rule's title and its `id`, which may be absent).
    ids: HashMap<Source, HashMap<String, SigmaMatch>>,
    pub correlations: Vec<(Correlation, Source)>,
    pub report: Vec<RuleReport>,
}

/// One source's rules: an engine per value of its key field holding the
/// rules that need that value, and one for the others (`prefilter`).
struct SourceEngines {
    key: Option<&'static str>,
    unkeyed: Option<Engine>,
    keyed: HashMap<String, Engine>,
    rules: usize,
}

impl SourceEngines {
    /// Builds the engines of a source's collection, each with one
    /// `add_collection` call.
    fn build(source: Source, collection: SigmaCollection) -> Result<SourceEngines, String> {
        let rules = collection.rules.len();
        let key = source.key_field();
        let mut unkeyed = SigmaCollection::new();
        unkeyed.filters = collection.filters.clone();
        let mut keyed: HashMap<String, SigmaCollection> = HashMap::new();
        for rule in collection.rules {
            match key.and_then(|k| prefilter::required_values(&rule, k)) {
                Some(values) => {
                    for v in values {
                        keyed
                            .entry(v)
                            .or_insert_with(|| {
                                let mut c = SigmaCollection::new();
                                c.filters = collection.filters.clone();
                                c
                            })
                            .rules
                            .push(rule.clone());
                    }
                }
                None => unkeyed.rules.push(rule),
            }
        }
        let engine = |c: &SigmaCollection| -> Result<Engine, String> {
            let mut e = Engine::new();
            e.add_collection(c).map_err(|e| e.to_string())?;
            Ok(e)
        };
        Ok(SourceEngines {
            key,
            unkeyed: if unkeyed.rules.is_empty() {
                None
            } else {
                Some(engine(&unkeyed)?)
            },
            keyed: keyed
                .iter()
                .map(|(k, c)| Ok((k.clone(), engine(c)?)))
                .collect::<Result<_, String>>()?,
            rules,
        })
    }

    /// The engines an event goes through.
    fn for_event(&self, event: &Doc<'_>) -> impl Iterator<Item = &Engine> {
        let mut buf = [0u8; 64];
        let keyed = self
            .key
            .and_then(|k| event.get(k))
            .and_then(Doc::as_str)
            .and_then(|v| {
                self.keyed
                    .get(prefilter::normalise_in(v, &mut buf).as_ref())
            });
        self.unkeyed.iter().chain(keyed)
    }
}

impl std::fmt::Debug for SigmaRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigmaRules")
            .field("rules", &self.report.len())
            .finish()
    }
}

fn severity(level: Option<&rsigma_parser::Level>) -> Severity {
    match level {
        Some(rsigma_parser::Level::Critical) => Severity::Critical,
        Some(rsigma_parser::Level::High) => Severity::High,
        Some(rsigma_parser::Level::Medium) => Severity::Medium,
        Some(rsigma_parser::Level::Low) => Severity::Low,
        Some(rsigma_parser::Level::Informational) => Severity::Info,
        None => Severity::Medium,
    }
}

fn rule_id(file: &str, id: Option<&str>, title: &str) -> String {
    id.map(str::to_owned)
        .unwrap_or_else(|| format!("{file}#{title}"))
}

/// Files larger than this are refused: SigmaHQ's largest rule is a few KB.
pub const MAX_RULE_FILE_BYTES: usize = 256 * 1024;

impl SigmaRules {
    /// Loads rule files (name, YAML text). A file or rule that cannot be
    /// used is reported with its reason and the others load.
    pub fn load(files: &[(String, String)]) -> SigmaRules {
        let mut report = Vec::new();
        let mut routed: HashMap<Source, SigmaCollection> = HashMap::new();
        let mut ids = HashMap::new();
        let mut correlations = Vec::new();
        // A rule's id and name → (our id, its source), for correlations.
        let mut titles_by_name: HashMap<String, (String, Source)> = HashMap::new();
        let mut pending_correlations = Vec::new();
        for (file, text) in files {
            if text.len() > MAX_RULE_FILE_BYTES {
                report.push(failed(
                    file,
                    format!("the file is larger than {MAX_RULE_FILE_BYTES} bytes"),
                ));
                continue;
            }
            let collection = match rsigma_parser::parse_sigma_yaml(text) {
                Ok(c) => c,
                Err(e) => {
                    report.push(failed(file, e.to_string()));
                    continue;
                }
            };
            for error in &collection.errors {
                report.push(failed(file, error.clone()));
            }
            for rule in collection.rules {
                let id = rule_id(file, rule.id.as_deref(), &rule.title);
                let level = severity(rule.level.as_ref());
                let load = match Source::of_logsource(&rule.logsource) {
                    Err(reason) => RuleLoad::NotRouted { reason },
                    Ok(source) => match check(&rule) {
                        Err(reason) => RuleLoad::Failed { reason },
                        Ok(()) => {
                            for name in [rule.id.clone(), rule.name.clone()].into_iter().flatten() {
                                titles_by_name.insert(name, (id.clone(), source));
                            }
                            ids.entry(source).or_insert_with(HashMap::new).insert(
                                rule.title.clone(),
                                SigmaMatch {
                                    rule_id: Arc::from(id.as_str()),
                                    title: Arc::from(rule.title.as_str()),
                                    severity: level,
                                },
                            );
                            routed.entry(source).or_default().rules.push(rule.clone());
                            RuleLoad::Loaded { source }
                        }
                    },
                };
                report.push(RuleReport {
                    file: file.clone(),
                    id,
                    title: rule.title,
                    kind: "detection",
                    severity: level,
                    load,
                });
            }
            for filter in collection.filters {
                for source in Source::ALL {
                    routed
                        .entry(source)
                        .or_default()
                        .filters
                        .push(filter.clone());
                }
            }
            for correlation in collection.correlations {
                pending_correlations.push((file.clone(), correlation));
            }
        }
        // Correlations run where the rules they name run.
        for (file, correlation) in pending_correlations {
            let id = rule_id(&file, correlation.id.as_deref(), &correlation.title);
            let level = severity(correlation.level.as_ref());
            let sources: Vec<Source> = correlation
                .rules
                .iter()
                .filter_map(|r| titles_by_name.get(r).map(|(_, s)| *s))
                .collect();
            let load = if sources.windows(2).any(|w| w[0] != w[1]) {
                RuleLoad::Failed {
                    reason: "it correlates rules of different sources".to_owned(),
                }
            } else {
                match Correlation::from_sigma(&correlation, id.clone(), level, |r| {
                    titles_by_name.get(r).map(|(id, _)| id.clone())
                }) {
                    Ok(c) => {
                        let source = sources[0];
                        correlations.push((c, source));
                        RuleLoad::Loaded { source }
                    }
                    Err(reason) => RuleLoad::Failed { reason },
                }
            };
            report.push(RuleReport {
                file,
                id,
                title: correlation.title.clone(),
                kind: "correlation",
                severity: level,
                load,
            });
        }
        let mut engines = HashMap::new();
        for (source, collection) in routed {
            match SourceEngines::build(source, collection) {
                Ok(e) => {
                    engines.insert(source, e);
                }
                Err(e) => {
                    // Every rule compiled alone above; a filter can still fail.
                    report.push(RuleReport {
                        file: String::new(),
                        id: String::new(),
                        title: format!("{} rules", source.as_str()),
                        kind: "detection",
                        severity: Severity::Info,
                        load: RuleLoad::Failed {
                            reason: format!("the {} rule set did not build: {e}", source.as_str()),
                        },
                    });
                }
            }
        }
        SigmaRules {
            engines,
            ids,
            correlations,
            report,
        }
    }

    /// Rules evaluated per source.
    pub fn loaded(&self, source: Source) -> usize {
        self.engines.get(&source).map_or(0, |e| e.rules)
    }
}

impl RuleReport {
    /// A file that could not be used at all (unreadable, too large).
    pub fn failed_file(file: &str, reason: String) -> RuleReport {
        failed(file, reason)
    }
}

fn failed(file: &str, reason: String) -> RuleReport {
    RuleReport {
        file: file.to_owned(),
        id: file.to_owned(),
        title: String::new(),
        kind: "detection",
        severity: Severity::Info,
        load: RuleLoad::Failed { reason },
    }
}

/// Whether the engine compiles the rule on its own (modifiers, regular
/// expressions, the condition).
fn check(rule: &SigmaRule) -> Result<(), String> {
    rsigma_eval::compile_rule(rule)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl EventMatcher for SigmaRules {
    fn correlations(&self) -> Vec<Correlation> {
        self.correlations.iter().map(|(c, _)| c.clone()).collect()
    }

    fn matches(&self, source: Source, event: &Doc<'_>, out: &mut Vec<SigmaMatch>) {
        let Some(engines) = self.engines.get(&source) else {
            return;
        };
        let ids = self.ids.get(&source);
        let json = DocEvent::new(event);
        for result in engines.for_event(event).flat_map(|e| e.evaluate(&json)) {
            let title = &result.header.rule_title;
            out.push(
                ids.and_then(|ids| ids.get(title.as_str()))
                    .cloned()
                    .unwrap_or_else(|| SigmaMatch {
                        rule_id: Arc::from(result.header.rule_id.as_deref().unwrap_or(title)),
                        title: Arc::from(title.as_str()),
                        severity: Severity::Medium,
                    }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROOT: &str = r#"
title: AWS Root Credentials
id: 8ad1600d-e9dc-4251-b0ee-a65268f29add
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        userIdentity.type: Root
    filter:
        eventType: AwsServiceEvent
    condition: selection and not filter
level: medium
"#;

    const AZURE_NOT: &str = r#"
title: Everything but a sign-in
id: 11111111-2222-3333-4444-555555555555
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 0
    condition: not selection
level: high
"#;

    #[test]
    fn rules_route_by_logsource_and_a_not_rule_of_another_product_never_fires() {
        let rules = SigmaRules::load(&[
            ("root.yml".into(), ROOT.into()),
            ("azure.yml".into(), AZURE_NOT.into()),
            ("broken.yml".into(), "title: [unclosed".into()),
        ]);
        assert_eq!(rules.loaded(Source::Cloudtrail), 1);
        let states: Vec<_> = rules.report.iter().map(|r| &r.load).collect();
        assert!(matches!(
            states[0],
            RuleLoad::Loaded {
                source: Source::Cloudtrail
            }
        ));
        assert!(
            matches!(states[1], RuleLoad::NotRouted { reason } if reason.contains("azure")),
            "{states:?}"
        );
        assert!(matches!(states[2], RuleLoad::Failed { .. }), "{states:?}");

        let root = Doc::from(
            &json!({"eventSource":"s3.amazonaws.com","eventName":"CreateBucket","eventType":"AwsApiCall","userIdentity":{"type":"Root"}}),
        );
        let user = Doc::from(
            &json!({"eventSource":"s3.amazonaws.com","eventName":"CreateBucket","eventType":"AwsApiCall","userIdentity":{"type":"IAMUser"}}),
        );
        let mut out = Vec::new();
        rules.matches(Source::Cloudtrail, &root, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(&*out[0].rule_id, "8ad1600d-e9dc-4251-b0ee-a65268f29add");
        assert_eq!(out[0].severity, Severity::Medium);
        out.clear();
        rules.matches(Source::Cloudtrail, &user, &mut out);
        rules.matches(Source::Okta, &user, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
