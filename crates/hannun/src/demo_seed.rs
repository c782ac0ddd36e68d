//! Fills an empty data directory with the demo world, and keeps the demo's
//! ingest API key next to its data.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use demo::{DemoConfig, DemoDataset};
use formats::TimeWindow;
use model::DatasetName;
use store::Store;

/// Generates and stores the demo world unless the store already has data.
pub(crate) fn seed_if_empty(
    store: &Store,
    network_dir: &Path,
    security: &Security,
    seed: u64,
    scale: f64,
) -> anyhow::Result<()> {
    if !store.datasets().is_empty() {
        println!("reusing the demo data in this directory (delete it to regenerate)");
        return Ok(());
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos() as i64;
    // Anchor on a whole minute so the same seed gives the same world shape.
    let end = now - now.rem_euclid(60_000_000_000);
    let config = DemoConfig {
        seed,
        end_unix_nanos: end,
        days: 7,
        scale,
    };
    let window = TimeWindow::new(now, 8 * 86_400_000_000_000, 3_600_000_000_000);
    println!(
        "generating the demo world (seed {seed}, 7 days of logs, traces, metrics, VPC flow logs, CloudTrail, Okta and WAF logs)..."
    );
    let started = Instant::now();
    let writer = ingest::DerivingWriter::new(store.clone());
    let mut rows = 0usize;
    let mut failure: Option<anyhow::Error> = None;
    demo::generate(&config, 20_000, &mut |dataset, chunk| {
        if failure.is_some() {
            return;
        }
        let name = match dataset {
            DemoDataset::Logs => DatasetName::logs(),
            DemoDataset::Spans => DatasetName::spans(),
            DemoDataset::Metrics => DatasetName::metrics(),
        };
        let result = (|| -> anyhow::Result<()> {
            let decoded = formats::decode_ndjson(chunk, &store.dataset_schema(&name), &window)?;
            if decoded.rejected > 0 {
                anyhow::bail!(
                    "demo generator produced rejected records: {:?}",
                    decoded.reject_samples
                );
            }
            if let Some(built) = decoded.built {
                rows += built.batch.num_rows();
                loop {
                    match writer.append(&name, built.batch.clone()) {
                        Err(ingest::IngestError::Backpressure(..)) => store.flush()?,
                        other => {
                            other?;
                            break;
                        }
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            failure = Some(e);
        }
    });
    if let Some(e) = failure {
        return Err(e).context("seeding the demo data");
    }
    rows += seed_network(store, network_dir, seed, end)?;
    rows += seed_security(store, network_dir, security, seed, end)?;
    store.flush()?;
    store.compact()?;
    println!(
        "stored {rows} demo records in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

const NETWORK_BYTES_SCALE: f64 = 20.0;

/// Imports the demo VPC's AWS logs for the same week, as `hannun import`
/// would: the interface inventory, the Resolver query logs, then the flow
/// logs. Returns the flow records stored.
fn seed_network(
    store: &Store,
    network_dir: &Path,
    seed: u64,
    end_nanos: i64,
) -> anyhow::Result<usize> {
    let end = end_nanos / 1_000_000_000;
    let data = demo::generate_network(&demo::NetworkConfig {
        seed,
        start_s: end - 7 * 86_400,
        end_s: end,
        // Bytes of a company the talk's size, whatever the log volume (its
        // NAT and endpoint fixes saved about ₩100M a year); the records per
        // window do not depend on it.
        scale: NETWORK_BYTES_SCALE,
    });
    let importer = ingest::Importer::open(store.clone(), Some(network_dir))?;
    let mut records = 0;
    let objects = std::iter::once(&data.inventory)
        .chain(&data.resolver_logs)
        .chain(&data.flow_logs);
    for object in objects {
        let report = importer.import_blocking(&object.key, &object.body, None)?;
        if report.rejected > 0 || report.problem.is_some() {
            anyhow::bail!(
                "the demo network's {} was not read whole: {:?} {:?}",
                object.key,
                report.problem,
                report.rejects
            );
        }
        if report.kind == Some(ingest::ImportKind::VpcFlowLogs) {
            records += report.records;
        }
    }
    Ok(records)
}

/// What the security part of the demo is read with: the server's geo-IP
/// databases and rules.
pub(crate) struct Security {
    pub(crate) geoip: std::sync::Arc<enrich::GeoIp>,
    pub(crate) detector: std::sync::Arc<detect::Detector>,
}

/// Imports the demo company's CloudTrail, S3 data events, Okta System Log
/// and WAF logs of the same week through the server's rules, as `hannun
/// import` would. Returns the events stored.
fn seed_security(
    store: &Store,
    network_dir: &Path,
    security: &Security,
    seed: u64,
    end_nanos: i64,
) -> anyhow::Result<usize> {
    let data = demo::generate_security(&demo::SecurityConfig {
        seed,
        start: end_nanos - 7 * 86_400_000_000_000,
        end: end_nanos,
    });
    let importer = ingest::Importer::open(store.clone(), Some(network_dir))?
        .with_geoip(security.geoip.clone())
        .with_detector(security.detector.clone());
    let mut events = 0;
    let objects = data
        .cloudtrail
        .iter()
        .map(|o| (o, None))
        .chain(
            data.okta
                .iter()
                .map(|o| (o, Some(ingest::ImportKind::Okta))),
        )
        .chain(data.waf.iter().map(|o| (o, None)));
    for (object, kind) in objects {
        let report = importer.import_blocking(&object.key, &object.body, kind)?;
        if report.rejected > 0 || report.problem.is_some() || report.kind.is_none() {
            anyhow::bail!(
                "the demo's {} was not read whole: {:?} {:?}",
                object.key,
                report.problem,
                report.rejects
            );
        }
        events += report.records;
    }
    Ok(events)
}

/// The dashboard templates the demo starts with (the web UI's schema).
const DASHBOARD_TEMPLATES: &[(&str, &str)] = &[
    (
        "service-overview.json",
        include_str!("../../../web/templates/service-overview.json"),
    ),
    (
        "customer-support.json",
        include_str!("../../../web/templates/customer-support.json"),
    ),
];

/// Adds the demo's dashboards when there are none yet.
pub(crate) fn seed_dashboards(saved: &saved::Saved) -> anyhow::Result<()> {
    if !saved.list(saved::Kind::Dashboards).is_empty() {
        return Ok(());
    }
    for (name, text) in DASHBOARD_TEMPLATES {
        let doc: serde_json::Value =
            serde_json::from_str(text).with_context(|| format!("dashboard template {name}"))?;
        saved
            .create(saved::Kind::Dashboards, doc)
            .with_context(|| format!("dashboard template {name}"))?;
    }
    Ok(())
}

/// The demo's ingest key: read from the data directory, or made and saved.
pub(crate) fn demo_api_key(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join("demo-api-key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        let key = key.trim().to_owned();
        if key.len() >= 16 {
            println!("demo ingest API key (x-hannun-api-key): {key}");
            return Ok(key);
        }
    }
    use rand::Rng;
    let key: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    let key = format!("hn_{key}");
    std::fs::write(&path, &key).with_context(|| format!("writing {}", path.display()))?;
    println!("demo ingest API key (x-hannun-api-key): {key}");
    Ok(key)
}
