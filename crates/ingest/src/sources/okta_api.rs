//! Okta's System Log API as a continuous source (`[[sources]]` with
//! `okta_url`): `GET {org}/api/v1/logs` in Okta's polling mode (`since`
//! and `sortOrder=ASCENDING`, no `until`), then the `next` link of each
//! reply. Okta filters polling requests by the time events were persisted,
//! so none is skipped for arriving late, and always answers with a `next`
//! link, even under an empty page: a full page is followed at once, a
//! shorter one ends the poll and its link is read at the next.
//!
//! Each page (a JSON array of LogEvents, at most 1000) goes through the
//! importer as `ImportKind::Okta`, like `hannun import --kind okta`: the
//! `audit` dataset, the detector's signals. Once the importer returns (the
//! store acknowledged the page) the `next` link is written to
//! `<data>/sources/<name>.okta` (temporary file, fsync, rename), with the
//! latest `published` of the page and its uuids: a restart reads on from
//! the link, so at most the page in flight at a crash is imported twice.
//! If Okta refuses a saved link (HTTP 400), reading resumes from that
//! `published` time, skipping the uuids already stored.
//!
//! Failures: network errors and 5xx are retried with backoff (1, 2, 4, 8 s)
//! and then left for the next poll; HTTP 429 waits until
//! `X-Rate-Limit-Reset` (at most two minutes), and a page that leaves no
//! requests waits before the next; 401/403 is reported as the token being
//! refused and tried again every poll. The token is sent only to the
//! configured org (links elsewhere are not followed, redirects neither),
//! never logged, and removed from any text Okta sends back.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, LINK, USER_AGENT};
use serde_json::value::RawValue;
use tokio::sync::watch;

use super::{SourceConfig, Sources, now_ms};
use crate::import::{ImportKind, Importer};

/// Okta's largest `limit`: events per page.
pub const MAX_PAGE_EVENTS: u32 = 1000;
/// A page's body beyond this is not read (16 MiB: 1000 events of 16 KiB).
pub const MAX_PAGE_BYTES: usize = 16 << 20;
/// An error reply's body read for its message.
const MAX_ERROR_BYTES: usize = 64 << 10;
/// Okta ends a query at 30 s; this leaves it room.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Tries of one request on network errors and 5xx, within one poll.
const ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait for a rate limit to reset (Okta's windows are a minute).
const RATE_LIMIT_WAIT_CAP: Duration = Duration::from_secs(120);
/// A 429 without a reset time waits this long.
const RATE_LIMIT_WAIT_DEFAULT: Duration = Duration::from_secs(60);
/// 429s waited out in one poll before it gives up until the next.
const RATE_LIMIT_WAITS: u32 = 10;
/// Where a first start reads from without `okta_since`.
const DEFAULT_LOOKBACK: Duration = Duration::from_secs(7 * 86_400);
const LOGS_PATH: &str = "/api/v1/logs";

/// A secret value: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How the token is presented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OktaAuth {
    /// An Okta API token: `Authorization: SSWS {token}`.
    #[default]
    Ssws,
    /// An OAuth 2.0 access token with `okta.logs.read`: `Authorization: Bearer {token}`.
    Bearer,
}

impl OktaAuth {
    pub const ALL: [OktaAuth; 2] = [OktaAuth::Ssws, OktaAuth::Bearer];

    pub fn name(self) -> &'static str {
        match self {
            OktaAuth::Ssws => "ssws",
            OktaAuth::Bearer => "bearer",
        }
    }

    pub fn from_name(name: &str) -> Option<OktaAuth> {
        OktaAuth::ALL.into_iter().find(|a| a.name() == name)
    }

    fn scheme(self) -> &'static str {
        match self {
            OktaAuth::Ssws => "SSWS",
            OktaAuth::Bearer => "Bearer",
        }
    }

    fn what(self) -> &'static str {
        match self {
            OktaAuth::Ssws => "API token",
            OktaAuth::Bearer => "OAuth 2.0 access token",
        }
    }
}

/// An Okta source: the org is the source's `url`.
#[derive(Debug, Clone, PartialEq)]
pub struct OktaApiConfig {
    /// The environment variable the token was read from (named in messages).
    pub token_env: String,
    pub token: Secret,
    pub auth: OktaAuth,
    /// Where a first start reads from, ns since the epoch (none: 7 days ago).
    pub since_ns: Option<i64>,
    /// Events asked per page (`limit`), 1-1000.
    pub page_limit: u32,
}

impl OktaApiConfig {
    /// An API token from `token_env`, 1000 events a page, the last 7 days first.
    pub fn new(token_env: impl Into<String>, token: Secret) -> OktaApiConfig {
        OktaApiConfig {
            token_env: token_env.into(),
            token,
            auth: OktaAuth::Ssws,
            since_ns: None,
            page_limit: MAX_PAGE_EVENTS,
        }
    }
}

/// Checks an org URL and returns it as `scheme://host[:port]`: HTTPS, or
/// plain HTTP to a loopback address (a test server); no path, user or query.
pub fn parse_org_url(url: &str) -> Result<String, String> {
    let parsed = Url::parse(url)
        .map_err(|e| format!("{url:?} is not a URL like https://acme.okta.com: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url:?} has no host"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(format!(
                "{url:?} is plain HTTP: the token would cross the network unencrypted; use https:// (plain http:// only to a loopback address)"
            ));
        }
        other => return Err(format!("{url:?}: the scheme {other:?} is not https")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{:?} carries a user name or password: give the org URL only",
            parsed.origin().ascii_serialization()
        ));
    }
    if !matches!(parsed.path(), "" | "/") || parsed.query().is_some() || parsed.fragment().is_some()
    {
        return Err(format!(
            "{url:?} has a path or query: give the org alone, like https://acme.okta.com"
        ));
    }
    Ok(parsed.origin().ascii_serialization())
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What is kept in `<data>/sources/<name>.okta`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    /// The org the link belongs to.
    org: String,
    /// Okta's `next` link: where the next request reads.
    next: Option<String>,
    /// The latest `published` of the last page stored, as Okta wrote it,
    /// and the uuids of that page: where reading resumes when there is no
    /// link (Okta refused it), with the events already stored skipped.
    last_published: Option<String>,
    #[serde(default)]
    last_uuids: Vec<String>,
    /// Pages and events stored since the source was first configured.
    #[serde(default)]
    pages: u64,
    #[serde(default)]
    events: u64,
}

impl Checkpoint {
    /// The checkpoint at `path`, none when there is no file yet.
    fn load(path: &Path) -> Result<Option<Checkpoint>, String> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                format!(
                    "the checkpoint {} is unreadable ({e}); remove it to read again from okta_since",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("reading the checkpoint {}: {e}", path.display())),
        }
    }

    /// Replaces the file atomically: a temporary file, synced, renamed,
    /// and the folder synced so the rename lasts.
    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("okta.tmp");
        {
            let mut file = std::fs::File::create(&tmp)?;
            serde_json::to_writer(&mut file, self)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent()
            && let Ok(dir) = std::fs::File::open(dir)
        {
            // Not every platform syncs a folder; the rename is done either way.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// One event's place in the page.
struct PageEvent {
    raw: Box<RawValue>,
    uuid: Option<String>,
    /// `published` as written and in ns.
    published: Option<(String, i64)>,
}

#[derive(serde::Deserialize)]
struct EventKeys {
    uuid: Option<String>,
    published: Option<String>,
}

/// A page of LogEvents: a JSON array (the importer reads each event).
fn parse_page(body: &[u8]) -> Result<Vec<PageEvent>, String> {
    let items: Vec<Box<RawValue>> = serde_json::from_slice(body)
        .map_err(|e| format!("the reply is not a JSON array of events: {e}"))?;
    Ok(items
        .into_iter()
        .map(|raw| {
            let keys: Option<EventKeys> = serde_json::from_str(raw.get()).ok();
            let (uuid, published) = keys.map_or((None, None), |k| (k.uuid, k.published));
            let published = published.and_then(|p| model::parse_rfc3339_nanos(&p).map(|n| (p, n)));
            PageEvent {
                raw,
                uuid,
                published,
            }
        })
        .collect())
}

/// The URL of the link with relation `wanted` among `Link` header values
/// (one link or several, comma-separated, in each).
fn link_with_rel(values: &[&str], wanted: &str) -> Option<String> {
    for value in values {
        let mut rest = *value;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            let url = &rest[open + 1..open + close];
            rest = &rest[open + close + 1..];
            let params_end = rest.find('<').unwrap_or(rest.len());
            let found = rest[..params_end].split([';', ',']).any(|param| {
                param.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("rel")
                        && v.trim()
                            .trim_matches('"')
                            .split_ascii_whitespace()
                            .any(|rel| rel.eq_ignore_ascii_case(wanted))
                })
            });
            if found {
                return Some(url.trim().to_owned());
            }
            rest = &rest[params_end..];
        }
    }
    None
}

/// `url` with its `limit` parameter set to `limit`, the rest kept as is.
fn with_limit(url: &Url, limit: u32) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "limit")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    {
        let mut query = out.query_pairs_mut();
        query.clear();
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        query.append_pair("limit", &limit.to_string());
    }
    out
}

/// RFC 3339 with milliseconds, as Okta writes its times.
fn okta_time(ns: i64) -> String {
    let text = model::format_rfc3339_nanos(ns);
    // 2026-12-03T14:52:07.123456789Z -> 2026-12-03T14:52:07.123Z
    match text.get(..23) {
        Some(head) => format!("{head}Z"),
        None => text,
    }
}

/// An error with its causes (reqwest's own message leaves them out).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Waits `duration`; true when the source was stopped meanwhile.
async fn pause(duration: Duration, stop: &watch::Receiver<bool>) -> bool {
    let mut watching = stop.clone();
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = watching.wait_for(|s| *s) => return true,
    }
    *stop.borrow()
}

/// Resolves when the source is told to stop.
async fn stopped(stop: &watch::Receiver<bool>) {
    let mut stop = stop.clone();
    let _ = stop.wait_for(|s| *s).await;
}

/// How long a 429 says to wait: until `X-Rate-Limit-Reset` (epoch
/// seconds), at least a second, at most `RATE_LIMIT_WAIT_CAP`.
fn rate_limit_wait(headers: &HeaderMap, now_ms: i64) -> Duration {
    let wait = match header_number(headers, "x-rate-limit-reset") {
        Some(reset) => {
            let ms = (reset as i64).saturating_mul(1000).saturating_sub(now_ms);
            Duration::from_millis(ms.max(0) as u64)
        }
        None => RATE_LIMIT_WAIT_DEFAULT,
    };
    wait.clamp(Duration::from_secs(1), RATE_LIMIT_WAIT_CAP)
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A successful reply.
struct Page {
    body: bytes::Bytes,
    next: Option<String>,
    /// Requests left in the rate-limit window, and when it resets.
    remaining: Option<u64>,
    reset_wait: Duration,
}

enum Reply {
    Page(Page),
    /// The body was larger than `MAX_PAGE_BYTES`.
    TooLarge,
    /// 401 or 403.
    Refused {
        status: u16,
        summary: String,
    },
    /// 400: the request itself was refused (a stale link, a `since` too old).
    BadRequest(String),
    /// Given up for this poll.
    Failed(String),
    Stopped,
}

enum ReadError {
    TooLarge,
    Stopped,
    Failed(String),
}

/// One Okta source's state.
pub(super) struct Poller {
    name: String,
    org: Url,
    http: reqwest::Client,
    authorization: HeaderValue,
    token: Secret,
    token_env: String,
    auth: OktaAuth,
    page_limit: u32,
    /// Where reading starts without a checkpoint.
    since_ns: i64,
    path: PathBuf,
    checkpoint: Checkpoint,
    /// Said once, at the first poll.
    notice: Option<String>,
    /// The last poll ended refused: the problem is not repeated every poll.
    refused: bool,
    /// Why the last poll ended early, as logged.
    last_failure: Option<String>,
}

impl Poller {
    pub(super) fn new(
        config: &SourceConfig,
        okta: &OktaApiConfig,
        dir: &Path,
    ) -> Result<Poller, String> {
        let org_text = parse_org_url(&config.url)?;
        let org = Url::parse(&org_text).map_err(|e| e.to_string())?;
        if okta.token.expose().is_empty() {
            return Err(format!("the token in {} is empty", okta.token_env));
        }
        let mut authorization =
            HeaderValue::from_str(&format!("{} {}", okta.auth.scheme(), okta.token.expose()))
                .map_err(|_| {
                    format!(
                        "the token in {} has characters an HTTP header cannot carry",
                        okta.token_env
                    )
                })?;
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            // The token goes to the org and nowhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let path = dir.join(format!("{}.okta", config.name));
        let fresh = Checkpoint {
            org: org_text.clone(),
            ..Checkpoint::default()
        };
        let mut notice = None;
        let checkpoint = match Checkpoint::load(&path)? {
            Some(c) if c.org == org_text => c,
            Some(c) => {
                notice = Some(format!(
                    "the checkpoint {} was for {}, not {org_text}: reading {org_text} from the start",
                    path.display(),
                    c.org
                ));
                fresh
            }
            None => fresh,
        };
        let since_ns = okta.since_ns.unwrap_or_else(|| {
            now_ms().saturating_sub(DEFAULT_LOOKBACK.as_millis() as i64) * 1_000_000
        });
        Ok(Poller {
            name: config.name.clone(),
            org,
            http,
            authorization,
            token: okta.token.clone(),
            token_env: okta.token_env.clone(),
            auth: okta.auth,
            page_limit: okta.page_limit.clamp(1, MAX_PAGE_EVENTS),
            since_ns,
            path,
            checkpoint,
            notice,
            refused: false,
            last_failure: None,
        })
    }

    /// Pages stored since the source was first configured.
    pub(super) fn pages(&self) -> u64 {
        self.checkpoint.pages
    }

    /// Polls every `interval` until told to stop.
    pub(super) async fn run(
        mut self,
        interval: Duration,
        importer: Importer,
        sources: Sources,
        stop: watch::Receiver<bool>,
    ) {
        if let Some(notice) = self.notice.take() {
            self.problem(&sources, notice);
        }
        loop {
            if *stop.borrow() {
                return;
            }
            self.poll(interval, &importer, &sources, &stop).await;
            if pause(interval, &stop).await {
                return;
            }
        }
    }

    /// The token removed from a text (an error, a reply Okta sent back).
    fn redact(&self, text: &str) -> String {
        let token = self.token.expose();
        if token.is_empty() {
            text.to_owned()
        } else {
            text.replace(token, "[redacted]")
        }
    }

    /// Resuming without a link: from the last stored `published`, skipping
    /// the events of that page.
    fn resuming(&self) -> bool {
        self.checkpoint.next.is_none() && self.checkpoint.last_published.is_some()
    }

    /// What the next request asks for.
    fn request_url(&self, limit: u32) -> Url {
        if let Some(next) = self
            .checkpoint
            .next
            .as_deref()
            .and_then(|n| self.follow(n).ok())
        {
            return with_limit(&next, limit);
        }
        let since = match &self.checkpoint.last_published {
            Some(published) => published.clone(),
            None => okta_time(self.since_ns),
        };
        let mut url = self.org.join(LOGS_PATH).expect("a path joins an origin");
        url.query_pairs_mut()
            .append_pair("since", &since)
            .append_pair("sortOrder", "ASCENDING")
            .append_pair("limit", &limit.to_string());
        url
    }

    /// A link Okta gave, if it leads to the org's System Log (the token is
    /// sent with it).
    fn follow(&self, link: &str) -> Result<Url, String> {
        let url = self
            .org
            .join(link)
            .map_err(|e| format!("Okta's next link {link:?} is not a URL: {e}"))?;
        if url.origin() != self.org.origin() || url.path() != LOGS_PATH {
            return Err(format!(
                "Okta's next link leads to {}{}, not {}{LOGS_PATH}: not followed (the token is sent to the org only)",
                url.origin().ascii_serialization(),
                url.path(),
                self.org.origin().ascii_serialization()
            ));
        }
        Ok(url)
    }

    /// A problem for the status list (and the log), the token removed.
    fn problem(&self, sources: &Sources, message: String) {
        sources.problem(&self.name, self.redact(&message));
    }

    /// Ends a poll early: the reason is the status's `last_error`, logged
    /// when it differs from the last one (a refused token is not logged
    /// every poll).
    fn fail(&mut self, sources: &Sources, message: String) {
        let message = self.redact(&message);
        if self.last_failure.as_deref() != Some(message.as_str()) {
            tracing::warn!(source = self.name.as_str(), "{message}");
            self.last_failure = Some(message.clone());
        }
        sources.update(&self.name, |s| s.last_error = Some(message));
    }

    /// One poll: pages while they come full, each stored and then
    /// checkpointed. Stops early (to go on at the next poll) when Okta
    /// cannot be read or storing fails.
    async fn poll(
        &mut self,
        interval: Duration,
        importer: &Importer,
        sources: &Sources,
        stop: &watch::Receiver<bool>,
    ) {
        let name = self.name.clone();
        let mut pages_read = 0u64;
        let mut limit = self.page_limit;
        let mut rate_waits = 0u32;
        loop {
            if *stop.borrow() {
                return;
            }
            let url = self.request_url(limit);
            let resuming = self.resuming();
            let page = match self.fetch(&url, sources, stop, &mut rate_waits).await {
                Reply::Page(page) => page,
                Reply::Stopped => return,
                Reply::TooLarge if limit > 1 => {
                    let smaller = (limit / 10).max(1);
                    self.problem(
                        sources,
                        format!(
                            "a page of {limit} events is larger than {} MiB: asking {smaller} at a time",
                            MAX_PAGE_BYTES >> 20
                        ),
                    );
                    limit = smaller;
                    continue;
                }
                Reply::TooLarge => {
                    self.fail(
                        sources,
                        format!(
                            "one event at {url} is larger than {} MiB: it cannot be read",
                            MAX_PAGE_BYTES >> 20
                        ),
                    );
                    return;
                }
                Reply::Refused { status, summary } => {
                    let message = format!(
                        "the token was refused (HTTP {status}{}): check the {} in {}; trying again every {} s",
                        if summary.is_empty() {
                            String::new()
                        } else {
                            format!(": {summary}")
                        },
                        self.auth.what(),
                        self.token_env,
                        interval.as_secs_f64()
                    );
                    if !self.refused {
                        self.problem(sources, message.clone());
                    }
                    self.refused = true;
                    self.fail(sources, message);
                    return;
                }
                Reply::BadRequest(summary) if self.checkpoint.next.is_some() => {
                    let from = self
                        .checkpoint
                        .last_published
                        .clone()
                        .unwrap_or_else(|| okta_time(self.since_ns));
                    self.problem(
                        sources,
                        format!(
                            "Okta refused the saved link (HTTP 400: {summary}): reading again from {from}, the events already stored skipped"
                        ),
                    );
                    self.checkpoint.next = None;
                    if let Err(e) = self.checkpoint.save(&self.path) {
                        self.fail(
                            sources,
                            format!("saving the checkpoint {}: {e}", self.path.display()),
                        );
                        return;
                    }
                    continue;
                }
                Reply::BadRequest(summary) => {
                    self.fail(
                        sources,
                        format!("Okta refused the request {url} (HTTP 400: {summary})"),
                    );
                    return;
                }
                Reply::Failed(message) => {
                    self.fail(sources, message);
                    return;
                }
            };
            pages_read += 1;
            sources.update(&name, |s| s.objects_listed = pages_read);
            let events = match parse_page(&page.body) {
                Ok(events) => events,
                Err(e) => {
                    self.fail(sources, format!("{url}: {e}"));
                    return;
                }
            };
            let next = match page.next.as_deref().map(|link| self.follow(link)) {
                Some(Ok(next)) => Some(next.to_string()),
                Some(Err(e)) => {
                    self.problem(sources, e);
                    None
                }
                None => {
                    self.problem(
                        sources,
                        format!("Okta's reply to {url} has no next link: reading on from the last event's time"),
                    );
                    None
                }
            };
            let skip: HashSet<&str> = if resuming {
                self.checkpoint
                    .last_uuids
                    .iter()
                    .map(String::as_str)
                    .collect()
            } else {
                HashSet::new()
            };
            let kept: Vec<&PageEvent> = events
                .iter()
                .filter(|e| e.uuid.as_deref().is_none_or(|u| !skip.contains(u)))
                .collect();
            let stored = if kept.is_empty() {
                None
            } else {
                let body = if kept.len() == events.len() {
                    page.body.clone()
                } else {
                    let raws: Vec<&str> = kept.iter().map(|e| e.raw.get()).collect();
                    bytes::Bytes::from(format!("[{}]", raws.join(",")))
                };
                match importer
                    .import(url.to_string(), body, Some(ImportKind::Okta))
                    .await
                {
                    Ok(report) => Some(report),
                    Err(e) => {
                        self.fail(sources, format!("storing the events of {url}: {e}"));
                        return;
                    }
                }
            };
            let mut checkpoint = self.checkpoint.clone();
            if !events.is_empty() {
                if let Some((text, _)) = events
                    .iter()
                    .filter_map(|e| e.published.as_ref())
                    .max_by_key(|(_, ns)| *ns)
                {
                    checkpoint.last_published = Some(text.clone());
                }
                checkpoint.last_uuids = events.iter().filter_map(|e| e.uuid.clone()).collect();
            }
            if let Some(report) = &stored {
                checkpoint.pages += 1;
                checkpoint.events += report.records as u64;
            }
            checkpoint.next = next;
            if checkpoint != self.checkpoint {
                if let Err(e) = checkpoint.save(&self.path) {
                    self.fail(
                        sources,
                        format!("saving the checkpoint {}: {e}", self.path.display()),
                    );
                    return;
                }
                self.checkpoint = checkpoint;
            }
            self.refused = false;
            if let Some(report) = stored {
                if let Some(problem) = &report.problem {
                    self.problem(sources, format!("{url}: {problem}"));
                }
                if report.rejected > 0 {
                    let first = report
                        .rejects
                        .first()
                        .map(|r| format!(" (event {}: {})", r.record, r.reason))
                        .unwrap_or_default();
                    self.problem(
                        sources,
                        format!("{url}: {} events rejected{first}", report.rejected),
                    );
                }
                let pages = self.checkpoint.pages;
                sources.update(&name, |s| {
                    s.objects_imported = pages;
                    s.records += report.records as u64;
                    s.rejected += report.rejected as u64;
                });
            }
            // A shorter page is the end of what Okta holds now; its link is
            // read at the next poll.
            if events.len() < limit as usize || self.checkpoint.next.is_none() {
                break;
            }
            limit = self.page_limit;
            if page.remaining == Some(0) && pause(page.reset_wait, stop).await {
                return;
            }
        }
        self.last_failure = None;
        sources.update(&name, |s| {
            s.polls += 1;
            s.last_poll_ms = Some(now_ms());
            s.last_error = None;
        });
    }

    /// One request, retried on network errors and 5xx, waiting out 429s.
    async fn fetch(
        &self,
        url: &Url,
        sources: &Sources,
        stop: &watch::Receiver<bool>,
        rate_waits: &mut u32,
    ) -> Reply {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let sent = self
                .http
                .get(url.clone())
                .header(AUTHORIZATION, self.authorization.clone())
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, concat!("hannun/", env!("CARGO_PKG_VERSION")))
                .send();
            let result = tokio::select! {
                r = sent => r,
                _ = stopped(stop) => return Reply::Stopped,
            };
            let retry_because = match result {
                Err(e) => self.redact(&format!("requesting {url}: {}", error_chain(&e))),
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        let headers = response.headers().clone();
                        match self.read_body(response, MAX_PAGE_BYTES, stop).await {
                            Ok(body) => {
                                let links: Vec<&str> = headers
                                    .get_all(LINK)
                                    .iter()
                                    .filter_map(|v| v.to_str().ok())
                                    .collect();
                                return Reply::Page(Page {
                                    body,
                                    next: link_with_rel(&links, "next"),
                                    remaining: header_number(&headers, "x-rate-limit-remaining"),
                                    reset_wait: rate_limit_wait(&headers, now_ms()),
                                });
                            }
                            Err(ReadError::TooLarge) => return Reply::TooLarge,
                            Err(ReadError::Stopped) => return Reply::Stopped,
                            Err(ReadError::Failed(e)) => format!("reading {url}: {e}"),
                        }
                    } else if status.as_u16() == 429 {
                        *rate_waits += 1;
                        if *rate_waits > RATE_LIMIT_WAITS {
                            return Reply::Failed(format!(
                                "Okta's rate limit was reached {RATE_LIMIT_WAITS} times in one poll (HTTP 429)"
                            ));
                        }
                        let wait = rate_limit_wait(response.headers(), now_ms());
                        let limit = header_number(response.headers(), "x-rate-limit-limit")
                            .map(|l| format!(", X-Rate-Limit-Limit {l}"))
                            .unwrap_or_default();
                        self.problem(
                            sources,
                            format!(
                                "Okta's rate limit was reached (HTTP 429{limit}): waiting {} s for it to reset",
                                wait.as_secs_f64().ceil()
                            ),
                        );
                        if pause(wait, stop).await {
                            return Reply::Stopped;
                        }
                        // Waiting out a rate limit is not a failed attempt.
                        attempt -= 1;
                        continue;
                    } else if matches!(status.as_u16(), 401 | 403) {
                        let summary = self.summary(response).await;
                        return Reply::Refused {
                            status: status.as_u16(),
                            summary,
                        };
                    } else if status.as_u16() == 400 {
                        return Reply::BadRequest(self.summary(response).await);
                    } else if status.is_server_error() {
                        let code = status.as_u16();
                        let summary = self.summary(response).await;
                        format!("Okta answered HTTP {code} to {url}: {summary}")
                    } else {
                        let code = status.as_u16();
                        let summary = self.summary(response).await;
                        return Reply::Failed(format!(
                            "Okta answered HTTP {code} to {url}: {summary}"
                        ));
                    }
                }
            };
            if attempt >= ATTEMPTS {
                return Reply::Failed(format!("{retry_because} (tried {ATTEMPTS} times)"));
            }
            let backoff = FIRST_BACKOFF * 2u32.pow(attempt - 1);
            self.problem(
                sources,
                format!("{retry_because}: trying again in {} s", backoff.as_secs()),
            );
            if pause(backoff, stop).await {
                return Reply::Stopped;
            }
        }
    }

    /// A body of at most `max` bytes.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        max: usize,
        stop: &watch::Receiver<bool>,
    ) -> Result<bytes::Bytes, ReadError> {
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(ReadError::TooLarge);
        }
        let mut body = Vec::new();
        loop {
            let chunk = tokio::select! {
                c = response.chunk() => c,
                _ = stopped(stop) => return Err(ReadError::Stopped),
            };
            match chunk {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > max {
                        return Err(ReadError::TooLarge);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body.into()),
                Err(e) => return Err(ReadError::Failed(self.redact(&error_chain(&e)))),
            }
        }
    }

    /// What an error reply says: Okta's `errorSummary`, else the start of
    /// its text; the token removed.
    async fn summary(&self, mut response: reqwest::Response) -> String {
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() >= MAX_ERROR_BYTES {
                break;
            }
        }
        let text = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("errorSummary")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(300)
            .collect();
        self.redact(text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls() {
        assert_eq!(
            parse_org_url("https://acme.okta.com").unwrap(),
            "https://acme.okta.com"
        );
        assert_eq!(
            parse_org_url("https://acme.okta.com/").unwrap(),
            "https://acme.okta.com"
        );
        assert_eq!(
            parse_org_url("http://127.0.0.1:8123").unwrap(),
            "http://127.0.0.1:8123"
        );
        assert_eq!(
            parse_org_url("http://[::1]:8123").unwrap(),
            "http://[::1]:8123"
        );
        assert!(parse_org_url("http://localhost:1").is_ok());
        for (bad, why) in [
            ("http://acme.okta.com", "plain HTTP"),
            ("http://10.0.0.1:80", "plain HTTP"),
            ("https://acme.okta.com/api/v1/logs", "path"),
            ("https://acme.okta.com?x=1", "path or query"),
            ("https://me:pw@acme.okta.com", "user name"),
            ("ftp://acme.okta.com", "not https"),
            ("acme.okta.com", "not a URL"),
        ] {
            let e = parse_org_url(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(!e.contains("pw"), "{e}");
        }
    }

    #[test]
    fn links_in_one_header_or_several() {
        let self_link = r#"<https://acme.okta.com/api/v1/logs?since=2026-01-01T00%3A00%3A00Z&limit=1000&sortOrder=ASCENDING>; rel="self""#;
        let next = r#"<https://acme.okta.com/api/v1/logs?limit=1000&sortOrder=ASCENDING&after=1767225600000_1>; rel="next""#;
        let want = "https://acme.okta.com/api/v1/logs?limit=1000&sortOrder=ASCENDING&after=1767225600000_1";
        assert_eq!(
            link_with_rel(&[self_link, next], "next").as_deref(),
            Some(want)
        );
        let joined = format!("{self_link}, {next}");
        assert_eq!(link_with_rel(&[&joined], "next").as_deref(), Some(want));
        assert_eq!(
            link_with_rel(&["<https://a/x?a=1,2>; rel=next"], "next").as_deref(),
            Some("https://a/x?a=1,2")
        );
        assert_eq!(
            link_with_rel(&[r#"<https://a/p>; title="x"; rel="prev next""#], "next").as_deref(),
            Some("https://a/p")
        );
        assert_eq!(link_with_rel(&[self_link], "next"), None);
        assert_eq!(link_with_rel(&["garbage <", ""], "next"), None);
    }

    #[test]
    fn limits_are_set_and_times_written_as_okta_does() {
        let url = Url::parse(
            "https://acme.okta.com/api/v1/logs?limit=1000&after=abc%3D&sortOrder=ASCENDING",
        )
        .unwrap();
        let small = with_limit(&url, 100);
        let pairs: Vec<(String, String)> = small
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert!(pairs.contains(&("after".into(), "abc=".into())), "{small}");
        assert!(pairs.contains(&("limit".into(), "100".into())), "{small}");
        assert_eq!(pairs.iter().filter(|(k, _)| k == "limit").count(), 1);
        assert_eq!(
            okta_time(1_796_115_600_123_456_789),
            "2026-12-01T09:00:00.123Z"
        );
    }

    #[test]
    fn the_token_never_shows() {
        let secret = Secret::new("00abcSECRET");
        assert!(!format!("{secret:?}").contains("SECRET"));
        let config = OktaApiConfig::new("OKTA_API_TOKEN", secret);
        assert!(!format!("{config:?}").contains("SECRET"));
    }

    #[test]
    fn rate_limit_waits_are_bounded() {
        let mut headers = HeaderMap::new();
        assert_eq!(rate_limit_wait(&headers, 0), RATE_LIMIT_WAIT_DEFAULT);
        headers.insert("x-rate-limit-reset", HeaderValue::from_static("1000"));
        assert_eq!(
            rate_limit_wait(&headers, 997_500),
            Duration::from_millis(2500)
        );
        assert_eq!(rate_limit_wait(&headers, 2_000_000), Duration::from_secs(1));
        assert_eq!(rate_limit_wait(&headers, 0), RATE_LIMIT_WAIT_CAP);
    }

    #[test]
    fn the_checkpoint_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("okta.okta");
        assert_eq!(Checkpoint::load(&path).unwrap(), None);
        let c = Checkpoint {
            org: "https://acme.okta.com".into(),
            next: Some("https://acme.okta.com/api/v1/logs?after=x".into()),
            last_published: Some("2026-12-01T09:00:00.000Z".into()),
            last_uuids: vec!["u1".into()],
            pages: 3,
            events: 2500,
        };
        c.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(c));
        assert!(!path.with_extension("okta.tmp").exists());
        std::fs::write(&path, b"{not json").unwrap();
        assert!(Checkpoint::load(&path).unwrap_err().contains("unreadable"));
    }

    #[test]
    fn pages_give_their_uuids_and_times() {
        let page = br#"[{"uuid":"a","published":"2026-12-01T09:00:00.000Z","eventType":"x"}, 7, {"published":"bad"}]"#;
        let events = parse_page(page).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].uuid.as_deref(), Some("a"));
        assert_eq!(
            events[0].published.as_ref().unwrap().1,
            1_796_115_600_000_000_000
        );
        assert!(events[1].uuid.is_none() && events[2].published.is_none());
        assert!(parse_page(b"<html>").err().unwrap().contains("JSON array"));
        assert!(parse_page(b"{}").is_err());
    }
}
