//! `cargo xtask bench`: ingest throughput (NDJSON and OTLP), bytes on disk,
//! and six standard queries, next to DuckDB (Parquet and in-memory) and the
//! ClickHouse engine (chDB) on the same data in the same run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;

use crate::harness::{
    SERVER_CONFIG, SPANS_DOC_MARKER, Setup, median, post_until_accepted, setup, wait_for_compaction,
};
use crate::server::{Server, disk_bytes};

const CHUNK_BYTES: usize = 4 << 20;
const CLIENTS: usize = 4;
pub(crate) struct Options {
    pub(crate) events: usize,
    pub(crate) otlp_events: usize,
    pub(crate) runs: usize,
    pub(crate) write_doc: bool,
}

/// Writes `events` benchmark log lines over the last day; returns the window.
fn generate(path: &Path, events: usize) -> anyhow::Result<(i64, i64)> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos() as i64;
    let hour = 3_600_000_000_000;
    let to = now - now.rem_euclid(hour);
    let from = to - 24 * hour;
    let mut file = std::io::BufWriter::with_capacity(8 << 20, std::fs::File::create(path)?);
    let mut failed = None;
    demo::benchmark_logs(7, from, to, events, &mut |chunk| {
        if failed.is_none() {
            failed = file.write_all(chunk).err();
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    file.flush()?;
    Ok((from, to))
}

/// Splits the file into ~4 MiB NDJSON chunks at line ends.
fn ndjson_chunks(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let reader = BufReader::with_capacity(8 << 20, std::fs::File::open(path)?);
    let mut chunks = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
    for line in reader.split(b'\n') {
        chunk.extend_from_slice(&line?);
        chunk.push(b'\n');
        if chunk.len() >= CHUNK_BYTES {
            chunks.push(std::mem::replace(
                &mut chunk,
                Vec::with_capacity(CHUNK_BYTES + 4096),
            ));
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    Ok(chunks)
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The first `events` lines as OTLP protobuf requests of 2000 records,
/// grouped by resource, as an SDK batch exporter sends them. Returns the
/// requests and the NDJSON bytes they came from.
fn otlp_requests(path: &Path, events: usize) -> anyhow::Result<(Vec<Vec<u8>>, u64)> {
    let reader = BufReader::with_capacity(8 << 20, std::fs::File::open(path)?);
    let mut requests = Vec::new();
    let mut groups: BTreeMap<(String, String, String), Vec<LogRecord>> = BTreeMap::new();
    let mut in_request = 0;
    let mut raw = 0u64;
    let flush = |groups: &mut BTreeMap<(String, String, String), Vec<LogRecord>>,
                 requests: &mut Vec<Vec<u8>>| {
        let resource_logs = std::mem::take(groups)
            .into_iter()
            .map(|((service, env, host), records)| ResourceLogs {
                resource: Some(Resource {
                    attributes: vec![
                        kv("service.name", any_value::Value::StringValue(service)),
                        kv("deployment.environment", any_value::Value::StringValue(env)),
                        kv("host.name", any_value::Value::StringValue(host)),
                    ],
                    ..Default::default()
                }),
                scope_logs: vec![ScopeLogs {
                    log_records: records,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect();
        requests.push(ExportLogsServiceRequest { resource_logs }.encode_to_vec());
    };
    for line in reader.lines().take(events) {
        let line = line?;
        raw += line.len() as u64 + 1;
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        let time = model::parse_rfc3339_nanos(v["timestamp"].as_str().unwrap_or_default())
            .unwrap_or(0) as u64;
        let mut attributes = Vec::new();
        for (k, a) in v["attributes"].as_object().into_iter().flatten() {
            let value = match a {
                serde_json::Value::String(x) => any_value::Value::StringValue(x.clone()),
                serde_json::Value::Number(n) if n.is_i64() => {
                    any_value::Value::IntValue(n.as_i64().unwrap_or(0))
                }
                serde_json::Value::Number(n) => {
                    any_value::Value::DoubleValue(n.as_f64().unwrap_or(0.0))
                }
                serde_json::Value::Bool(b) => any_value::Value::BoolValue(*b),
                other => any_value::Value::StringValue(other.to_string()),
            };
            attributes.push(kv(k, value));
        }
        let record = LogRecord {
            time_unix_nano: time,
            observed_time_unix_nano: time,
            severity_text: s("level"),
            body: Some(AnyValue {
                value: Some(any_value::Value::StringValue(s("message"))),
            }),
            trace_id: hex_bytes(&s("trace_id")),
            span_id: hex_bytes(&s("span_id")),
            attributes,
            ..Default::default()
        };
        groups
            .entry((s("service"), s("env"), s("host")))
            .or_default()
            .push(record);
        in_request += 1;
        if in_request == 2000 {
            flush(&mut groups, &mut requests);
            in_request = 0;
        }
    }
    if in_request > 0 {
        flush(&mut groups, &mut requests);
    }
    Ok((requests, raw))
}

struct IngestFigures {
    wall_seconds: f64,
    cpu_seconds: f64,
    peak_rss_mib: f64,
}

/// Sends every body with `CLIENTS` concurrent clients, retrying on 429.
fn send_all(
    server: &Server,
    path: &str,
    content_type: &'static str,
    bodies: Vec<Vec<u8>>,
) -> anyhow::Result<IngestFigures> {
    let url = server.url(path);
    let queue = Arc::new(Mutex::new(bodies));
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (queue, url) = (queue.clone(), url.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(600))
                    .build()?;
                loop {
                    let Some(body) = queue.lock().expect("queue").pop() else {
                        return Ok(());
                    };
                    post_until_accepted(&client, &url, content_type, body)?;
                }
            })
        })
        .collect();
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))??;
    }
    Ok(IngestFigures {
        wall_seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: server.cpu_seconds()? - cpu_before,
        peak_rss_mib: server.peak_rss_mib()?,
    })
}

fn sql(
    client: &reqwest::blocking::Client,
    server: &Server,
    sql: &str,
) -> anyhow::Result<(f64, usize)> {
    let started = Instant::now();
    let r = client
        .post(server.url("/api/v1/sql"))
        .json(&serde_json::json!({ "sql": sql }))
        .send()?;
    let ok = r.status().is_success();
    let body: serde_json::Value = r.json()?;
    if !ok {
        bail!("{sql}: {body}");
    }
    Ok((
        started.elapsed().as_secs_f64() * 1000.0,
        body["rows"].as_array().map(|r| r.len()).unwrap_or(0),
    ))
}

pub(crate) fn bench(options: Options) -> anyhow::Result<()> {
    let Setup {
        root,
        work,
        binary,
        python,
    } = setup()?;

    let ndjson = work.join(format!("logs-{}.ndjson", options.events));
    eprintln!("generating {} log events...", options.events);
    let (from, to) = generate(&ndjson, options.events)?;
    let raw_bytes = std::fs::metadata(&ndjson)?.len();
    let mb = |b: f64| b / 1e6;

    // Ingest NDJSON until every chunk is acknowledged (= durable).
    let data = work.join("data-ndjson");
    let _ = std::fs::remove_dir_all(&data);
    let chunks = ndjson_chunks(&ndjson)?;
    let server = Server::start(&binary, &data, SERVER_CONFIG)?;
    eprintln!("ingesting {:.0} MB of NDJSON...", mb(raw_bytes as f64));
    let nd = send_all(
        &server,
        "/api/v1/ingest/logs",
        "application/x-ndjson",
        chunks,
    )?;
    server.stop()?;
    let server = Server::start(&binary, &data, SERVER_CONFIG)?;
    let files = wait_for_compaction(&server)?;
    server.stop()?;
    let on_disk = disk_bytes(&data);

    // Ingest OTLP/HTTP protobuf.
    let otlp_events = options.otlp_events.min(options.events);
    let (requests, otlp_raw) = otlp_requests(&ndjson, otlp_events)?;
    let proto_bytes: u64 = requests.iter().map(|r| r.len() as u64).sum();
    let otlp_data = work.join("data-otlp");
    let _ = std::fs::remove_dir_all(&otlp_data);
    let server = Server::start(&binary, &otlp_data, SERVER_CONFIG)?;
    eprintln!("ingesting {otlp_events} events as OTLP protobuf...");
    let otlp = send_all(&server, "/v1/logs", "application/x-protobuf", requests)?;
    server.stop()?;

    // Queries.
    let server = Server::start(&binary, &data, SERVER_CONFIG)?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    let needle_line = BufReader::new(std::fs::File::open(&ndjson)?)
        .lines()
        .nth(options.events / 2)
        .context("empty file")??;
    let needle: serde_json::Value = serde_json::from_str(&needle_line)?;
    let needle = needle["trace_id"].as_str().unwrap_or_default().to_owned();
    let word = "payments";
    let range = format!(
        "timestamp >= TIMESTAMP '{}' AND timestamp < TIMESTAMP '{}'",
        model::format_rfc3339_nanos(from),
        model::format_rfc3339_nanos(to)
    );
    let queries = [
        (
            "q1_count_by_service",
            format!("SELECT service, count(*) AS n FROM logs WHERE {range} GROUP BY service"),
        ),
        (
            "q2_error_rate_5m",
            format!(
                "SELECT date_bin(INTERVAL '5 minutes', timestamp) AS bucket, avg(CASE WHEN level = 'error' THEN 1.0 ELSE 0.0 END) AS error_rate FROM logs WHERE {range} GROUP BY 1 ORDER BY 1"
            ),
        ),
        (
            "q3_top_hosts_by_errors",
            format!(
                "SELECT host, count(*) AS errors FROM logs WHERE {range} AND level = 'error' GROUP BY host ORDER BY errors DESC LIMIT 10"
            ),
        ),
        (
            "q4_needle_trace_id",
            format!("SELECT * FROM logs WHERE trace_id = '{needle}'"),
        ),
        (
            "q5_latest_100_word",
            format!(
                "SELECT timestamp, service, body FROM logs WHERE {range} AND body LIKE '%{word}%' ORDER BY timestamp DESC LIMIT 100"
            ),
        ),
        (
            "q6_p95_by_endpoint",
            format!(
                "SELECT \"http.route\", approx_percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 FROM logs WHERE {range} GROUP BY 1"
            ),
        ),
    ];
    let mut ours = BTreeMap::new();
    for (name, q) in &queries {
        sql(&client, &server, q)?;
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..options.runs {
            let (ms, n) = sql(&client, &server, q)?;
            times.push(ms);
            rows = n;
        }
        ours.insert(*name, (median(times), rows));
    }
    let query_rss = server.peak_rss_mib()?;
    server.stop()?;

    // The peers on the same file.
    eprintln!("running DuckDB and chDB on the same data...");
    let peer_dir = work.join("peers");
    let _ = std::fs::remove_dir_all(&peer_dir);
    std::fs::create_dir_all(&peer_dir)?;
    let output = Command::new(&python)
        .arg(root.join("xtask/bench/peers.py"))
        .arg("--ndjson")
        .arg(&ndjson)
        .arg("--workdir")
        .arg(&peer_dir)
        .args([
            "--from-ns",
            &from.to_string(),
            "--to-ns",
            &to.to_string(),
            "--needle",
            &needle,
            "--word",
            word,
        ])
        .args(["--runs", &options.runs.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(output.status.success(), "peers.py failed");
    let peers: serde_json::Value = serde_json::from_slice(&output.stdout)?;

    let report = crate::report::Report {
        events: options.events,
        raw_bytes,
        nd_wall: nd.wall_seconds,
        nd_cpu: nd.cpu_seconds,
        nd_rss: nd.peak_rss_mib,
        otlp_events,
        otlp_raw,
        proto_bytes,
        otlp_wall: otlp.wall_seconds,
        otlp_cpu: otlp.cpu_seconds,
        otlp_rss: otlp.peak_rss_mib,
        on_disk,
        files,
        query_rss,
        ours,
        peers,
    };
    let text = report.markdown();
    println!("{text}");
    if options.write_doc {
        let doc = root.join("docs/benchmarks.md");
        // Keep the span benchmark's section (`cargo xtask bench-spans`).
        let existing = std::fs::read_to_string(&doc).unwrap_or_default();
        let spans_section = existing
            .find(SPANS_DOC_MARKER)
            .map(|i| format!("\n{}", &existing[i..]))
            .unwrap_or_default();
        std::fs::write(
            &doc,
            crate::report::document(&text, &options_line(&options)) + &spans_section,
        )?;
        eprintln!("wrote {}", doc.display());
    }
    Ok(())
}

fn options_line(o: &Options) -> String {
    format!(
        "cargo xtask bench --events {} --otlp-events {} --runs {}",
        o.events, o.otlp_events, o.runs
    )
}
