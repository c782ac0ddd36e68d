//! `cargo xtask bench-s3-source`: a `[[sources]]` S3 prefix of many small
//! flow log objects (100,000 by default) on a real S3 API (moto's server on
//! 127.0.0.1). The server lists the prefix, imports and checkpoints object
//! by object; the run kills it (SIGKILL) halfway, restarts it, lets it
//! finish, then restarts it again to show a re-run imports nothing twice.
//! The peer is boto3 listing the same prefix and reading every object once
//! (`bench/s3_peer.py`): the floor of fetching alone.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::harness::setup;
use crate::server::Server;

pub(crate) struct S3Options {
    pub(crate) objects: usize,
    pub(crate) records_per_object: usize,
}

const BUCKET: &str = "scale-logs";
const PREFIX: &str = "AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/";
const ACCOUNT: &str = "123456789012";

/// moto answers an anonymous overwrite with 403, so requests carry the
/// shape of a signature (moto checks none).
const OWNER: &str = "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto(python: &Path) -> anyhow::Result<Moto> {
    let status = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "moto[server]==5.2.5",
        ])
        .status()?;
    anyhow::ensure!(status.success(), "installing moto failed");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(python.with_file_name("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting moto_server")?;
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client
        .get(format!("{}/moto-api/", moto.url))
        .send()
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("moto did not start");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(moto)
}

fn put(client: &reqwest::blocking::Client, url: &str, body: Vec<u8>) -> anyhow::Result<()> {
    let r = client
        .put(url)
        .header("authorization", OWNER)
        .body(body)
        .send()?;
    anyhow::ensure!(r.status().is_success(), "PUT {url}: {}", r.status());
    Ok(())
}

/// Object `i`: one ENI's 5-minute delivery in the default (version 2)
/// format, gzipped as AWS delivers it, under the AWSLogs date partitions.
fn object(i: usize, records: usize) -> (String, Vec<u8>) {
    // 40 interfaces' deliveries a minute from 2026-12-01T00:00:00Z.
    let start = 1_796_083_200 + (i as i64 / 40) * 60;
    let (day, rest) = (start / 86_400, start % 86_400);
    let date = 1 + (day - 1_796_083_200 / 86_400);
    let stamp = format!("202612{date:02}T{:02}{:02}Z", rest / 3600, rest % 3600 / 60);
    let key = format!(
        "{PREFIX}2026/12/{date:02}/{ACCOUNT}_vpcflowlogs_ap-northeast-2_fl-0scale_{stamp}_{i:08x}.log.gz"
    );
    let mut text = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    for r in 0..records {
        let host = (i * 7 + r) % 250 + 2;
        text.push_str(&format!(
            "2 {ACCOUNT} eni-0scale{:08x} 10.0.1.{host} 52.95.{}.{} {} 443 6 {} {} {start} {} ACCEPT OK\n",
            i % 400,
            r % 256,
            (i + r) % 250 + 1,
            32_768 + (i * 31 + r) % 28_000,
            r + 3,
            1_000 + r * 97,
            start + 59,
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("gzip into memory");
    (key, gz.finish().expect("gzip into memory"))
}

fn source_status(server: &Server) -> anyhow::Result<serde_json::Value> {
    let v: serde_json::Value =
        reqwest::blocking::get(server.url("/api/v1/import/status"))?.json()?;
    Ok(v["sources"][0].clone())
}

fn count_records(server: &Server) -> anyhow::Result<u64> {
    let v: serde_json::Value = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?
        .post(server.url("/api/v1/sql"))
        .json(&serde_json::json!({ "sql": "SELECT count(*) AS n FROM flows" }))
        .send()?
        .json()?;
    v["rows"][0]["n"]
        .as_u64()
        .with_context(|| format!("count: {v}"))
}

/// Polls the source's status until `done`, for at most an hour.
fn wait(
    server: &Server,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> anyhow::Result<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        let s = source_status(server)?;
        if done(&s) {
            return Ok(s);
        }
        if Instant::now() > deadline {
            bail!("{what}: not reached in an hour: {s}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn rss_and_cpu(server: &Server) -> String {
    format!(
        "{:.1} server CPU-s, peak RSS {:.0} MiB",
        server.cpu_seconds().unwrap_or(f64::NAN),
        server.peak_rss_mib().unwrap_or(f64::NAN)
    )
}

pub(crate) fn bench_s3_source(o: S3Options) -> anyhow::Result<()> {
    let s = setup()?;
    let moto = start_moto(&s.python)?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    put(&client, &format!("{}/{BUCKET}", moto.url), Vec::new())?;

    let started = Instant::now();
    let mut object_bytes = 0u64;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let threads = 4;
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (client, moto) = (&client, &moto);
                scope.spawn(move || -> anyhow::Result<u64> {
                    let mut bytes = 0;
                    for i in (t..o.objects).step_by(threads) {
                        let (key, body) = object(i, o.records_per_object);
                        bytes += body.len() as u64;
                        put(client, &format!("{}/{BUCKET}/{key}", moto.url), body)?;
                    }
                    Ok(bytes)
                })
            })
            .collect();
        for w in workers {
            object_bytes += w.join().expect("uploader")?;
        }
        Ok(())
    })?;
    println!(
        "uploaded {} objects ({:.1} MB gzipped) to moto in {:.0} s",
        o.objects,
        object_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let data = s.work.join("data-s3-source");
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let config = format!(
        "[storage]\nmax_buffer_mb = 256\n[[sources]]\nname = \"scale\"\nurl = \"s3://{BUCKET}/{PREFIX}\"\nregion = \"us-east-1\"\nendpoint = \"{}\"\npoll_seconds = 5\n",
        moto.url
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing-secret"),
    ];
    let total = o.objects as u64;
    let expected_records = total * o.records_per_object as u64;

    // First run: list, import, checkpoint; SIGKILL halfway.
    let started = Instant::now();
    let server = Server::start_with_env(&s.binary, &data, &config, &env)?;
    let listed = wait(&server, "first listing", |s| {
        s["objects_listed"].as_u64() >= Some(total)
    })?;
    let list_s = started.elapsed().as_secs_f64();
    let _ = listed;
    let half = wait(&server, "half imported", |s| {
        s["objects_imported"].as_u64() >= Some(total / 2)
    })?;
    let first_s = started.elapsed().as_secs_f64();
    let first_cpu = server.cpu_seconds()?;
    println!(
        "first run: listed {total} in {list_s:.1} s; {} imported at {first_s:.0} s; {}; SIGKILL",
        half["objects_imported"],
        rss_and_cpu(&server)
    );
    server.kill()?;

    // Second run: resumes from the checkpoint and finishes.
    let resumed = Instant::now();
    let server = Server::start_with_env(&s.binary, &data, &config, &env)?;
    let at_start = source_status(&server)?["objects_imported"]
        .as_u64()
        .unwrap_or(0);
    let done = wait(&server, "everything imported", |s| {
        s["objects_imported"].as_u64() >= Some(total) && s["polls"].as_u64() >= Some(1)
    })?;
    let second_s = resumed.elapsed().as_secs_f64();
    let second_cpu = server.cpu_seconds()?;
    println!(
        "second run: resumed at {at_start} from the checkpoint, finished in {second_s:.0} s; {}; {done}",
        rss_and_cpu(&server)
    );
    let records = count_records(&server)?;
    let duplicated_objects =
        (records.saturating_sub(expected_records)) as f64 / o.records_per_object as f64;
    println!(
        "records stored: {records} of {expected_records} ({duplicated_objects} objects' records twice)"
    );
    anyhow::ensure!(
        records >= expected_records,
        "records lost: {records} < {expected_records}"
    );
    server.stop()?;

    // Third run: a full re-listing that finds nothing new.
    let relisted = Instant::now();
    let server = Server::start_with_env(&s.binary, &data, &config, &env)?;
    let again = wait(&server, "a re-listing", |s| s["polls"].as_u64() >= Some(1))?;
    let relist_s = relisted.elapsed().as_secs_f64();
    let records_after = count_records(&server)?;
    println!(
        "third run: one poll (start, list {total}, compare) in {relist_s:.1} s, {} records imported by it, {records_after} stored; {}",
        again["records"],
        rss_and_cpu(&server)
    );
    anyhow::ensure!(
        again["records"] == 0 && records_after == records,
        "the re-run imported again: {again}"
    );
    let checkpoint = std::fs::metadata(data.join("sources/scale.imported"))?.len();
    server.stop()?;

    // The peer: boto3 lists and reads the same objects once.
    let out = Command::new(&s.python)
        .arg(s.root.join("xtask/bench/s3_peer.py"))
        .args([moto.url.as_str(), BUCKET, PREFIX])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "s3_peer.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let peer_list = peer["list_s"].as_f64().unwrap_or(f64::NAN);
    let peer_get = peer["list_and_get_s"].as_f64().unwrap_or(f64::NAN);

    let import_s = first_s + second_s;
    let cpu = first_cpu + second_cpu;
    println!();
    println!("| figure | hannun | boto3 | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| list {total} objects | {list_s:.1} s (from server start) | {peer_list:.1} s | {:.2}x |",
        list_s / peer_list
    );
    println!(
        "| list, read and import (hannun), list and read (boto3) | {import_s:.0} s, {:.0} objects/s, {:.2} ms server CPU per object | {peer_get:.0} s, {:.0} objects/s | {:.2}x |",
        total as f64 / import_s,
        cpu * 1000.0 / total as f64,
        total as f64 / peer_get,
        import_s / peer_get
    );
    println!("| re-run: list and find nothing new | {relist_s:.1} s (from server start) | – | – |");
    println!(
        "| checkpoint | {:.1} MB, {:.0} B per object | – | – |",
        checkpoint as f64 / 1e6,
        checkpoint as f64 / total as f64
    );
    println!(
        "| records stored after kill -9 and restarts | {records} of {expected_records} | – | – |"
    );
    Ok(())
}
