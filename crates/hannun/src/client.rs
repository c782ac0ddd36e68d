//! The client commands: `sql`, `search` and `ingest` against a running server.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Args;

/// Which server to talk to.
#[derive(Args, Debug, Clone)]
pub(crate) struct Target {
    /// Base URL of a running hannun.
    #[arg(long, env = "HANNUN_SERVER", default_value = "http://127.0.0.1:8080")]
    pub(crate) server: String,
}

fn client() -> anyhow::Result<reqwest::blocking::Client> {
    Ok(reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?)
}

/// Sends a JSON request and returns the JSON reply, or the server's error message.
fn post_json(
    target: &Target,
    path: &str,
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let url = format!("{}{path}", target.server.trim_end_matches('/'));
    let response = client()?.post(&url).json(body).send().with_context(|| {
        format!(
            "cannot reach hannun at {} (is `hannun serve` running?)",
            target.server
        )
    })?;
    let status = response.status();
    let value: serde_json::Value = response
        .json()
        .with_context(|| format!("reading the reply of {url}"))?;
    if !status.is_success() {
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or("unknown error");
        bail!("{message} (HTTP {})", status.as_u16());
    }
    Ok(value)
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Prints rows as an aligned text table (cells cut at 60 characters).
fn print_table(columns: &[String], rows: &[serde_json::Value]) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| {
                    let s = cell(r.get(c)).replace('\n', " ");
                    if s.chars().count() > 60 {
                        format!("{}…", s.chars().take(59).collect::<String>())
                    } else {
                        s
                    }
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |values: &[String]| {
        values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    println!("{}", line(columns));
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for r in &cells {
        println!("{}", line(r));
    }
}

pub(crate) fn sql(target: &Target, sql: &str, json: bool) -> anyhow::Result<()> {
    let reply = post_json(target, "/api/v1/sql", &serde_json::json!({ "sql": sql }))?;
    let rows = reply["rows"].as_array().cloned().unwrap_or_default();
    if json {
        for r in &rows {
            println!("{r}");
        }
        return Ok(());
    }
    let columns: Vec<String> = reply["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    print_table(&columns, &rows);
    eprintln!(
        "{} rows in {:.0} ms",
        rows.len(),
        reply["elapsed_ms"].as_f64().unwrap_or(0.0)
    );
    Ok(())
}

/// `15m`, `1h`, `24h`, `7d` as nanoseconds.
fn parse_since(since: &str) -> anyhow::Result<i64> {
    let (number, unit) = since.split_at(
        since
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(since.len()),
    );
    let n: i64 = number
        .parse()
        .with_context(|| format!("--since {since:?}: expected a number and a unit, like 1h"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        _ => bail!("--since {since:?}: unit must be s, m, h, d or w"),
    };
    Ok(n * seconds * 1_000_000_000)
}

pub(crate) fn search(
    target: &Target,
    dataset: &str,
    query: &str,
    since: &str,
    limit: usize,
    json: bool,
) -> anyhow::Result<()> {
    let to = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos() as i64 + 1;
    let from = to - parse_since(since)?;
    let reply = post_json(
        target,
        "/api/v1/search",
        &serde_json::json!({ "dataset": dataset, "query": query, "from": from, "to": to, "limit": limit }),
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reply)?);
        return Ok(());
    }
    let events = reply["events"].as_array().cloned().unwrap_or_default();
    let columns: Vec<String> = match dataset {
        "logs" => ["timestamp", "service", "level", "body"]
            .map(String::from)
            .to_vec(),
        "spans" => [
            "timestamp",
            "service",
            "name",
            "duration_ns",
            "status_code",
            "trace_id",
        ]
        .map(String::from)
        .to_vec(),
        _ => events
            .first()
            .and_then(|e| e.as_object())
            .map(|o| o.keys().take(6).cloned().collect())
            .unwrap_or_default(),
    };
    print_table(&columns, &events);
    if let Some(unknown) = reply["unknown_fields"].as_array().filter(|u| !u.is_empty()) {
        eprintln!(
            "note: this dataset has no field {}",
            unknown
                .iter()
                .map(|u| cell(Some(u)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!(
        "{} of {} matching events in the last {since} ({:.0} ms)",
        events.len(),
        reply["total"],
        reply["elapsed_ms"].as_f64().unwrap_or(0.0)
    );
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}

/// Posts one chunk, waiting and retrying while the server pushes back.
fn send(
    client: &reqwest::blocking::Client,
    url: &str,
    content_type: &str,
    key: Option<&str>,
    body: Vec<u8>,
) -> anyhow::Result<serde_json::Value> {
    loop {
        let mut request = client
            .post(url)
            .header("content-type", content_type)
            .body(body.clone());
        if let Some(k) = key {
            request = request.header("x-hannun-api-key", k);
        }
        let response = request
            .send()
            .with_context(|| format!("cannot reach {url} (is `hannun serve` running?)"))?;
        let status = response.status();
        if status.as_u16() == 429 || status.as_u16() == 503 {
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1u64);
            std::thread::sleep(Duration::from_secs(wait));
            continue;
        }
        let value: serde_json::Value = response.json().unwrap_or_default();
        if !status.is_success() {
            bail!(
                "{} (HTTP {})",
                value["error"]["message"]
                    .as_str()
                    .unwrap_or("request failed"),
                status.as_u16()
            );
        }
        return Ok(value);
    }
}

/// Which OTLP signal a JSON document carries, if it is OTLP at all.
fn otlp_path(first_line: &str) -> Option<&'static str> {
    let head = &first_line[..first_line.len().min(200)];
    if head.contains("\"resourceLogs\"") {
        Some("/v1/logs")
    } else if head.contains("\"resourceSpans\"") {
        Some("/v1/traces")
    } else if head.contains("\"resourceMetrics\"") {
        Some("/v1/metrics")
    } else {
        None
    }
}

pub(crate) fn ingest(
    target: &Target,
    files: &[PathBuf],
    dataset: &str,
    key: Option<&str>,
) -> anyhow::Result<()> {
    const CHUNK: usize = 4 << 20;
    let client = client()?;
    let base = target.server.trim_end_matches('/');
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .expect("valid template"),
    );
    let (mut accepted, mut rejected) = (0u64, 0u64);
    let mut first_rejects = Vec::new();
    for path in files {
        let compressed_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let mut reader = open(path)?;
        let mut chunk = Vec::with_capacity(CHUNK + 4096);
        let mut line = String::new();
        let mut url = format!("{base}/api/v1/ingest/{dataset}");
        let mut content_type = "application/x-ndjson";
        let mut first = true;
        let mut raw_bytes = 0u64;
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .with_context(|| format!("reading {}", path.display()))?;
            if first && n > 0 {
                first = false;
                if let Some(p) = otlp_path(&line) {
                    url = format!("{base}{p}");
                    content_type = "application/json";
                }
            }
            raw_bytes += n as u64;
            let otlp = content_type == "application/json";
            if otlp && n > 0 {
                // One OTLP-JSON document per line (the collector's file exporter).
                if !line.trim().is_empty() {
                    let reply = send(
                        &client,
                        &url,
                        content_type,
                        key,
                        line.trim().as_bytes().to_vec(),
                    )?;
                    let r = reply["partialSuccess"].as_object().map(|p| {
                        ["rejectedLogRecords", "rejectedSpans", "rejectedDataPoints"]
                            .iter()
                            .filter_map(|k| {
                                p.get(*k)
                                    .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
                            })
                            .sum::<i64>()
                    });
                    rejected += r.unwrap_or(0) as u64;
                }
            } else {
                chunk.extend_from_slice(line.as_bytes());
            }
            if (n == 0 && !chunk.is_empty()) || chunk.len() >= CHUNK {
                let reply = send(&client, &url, content_type, key, std::mem::take(&mut chunk))?;
                accepted += reply["accepted"].as_u64().unwrap_or(0);
                rejected += reply["rejected"].as_u64().unwrap_or(0);
                if first_rejects.len() < 5 {
                    for r in reply["rejects"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .take(5 - first_rejects.len())
                    {
                        first_rejects.push(format!(
                            "{}: line {}: {}",
                            path.display(),
                            r["record"],
                            cell(Some(&r["reason"]))
                        ));
                    }
                }
            }
            let ratio = if raw_bytes > 0 {
                compressed_len as f64 / raw_bytes.max(compressed_len) as f64
            } else {
                1.0
            };
            bar.set_position(bar.position().max((raw_bytes as f64 * ratio) as u64));
            if n == 0 {
                break;
            }
        }
    }
    bar.finish_and_clear();
    println!(
        "sent {} file(s): {accepted} records accepted, {rejected} rejected",
        files.len()
    );
    for r in &first_rejects {
        println!("  rejected {r}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_units() {
        assert_eq!(parse_since("15m").unwrap(), 900_000_000_000);
        assert_eq!(parse_since("7d").unwrap(), 7 * 86_400_000_000_000);
        assert!(
            parse_since("1y")
                .unwrap_err()
                .to_string()
                .contains("unit must be")
        );
    }
}
