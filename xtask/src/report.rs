//! The benchmark's figures as a markdown report with ratios against the peers.

use std::collections::BTreeMap;

pub(crate) struct Report {
    pub(crate) events: usize,
    pub(crate) raw_bytes: u64,
    pub(crate) nd_wall: f64,
    pub(crate) nd_cpu: f64,
    pub(crate) nd_rss: f64,
    pub(crate) otlp_events: usize,
    pub(crate) otlp_raw: u64,
    pub(crate) proto_bytes: u64,
    pub(crate) otlp_wall: f64,
    pub(crate) otlp_cpu: f64,
    pub(crate) otlp_rss: f64,
    pub(crate) on_disk: u64,
    pub(crate) files: u64,
    pub(crate) query_rss: f64,
    /// Query name -> (median ms, rows).
    pub(crate) ours: BTreeMap<&'static str, (f64, usize)>,
    /// The JSON printed by xtask/bench/peers.py.
    pub(crate) peers: serde_json::Value,
}

fn geomean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}

impl Report {
    pub(crate) fn markdown(&self) -> String {
        let mb = |b: f64| b / 1e6;
        let p = &self.peers;
        let mut s = String::new();
        s.push_str(&format!(
            "{} events, {:.0} MB of NDJSON ({:.0} bytes per event)\n\n",
            self.events,
            mb(self.raw_bytes as f64),
            self.raw_bytes as f64 / self.events as f64
        ));
        s.push_str("### Ingest (acknowledged = durable)\n\n| what | wall s | server CPU s | MB/s | MB/s per core (CPU) | events/s per core | peak RSS MiB |\n|---|---|---|---|---|---|---|\n");
        s.push_str(&format!(
            "| hannun NDJSON over HTTP | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} |\n",
            self.nd_wall,
            self.nd_cpu,
            mb(self.raw_bytes as f64) / self.nd_wall,
            mb(self.raw_bytes as f64) / self.nd_cpu,
            self.events as f64 / self.nd_cpu,
            self.nd_rss
        ));
        s.push_str(&format!(
            "| hannun OTLP/HTTP protobuf ({} events, {:.0} MB protobuf, {:.0} MB as NDJSON) | {:.1} | {:.1} | {:.1} (protobuf) | {:.1} (NDJSON-equivalent) | {:.0} | {:.0} |\n",
            self.otlp_events,
            mb(self.proto_bytes as f64),
            mb(self.otlp_raw as f64),
            self.otlp_wall,
            self.otlp_cpu,
            mb(self.proto_bytes as f64) / self.otlp_wall,
            mb(self.otlp_raw as f64) / self.otlp_cpu,
            self.otlp_events as f64 / self.otlp_cpu,
            self.otlp_rss
        ));
        for (name, key) in [
            ("DuckDB load (read_json, sort, Parquet)", "duckdb"),
            ("chDB load (JSONEachRow into MergeTree)", "chdb"),
        ] {
            let load = p[key]["load_seconds"].as_f64().unwrap_or(f64::NAN);
            let cpu = p[key]["load_cpu_seconds"].as_f64().unwrap_or(f64::NAN);
            s.push_str(&format!(
                "| {name} | {load:.1} | {cpu:.1} | {:.1} | {:.1} | {:.0} | {:.0} |\n",
                mb(self.raw_bytes as f64) / load,
                mb(self.raw_bytes as f64) / cpu,
                self.events as f64 / cpu,
                p[key]["peak_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0
            ));
        }
        s.push_str("\n### Bytes on disk\n\n| store | bytes | bytes per event | raw / disk |\n|---|---|---|---|\n");
        let duck = p["duckdb"]["parquet_bytes"].as_f64().unwrap_or(f64::NAN);
        let ch = p["chdb"]["bytes_on_disk"].as_f64().unwrap_or(f64::NAN);
        for (name, bytes) in [
            (
                format!("hannun (Parquet + catalog + WAL, {} files)", self.files),
                self.on_disk as f64,
            ),
            ("DuckDB zstd Parquet".to_owned(), duck),
            ("chDB MergeTree (with indexes)".to_owned(), ch),
        ] {
            s.push_str(&format!(
                "| {name} | {:.0} | {:.1} | {:.2}x |\n",
                bytes,
                bytes / self.events as f64,
                self.raw_bytes as f64 / bytes
            ));
        }
        s.push_str("\n### Queries (median ms; ratio = hannun / peer, below 1 is faster)\n\n| query | rows | hannun | DuckDB Parquet | ratio | DuckDB memory | ratio | chDB | ratio |\n|---|---|---|---|---|---|---|---|---|\n");
        let mut ratios: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (name, (ms, rows)) in &self.ours {
            let mut line = format!("| {name} | {rows} | {ms:.1} |");
            for engine in ["duckdb_parquet", "duckdb_memory", "chdb"] {
                let peer = p["queries"][engine][name]["ms"]
                    .as_f64()
                    .unwrap_or(f64::NAN);
                let ratio = ms / peer;
                ratios.entry(engine).or_default().push(ratio);
                line.push_str(&format!(" {peer:.1} | {ratio:.2} |"));
            }
            s.push_str(&line);
            s.push('\n');
        }
        s.push_str("| **geometric mean of ratios** | | | |");
        for engine in ["duckdb_parquet", "duckdb_memory", "chdb"] {
            s.push_str(&format!(" **{:.2}** | |", geomean(&ratios[engine])));
        }
        s.push_str(&format!(
            "\n\nPeak RSS of hannun during the queries: {:.0} MiB. Peer versions: {}.\n",
            self.query_rss, p["versions"]
        ));
        s
    }
}

/// docs/benchmarks.md around a report.
pub(crate) fn document(report: &str, command: &str) -> String {
    format!(
        "# Benchmarks\n\nMeasured on the project's machine kind (2 cores, 24 GiB) with\n\n```sh\n{command}\n```\n\n\
         It builds the release binary, generates realistic application logs\n\
         (`demo::benchmark_logs`), ingests them into a fresh `hannun serve` over HTTP\n\
         with 4 concurrent clients (every request is acknowledged only once its data\n\
         is fsynced), lets compaction settle, and runs six queries through\n\
         `/api/v1/sql` (median of the runs after a warm-up). `xtask/bench/peers.py`\n\
         loads the same file into DuckDB (zstd Parquet, and an in-memory table) and\n\
         into the ClickHouse engine (chDB, MergeTree ordered by service and time, bloom\n\
         filter on trace_id, token filter on the message) and runs the same queries.\n\
         CPU seconds are the server's (or the peer process's) user + system time;\n\
         MB/s per core divides the raw NDJSON bytes by them.\n\n{report}"
    )
}
