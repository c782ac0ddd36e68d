//! Notifications of new signals: which detections deserve one (the first
//! of its signal, severe enough, not suppressed by an exception), what a
//! webhook and a Slack-compatible incoming webhook receive, and each
//! destination's rate limit. Pure: the binary does the HTTP, the retries
//! and the clock.

use std::collections::{HashSet, VecDeque};

use serde_json::{Value, json};

use crate::exceptions::SignalException;

/// What a destination is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyKind {
    /// A JSON document describing the signal (`{"type": "signal", ...}`).
    Webhook,
    /// Slack's incoming-webhook JSON (`text` and `blocks`), which
    /// Mattermost, Rocket.Chat and Discord's Slack-compatible endpoints take.
    Slack,
}

impl NotifyKind {
    pub fn parse(text: &str) -> Option<NotifyKind> {
        match text {
            "webhook" => Some(NotifyKind::Webhook),
            "slack" => Some(NotifyKind::Slack),
            _ => None,
        }
    }
}

/// A new signal, as told.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Notice {
    pub signal_id: String,
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub entity: String,
    pub source: String,
    pub time_ms: i64,
    pub event_name: Option<String>,
    pub account_id: Option<String>,
    pub source_ip: Option<String>,
    pub place: Option<String>,
    pub detail: Option<String>,
    /// The signal's page.
    pub link: String,
}

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// A severity's rank (info 0 … critical 4); unknown ones rank as medium.
pub fn severity_rank(severity: &str) -> usize {
    SEVERITIES.iter().position(|s| *s == severity).unwrap_or(2)
}

/// Whether `severity` names one.
pub fn is_severity(severity: &str) -> bool {
    SEVERITIES.contains(&severity)
}

/// Which detections become notices: the first of each signal since the
/// server started (at most `MAX_REMEMBERED` remembered, oldest forgotten
/// first), at or above the minimum severity, not suppressed.
#[derive(Debug)]
pub struct NoticeFilter {
    min_rank: usize,
    seen: HashSet<String>,
    order: VecDeque<String>,
}

/// Signals remembered as already told.
pub const MAX_REMEMBERED: usize = 100_000;

impl NoticeFilter {
    pub fn new(min_severity: &str) -> NoticeFilter {
        NoticeFilter {
            min_rank: severity_rank(min_severity),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether a detection of this signal is to be told, remembering it.
    pub fn admit(&mut self, d: &detect::Detection, exceptions: &[SignalException]) -> bool {
        if severity_rank(d.severity.as_str()) < self.min_rank || self.seen.contains(&d.signal_id) {
            return false;
        }
        if exceptions.iter().any(|e| suppresses(e, d)) {
            return false;
        }
        if self.order.len() == MAX_REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.seen.insert(d.signal_id.clone());
        self.order.push_back(d.signal_id.clone());
        true
    }
}

/// Whether an exception suppresses a detection (as `suppressed` does in a
/// query, for one detection in memory).
pub fn suppresses(e: &SignalException, d: &detect::Detection) -> bool {
    if e.rule_id != "*" && *e.rule_id != *d.rule_id {
        return false;
    }
    if e.entity.as_ref().is_some_and(|x| **x != *d.entity) {
        return false;
    }
    if let (Some(field), Some(value)) = (&e.field, &e.value) {
        let actual = match field.as_str() {
            "source_ip" => d.source_ip.as_deref(),
            "account_id" => d.account_id.as_deref(),
            "event_name" => d.event_name.as_deref(),
            "place" => d.place.as_deref(),
            _ => None,
        };
        if actual != Some(value.as_str()) {
            return false;
        }
    }
    e.active_at(d.time)
}

impl Notice {
    pub fn of(d: &detect::Detection, base_url: &str) -> Notice {
        Notice {
            signal_id: d.signal_id.clone(),
            rule_id: d.rule_id.to_string(),
            title: d.title.to_string(),
            severity: d.severity.as_str().to_owned(),
            entity: d.entity.to_string(),
            source: d.source.to_owned(),
            time_ms: d.time / 1_000_000,
            event_name: d.event_name.as_deref().map(str::to_owned),
            account_id: d.account_id.as_deref().map(str::to_owned),
            source_ip: d.source_ip.as_deref().map(str::to_owned),
            place: d.place.as_deref().map(str::to_owned),
            detail: d.detail.clone(),
            link: format!(
                "{}/security/signals/{}",
                base_url.trim_end_matches('/'),
                d.signal_id
            ),
        }
    }

    /// The body a destination of `kind` is sent.
    pub fn payload(&self, kind: NotifyKind) -> Value {
        match kind {
            NotifyKind::Webhook => json!({ "type": "signal", "signal": self }),
            NotifyKind::Slack => {
                let when = model::format_rfc3339_nanos(self.time_ms * 1_000_000);
                let mut facts = vec![
                    format!("*Entity*\n{}", slack_escape(&self.entity)),
                    format!("*Rule*\n{}", slack_escape(&self.rule_id)),
                    format!("*Source*\n{}", self.source),
                    format!("*When*\n{when}"),
                ];
                for (name, v) in [
                    ("Event", &self.event_name),
                    ("Account", &self.account_id),
                    ("Address", &self.source_ip),
                    ("Place", &self.place),
                ] {
                    if let Some(v) = v {
                        facts.push(format!("*{name}*\n{}", slack_escape(v)));
                    }
                }
                let headline = format!(
                    "[{}] {}: {}",
                    self.severity.to_uppercase(),
                    self.title,
                    self.entity
                );
                let mut blocks = vec![
                    json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*<{}|{}>*", self.link, slack_escape(&headline))}}),
                    json!({"type": "section", "fields": facts.iter().take(10).map(|f| json!({"type": "mrkdwn", "text": f})).collect::<Vec<_>>()}),
                ];
                if let Some(detail) = &self.detail {
                    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(detail)}]}));
                }
                json!({ "text": headline, "blocks": blocks })
            }
        }
    }
}

/// The body that tells of notices a rate limit held back.
pub fn held_back_payload(kind: NotifyKind, count: u64, base_url: &str) -> Value {
    let text = format!(
        "{count} more new security signal{} were not sent one by one (rate limit): {}/security",
        if count == 1 { "" } else { "s" },
        base_url.trim_end_matches('/')
    );
    match kind {
        NotifyKind::Webhook => json!({ "type": "held_back", "count": count, "text": text }),
        NotifyKind::Slack => json!({ "text": text }),
    }
}

/// Slack's mrkdwn escapes: `&`, `<` and `>`.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `per_minute` notices in any minute, as a token bucket refilled
/// continuously; what it refuses is counted as held back, and told in one
/// notice when tokens are back.
#[derive(Debug)]
pub struct RateLimit {
    per_minute: f64,
    tokens: f64,
    at_ms: i64,
    held_back: u64,
}

impl RateLimit {
    pub fn new(per_minute: u32, now_ms: i64) -> RateLimit {
        RateLimit {
            per_minute: f64::from(per_minute.max(1)),
            tokens: f64::from(per_minute.max(1)),
            at_ms: now_ms,
            held_back: 0,
        }
    }

    fn refill(&mut self, now_ms: i64) {
        let elapsed = (now_ms - self.at_ms).max(0) as f64;
        self.tokens = (self.tokens + elapsed * self.per_minute / 60_000.0).min(self.per_minute);
        self.at_ms = now_ms;
    }

    /// Whether one notice may go now; if not, it is held back.
    pub fn admit(&mut self, now_ms: i64) -> bool {
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.held_back += 1;
            false
        }
    }

    /// The notices held back since the last summary, when one may be sent
    /// now (it takes a token).
    pub fn summary_due(&mut self, now_ms: i64) -> Option<u64> {
        if self.held_back == 0 {
            return None;
        }
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Some(std::mem::take(&mut self.held_back))
        } else {
            None
        }
    }
}

/// One destination's counts, for the status API.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct NotifyStatus {
    pub name: String,
    pub kind: String,
    /// The destination's host (the URL itself may hold a secret).
    pub host: String,
    pub min_severity: String,
    pub per_minute: u32,
    pub sent: u64,
    /// Notices not delivered after every retry.
    pub failed: u64,
    /// Attempts repeated after a failure.
    pub retries: u64,
    /// Notices a rate limit held back (told later as one summary).
    pub held_back: u64,
    /// Notices dropped because the queue to this destination was full.
    pub dropped: u64,
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub last_sent_ms: Option<i64>,
}

/// Every destination's status, shared by the senders and the API.
#[derive(Debug, Clone, Default)]
pub struct NotifyBoard(std::sync::Arc<std::sync::Mutex<Vec<NotifyStatus>>>);

impl NotifyBoard {
    pub fn snapshot(&self) -> Vec<NotifyStatus> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Adds a destination; returns its index.
    pub fn add(&self, status: NotifyStatus) -> usize {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.push(status);
        all.len() - 1
    }

    pub fn update(&self, index: usize, f: impl FnOnce(&mut NotifyStatus)) {
        if let Some(s) = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(index)
        {
            f(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(signal: &str, severity: detect::Severity) -> detect::Detection {
        detect::Detection {
            time: 1_700_000_000_000_000_000,
            signal_id: signal.into(),
            rule_id: "aws-root-activity".into(),
            title: "AWS root account activity".into(),
            severity,
            entity: "arn:aws:iam::1:root".into(),
            source: "cloudtrail",
            event_id: Some("e1".into()),
            event_name: Some("CreateAccessKey".into()),
            account_id: Some("1".into()),
            source_ip: Some("203.0.113.9".into()),
            place: Some("Seoul, KR".into()),
            detail: None,
        }
    }

    #[test]
    fn a_signal_is_told_once_above_the_severity_unless_suppressed() {
        let mut f = NoticeFilter::new("medium");
        assert!(f.admit(&detection("a", detect::Severity::High), &[]));
        assert!(!f.admit(&detection("a", detect::Severity::High), &[]));
        assert!(!f.admit(&detection("b", detect::Severity::Low), &[]));
        let e = SignalException {
            id: "x1".into(),
            rule_id: "aws-root-activity".into(),
            entity: None,
            field: Some("source_ip".into()),
            value: Some("203.0.113.9".into()),
            until: None,
            reason: "office".into(),
            by: None,
            created_at: String::new(),
        };
        assert!(!f.admit(
            &detection("c", detect::Severity::High),
            std::slice::from_ref(&e)
        ));
        let other = SignalException {
            value: Some("198.51.100.1".into()),
            ..e
        };
        assert!(f.admit(&detection("c", detect::Severity::High), &[other]));
    }

    #[test]
    fn slack_and_webhook_bodies() {
        let n = Notice::of(
            &detection("0123456789abcdef", detect::Severity::High),
            "http://127.0.0.1:8080/",
        );
        assert_eq!(
            n.link,
            "http://127.0.0.1:8080/security/signals/0123456789abcdef"
        );
        let slack = n.payload(NotifyKind::Slack);
        assert_eq!(
            slack["text"],
            "[HIGH] AWS root account activity: arn:aws:iam::1:root"
        );
        assert!(
            slack["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .starts_with("*<http://127.0.0.1:8080/security/signals/0123456789abcdef|")
        );
        let hook = n.payload(NotifyKind::Webhook);
        assert_eq!(hook["type"], "signal");
        assert_eq!(hook["signal"]["severity"], "high");
        assert_eq!(hook["signal"]["source_ip"], "203.0.113.9");
        assert_eq!(
            held_back_payload(NotifyKind::Slack, 3, "http://h")["text"],
            "3 more new security signals were not sent one by one (rate limit): http://h/security"
        );
    }

    #[test]
    fn the_rate_limit_holds_back_and_summarises() {
        let mut r = RateLimit::new(2, 0);
        assert!(r.admit(0));
        assert!(r.admit(0));
        assert!(!r.admit(0));
        assert!(!r.admit(1_000));
        assert_eq!(r.summary_due(1_000), None);
        // Half a minute later one token is back: the summary takes it.
        assert_eq!(r.summary_due(30_000), Some(2));
        assert_eq!(r.summary_due(30_000), None);
        assert!(!r.admit(30_000));
        assert!(r.admit(61_000));
    }
}
