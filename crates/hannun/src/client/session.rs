//! One `hannun ingest` run as the senders see it: the HTTP session that
//! posts bodies with the ingest key, and the tally of what the server said.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};

use super::cell;

/// Rejected records listed after the summary, at most.
pub(super) const SHOWN_REJECTS: usize = 5;

/// One `hannun ingest` run: posts bodies to the server with the ingest
/// key, if any, and tallies what the server said.
pub(super) struct Session<'a> {
    pub(super) client: reqwest::blocking::Client,
    pub(super) key: Option<&'a str>,
    pub(super) tally: Tally,
}

impl Session<'_> {
    /// Posts one body, waiting and retrying while the server pushes back,
    /// and returns its JSON reply.
    pub(super) fn post(
        &self,
        url: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<serde_json::Value> {
        loop {
            let mut request = self
                .client
                .post(url)
                .header("content-type", content_type)
                .body(body.clone());
            if let Some(k) = self.key {
                request = request.header("x-hannun-api-key", k);
            }
            let response = request
                .send()
                .with_context(|| format!("cannot reach {url} (is `hannun serve` running?)"))?;
            let status = response.status();
            if status.as_u16() == 429 || status.as_u16() == 503 {
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1u64);
                std::thread::sleep(Duration::from_secs(wait));
                continue;
            }
            let value: serde_json::Value = response.json().unwrap_or_default();
            if !status.is_success() {
                bail!(
                    "{} (HTTP {})",
                    value["error"]["message"]
                        .as_str()
                        .unwrap_or("request failed"),
                    status.as_u16()
                );
            }
            return Ok(value);
        }
    }
}

/// What the server said about everything sent so far.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) accepted: u64,
    pub(super) rejected: u64,
    /// The first few rejected records, as `file: line n: reason`.
    pub(super) first_rejects: Vec<String>,
}

impl Tally {
    /// Notes the `rejects` list of an NDJSON reply (record numbers and reasons).
    pub(super) fn note_rejects(&mut self, path: &Path, rejects: &serde_json::Value) {
        let room = SHOWN_REJECTS.saturating_sub(self.first_rejects.len());
        for r in rejects.as_array().into_iter().flatten().take(room) {
            self.first_rejects.push(format!(
                "{}: line {}: {}",
                path.display(),
                r["record"],
                cell(Some(&r["reason"]))
            ));
        }
    }
}

/// A progress bar over the bytes of `files`, for the senders' runs.
pub(super) fn progress_bar(files: &[std::path::PathBuf]) -> indicatif::ProgressBar {
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .expect("valid template"),
    );
    bar
}
