//! Continuous sources (`[[sources]]`).
//!
//! S3 prefixes: the server lists a bucket prefix every poll interval (or
//! follows its S3 event notifications on SQS) and imports each new object
//! once, through the same `Importer` as `hannun import`. What was imported
//! is kept durably in `<data>/sources/<name>.imported` (one line per
//! object: key, ETag, size; appended and synced after the object's records
//! are stored), read back at start, so a restart resumes and a re-run
//! imports nothing twice. An object listed again with another ETag or size
//! is reported as changed, not imported again; one that shrinks or
//! vanishes while read is reported.
//!
//! Okta's System Log API (`okta_api.rs`): pages of events polled from an
//! org and imported as `ImportKind::Okta`; Okta's `next` link is the
//! checkpoint, `<data>/sources/<name>.okta`, replaced atomically after each
//! page is stored.

mod okta_api;
mod s3;
mod sqs;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt};

pub use okta_api::{
    MAX_PAGE_BYTES, MAX_PAGE_EVENTS, OktaApiConfig, OktaAuth, Secret, parse_org_url,
};
pub use s3::{S3Access, S3Location, open_bucket, redact};

use crate::import::{ImportKind, Importer, SourceStatus};

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// `[a-z0-9_-]`, names the checkpoint file.
    pub name: String,
    /// `s3://bucket/prefix`, or the Okta org (`https://acme.okta.com`)
    /// when `okta` is set.
    pub url: String,
    pub access: S3Access,
    pub poll_interval: Duration,
    /// Read every object as this kind (else recognised per object).
    pub kind: Option<ImportKind>,
    /// Follow S3 event notifications on this SQS queue instead of listing.
    pub sqs_queue_url: Option<String>,
    /// Poll the System Log API of the Okta org at `url` instead of S3
    /// (`access`, `kind` and `sqs_queue_url` do not apply).
    pub okta: Option<OktaApiConfig>,
}

const PROBLEMS_KEPT: usize = 50;

/// Every source's status.
#[derive(Clone, Default)]
pub struct Sources {
    status: Arc<Mutex<BTreeMap<String, SourceStatus>>>,
}

impl Sources {
    pub fn status(&self) -> Vec<SourceStatus> {
        self.status
            .lock()
            .expect("sources lock")
            .values()
            .cloned()
            .collect()
    }

    fn update(&self, name: &str, f: impl FnOnce(&mut SourceStatus)) {
        let mut all = self.status.lock().expect("sources lock");
        if let Some(s) = all.get_mut(name) {
            f(s);
        }
    }

    fn problem(&self, name: &str, message: String) {
        tracing::warn!(source = name, "{message}");
        self.update(name, |s| {
            if s.problems.len() == PROBLEMS_KEPT {
                s.problems.pop_front();
            }
            s.problems.push_back(message);
        });
    }
}

/// The objects a source imported: key -> (ETag, size).
struct Checkpoint {
    path: PathBuf,
    imported: HashMap<String, (String, u64)>,
    file: std::fs::File,
}

impl Checkpoint {
    fn open(dir: &Path, name: &str) -> std::io::Result<Checkpoint> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{name}.imported"));
        let mut imported = HashMap::new();
        if let Ok(file) = std::fs::File::open(&path) {
            for line in std::io::BufReader::new(file).lines() {
                let line = line?;
                // A torn last line (a crash mid-write) has fewer fields: the
                // object is imported again, at most once more.
                let mut parts = line.split('\t');
                if let (Some(key), Some(etag), Some(size)) =
                    (parts.next(), parts.next(), parts.next())
                    && let Ok(size) = size.parse()
                {
                    imported.insert(unescape(key), (etag.to_owned(), size));
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        Ok(Checkpoint {
            path,
            imported,
            file,
        })
    }

    fn record(&mut self, key: &str, etag: &str, size: u64) -> std::io::Result<()> {
        writeln!(self.file, "{}\t{etag}\t{size}", escape(key))?;
        self.file.sync_data()?;
        self.imported
            .insert(key.to_owned(), (etag.to_owned(), size));
        Ok(())
    }
}

fn escape(key: &str) -> String {
    key.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Starts every source on the current runtime; they stop when `stop` says so.
pub fn start(
    configs: Vec<SourceConfig>,
    importer: Importer,
    checkpoint_dir: PathBuf,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Sources {
    let sources = Sources::default();
    for config in configs {
        sources.status.lock().expect("sources lock").insert(
            config.name.clone(),
            SourceStatus {
                name: config.name.clone(),
                url: config.url.clone(),
                ..SourceStatus::default()
            },
        );
        let (sources, importer, dir, mut stop) = (
            sources.clone(),
            importer.clone(),
            checkpoint_dir.clone(),
            stop.clone(),
        );
        if let Some(okta) = &config.okta {
            match okta_api::Poller::new(&config, okta, &dir) {
                Ok(poller) => {
                    sources.update(&config.name, |s| s.objects_imported = poller.pages());
                    tokio::spawn(poller.run(config.poll_interval, importer, sources, stop));
                }
                Err(e) => sources.update(&config.name, |s| s.last_error = Some(e)),
            }
            continue;
        }
        // Opened here, so the status counts the checkpoint's objects as
        // soon as the server answers.
        let mut runner = match Runner::new(&config, &dir) {
            Ok(r) => r,
            Err(e) => {
                sources.update(&config.name, |s| s.last_error = Some(e));
                continue;
            }
        };
        sources.update(&config.name, |s| {
            s.objects_imported = runner.checkpoint.imported.len() as u64
        });
        tokio::spawn(async move {
            loop {
                if runner.queue.is_some() {
                    runner.follow(&config, &importer, &sources, &stop).await;
                } else {
                    runner.poll(&config, &importer, &sources, &stop).await;
                }
                tokio::select! {
                    _ = tokio::time::sleep(config.poll_interval) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                if *stop.borrow() {
                    return;
                }
            }
        });
    }
    sources
}

struct Runner {
    store: Arc<dyn ObjectStore>,
    location: S3Location,
    checkpoint: Checkpoint,
    /// Changed objects already reported (once each).
    reported: HashMap<String, (String, u64)>,
    /// The queue of S3 event notifications, when the source follows one.
    queue: Option<sqs::Queue>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Runner {
    fn new(config: &SourceConfig, dir: &Path) -> Result<Runner, String> {
        let location = S3Location::parse(&config.url)?;
        let (store, credentials) = s3::open_with_credentials(&location, &config.access)?;
        let queue = match &config.sqs_queue_url {
            Some(url) => {
                let region = config
                    .access
                    .region
                    .clone()
                    .or_else(|| std::env::var("AWS_REGION").ok())
                    .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
                    .unwrap_or_else(|| "us-east-1".to_owned());
                Some(sqs::Queue::new(url, &region, credentials)?)
            }
            None => None,
        };
        let checkpoint = Checkpoint::open(dir, &config.name)
            .map_err(|e| format!("checkpoint {}: {e}", dir.join(&config.name).display()))?;
        Ok(Runner {
            store,
            location,
            checkpoint,
            reported: HashMap::new(),
            queue,
        })
    }

    /// Reads and imports one object and records it in the checkpoint.
    /// Returns false when storing failed (stop, retry later).
    async fn import_one(
        &mut self,
        config: &SourceConfig,
        importer: &Importer,
        sources: &Sources,
        location: &object_store::path::Path,
        size: u64,
        etag: &str,
    ) -> bool {
        let name = &config.name;
        let key = location.to_string();
        let body = match self.store.get(location).await {
            Ok(r) => r.bytes().await,
            Err(e) => Err(e),
        };
        let body = match body {
            Ok(b) => b,
            Err(object_store::Error::NotFound { .. }) => {
                sources.problem(
                    name,
                    format!("{key} vanished between listing and reading: skipped"),
                );
                return true;
            }
            Err(e) => {
                sources.problem(
                    name,
                    format!("{key} could not be read: {}", redact(&e.to_string())),
                );
                return true;
            }
        };
        if (body.len() as u64) < size {
            sources.problem(
                name,
                format!("{key} was read as {} of its listed {size} bytes (truncated or replaced while read)", body.len()),
            );
        }
        let report = match importer.import(key.clone(), body, config.kind).await {
            Ok(r) => r,
            Err(e) => {
                let message = format!("importing {key}: {e}");
                sources.update(name, |s| s.last_error = Some(message));
                return false;
            }
        };
        if let Some(problem) = &report.problem {
            sources.problem(name, format!("{key}: {problem}"));
        }
        if report.rejected > 0 {
            let first = report
                .rejects
                .first()
                .map(|r| format!(" (line {}: {})", r.record, r.reason))
                .unwrap_or_default();
            sources.problem(
                name,
                format!("{key}: {} records rejected{first}", report.rejected),
            );
        }
        if let Err(e) = self.checkpoint.record(&key, etag, size) {
            let message = format!(
                "saving the checkpoint {}: {e}",
                self.checkpoint.path.display()
            );
            sources.update(name, |s| s.last_error = Some(message));
            return false;
        }
        sources.update(name, |s| {
            s.objects_imported += 1;
            s.records += report.records as u64;
            s.rejected += report.rejected as u64;
        });
        true
    }

    /// One round of the queue: receive (waiting up to 10 s), import the
    /// created objects under the source's bucket and prefix that are not
    /// imported yet, then delete the message. A message whose object could
    /// not be stored is left for SQS to deliver again.
    async fn follow(
        &mut self,
        config: &SourceConfig,
        importer: &Importer,
        sources: &Sources,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) {
        let name = &config.name;
        let Some(queue) = &self.queue else {
            return;
        };
        let messages = match queue.receive(10).await {
            Ok(m) => m,
            Err(e) => {
                sources.update(name, |s| s.last_error = Some(e));
                return;
            }
        };
        for message in messages {
            if *stop.borrow() {
                return;
            }
            let objects = match sqs::created_objects(&message.body) {
                Ok(o) => o,
                Err(e) => {
                    sources.problem(name, format!("a queue message was skipped: {e}"));
                    Vec::new()
                }
            };
            let mut stored = true;
            for o in objects {
                if o.bucket != self.location.bucket || !o.key.starts_with(&self.location.prefix) {
                    continue;
                }
                let etag = o.etag.clone().unwrap_or_default();
                if let Some((old_etag, _)) = self.checkpoint.imported.get(&o.key) {
                    if old_etag.trim_matches('"') != etag.trim_matches('"') {
                        sources.update(name, |s| s.changed_objects += 1);
                        sources.problem(name, format!("{} changed after it was imported (ETag {old_etag} → {etag}): not imported again", o.key));
                    }
                    continue;
                }
                let location = object_store::path::Path::from(o.key.as_str());
                if !self
                    .import_one(
                        config,
                        importer,
                        sources,
                        &location,
                        o.size.unwrap_or(0),
                        &etag,
                    )
                    .await
                {
                    stored = false;
                    break;
                }
            }
            let queue = self.queue.as_ref().expect("following a queue");
            if stored && let Err(e) = queue.delete(&message.receipt_handle).await {
                sources.problem(name, format!("deleting a queue message: {e}"));
            }
        }
        sources.update(name, |s| {
            s.polls += 1;
            s.last_poll_ms = Some(now_ms());
            s.last_error = None;
        });
    }

    /// One poll: list, then import what is new, inventory and DNS logs
    /// first. Stops early (to retry at the next poll) when listing or
    /// storing fails.
    async fn poll(
        &mut self,
        config: &SourceConfig,
        importer: &Importer,
        sources: &Sources,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) {
        let name = &config.name;
        let mut listed = 0u64;
        let mut new = Vec::new();
        let mut stream = self.store.list(self.location.prefix_path().as_ref());
        while let Some(item) = stream.next().await {
            let meta = match item {
                Ok(m) => m,
                Err(e) => {
                    let message = format!("listing {}: {}", config.url, redact(&e.to_string()));
                    sources.update(name, |s| s.last_error = Some(message));
                    return;
                }
            };
            listed += 1;
            if listed.is_multiple_of(1000) {
                // One S3 page: the status shows a long listing's progress.
                sources.update(name, |s| s.objects_listed = listed);
            }
            let key = meta.location.to_string();
            let etag = meta.e_tag.clone().unwrap_or_default();
            match self.checkpoint.imported.get(&key) {
                None => new.push(meta),
                Some((old_etag, old_size)) if *old_etag == etag && *old_size == meta.size => {}
                Some(_) => {
                    if self.reported.get(&key) != Some(&(etag.clone(), meta.size)) {
                        self.reported.insert(key.clone(), (etag.clone(), meta.size));
                        sources.update(name, |s| s.changed_objects += 1);
                        let (old_etag, old_size) = &self.checkpoint.imported[&key];
                        sources.problem(
                            name,
                            format!(
                                "{key} changed after it was imported (ETag {old_etag} → {etag}, {old_size} → {} bytes): not imported again; its first version's records stay",
                                meta.size
                            ),
                        );
                    }
                }
            }
        }
        sources.update(name, |s| s.objects_listed = listed);
        new.sort_by_cached_key(|m| {
            (
                crate::import::import_order(m.location.as_ref()),
                m.location.to_string(),
            )
        });
        for meta in new {
            if *stop.borrow() {
                return;
            }
            let etag = meta.e_tag.clone().unwrap_or_default();
            if !self
                .import_one(config, importer, sources, &meta.location, meta.size, &etag)
                .await
            {
                return;
            }
        }
        sources.update(name, |s| {
            s.polls += 1;
            s.last_poll_ms = Some(now_ms());
            s.last_error = None;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_survives_a_reopen_and_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut c = Checkpoint::open(dir.path(), "flows").unwrap();
            c.record("AWSLogs/1/a.log.gz", "\"e1\"", 10).unwrap();
            c.record("odd\tkey\nname", "\"e2\"", 20).unwrap();
        }
        let path = dir.path().join("flows.imported");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"AWSLogs/1/torn.log").unwrap();
        let c = Checkpoint::open(dir.path(), "flows").unwrap();
        assert_eq!(c.imported.len(), 2);
        assert_eq!(c.imported["odd\tkey\nname"], ("\"e2\"".to_owned(), 20));
    }
}
