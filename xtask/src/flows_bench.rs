//! `cargo xtask bench-flows`: import and attribution rate of VPC flow logs
//! (records per second of the server's CPU), then the talk's two tables
//! (client task × NAT gateway, client task × destination through NAT) over
//! everything imported, next to DuckDB answering the same tables from the
//! same `flows` Parquet files (`bench/flows_peer.py`), each connection
//! counted once in both.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::flow_gen;
use crate::harness::{SERVER_CONFIG, median, setup};
use crate::server::Server;

pub(crate) struct FlowOptions {
    pub(crate) records: usize,
    pub(crate) runs: usize,
}

fn post(
    client: &reqwest::blocking::Client,
    server: &Server,
    key: &str,
    body: Vec<u8>,
) -> anyhow::Result<serde_json::Value> {
    loop {
        let r = client
            .post(server.url("/api/v1/import"))
            .query(&[("key", key)])
            .body(body.clone())
            .send()?;
        if matches!(r.status().as_u16(), 429 | 503) {
            std::thread::sleep(std::time::Duration::from_millis(200));
            continue;
        }
        if !r.status().is_success() {
            bail!(
                "import of {key} failed: {} {}",
                r.status(),
                r.text().unwrap_or_default()
            );
        }
        return Ok(r.json()?);
    }
}

pub(crate) fn bench_flows(o: FlowOptions) -> anyhow::Result<()> {
    let s = setup()?;
    let data = s.work.join("data-flows");
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let start_s = 1_796_083_200; // 2026-12-01T00:00:00Z
    let server = Server::start(&s.binary, &data, SERVER_CONFIG)?;
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(600))
        .build()?;
    post(
        &client,
        &server,
        "inventory/describe-network-interfaces.json",
        flow_gen::inventory().into_bytes(),
    )?;
    let resolver_key =
        "AWSLogs/123456789012/vpcdnsquerylogs/vpc-0b1e2c3d4e5f60718/2026/12/01/dns.log";
    post(
        &client,
        &server,
        resolver_key,
        flow_gen::resolver_log(start_s).into_bytes(),
    )?;

    // Objects are generated on this thread and imported by two posters.
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let imported = AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(String, String)>(4);
    let rx = std::sync::Mutex::new(rx);
    let mut generated = 0;
    let end_s = std::thread::scope(|scope| -> anyhow::Result<i64> {
        let posters: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let next = rx.lock().expect("queue").recv();
                        let Ok((key, text)) = next else {
                            return Ok(());
                        };
                        let reply = post(&client, &server, &key, text.into_bytes())?;
                        anyhow::ensure!(
                            reply["rejected"] == 0 && reply["problem"].is_null(),
                            "{key}: {reply}"
                        );
                        imported.fetch_add(
                            reply["records"].as_u64().unwrap_or(0) as usize,
                            Ordering::Relaxed,
                        );
                    }
                })
            })
            .collect();
        let end = flow_gen::flow_logs(o.records, start_s, &mut |key, text, n| {
            generated += n;
            let mut item = (key, text);
            while !failed.load(Ordering::Relaxed) {
                match tx.try_send(item) {
                    Err(std::sync::mpsc::TrySendError::Full(back)) => {
                        item = back;
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    _ => return,
                }
            }
        });
        drop(tx);
        for p in posters {
            p.join().expect("poster thread")?;
        }
        Ok(end)
    })?;
    let import_s = started.elapsed().as_secs_f64();
    let import_cpu = server.cpu_seconds()? - cpu_before;
    let records = imported.load(Ordering::Relaxed);
    anyhow::ensure!(
        records == generated,
        "imported {records} of {generated} records"
    );
    println!(
        "imported {records} flow records in {import_s:.1} s: {:.0} records/s, {:.0} records per CPU-second of the server",
        records as f64 / import_s,
        records as f64 / import_cpu
    );
    server.stop()?;

    // The tables, from Parquet only, after a restart.
    let server = Server::start(&s.binary, &data, SERVER_CONFIG)?;
    let (from_ms, to_ms) = (start_s * 1000, (end_s + 60) * 1000);
    let tables = [
        ("by_gateway", "client_task,gateway"),
        ("by_destination", "client_task,destination"),
    ];
    let mut ours = Vec::new();
    let mut sums = Vec::new();
    for (name, group_by) in tables {
        let url = server.url(&format!(
            "/api/v1/network/traffic?group_by={group_by}&gateway_type=nat&from_ms={from_ms}&to_ms={to_ms}"
        ));
        let mut times = Vec::new();
        let mut bytes = 0u64;
        for run in 0..=o.runs {
            let t = Instant::now();
            let rows: serde_json::Value = client.get(&url).send()?.error_for_status()?.json()?;
            if run > 0 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            bytes = rows
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["bytes"].as_u64().unwrap_or(0))
                .sum();
        }
        ours.push((name, median(times)));
        sums.push((name, bytes));
    }
    server.stop()?;

    let glob = data.join("data/flows/*/*.parquet");
    let output = Command::new(&s.python)
        .arg(s.root.join("xtask/bench/flows_peer.py"))
        .args(["--glob", &glob.to_string_lossy()])
        .args([
            "--from-ms",
            &from_ms.to_string(),
            "--to-ms",
            &to_ms.to_string(),
        ])
        .args(["--runs", &o.runs.to_string()])
        .output()
        .context("running flows_peer.py")?;
    anyhow::ensure!(
        output.status.success(),
        "flows_peer.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    println!("| table | hannun ms | DuckDB ms | ratio | bytes (hannun = DuckDB) |");
    println!("|---|---:|---:|---:|---|");
    for ((name, ms), (_, bytes)) in ours.iter().zip(&sums) {
        let peer_ms = peer[name]["ms"].as_f64().unwrap_or(f64::NAN);
        let peer_bytes = peer[name]["bytes"].as_u64().unwrap_or(0);
        println!(
            "| {name} | {ms:.1} | {peer_ms:.1} | {:.2}x | {bytes} {} {peer_bytes} |",
            ms / peer_ms,
            if *bytes == peer_bytes { "=" } else { "≠" }
        );
    }
    println!(
        "import: {records} records, {:.0} records/s wall, {:.0} records per server CPU-second",
        records as f64 / import_s,
        records as f64 / import_cpu
    );
    Ok(())
}
