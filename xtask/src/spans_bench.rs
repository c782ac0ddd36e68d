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

use std::path::PathBuf;
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
    /// A hannun binary of an earlier version: its APM pages are timed on
    /// the same data directory in the same run, for a before/after table.
    pub(crate) before: Option<PathBuf>,
}

const DAY_NS: u64 = 86_400_000_000_000;
const HOUR_NS: u64 = 3_600_000_000_000;
const TRACES_PER_REQUEST: usize = 256;
const SENDERS: usize = 3;

pub(crate) fn bench_spans(o: SpanOptions) -> anyhow::Result<()> {
    let run = set_up()?;
    let ingested = ingest(&run, o.spans)?;
    let measured = measure(&run, &ingested.sent.sample_ids, o.runs)?;
    let before = match &o.before {
        Some(binary) => Some(time_pages(&run, binary, &ingested.sent.sample_ids, o.runs)?),
        None => None,
    };
    let peer = run_peer(&run, &ingested.sent.sample_ids, o.runs)?;
    let mut md = report(&o, &ingested, &measured, &peer);
    if let Some(before) = &before {
        md.push_str(&before_and_after(&o, before, &measured.pages));
    }
    println!("{md}");
    if o.write_doc {
        write_doc(&run.setup, &md)?;
    }
    Ok(())
}

/// Where the run works and the window its spans cover.
struct Run {
    setup: Setup,
    /// The server's data directory, emptied first.
    data: PathBuf,
    /// The last 7 days, ending a minute ago.
    from: u64,
    to: u64,
    /// The start of the window's last hour.
    hour_from: u64,
}

fn set_up() -> anyhow::Result<Run> {
    let setup = setup()?;
    let data = setup.work.join("data-spans");
    let _ = std::fs::remove_dir_all(&data);
    let to = now_ns() - 60_000_000_000;
    Ok(Run {
        setup,
        data,
        from: to - 7 * DAY_NS,
        to,
        hour_from: to - HOUR_NS,
    })
}

/// What sending the spans cost the server.
struct Ingested {
    sent: Sent,
    wall_seconds: f64,
    cpu_seconds: f64,
    peak_rss_mib: f64,
}

/// Sends the spans to a fresh server, measuring its CPU and memory.
fn ingest(run: &Run, spans: usize) -> anyhow::Result<Ingested> {
    let server = Server::start(&run.setup.binary, &run.data, SERVER_CONFIG)?;
    eprintln!("sending about {spans} spans as OTLP/HTTP protobuf...");
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let sent = send_spans(&server, spans, run.from, run.to)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = server.cpu_seconds()? - cpu_before;
    let peak_rss_mib = server.peak_rss_mib()?;
    server.stop()?;
    Ok(Ingested {
        sent,
        wall_seconds,
        cpu_seconds,
        peak_rss_mib,
    })
}

/// One APM page as the benchmark asks it, and the peer's figure for the
/// same answer (a key of apm_peer.py's output), if it has one.
struct Page {
    name: &'static str,
    paths: Vec<String>,
    peer: Option<&'static str>,
}

fn apm_pages(run: &Run, sample_ids: &[String]) -> Vec<Page> {
    let (from, to, hour_from) = (run.from, run.to, run.hour_from);
    let week = format!("from={from}&to={to}");
    let page = |name, path: String, peer| Page {
        name,
        paths: vec![path],
        peer,
    };
    vec![
        page(
            "service catalog, 7 days",
            format!("/api/v1/apm/services?{week}"),
            Some("red_by_service"),
        ),
        page(
            "service page (items-api), 7 days",
            format!("/api/v1/apm/services/items-api?{week}"),
            Some("endpoints_of_service"),
        ),
        page(
            "service map, last hour",
            format!("/api/v1/apm/service-map?from={hour_from}&to={to}"),
            Some("service_map_hour"),
        ),
        page(
            "service map, 7 days",
            format!("/api/v1/apm/service-map?{week}"),
            Some("service_map_week"),
        ),
        page(
            "trace search, any span (a database call over 50 ms), last hour",
            format!(
                "/api/v1/apm/traces?scope=all&q=peer_kind:database&min_duration_ms=50&from={hour_from}&to={to}"
            ),
            None,
        ),
        page(
            "trace search (errors), last hour",
            format!("/api/v1/apm/traces?status=error&from={hour_from}&to={to}"),
            None,
        ),
        page(
            "issues, 7 days",
            format!("/api/v1/issues?status=all&{week}"),
            None,
        ),
        Page {
            name: "trace by id, no range",
            paths: sample_ids
                .iter()
                .map(|id| format!("/api/v1/apm/traces/{id}"))
                .collect(),
            peer: Some("trace_fetch"),
        },
    ]
}

/// Bytes on disk per dataset after compaction.
struct DiskBytes {
    spans: u64,
    rollups: u64,
    errors: u64,
    pairs: u64,
    total: u64,
}

/// What the restarted server answered with, once compacted.
struct Measured {
    disk: DiskBytes,
    /// Each APM page with its median milliseconds.
    pages: Vec<(Page, f64)>,
    /// RED per service computed from the raw spans in SQL, milliseconds.
    raw_red_ms: f64,
}

/// Restarts the server, waits for compaction, measures the data directory
/// and times the APM pages and the raw-spans RED query.
fn measure(run: &Run, sample_ids: &[String], runs: usize) -> anyhow::Result<Measured> {
    let (from, to) = (run.from, run.to);
    let server = Server::start(&run.setup.binary, &run.data, SERVER_CONFIG)?;
    eprintln!("waiting for compaction...");
    wait_for_compaction(&server)?;
    let dataset_bytes = |name: &str| disk_bytes(&run.data.join("data").join(name));
    let disk = DiskBytes {
        spans: dataset_bytes("spans"),
        rollups: dataset_bytes("span_metrics") + dataset_bytes("span_metrics_1h"),
        errors: dataset_bytes("errors"),
        pairs: dataset_bytes("call_pairs"),
        total: disk_bytes(&run.data),
    };

    eprintln!("timing the APM pages...");
    let mut pages = Vec::new();
    for page in apm_pages(run, sample_ids) {
        let ms = timed(&server, &page.paths, runs)?;
        pages.push((page, ms));
    }
    let raw_red_ms = sql_ms(
        &server,
        &format!(
            "SELECT service, env, count(*), sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END), \
             approx_percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns), \
             approx_percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns), \
             approx_percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ns) FROM spans \
             WHERE \"timestamp\" >= to_timestamp_nanos({from}) AND \"timestamp\" < to_timestamp_nanos({to}) \
             AND kind IN ('server', 'consumer') GROUP BY 1, 2"
        ),
        runs,
    )?;
    server.stop()?;
    Ok(Measured {
        disk,
        pages,
        raw_red_ms,
    })
}

/// The APM pages timed with another server `binary` on the same data
/// directory (after `measure`, so compaction is done).
fn time_pages(
    run: &Run,
    binary: &std::path::Path,
    sample_ids: &[String],
    runs: usize,
) -> anyhow::Result<Vec<(Page, f64)>> {
    eprintln!("timing the APM pages with {}...", binary.display());
    let server = Server::start(binary, &run.data, SERVER_CONFIG)?;
    let mut pages = Vec::new();
    for page in apm_pages(run, sample_ids) {
        let ms = timed(&server, &page.paths, runs)?;
        pages.push((page, ms));
    }
    server.stop()?;
    Ok(pages)
}

/// The table of each page's time with the earlier binary and this one.
fn before_and_after(o: &SpanOptions, before: &[(Page, f64)], after: &[(Page, f64)]) -> String {
    let binary = o
        .before
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut md = format!(
        "\n| page (median of {}), same data directory | before (`{binary}`) | after | after / before |\n|---|---|---|---|\n",
        o.runs
    );
    for ((page, b), (_, a)) in before.iter().zip(after) {
        md.push_str(&format!(
            "| {} | {b:.0} ms | {a:.0} ms | {} |\n",
            page.name,
            ratio(a / b)
        ));
    }
    md
}

/// DuckDB's answers from the spans Parquet files hannun wrote
/// (`bench/apm_peer.py`): milliseconds per figure.
fn run_peer(run: &Run, sample_ids: &[String], runs: usize) -> anyhow::Result<serde_json::Value> {
    eprintln!("running DuckDB on the same spans...");
    let script = run.setup.root.join("xtask/bench/apm_peer.py");
    let output = Command::new(&run.setup.python)
        .arg(&script)
        .arg("--glob")
        .arg(run.data.join("data/spans/*/*.parquet"))
        .args([
            "--from-ns",
            &run.from.to_string(),
            "--to-ns",
            &run.to.to_string(),
        ])
        .args(["--hour-from-ns", &run.hour_from.to_string()])
        .args([
            "--service",
            "items-api",
            "--trace-ids",
            &sample_ids.join(","),
        ])
        .args(["--runs", &runs.to_string()])
        .output()
        .context("running apm_peer.py")?;
    anyhow::ensure!(
        output.status.success(),
        "apm_peer.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The Markdown section of docs/benchmarks.md.
fn report(
    o: &SpanOptions,
    ingested: &Ingested,
    measured: &Measured,
    peer: &serde_json::Value,
) -> String {
    let sent = &ingested.sent;
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
        sent.spans as f64 / ingested.cpu_seconds,
        ingested.wall_seconds,
        sent.spans as f64 / ingested.wall_seconds,
        ingested.cpu_seconds,
        ingested.peak_rss_mib
    ));
    md.push_str("| bytes | total | per span | OTLP JSON / this |\n|---|---|---|---|\n");
    let disk = &measured.disk;
    for (name, bytes) in [
        ("OTLP JSON (the same requests)", sent.json_bytes),
        ("OTLP protobuf (as sent)", sent.proto_bytes),
        ("hannun spans (Parquet)", disk.spans),
        ("hannun RED rollups (per minute and per hour)", disk.rollups),
        ("hannun errors", disk.errors),
        ("hannun call_pairs (service map)", disk.pairs),
        ("hannun data directory, all", disk.total),
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
    for (page, ms) in &measured.pages {
        let name = page.name;
        match page.peer.map(peer_ms) {
            Some(p) => md.push_str(&format!(
                "| {name} | {ms:.0} ms | {p:.0} ms | {} |\n",
                ratio(ms / p)
            )),
            None => md.push_str(&format!("| {name} | {ms:.0} ms | | |\n")),
        }
    }
    let raw_red = measured.raw_red_ms;
    md.push_str(&format!(
        "| RED per service from raw spans in hannun's SQL, 7 days (what the catalog did before rollups) | {raw_red:.0} ms | {:.0} ms | {:.2}x |\n",
        peer_ms("red_by_service"),
        raw_red / peer_ms("red_by_service")
    ));
    md.push_str(
        "\nRatios are hannun / DuckDB (below 1 is faster). DuckDB computes from raw spans \
         what hannun reads from its rollups (per hour inside long ranges, per minute at their ends); both use approximate percentiles.\n",
    );
    md
}

/// Replaces this benchmark's section of docs/benchmarks.md (from its
/// marker to the end), keeping what `cargo xtask bench` wrote before it.
fn write_doc(setup: &Setup, md: &str) -> anyhow::Result<()> {
    let doc = setup.root.join("docs/benchmarks.md");
    let existing = std::fs::read_to_string(&doc).unwrap_or_default();
    let head = existing
        .split(SPANS_DOC_MARKER)
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    std::fs::write(&doc, format!("{head}\n\n{SPANS_DOC_MARKER}\n{md}"))?;
    eprintln!("wrote {}", doc.display());
    Ok(())
}

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
fn send_spans(server: &Server, spans: usize, from: u64, to: u64) -> anyhow::Result<Sent> {
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
