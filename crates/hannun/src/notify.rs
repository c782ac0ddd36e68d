//! Notifications of new signals (`[[notify]]`): the importer tells the sink
//! of every stored detection; per destination, the first detection of each
//! signal that is severe enough and not suppressed by an exception becomes
//! a notice (crate `siem` decides and writes the JSON), queued to that
//! destination's sender task, which keeps to its rate limit (notices over
//! it are told later in one summary) and retries failed posts with
//! backoff, honouring `Retry-After`. Counts are in `GET /api/v1/notifications`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use siem::{NoticeFilter, NotifyBoard, NotifyKind, NotifyStatus, RateLimit};
use tokio::sync::{mpsc, watch};

/// One configured destination.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Destination {
    pub(crate) name: String,
    pub(crate) kind: NotifyKind,
    /// May hold a secret (Slack's webhook path): never logged or shown.
    pub(crate) url: String,
    pub(crate) min_severity: String,
    pub(crate) per_minute: u32,
}

/// Notices queued per destination before new ones are dropped (counted).
const QUEUE: usize = 1_000;
/// Attempts per notice: the first and three retries.
const ATTEMPTS: u32 = 4;
/// The longest wait a `Retry-After` gets.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The host of a URL, for status and messages.
fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?'])
        .next()
        .unwrap_or("")
        .to_owned()
}

/// Starts a sender per destination; returns the importer's sink and the
/// status board.
pub(crate) fn start(
    destinations: Vec<Destination>,
    saved: Arc<saved::Saved>,
    public_url: String,
    stop: watch::Receiver<bool>,
) -> (Option<ingest::DetectionSink>, NotifyBoard) {
    let board = NotifyBoard::default();
    if destinations.is_empty() {
        return (None, board);
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let mut queues = Vec::new();
    for d in destinations {
        let index = board.add(NotifyStatus {
            name: d.name.clone(),
            kind: match d.kind {
                NotifyKind::Webhook => "webhook".into(),
                NotifyKind::Slack => "slack".into(),
            },
            host: host_of(&d.url),
            min_severity: d.min_severity.clone(),
            per_minute: d.per_minute,
            ..NotifyStatus::default()
        });
        let (tx, rx) = mpsc::channel(QUEUE);
        queues.push((Mutex::new(NoticeFilter::new(&d.min_severity)), tx, index));
        tokio::spawn(sender(
            d,
            index,
            rx,
            client.clone(),
            board.clone(),
            public_url.clone(),
            stop.clone(),
        ));
    }
    let sink_board = board.clone();
    let sink: ingest::DetectionSink = Arc::new(move |detections: &[detect::Detection]| {
        let exceptions: Vec<siem::SignalException> = saved
            .list(saved::Kind::SignalExceptions)
            .iter()
            .filter_map(siem::SignalException::from_doc)
            .collect();
        for (filter, tx, index) in &queues {
            let mut filter = filter.lock().unwrap_or_else(|p| p.into_inner());
            for d in detections {
                if filter.admit(d, &exceptions)
                    && tx.try_send(siem::Notice::of(d, &public_url)).is_err()
                {
                    sink_board.update(*index, |s| s.dropped += 1);
                }
            }
        }
    });
    (Some(sink), board)
}

/// One destination's sender: notices within the rate limit are posted,
/// the others counted and summarised when tokens are back.
async fn sender(
    d: Destination,
    index: usize,
    mut rx: mpsc::Receiver<siem::Notice>,
    client: reqwest::Client,
    board: NotifyBoard,
    public_url: String,
    mut stop: watch::Receiver<bool>,
) {
    let mut limit = RateLimit::new(d.per_minute, now_ms());
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
            notice = rx.recv() => {
                let Some(notice) = notice else { return };
                if limit.admit(now_ms()) {
                    post(&client, &d, index, &board, notice.payload(d.kind)).await;
                } else {
                    board.update(index, |s| s.held_back += 1);
                }
            }
            _ = tick.tick() => {
                if let Some(count) = limit.summary_due(now_ms()) {
                    post(&client, &d, index, &board, siem::held_back_payload(d.kind, count, &public_url)).await;
                }
            }
        }
    }
}

/// Posts one body, retrying network errors, 5xx and 429 with backoff.
async fn post(
    client: &reqwest::Client,
    d: &Destination,
    index: usize,
    board: &NotifyBoard,
    body: serde_json::Value,
) {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        let outcome = client.post(&d.url).json(&body).send().await;
        let (error, retry_after) = match outcome {
            Ok(r) if r.status().is_success() => {
                board.update(index, |s| {
                    s.sent += 1;
                    s.last_sent_ms = Some(now_ms());
                    s.last_error = None;
                });
                return;
            }
            Ok(r) => {
                let status = r.status();
                let retry_after = r
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let error = format!("{} answered HTTP {status}", host_of(&d.url));
                if !(status.is_server_error() || status.as_u16() == 429) {
                    // A 4xx other than 429 will not pass on a retry.
                    fail(board, index, error);
                    return;
                }
                (error, retry_after)
            }
            // reqwest's errors name the URL: keep only the host.
            Err(e) => (
                format!(
                    "{}: {}",
                    host_of(&d.url),
                    if e.is_timeout() {
                        "timed out"
                    } else if e.is_connect() {
                        "could not connect"
                    } else {
                        "request failed"
                    }
                ),
                None,
            ),
        };
        if attempt == ATTEMPTS {
            fail(board, index, error);
            return;
        }
        board.update(index, |s| {
            s.retries += 1;
            s.last_error = Some(error.clone());
        });
        tracing::warn!(destination = %d.name, "notification not delivered, retrying: {error}");
        tokio::time::sleep(retry_after.unwrap_or(wait).min(MAX_RETRY_AFTER)).await;
        wait *= 2;
    }
}

fn fail(board: &NotifyBoard, index: usize, error: String) {
    tracing::warn!("notification failed: {error}");
    board.update(index, |s| {
        s.failed += 1;
        s.last_error = Some(error);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn hosts_never_carry_the_path() {
        assert_eq!(
            super::host_of("https://hooks.example.com/services/T000/B000/XXXX"),
            "hooks.example.com"
        );
        assert_eq!(super::host_of("http://127.0.0.1:9/x?y"), "127.0.0.1:9");
    }
}
