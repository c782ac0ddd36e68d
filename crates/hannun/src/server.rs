//! Starts the store, the receivers and the API, and shuts them down in
//! order: stop accepting, finish in-flight requests, flush the store.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use api::AppState;
use ingest::{ApiKeys, Pipeline, Receiver};
use query::QueryEngine;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;

async fn bind(addr: SocketAddr, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for {what} on {addr} (is another hannun running? pick another with the flag)"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Runs the server until SIGINT or SIGTERM; seeds the demo world first when
/// `demo` (seed, scale) is set and the data directory is empty.
pub(crate) fn run(mut config: Config, demo: Option<(u64, f64)>) -> anyhow::Result<()> {
    let (store, report) = Store::open(config.store.clone())
        .with_context(|| format!("opening data directory {}", config.data_dir.display()))?;
    if report.replayed_entries > 0 || report.torn_bytes > 0 || report.orphan_files_removed > 0 {
        tracing::info!(
            entries = report.replayed_entries,
            rows = report.replayed_rows,
            torn_bytes = report.torn_bytes,
            orphans = report.orphan_files_removed,
            "recovered from the write-ahead log"
        );
    }
    store.start_background();
    let saved = Arc::new(
        saved::Saved::open(config.data_dir.join("saved"))
            .context("opening saved dashboards and views")?,
    );
    if let Some((seed, scale)) = demo {
        crate::demo_seed::seed_if_empty(
            &store,
            &config.data_dir.join("network"),
            &crate::demo_seed::Security {
                geoip: config.geoip.clone(),
                detector: config.detector.clone(),
            },
            seed,
            scale,
        )?;
        crate::demo_seed::seed_dashboards(&saved)?;
        if config.api_keys.is_empty() {
            config
                .api_keys
                .push(crate::demo_seed::demo_api_key(&config.data_dir)?);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(serve(config, store.clone(), saved));
    store.close().context("flushing data on shutdown")?;
    println!("hannun stopped; all acknowledged data is on disk");
    result
}

async fn serve(config: Config, store: Store, saved: Arc<saved::Saved>) -> anyhow::Result<()> {
    let keys = ApiKeys::new(config.api_keys.clone());
    let pipeline = Pipeline::new(store.clone(), config.pipeline.clone());
    let engine = QueryEngine::new(store.clone(), config.query);
    let receiver = Receiver::new(pipeline, keys.clone());
    // Rules switched off in the UI stay off across restarts.
    let rules = Arc::new(siem::RuleSet {
        infos: rule_infos(&config.rule_report),
        sigma: config.sigma.clone(),
        files: config.rule_files.clone(),
        dedup_window_ns: config.dedup_hours * 3_600_000_000_000,
    });
    config
        .detector
        .set_disabled(api::disabled_rules(&saved, &rules.infos));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (notify_sink, notifications) = crate::notify::start(
        config.notify.clone(),
        saved.clone(),
        config.public_url.clone(),
        stop_rx.clone(),
    );
    let mut importer = ingest::Importer::open(store, Some(&config.data_dir.join("network")))
        .context("opening the importer's network knowledge")?
        .with_geoip(config.geoip.clone())
        .with_detector(config.detector.clone());
    if let Some(sink) = notify_sink {
        importer = importer.with_detection_sink(sink);
    }
    let sources = ingest::sources::start(
        config.sources.clone(),
        importer.clone(),
        config.data_dir.join("sources"),
        stop_rx.clone(),
    );
    let state = AppState {
        receiver: receiver.clone(),
        engine,
        saved,
        importer,
        sources,
        prices: Arc::new(config.prices.clone()),
        rules,
        notifications,
    };
    let http = bind(config.http_addr, "the UI and API").await?;
    let otlp_http = bind(config.otlp_http_addr, "OTLP/HTTP").await?;
    let otlp_grpc = bind(config.otlp_grpc_addr, "OTLP/gRPC").await?;
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    println!("hannun {} is running", env!("CARGO_PKG_VERSION"));
    println!("  UI and API   http://{}", http.local_addr()?);
    println!("  OTLP/gRPC    {}", otlp_grpc.local_addr()?);
    println!("  OTLP/HTTP    http://{}", otlp_http.local_addr()?);
    println!("  data         {}", config.data_dir.display());
    if keys.is_enforced() {
        println!("  ingest keys  enforced (send x-hannun-api-key)");
    }
    for d in &config.notify {
        println!(
            "  notify       {} ({:?}, {} and above, at most {} a minute)",
            d.name, d.kind, d.min_severity, d.per_minute
        );
    }
    for source in &config.sources {
        println!(
            "  source       {} ({}, every {} s)",
            source.name,
            source.url,
            source.poll_interval.as_secs()
        );
    }
    if !config.rule_report.is_empty() {
        let (mut loaded, mut not_routed, mut failed) = (0, 0, Vec::new());
        for r in config.rule_report.iter() {
            match &r.load {
                detect::RuleLoad::Loaded { .. } => loaded += 1,
                detect::RuleLoad::NotRouted { .. } => not_routed += 1,
                detect::RuleLoad::Failed { reason } => failed.push(format!("{}: {reason}", r.file)),
            }
        }
        println!(
            "  sigma rules  {loaded} loaded, {not_routed} for sources hannun does not have, {} failed",
            failed.len()
        );
        for f in failed.iter().take(10) {
            println!("               {f}");
        }
    }
    let app = axum::serve(http, api::app_router(state.clone()))
        .with_graceful_shutdown(stopped(stop_rx.clone()));
    let otlp = axum::serve(otlp_http, api::otlp_router(state))
        .with_graceful_shutdown(stopped(stop_rx.clone()));
    let grpc = ingest::serve_otlp_grpc(otlp_grpc, receiver, stopped(stop_rx.clone()));
    let app = tokio::spawn(async move { app.await });
    let otlp = tokio::spawn(async move { otlp.await });
    let grpc = tokio::spawn(grpc);
    shutdown_signal().await;
    println!("shutting down: finishing requests and flushing data");
    let _ = stop_tx.send(true);
    app.await?.context("UI and API server")?;
    otlp.await?.context("OTLP/HTTP server")?;
    grpc.await?.context("OTLP/gRPC server")?;
    Ok(())
}

/// The rules for `GET /api/v1/rules`: the built-ins, then the Sigma files'.
fn rule_infos(report: &[detect::RuleReport]) -> Vec<siem::RuleInfo> {
    let mut out: Vec<siem::RuleInfo> = detect::BuiltinRule::ALL
        .iter()
        .map(|r| siem::RuleInfo {
            id: r.id().to_owned(),
            title: r.title().to_owned(),
            kind: "builtin".to_owned(),
            severity: r.severity().as_str().to_owned(),
            state: "loaded".to_owned(),
            source: Some(
                if r.id().starts_with("okta") {
                    "okta"
                } else if r.id() == "impossible-travel" {
                    "cloudtrail, okta"
                } else {
                    "cloudtrail"
                }
                .to_owned(),
            ),
            reason: None,
            file: None,
            enabled: true,
            matches_30d: 0,
            last_match_ms: None,
        })
        .collect();
    out.extend(report.iter().map(|r| siem::RuleInfo {
        file: Some(r.file.clone()),
        ..siem::RuleInfo::from_report(r)
    }));
    out
}
