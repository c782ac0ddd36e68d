//! The client commands: `sql`, `search` and `ingest` against a running server.
//! `ingest` lives in `client/ingest.rs`, with one sender per file format
//! (`client/ndjson.rs`, `client/otlp.rs`).

mod import;
mod ingest;
mod ndjson;
mod otlp;
mod session;

pub(crate) use import::{S3Options, import};
pub(crate) use ingest::ingest;

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

pub(super) fn client() -> anyhow::Result<reqwest::blocking::Client> {
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

pub(super) fn cell(v: Option<&serde_json::Value>) -> String {
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
