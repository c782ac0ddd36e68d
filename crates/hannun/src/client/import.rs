//! `hannun import`: AWS log objects from files and directories, sent one by
//! one to `POST /api/v1/import`, which recognises, decodes and stores them.
//! The network inventory and DNS logs go first so the flows find them; the
//! run ends with a table per kind (files, records, rejected, bytes) and the
//! objects that had rejects or problems.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Target;
use super::session::{Session, Tally, progress_bar};

/// Per-kind totals of one run.
#[derive(Default)]
struct KindTally {
    files: u64,
    records: u64,
    rejected: u64,
    bytes: u64,
}

/// Every file under `paths` (directories walked, sorted), or why not.
fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let text = path.to_string_lossy();
        if text.starts_with("s3://") {
            bail!(
                "{text}: importing from S3 is not in this build yet; sync the prefix to a directory (aws s3 sync) and import that"
            );
        }
        let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
        if meta.is_file() {
            out.push(path.clone());
            continue;
        }
        let mut stack = vec![path.clone()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                if e.is_dir() {
                    stack.push(e);
                } else if e.is_file() {
                    out.push(e);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Import order: the interface inventory, then DNS logs, then the rest.
fn order(path: &Path) -> u8 {
    let key = path.to_string_lossy();
    if let Some(parsed) = formats::parse_aws_log_key(&key) {
        return match parsed.kind {
            formats::AwsLogKind::ResolverQueryLogs => 1,
            _ => 2,
        };
    }
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    if formats::sniff(&head) == formats::Content::Gzip {
        let mut unzipped = vec![0u8; 4096];
        let n = flate2::read::MultiGzDecoder::new(&head[..])
            .read(&mut unzipped)
            .unwrap_or(0);
        unzipped.truncate(n);
        head = unzipped;
    }
    match formats::sniff(&head) {
        formats::Content::EniInventory => 0,
        formats::Content::ResolverQueryLog => 1,
        _ => 2,
    }
}

pub(crate) fn import(
    target: &Target,
    paths: &[PathBuf],
    kind: Option<&str>,
    key: Option<&str>,
) -> anyhow::Result<()> {
    let mut files = files(paths)?;
    if files.is_empty() {
        bail!("no files to import under the paths given");
    }
    files.sort_by_cached_key(|f| (order(f), f.clone()));
    let session = Session {
        client: super::client()?,
        key,
        tally: Tally::default(),
    };
    let base = target.server.trim_end_matches('/');
    let bar = progress_bar(&files);
    let mut kinds: BTreeMap<String, KindTally> = BTreeMap::new();
    let mut notes: Vec<String> = Vec::new();
    for path in &files {
        let body = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let size = body.len() as u64;
        let object_key = path.to_string_lossy().into_owned();
        let mut url = reqwest::Url::parse(&format!("{base}/api/v1/import"))
            .with_context(|| format!("--server {base} is not a URL"))?;
        url.query_pairs_mut().append_pair("key", &object_key);
        if let Some(k) = kind {
            url.query_pairs_mut().append_pair("kind", k);
        }
        bar.set_message(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let reply = session
            .post(url.as_str(), "application/octet-stream", body)
            .with_context(|| format!("importing {}", path.display()))?;
        let kind_name = reply["kind"].as_str().unwrap_or("skipped").to_owned();
        let t = kinds.entry(kind_name.clone()).or_default();
        t.files += 1;
        t.records += reply["records"].as_u64().unwrap_or(0);
        let rejected = reply["rejected"].as_u64().unwrap_or(0);
        t.rejected += rejected;
        t.bytes += size;
        if let Some(problem) = reply["problem"].as_str() {
            notes.push(format!("{}: {problem}", path.display()));
        }
        if rejected > 0 {
            let reasons: Vec<String> = reply["rejects"]
                .as_array()
                .into_iter()
                .flatten()
                .take(3)
                .map(|r| {
                    format!(
                        "line {}: {}",
                        r["record"].as_u64().unwrap_or(0),
                        r["reason"].as_str().unwrap_or("")
                    )
                })
                .collect();
            notes.push(format!(
                "{}: {rejected} rejected ({})",
                path.display(),
                reasons.join("; ")
            ));
        }
        bar.inc(size);
    }
    bar.finish_and_clear();
    println!(
        "{:<22} {:>7} {:>12} {:>10} {:>12}",
        "kind", "files", "records", "rejected", "bytes"
    );
    for (name, t) in &kinds {
        println!(
            "{name:<22} {:>7} {:>12} {:>10} {:>12}",
            t.files, t.records, t.rejected, t.bytes
        );
    }
    for n in notes.iter().take(20) {
        println!("  {n}");
    }
    if notes.len() > 20 {
        println!(
            "  … and {} more objects with rejects or problems",
            notes.len() - 20
        );
    }
    Ok(())
}
