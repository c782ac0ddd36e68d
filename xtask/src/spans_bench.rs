//! `cargo xtask bench-spans`: APM at scale. Generates synthetic microservice
//! traces (`span_gen.rs`) over the last 7 days, sends them to a fresh
//! `hannun serve` as OTLP/HTTP protobuf (every request acknowledged once
//! durable), and reports span ingest per server CPU-second, bytes per span
//! on disk against the same spans as OTLP JSON, and the latency of the APM
//! pages: the service catalog and a service page over 7 days (from the
//! rollups derived at ingest), the service map and trace search over the
//! last hour, issues over 7 days and trace fetch by id. DuckDB answers the
//! catalog, the service page and trace fetch from the spans Parquet files
//! hannun wrote (`bench/apm_peer.py`), in the same run.

use std::process::Command;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use prost::Message;

use crate::harness::{
    SERVER_CONFIG, SPANS_DOC_MARKER, Setup, median, post_until_accepted, setup, wait_for_compaction,
};
use crate::server::{Server, disk_bytes};
use crate::span_gen::{Rng, TraceSpans, request, trace};

pub(crate) struct SpanOptions {
    pub(crate) spans: usize,
    pub(crate) runs: usize,
    pub(crate) write_doc: bool,
}

const DAY_NS: u64 = 86_400_000_000_000;
const TRACES_PER_REQUEST: usize = 256;
const SENDERS: usize = 3;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

struct Sent {
    spans: u64,
    traces: u64,
    proto_bytes: u64,
    json_bytes: u64,
    sample_ids: Vec<String>,
}

/// Generates and sends about `spans` spans; returns what was sent.
fn ingest(server: &Server, spans: usize, from: u64, to: u64) -> anyhow::Result<Sent> {
    // The generator makes 6.8 spans per trace on average (measured: 85.1M
    // spans in 12.5M traces): space the traces evenly over the window.
    let traces_wanted = (spans as u64 * 10 / 68).max(1);
    let step = (to - from) / traces_wanted;
    let (tx, rx) = sync_channel::<Vec<u8>>(16);
    let rx = Arc::new(Mutex::new(rx));
    let url = server.url("/v1/traces");
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (rx, url) = (rx.clone(), url.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(600))
                    .build()?;
                loop {
                    let Ok(body) = rx.lock().expect("queue").recv() else {
                        return Ok(());
                    };
                    post_until_accepted(&client, &url, "application/x-protobuf", body)?;
                }
            })
        })
        .collect();
    let mut rng = Rng::new(7);
    let mut sent = Sent {
        spans: 0,
        traces: 0,
        proto_bytes: 0,
        json_bytes: 0,
        sample_ids: Vec::new(),
    };
    let mut batch: Vec<TraceSpans> = Vec::with_capacity(TRACES_PER_REQUEST);
    let mut next_report = 0u64;
    for i in 0..traces_wanted {
        let t = trace(&mut rng, from + i * step);
        sent.spans += t.spans.len() as u64;
        sent.traces += 1;
        if i % 997 == 0 && sent.sample_ids.len() < 50 {
            sent.sample_ids
                .push(t.trace_id.iter().map(|b| format!("{b:02x}")).collect());
        }
        batch.push(t);
        if batch.len() == TRACES_PER_REQUEST || i + 1 == traces_wanted {
            let req = request(&batch);
            batch.clear();
            let body = req.encode_to_vec();
            sent.proto_bytes += body.len() as u64;
            sent.json_bytes += serde_json::to_vec(&req)?.len() as u64;
            if tx.send(body).is_err() {
                break;
            }
        }
        if sent.spans >= next_report {
            eprint!("\r  {} spans sent", sent.spans);
            next_report += 5_000_000;
        }
    }
    drop(tx);
    for s in senders {
        s.join()
            .map_err(|_| anyhow::anyhow!("sender thread panicked"))??;
    }
    eprintln!("\r  {} spans sent", sent.spans);
    Ok(sent)
}

fn get_ms(client: &reqwest::blocking::Client, server: &Server, path: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let r = client.get(server.url(path)).send()?;
    let status = r.status();
    let body = r.text()?;
    if !status.is_success() {
        bail!("{path}: {status} {body}");
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// Median of `runs` timed requests after one warm-up; `paths` cycle.
fn timed(server: &Server, paths: &[String], runs: usize) -> anyhow::Result<f64> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    get_ms(&client, server, &paths[0])?;
    let times = (0..runs.max(paths.len().min(10)))
        .map(|i| get_ms(&client, server, &paths[i % paths.len()]))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(median(times))
}

fn sql_ms(server: &Server, sql: &str, runs: usize) -> anyhow::Result<f64> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    let mut times = Vec::new();
    for i in 0..=runs {
        let started = Instant::now();
        let r = client
            .post(server.url("/api/v1/sql"))
            .json(&serde_json::json!({ "sql": sql }))
            .send()?;
        if !r.status().is_success() {
            bail!("{sql}: {}", r.text()?);
        }
        r.bytes()?;
        if i > 0 {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(median(times))
}

/// A ratio with two decimals, three below 0.1 (0.004x, not 0.00x).
fn ratio(r: f64) -> String {
    if r < 0.1 {
        format!("{r:.3}x")
    } else {
        format!("{r:.2}x")
    }
}

pub(crate) fn bench_spans(o: SpanOptions) -> anyhow::Result<()> {
    let Setup {
        root,
        work,
        binary,
        python,
    } = setup()?;
    let data = work.join("data-spans");
    let _ = std::fs::remove_dir_all(&data);
    let to = now_ns() - 60_000_000_000;
    let from = to - 7 * DAY_NS;
    let server = Server::start(&binary, &data, SERVER_CONFIG)?;
    eprintln!("sending about {} spans as OTLP/HTTP protobuf...", o.spans);
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let sent = ingest(&server, o.spans, from, to)?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds()? - cpu_before;
    let rss = server.peak_rss_mib()?;
    server.stop()?;
    let server = Server::start(&binary, &data, SERVER_CONFIG)?;
    eprintln!("waiting for compaction...");
    wait_for_compaction(&server)?;
    let dataset_bytes = |name: &str| disk_bytes(&data.join("data").join(name));
    let (spans_bytes, rollup_bytes, errors_bytes, pairs_bytes) = (
        dataset_bytes("spans"),
        dataset_bytes("span_metrics") + dataset_bytes("span_metrics_1h"),
        dataset_bytes("errors"),
        dataset_bytes("call_pairs"),
    );
    let total_bytes = disk_bytes(&data);

    eprintln!("timing the APM pages...");
    let week = format!("from={from}&to={to}");
    let hour_from = to - 3_600_000_000_000;
    let ids = &sent.sample_ids;
    let figures = [
        (
            "service catalog, 7 days",
            timed(&server, &[format!("/api/v1/apm/services?{week}")], o.runs)?,
        ),
        (
            "service page (items-api), 7 days",
            timed(
                &server,
                &[format!("/api/v1/apm/services/items-api?{week}")],
                o.runs,
            )?,
        ),
        (
            "service map, last hour",
            timed(
                &server,
                &[format!("/api/v1/apm/service-map?from={hour_from}&to={to}")],
                o.runs,
            )?,
        ),
        (
            "service map, 7 days",
            timed(
                &server,
                &[format!("/api/v1/apm/service-map?{week}")],
                o.runs,
            )?,
        ),
        (
            "trace search, any span (a database call over 50 ms), last hour",
            timed(
                &server,
                &[format!(
                    "/api/v1/apm/traces?scope=all&q=peer_kind:database&min_duration_ms=50&from={hour_from}&to={to}"
                )],
                o.runs,
            )?,
        ),
        (
            "trace search (errors), last hour",
            timed(
                &server,
                &[format!(
                    "/api/v1/apm/traces?status=error&from={}&to={to}",
                    to - 3_600_000_000_000
                )],
                o.runs,
            )?,
        ),
        (
            "issues, 7 days",
            timed(
                &server,
                &[format!("/api/v1/issues?status=all&{week}")],
                o.runs,
            )?,
        ),
        (
            "trace by id, no range",
            timed(
                &server,
                &ids.iter()
                    .map(|id| format!("/api/v1/apm/traces/{id}"))
                    .collect::<Vec<_>>(),
                o.runs,
            )?,
        ),
    ];
    let raw_red = sql_ms(
        &server,
        &format!(
            "SELECT service, env, count(*), sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END), \
             approx_percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns), \
             approx_percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns), \
             approx_percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ns) FROM spans \
             WHERE \"timestamp\" >= to_timestamp_nanos({from}) AND \"timestamp\" < to_timestamp_nanos({to}) \
             AND kind IN ('server', 'consumer') GROUP BY 1, 2"
        ),
        o.runs,
    )?;
    server.stop()?;

    eprintln!("running DuckDB on the same spans...");
    let script = root.join("xtask/bench/apm_peer.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("--glob")
        .arg(data.join("data/spans/*/*.parquet"))
        .args(["--from-ns", &from.to_string(), "--to-ns", &to.to_string()])
        .args(["--hour-from-ns", &hour_from.to_string()])
        .args(["--service", "items-api", "--trace-ids", &ids.join(",")])
        .args(["--runs", &o.runs.to_string()])
        .output()
        .context("running apm_peer.py")?;
    anyhow::ensure!(
        output.status.success(),
        "apm_peer.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let peer_ms = |k: &str| peer[k]["ms"].as_f64().unwrap_or(f64::NAN);

    let per_span = |b: u64| b as f64 / sent.spans as f64;
    let mut md = String::new();
    md.push_str(&format!(
        "## APM: spans\n\nMeasured with\n\n```sh\ncargo xtask bench-spans --spans {} --runs {}\n```\n\n\
         {} spans in {} traces over 7 days (synthetic microservices: `xtask/src/span_gen.rs`), \
         sent as OTLP/HTTP protobuf by {SENDERS} clients; a request is acknowledged once its spans \
         and the rollups and error rows derived from them are fsynced.\n\n",
        o.spans, o.runs, sent.spans, sent.traces
    ));
    md.push_str("| ingest | figure |\n|---|---|\n");
    md.push_str(&format!(
        "| spans per server CPU-second | {:.0} |\n| wall time | {:.1} s ({:.0} spans/s) |\n| server CPU | {:.1} s |\n| peak RSS | {:.0} MiB |\n\n",
        sent.spans as f64 / cpu,
        wall,
        sent.spans as f64 / wall,
        cpu,
        rss
    ));
    md.push_str("| bytes | total | per span | OTLP JSON / this |\n|---|---|---|---|\n");
    for (name, bytes) in [
        ("OTLP JSON (the same requests)", sent.json_bytes),
        ("OTLP protobuf (as sent)", sent.proto_bytes),
        ("hannun spans (Parquet)", spans_bytes),
        ("hannun RED rollups (per minute and per hour)", rollup_bytes),
        ("hannun errors", errors_bytes),
        ("hannun call_pairs (service map)", pairs_bytes),
        ("hannun data directory, all", total_bytes),
    ] {
        md.push_str(&format!(
            "| {name} | {:.1} MB | {:.1} B | {:.1}x |\n",
            bytes as f64 / 1e6,
            per_span(bytes),
            sent.json_bytes as f64 / bytes.max(1) as f64
        ));
    }
    md.push_str(&format!(
        "\n| query (median of {} after a warm-up) | hannun | DuckDB on hannun's spans Parquet | ratio |\n|---|---|---|---|\n",
        o.runs
    ));
    let peers = [
        Some(peer_ms("red_by_service")),
        Some(peer_ms("endpoints_of_service")),
        Some(peer_ms("service_map_hour")),
        Some(peer_ms("service_map_week")),
        None,
        None,
        None,
        Some(peer_ms("trace_fetch")),
    ];
    for ((name, ms), peer) in figures.iter().zip(peers) {
        match peer {
            Some(p) => md.push_str(&format!(
                "| {name} | {ms:.0} ms | {p:.0} ms | {} |\n",
                ratio(ms / p)
            )),
            None => md.push_str(&format!("| {name} | {ms:.0} ms | | |\n")),
        }
    }
    md.push_str(&format!(
        "| RED per service from raw spans in hannun's SQL, 7 days (what the catalog did before rollups) | {raw_red:.0} ms | {:.0} ms | {:.2}x |\n",
        peer_ms("red_by_service"),
        raw_red / peer_ms("red_by_service")
    ));
    md.push_str(
        "\nRatios are hannun / DuckDB (below 1 is faster). DuckDB computes from raw spans \
         what hannun reads from its rollups (per hour inside long ranges, per minute at their ends); both use approximate percentiles.\n",
    );
    println!("{md}");
    if o.write_doc {
        let doc = root.join("docs/benchmarks.md");
        let existing = std::fs::read_to_string(&doc).unwrap_or_default();
        let head = existing
            .split(SPANS_DOC_MARKER)
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        std::fs::write(&doc, format!("{head}\n\n{SPANS_DOC_MARKER}\n{md}"))?;
        eprintln!("wrote {}", doc.display());
    }
    Ok(())
}
