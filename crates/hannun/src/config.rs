//! Configuration in two steps: the raw TOML file and flags (serde, unknown
//! keys refused), then one validated `Config` the server runs on.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub(crate) struct ServeArgs {
    /// TOML config file; flags override it.
    #[arg(long, env = "HANNUN_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Where data lives [default: ./hannun-data; ./hannun-demo-data for demo].
    #[arg(long, env = "HANNUN_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// UI and API address [default: 127.0.0.1:8080].
    #[arg(long)]
    pub(crate) http_addr: Option<SocketAddr>,
    /// OTLP/gRPC address [default: 127.0.0.1:4317].
    #[arg(long)]
    pub(crate) otlp_grpc_addr: Option<SocketAddr>,
    /// OTLP/HTTP address [default: 127.0.0.1:4318].
    #[arg(long)]
    pub(crate) otlp_http_addr: Option<SocketAddr>,
    /// A MaxMind-format city database (GeoLite2-City, DB-IP Lite City, ...)
    /// placing audit events' source addresses [config: enrich.geoip_city].
    #[arg(long)]
    pub(crate) geoip_city: Option<PathBuf>,
    /// A MaxMind-format ASN database (GeoLite2-ASN, DB-IP Lite ASN, ...)
    /// [config: enrich.geoip_asn].
    #[arg(long)]
    pub(crate) geoip_asn: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// Seed of the generated demo world.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
    /// Share of the demo world's user traffic (0.01-1; per-minute metrics
    /// and scheduled jobs stay): smaller worlds generate faster.
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub(crate) scale: f64,
}

fn parse_scale(text: &str) -> Result<f64, String> {
    let scale: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.01..=1.0).contains(&scale) {
        Ok(scale)
    } else {
        Err(format!("{scale} is outside 0.01-1"))
    }
}

/// The config file as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    data_dir: Option<PathBuf>,
    http_addr: Option<String>,
    otlp_grpc_addr: Option<String>,
    otlp_http_addr: Option<String>,
    #[serde(default)]
    ingest: RawIngest,
    #[serde(default)]
    storage: RawStorage,
    #[serde(default)]
    query: RawQuery,
    #[serde(default)]
    network: RawNetwork,
    #[serde(default)]
    enrich: RawEnrich,
    #[serde(default)]
    detect: RawDetect,
    #[serde(default)]
    sources: Vec<RawSource>,
    /// Where people reach the UI, for the links in notifications
    /// (default: `http://<http_addr>`).
    public_url: Option<String>,
    #[serde(default)]
    notify: Vec<RawNotify>,
}

/// `[[notify]]`: a destination of new-signal notifications.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    name: String,
    /// `webhook` (hannun's JSON) or `slack` (an incoming webhook's JSON).
    kind: String,
    /// The URL, or the environment variable holding it (a Slack webhook
    /// URL is a secret).
    url: Option<String>,
    url_env: Option<String>,
    /// info, low, medium (default), high or critical.
    min_severity: Option<String>,
    /// At most this many notices a minute (default 10); the rest are told
    /// in one summary when the minute allows.
    per_minute: Option<u32>,
}

/// A `[[notify]]` destination, checked.
fn destination(raw: RawNotify) -> anyhow::Result<crate::notify::Destination> {
    let field = |f: &str| format!("notify.{}.{f}", raw.name);
    if raw.name.is_empty()
        || raw.name.len() > 64
        || !raw
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        bail!(
            "notify.name {:?} must be 1-64 of a-z, 0-9, - and _",
            raw.name
        );
    }
    let kind = siem::NotifyKind::parse(&raw.kind).ok_or_else(|| {
        anyhow::anyhow!("{}: {:?} is not webhook or slack", field("kind"), raw.kind)
    })?;
    let url = match (&raw.url, &raw.url_env) {
        (Some(u), None) => u.clone(),
        (None, Some(var)) => std::env::var(var).map_err(|_| {
            anyhow::anyhow!(
                "{}: the environment variable {var} is not set",
                field("url_env")
            )
        })?,
        _ => bail!("{}: give url or url_env, one of them", field("url")),
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2_048 {
        // The URL may be a secret: name the field, not the value.
        bail!("{}: not an http(s) URL", field("url"));
    }
    let min_severity = raw.min_severity.unwrap_or_else(|| "medium".into());
    if !siem::is_severity(&min_severity) {
        bail!(
            "{} = {min_severity:?} is not info, low, medium, high or critical",
            field("min_severity")
        );
    }
    let per_minute = raw.per_minute.unwrap_or(10);
    if !(1..=600).contains(&per_minute) {
        bail!("{} = {per_minute} must be 1-600", field("per_minute"));
    }
    Ok(crate::notify::Destination {
        name: raw.name,
        kind,
        url,
        min_severity,
        per_minute,
    })
}

/// `[detect]`: the security rules audit events are matched against.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetect {
    /// Sigma rule files or folders (searched for .yml and .yaml).
    #[serde(default)]
    sigma_rules: Vec<PathBuf>,
    /// Roles whose console use raises `aws-console-rescue-role` (a glob).
    rescue_role_pattern: Option<String>,
    /// When set, `aws-console-rescue-role` fires only in these accounts.
    #[serde(default)]
    production_accounts: Vec<String>,
    /// The speed above which travel is impossible, km/h.
    travel_max_kmh: Option<f64>,
    /// VPN and office ranges (CIDR) whose sign-ins are not placed.
    #[serde(default)]
    travel_ignore: Vec<String>,
    /// Detections of one rule and entity this close are one signal.
    dedup_hours: Option<i64>,
}

/// `[enrich]`: the lookup tables enrichment reads.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnrich {
    geoip_city: Option<PathBuf>,
    geoip_asn: Option<PathBuf>,
}

/// `[[sources]]`: an S3 prefix (`url`) or an Okta org's System Log
/// (`okta_url`) the server imports from continuously.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    /// `s3://bucket/prefix`.
    url: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    poll_seconds: Option<u64>,
    kind: Option<String>,
    /// Follow S3 event notifications on this SQS queue instead of listing.
    sqs_queue_url: Option<String>,
    /// The Okta org (`https://acme.okta.com`) whose System Log is polled.
    okta_url: Option<String>,
    /// The environment variable holding the token.
    okta_token_env: Option<String>,
    /// `ssws` (an API token, the default) or `bearer` (an OAuth 2.0 access token).
    okta_token_kind: Option<String>,
    /// RFC 3339: where the first start reads from (default: 7 days ago).
    okta_since: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    /// A price table replacing the embedded one (crates/network/data/prices.toml's shape).
    prices: Option<PathBuf>,
    /// Won per dollar, overriding the table's.
    krw_per_usd: Option<f64>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIngest {
    /// Ingest API keys; when set, every ingest request must present one.
    #[serde(default)]
    api_keys: Vec<String>,
    max_past_days: Option<u64>,
    max_future_minutes: Option<u64>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    flush_mb: Option<usize>,
    flush_seconds: Option<u64>,
    max_buffer_mb: Option<usize>,
    default_retention_days: Option<u32>,
    #[serde(default)]
    retention_days: BTreeMap<String, u32>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    memory_mb: Option<usize>,
    timeout_seconds: Option<u64>,
    max_rows: Option<usize>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) data_dir: PathBuf,
    pub(crate) http_addr: SocketAddr,
    pub(crate) otlp_grpc_addr: SocketAddr,
    pub(crate) otlp_http_addr: SocketAddr,
    pub(crate) api_keys: Vec<String>,
    pub(crate) store: store::StoreConfig,
    pub(crate) pipeline: ingest::PipelineConfig,
    pub(crate) query: query::QueryLimits,
    pub(crate) prices: network::PriceTable,
    pub(crate) sources: Vec<ingest::sources::SourceConfig>,
    /// The configured geo-IP databases (none: places stay unknown).
    pub(crate) geoip: Arc<enrich::GeoIp>,
    /// The security rules, and what became of each loaded rule file.
    pub(crate) detector: Arc<detect::Detector>,
    pub(crate) rule_report: Arc<Vec<detect::RuleReport>>,
    /// The loaded Sigma rules and their files' text (for runs over
    /// history and the rule editor).
    pub(crate) sigma: Arc<detect::SigmaRules>,
    pub(crate) rule_files: Vec<RuleFile>,
    pub(crate) dedup_hours: i64,
    /// Where notifications of new signals go, and the UI's address their
    /// links use.
    pub(crate) notify: Vec<crate::notify::Destination>,
    pub(crate) public_url: String,
}

/// A rule file's name and text.
type RuleFile = (String, String);

/// Rule files found under the paths: at most this many.
const MAX_RULE_FILES: usize = 10_000;

/// Reads every .yml/.yaml file under `paths` (files or folders), as
/// (name, text), and the files too large to read (reported, not loaded);
/// an unreadable path is an error naming it.
fn read_rule_files(paths: &[PathBuf]) -> anyhow::Result<(Vec<RuleFile>, Vec<detect::RuleReport>)> {
    let mut out = Vec::new();
    let mut too_large = Vec::new();
    let mut stack: Vec<PathBuf> = paths.iter().rev().cloned().collect();
    while let Some(path) = stack.pop() {
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("detect.sigma_rules: {}", path.display()))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
                .with_context(|| format!("detect.sigma_rules: reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            stack.extend(entries.into_iter().rev());
            continue;
        }
        if !path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            continue;
        }
        if out.len() >= MAX_RULE_FILES {
            bail!("detect.sigma_rules: more than {MAX_RULE_FILES} rule files");
        }
        if meta.len() > detect::MAX_RULE_FILE_BYTES as u64 {
            too_large.push(detect::RuleReport::failed_file(
                &path.display().to_string(),
                format!(
                    "the file is larger than {} bytes",
                    detect::MAX_RULE_FILE_BYTES
                ),
            ));
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("detect.sigma_rules: reading {}", path.display()))?;
        out.push((path.display().to_string(), text));
    }
    Ok((out, too_large))
}

/// What `[detect]` sets up.
struct Detect {
    detector: detect::Detector,
    report: Vec<detect::RuleReport>,
    sigma: Arc<detect::SigmaRules>,
    files: Vec<RuleFile>,
    dedup_hours: i64,
}

/// The detector from `[detect]`.
fn detector(raw: &RawDetect) -> anyhow::Result<Detect> {
    let (files, too_large) = read_rule_files(&raw.sigma_rules)?;
    let rules = Arc::new(detect::SigmaRules::load(&files));
    let mut report = rules.report.clone();
    report.extend(too_large);
    let mut builtin = detect::BuiltinConfig::default();
    if let Some(p) = &raw.rescue_role_pattern {
        if p.is_empty() || p.len() > 256 {
            bail!("detect.rescue_role_pattern must be 1-256 characters");
        }
        builtin.rescue_role_pattern = p.clone();
    }
    builtin.production_accounts = raw.production_accounts.clone();
    let mut travel = detect::TravelConfig::default();
    if let Some(kmh) = raw.travel_max_kmh {
        if !(kmh.is_finite() && kmh > 0.0) {
            bail!("detect.travel_max_kmh = {kmh} must be a positive number");
        }
        travel.max_speed_kmh = kmh;
    }
    for range in &raw.travel_ignore {
        travel.ignore.push(
            detect::parse_cidr(range).map_err(|e| anyhow::anyhow!("detect.travel_ignore: {e}"))?,
        );
    }
    let dedup = raw.dedup_hours.unwrap_or(detect::DEFAULT_DEDUP_HOURS);
    if !(1..=24 * 30).contains(&dedup) {
        bail!("detect.dedup_hours = {dedup} must be 1-720");
    }
    Ok(Detect {
        detector: detect::Detector::new(rules.clone(), builtin, travel, dedup),
        report,
        sigma: rules,
        files,
        dedup_hours: dedup,
    })
}

/// Reads the geo-IP databases a flag or the config names.
fn geoip(city: Option<&Path>, asn: Option<&Path>) -> anyhow::Result<enrich::GeoIp> {
    let read = |field: &str, path: Option<&Path>| -> anyhow::Result<Option<Vec<u8>>> {
        path.map(|p| {
            std::fs::read(p).with_context(|| format!("enrich.{field}: reading {}", p.display()))
        })
        .transpose()
    };
    enrich::GeoIp::from_bytes(read("geoip_city", city)?, read("geoip_asn", asn)?).map_err(|e| {
        anyhow::anyhow!(
            "{e} ({})",
            [city, asn]
                .into_iter()
                .flatten()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn parse_addr(field: &str, value: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("{field} = {value:?} is not an address like 127.0.0.1:8080"))
}

/// A `[[sources]]` table, checked.
fn source(
    mut raw: RawSource,
    before: &[ingest::sources::SourceConfig],
) -> anyhow::Result<ingest::sources::SourceConfig> {
    let name = raw.name.clone();
    let field = |f: &str| format!("sources.{name}.{f}");
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        bail!("sources: name {name:?} must be 1-64 of a-z, 0-9, '-' and '_'");
    }
    if before.iter().any(|s| s.name == name) {
        bail!("sources: two sources are named {name:?}");
    }
    let poll_interval = Duration::from_secs(raw.poll_seconds.unwrap_or(60).max(1));
    let (url, okta) = match (raw.url.take(), raw.okta_url.take()) {
        (Some(_), Some(_)) => bail!(
            "sources.{name}: url and okta_url are exclusive (a source reads an S3 prefix or an Okta org)"
        ),
        (None, None) => bail!(
            "sources.{name}: set url (an S3 prefix, s3://bucket/prefix) or okta_url (an Okta org, https://acme.okta.com)"
        ),
        (Some(url), None) => {
            for (set, f) in [
                (raw.okta_token_env.is_some(), "okta_token_env"),
                (raw.okta_token_kind.is_some(), "okta_token_kind"),
                (raw.okta_since.is_some(), "okta_since"),
            ] {
                if set {
                    bail!("{}: only for okta_url sources", field(f));
                }
            }
            ingest::sources::S3Location::parse(&url)
                .map_err(|e| anyhow::anyhow!("{}: {e}", field("url")))?;
            (url, None)
        }
        (None, Some(okta_url)) => {
            for (set, f) in [
                (raw.region.is_some(), "region"),
                (raw.endpoint.is_some(), "endpoint"),
                (raw.kind.is_some(), "kind"),
                (raw.sqs_queue_url.is_some(), "sqs_queue_url"),
            ] {
                if set {
                    bail!("{}: only for S3 sources (url), not okta_url", field(f));
                }
            }
            let org = ingest::sources::parse_org_url(&okta_url)
                .map_err(|e| anyhow::anyhow!("{}: {e}", field("okta_url")))?;
            (org, Some(okta_source(&raw, &field)?))
        }
    };
    let kind = match raw.kind {
        Some(k) => Some(ingest::ImportKind::from_name(&k).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: unknown kind {k:?}; one of {}",
                field("kind"),
                ingest::ImportKind::ALL
                    .map(ingest::ImportKind::name)
                    .join(", ")
            )
        })?),
        None => None,
    };
    Ok(ingest::sources::SourceConfig {
        name: name.clone(),
        url,
        access: ingest::sources::S3Access {
            region: raw.region,
            endpoint: raw.endpoint,
        },
        poll_interval,
        kind,
        sqs_queue_url: raw.sqs_queue_url,
        okta,
    })
}

/// The Okta part of an `okta_url` source: the token read from its
/// environment variable (never shown in errors), its kind, the start.
fn okta_source(
    raw: &RawSource,
    field: &dyn Fn(&str) -> String,
) -> anyhow::Result<ingest::sources::OktaApiConfig> {
    let env = raw.okta_token_env.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: required with okta_url (the environment variable holding the token, e.g. OKTA_API_TOKEN)",
            field("okta_token_env")
        )
    })?;
    let valid_name = env
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && env.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_name {
        bail!(
            "{} = {env:?} is not an environment variable name (letters, digits and '_')",
            field("okta_token_env")
        );
    }
    let token = match std::env::var(env) {
        Ok(t) if t.trim().is_empty() => {
            bail!(
                "{}: the environment variable {env} is empty",
                field("okta_token_env")
            )
        }
        Ok(t) => t.trim().to_owned(),
        Err(std::env::VarError::NotPresent) => {
            bail!(
                "{}: the environment variable {env} is not set",
                field("okta_token_env")
            )
        }
        Err(std::env::VarError::NotUnicode(_)) => bail!(
            "{}: the environment variable {env} is not text",
            field("okta_token_env")
        ),
    };
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        bail!(
            "{}: the token in {env} has characters an HTTP header cannot carry",
            field("okta_token_env")
        );
    }
    let mut okta = ingest::sources::OktaApiConfig::new(env, ingest::sources::Secret::new(token));
    if let Some(kind) = &raw.okta_token_kind {
        okta.auth = ingest::sources::OktaAuth::from_name(kind).ok_or_else(|| {
            anyhow::anyhow!(
                "{} = {kind:?}: one of ssws (an API token) or bearer (an OAuth 2.0 access token)",
                field("okta_token_kind")
            )
        })?;
    }
    if let Some(since) = &raw.okta_since {
        let ns = model::parse_rfc3339_nanos(since).ok_or_else(|| {
            anyhow::anyhow!(
                "{} = {since:?} is not an RFC 3339 time like 2026-01-01T00:00:00Z",
                field("okta_since")
            )
        })?;
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        if ns > now_ns {
            bail!("{} = {since:?} is in the future", field("okta_since"));
        }
        okta.since_ns = Some(ns);
    }
    Ok(okta)
}

fn load(path: &Path) -> anyhow::Result<RawConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

impl Config {
    pub(crate) fn from_serve_args(args: &ServeArgs) -> anyhow::Result<Config> {
        Config::build(args, "hannun-data")
    }

    pub(crate) fn from_demo_args(args: &DemoArgs) -> anyhow::Result<Config> {
        let mut config = Config::build(&args.serve, "hannun-demo-data")?;
        // The demo's addresses are those MaxMind's test databases place.
        if config.geoip.is_empty() {
            config.geoip = Arc::new(
                enrich::GeoIp::from_bytes(
                    Some(
                        include_bytes!("../../../testdata/maxmind/GeoLite2-City-Test.mmdb")
                            .to_vec(),
                    ),
                    Some(
                        include_bytes!("../../../testdata/maxmind/GeoLite2-ASN-Test.mmdb").to_vec(),
                    ),
                )
                .map_err(|e| anyhow::anyhow!("the demo's geo-IP test databases: {e}"))?,
            );
        }
        Ok(config)
    }

    fn build(args: &ServeArgs, default_dir: &str) -> anyhow::Result<Config> {
        let raw = match &args.config {
            Some(path) => load(path)?,
            None => RawConfig::default(),
        };
        let addr =
            |flag: Option<SocketAddr>, file: &Option<String>, field: &str, default: &str| match (
                flag, file,
            ) {
                (Some(a), _) => Ok(a),
                (None, Some(s)) => parse_addr(field, s),
                (None, None) => parse_addr(field, default),
            };
        let data_dir = args
            .data_dir
            .clone()
            .or(raw.data_dir)
            .unwrap_or_else(|| PathBuf::from(default_dir));
        let mut store = store::StoreConfig::new(&data_dir);
        if let Some(mb) = raw.storage.flush_mb {
            store.flush_bytes = mb.max(1) << 20;
        }
        if let Some(s) = raw.storage.flush_seconds {
            store.flush_interval = Duration::from_secs(s.max(1));
        }
        if let Some(mb) = raw.storage.max_buffer_mb {
            if mb < 16 {
                bail!("storage.max_buffer_mb = {mb} is too small; use at least 16");
            }
            store.max_buffer_bytes = mb << 20;
        }
        if let Some(d) = raw.storage.default_retention_days {
            store.default_retention_days = d.max(1);
        }
        for name in raw.storage.retention_days.keys() {
            model::DatasetName::new(name)
                .with_context(|| format!("storage.retention_days.{name}"))?;
        }
        // The file's days win over the built-in ones (the audit trail's).
        store.retention_days.extend(raw.storage.retention_days);
        let mut pipeline = ingest::PipelineConfig::default();
        if let Some(d) = raw.ingest.max_past_days {
            pipeline.max_past = Duration::from_secs(d.max(1) * 86_400);
        }
        if let Some(m) = raw.ingest.max_future_minutes {
            pipeline.max_future = Duration::from_secs(m * 60);
        }
        if raw.ingest.api_keys.iter().any(|k| k.len() < 16) {
            bail!("ingest.api_keys: every key must be at least 16 characters");
        }
        let mut query = query::QueryLimits::default();
        if let Some(mb) = raw.query.memory_mb {
            query.memory_bytes = mb.max(16) << 20;
        }
        if let Some(s) = raw.query.timeout_seconds {
            query.timeout = Duration::from_secs(s.max(1));
        }
        if let Some(r) = raw.query.max_rows {
            query.max_rows = r.max(1);
        }
        let mut prices = match &raw.network.prices {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("network.prices: reading {}", path.display()))?;
                network::PriceTable::parse(&text)
                    .map_err(|e| anyhow::anyhow!("network.prices {}: {e}", path.display()))?
            }
            None => network::PriceTable::embedded(),
        };
        if let Some(rate) = raw.network.krw_per_usd {
            if !(rate.is_finite() && rate > 0.0) {
                bail!("network.krw_per_usd = {rate} must be a positive number");
            }
            prices.krw_per_usd = rate;
        }
        let mut sources = Vec::new();
        for raw in raw.sources {
            sources.push(source(raw, &sources)?);
        }
        // Replaced files must outlive the longest query that may read them.
        store.delete_grace = query.timeout * 2 + Duration::from_secs(10);
        let geoip = geoip(
            args.geoip_city
                .as_deref()
                .or(raw.enrich.geoip_city.as_deref()),
            args.geoip_asn
                .as_deref()
                .or(raw.enrich.geoip_asn.as_deref()),
        )?;
        let detect = detector(&raw.detect)?;
        let notify = raw
            .notify
            .into_iter()
            .map(destination)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let http_addr = addr(
            args.http_addr,
            &raw.http_addr,
            "http_addr",
            "127.0.0.1:8080",
        )?;
        let public_url = raw
            .public_url
            .unwrap_or_else(|| format!("http://{http_addr}"));
        Ok(Config {
            prices,
            sources,
            geoip: Arc::new(geoip),
            detector: Arc::new(detect.detector),
            rule_report: Arc::new(detect.report),
            sigma: detect.sigma,
            rule_files: detect.files,
            dedup_hours: detect.dedup_hours,
            notify,
            public_url,
            data_dir,
            http_addr,
            otlp_grpc_addr: addr(
                args.otlp_grpc_addr,
                &raw.otlp_grpc_addr,
                "otlp_grpc_addr",
                "127.0.0.1:4317",
            )?,
            otlp_http_addr: addr(
                args.otlp_http_addr,
                &raw.otlp_http_addr,
                "otlp_http_addr",
                "127.0.0.1:4318",
            )?,
            api_keys: raw.ingest.api_keys,
            store,
            pipeline,
            query,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hannun.toml");
        std::fs::write(
            &path,
            "http_addr = \"127.0.0.1:9999\"\n[storage]\ndefault_retention_days = 7\n[storage.retention_days]\nlogs = 3\n[query]\ntimeout_seconds = 5\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(path.clone()),
            otlp_http_addr: Some("127.0.0.1:1".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::from_serve_args(&args).unwrap();
        assert_eq!(c.http_addr.port(), 9999);
        assert_eq!(c.otlp_http_addr.port(), 1);
        assert_eq!(c.store.default_retention_days, 7);
        assert_eq!(c.store.retention_days["logs"], 3);
        assert_eq!(c.query.timeout, Duration::from_secs(5));
        std::fs::write(&path, "htp_addr = \"x\"\n").unwrap();
        let err = format!("{:#}", Config::from_serve_args(&args).unwrap_err());
        assert!(err.contains("unknown field `htp_addr`"), "{err}");
    }

    #[test]
    fn enrich_and_detect_sections_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hannun.toml");
        let testdata = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
        let good = format!(
            "[enrich]\ngeoip_city = \"{testdata}/maxmind/GeoLite2-City-Test.mmdb\"\n[detect]\nsigma_rules = [\"{testdata}/sigmahq/rules/identity/okta\"]\nrescue_role_pattern = \"*break-glass*\"\nproduction_accounts = [\"111122223333\"]\ntravel_max_kmh = 1000.0\ntravel_ignore = [\"203.0.113.0/24\"]\ndedup_hours = 12\n"
        );
        std::fs::write(&path, &good).unwrap();
        let args = ServeArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        let c = Config::from_serve_args(&args).unwrap();
        assert!(!c.geoip.is_empty());
        assert_eq!(c.rule_report.len(), 21, "SigmaHQ's Okta rules");
        // A file too large to be a rule is reported, not read.
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(
            rules.join("huge.yml"),
            "#".repeat(detect::MAX_RULE_FILE_BYTES + 1),
        )
        .unwrap();
        std::fs::write(
            &path,
            format!("[detect]\nsigma_rules = [\"{}\"]\n", rules.display()),
        )
        .unwrap();
        let c = Config::from_serve_args(&args).unwrap();
        assert!(
            matches!(&c.rule_report[..], [r] if matches!(&r.load, detect::RuleLoad::Failed { reason } if reason.contains("larger than"))),
            "{:?}",
            c.rule_report
        );
        for (bad, expected) in [
            (
                "[detect]\ntravel_ignore = [\"vpn\"]\n",
                "detect.travel_ignore",
            ),
            ("[detect]\ndedup_hours = 0\n", "detect.dedup_hours"),
            (
                "[detect]\nsigma_rules = [\"/no/such/rules\"]\n",
                "/no/such/rules",
            ),
            (
                "[enrich]\ngeoip_asn = \"/no/such.mmdb\"\n",
                "enrich.geoip_asn",
            ),
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = format!("{:#}", Config::from_serve_args(&args).unwrap_err());
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn okta_sources_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hannun.toml");
        let args = ServeArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        // Cargo and nextest set CARGO_PKG_NAME for the test: it stands for
        // the token's variable (tests cannot set variables).
        let okta = "[[sources]]\nname = \"okta\"\nokta_url = \"https://acme.okta.com/\"\nokta_token_env = \"CARGO_PKG_NAME\"\n";
        std::fs::write(
            &path,
            format!("{okta}okta_token_kind = \"bearer\"\nokta_since = \"2026-01-01T00:00:00Z\"\npoll_seconds = 30\n"),
        )
        .unwrap();
        let c = Config::from_serve_args(&args).unwrap();
        let source = &c.sources[0];
        assert_eq!(source.url, "https://acme.okta.com");
        assert_eq!(source.poll_interval, Duration::from_secs(30));
        let api = source.okta.as_ref().unwrap();
        assert_eq!(api.token_env, "CARGO_PKG_NAME");
        assert_eq!(api.auth, ingest::sources::OktaAuth::Bearer);
        assert_eq!(api.since_ns, Some(1_767_225_600_000_000_000));
        assert_eq!(api.page_limit, ingest::sources::MAX_PAGE_EVENTS);
        std::fs::write(&path, okta).unwrap();
        let api = Config::from_serve_args(&args).unwrap().sources[0]
            .okta
            .clone()
            .unwrap();
        assert_eq!(
            (api.auth, api.since_ns),
            (ingest::sources::OktaAuth::Ssws, None)
        );
        let s3 = "[[sources]]\nname = \"okta\"\nurl = \"s3://my-logs\"\n";
        for (bad, expected) in [
            (
                format!("{okta}url = \"s3://my-logs\"\n"),
                "sources.okta: url and okta_url are exclusive",
            ),
            ("[[sources]]\nname = \"okta\"\n".into(), "set url"),
            (
                okta.replace("https://acme.okta.com/", "http://acme.okta.com"),
                "sources.okta.okta_url: \"http://acme.okta.com\" is plain HTTP",
            ),
            (
                okta.replace(
                    "https://acme.okta.com/",
                    "https://acme.okta.com/api/v1/logs",
                ),
                "sources.okta.okta_url",
            ),
            (
                okta.replace("okta_token_env = \"CARGO_PKG_NAME\"\n", ""),
                "sources.okta.okta_token_env: required",
            ),
            (
                okta.replace("CARGO_PKG_NAME", "HANNUN_NO_SUCH_VARIABLE_4F1B"),
                "HANNUN_NO_SUCH_VARIABLE_4F1B is not set",
            ),
            (
                okta.replace("CARGO_PKG_NAME", "OKTA-TOKEN"),
                "sources.okta.okta_token_env = \"OKTA-TOKEN\" is not an environment variable name",
            ),
            (
                format!("{okta}okta_token_kind = \"basic\"\n"),
                "sources.okta.okta_token_kind = \"basic\"",
            ),
            (
                format!("{okta}okta_since = \"yesterday\"\n"),
                "sources.okta.okta_since = \"yesterday\" is not an RFC 3339 time",
            ),
            (
                format!("{okta}okta_since = \"2200-01-01T00:00:00Z\"\n"),
                "is in the future",
            ),
            (
                format!("{okta}region = \"us-east-1\"\n"),
                "sources.okta.region: only for S3 sources",
            ),
            (
                format!("{s3}okta_token_env = \"OKTA_API_TOKEN\"\n"),
                "sources.okta.okta_token_env: only for okta_url sources",
            ),
        ] {
            std::fs::write(&path, &bad).unwrap();
            let err = format!("{:#}", Config::from_serve_args(&args).unwrap_err());
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn notify_destinations_are_checked_naming_the_field() {
        let raw = |kind: &str, url: Option<&str>, sev: Option<&str>| RawNotify {
            name: "secops".into(),
            kind: kind.into(),
            url: url.map(str::to_owned),
            url_env: None,
            min_severity: sev.map(str::to_owned),
            per_minute: None,
        };
        let d = destination(raw("slack", Some("https://hooks.example.com/x"), None)).unwrap();
        assert_eq!((d.min_severity.as_str(), d.per_minute), ("medium", 10));
        let err = |r: RawNotify| destination(r).unwrap_err().to_string();
        assert!(err(raw("teams", Some("https://x"), None)).contains("notify.secops.kind"));
        assert!(err(raw("slack", None, None)).contains("notify.secops.url: give url or url_env"));
        let bad = err(raw("slack", Some("ftp://secret-path"), None));
        assert!(
            bad.contains("not an http(s) URL") && !bad.contains("secret-path"),
            "{bad}"
        );
        assert!(err(raw("webhook", Some("https://x"), Some("urgent"))).contains("min_severity"));
        let missing = RawNotify {
            url: None,
            url_env: Some("HANNUN_TEST_NO_SUCH_VARIABLE".into()),
            ..raw("webhook", None, None)
        };
        assert!(err(missing).contains("HANNUN_TEST_NO_SUCH_VARIABLE is not set"));
    }
}
