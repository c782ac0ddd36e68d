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
use super::session::{Session, Tally};

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
        if path.to_string_lossy().starts_with("s3://") {
            continue;
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
    if formats::parse_aws_log_key(&key).is_some() {
        return ingest::import_order(&key);
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

/// Where `hannun import` reads S3 objects from.
pub(crate) struct S3Options<'a> {
    pub(crate) region: Option<&'a str>,
    pub(crate) endpoint: Option<&'a str>,
}

/// One object to send: a local file or an S3 object.
enum Object {
    File(PathBuf),
    S3 {
        store: std::sync::Arc<dyn object_store::ObjectStore>,
        location: object_store::path::Path,
        size: u64,
    },
}

impl Object {
    fn key(&self) -> String {
        match self {
            Object::File(p) => p.to_string_lossy().into_owned(),
            Object::S3 { location, .. } => location.to_string(),
        }
    }
}

/// The objects under each `s3://bucket/prefix` of `paths`.
fn s3_objects(
    runtime: &tokio::runtime::Runtime,
    paths: &[PathBuf],
    s3: &S3Options,
) -> anyhow::Result<Vec<(Object, u64)>> {
    use futures::TryStreamExt;
    let access = ingest::sources::S3Access {
        region: s3.region.map(str::to_owned),
        endpoint: s3.endpoint.map(str::to_owned),
    };
    let mut out = Vec::new();
    for path in paths {
        let url = path.to_string_lossy();
        if !url.starts_with("s3://") {
            continue;
        }
        let location = ingest::sources::S3Location::parse(&url).map_err(anyhow::Error::msg)?;
        let store = ingest::sources::open_bucket(&location, &access).map_err(anyhow::Error::msg)?;
        let listed: Vec<object_store::ObjectMeta> = runtime
            .block_on(store.list(location.prefix_path().as_ref()).try_collect())
            .map_err(|e| {
                anyhow::anyhow!("listing {url}: {}", ingest::sources::redact(&e.to_string()))
            })?;
        for meta in listed {
            out.push((
                Object::S3 {
                    store: store.clone(),
                    location: meta.location,
                    size: meta.size,
                },
                meta.size,
            ));
        }
    }
    Ok(out)
}

pub(crate) fn import(
    target: &Target,
    paths: &[PathBuf],
    kind: Option<&str>,
    key: Option<&str>,
    s3: &S3Options,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut objects: Vec<(Object, u64)> = files(paths)?
        .into_iter()
        .map(|f| {
            let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
            (Object::File(f), size)
        })
        .collect();
    objects.extend(s3_objects(&runtime, paths, s3)?);
    if objects.is_empty() {
        bail!("no files to import under the paths given");
    }
    objects.sort_by_cached_key(|(o, _)| {
        let order = match o {
            Object::File(p) => order(p),
            Object::S3 { location, .. } => ingest::import_order(location.as_ref()),
        };
        (order, o.key())
    });
    let session = Session {
        client: super::client()?,
        key,
        tally: Tally::default(),
    };
    let base = target.server.trim_end_matches('/');
    let bar = indicatif::ProgressBar::new(objects.iter().map(|(_, size)| size).sum());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .expect("valid template"),
    );
    let mut kinds: BTreeMap<String, KindTally> = BTreeMap::new();
    let mut notes: Vec<String> = Vec::new();
    for (object, _) in &objects {
        let object_key = object.key();
        let body = match object {
            Object::File(path) => {
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
            }
            Object::S3 {
                store, location, ..
            } => {
                use object_store::ObjectStoreExt;
                let read = runtime.block_on(async { store.get(location).await?.bytes().await });
                match read {
                    Ok(bytes) => bytes.to_vec(),
                    Err(e) => {
                        notes.push(format!(
                            "{object_key}: could not be read: {}",
                            ingest::sources::redact(&e.to_string())
                        ));
                        continue;
                    }
                }
            }
        };
        let size = body.len() as u64;
        if let Object::S3 { size: listed, .. } = object
            && size < *listed
        {
            notes.push(format!(
                "{object_key}: read {size} of its listed {listed} bytes"
            ));
        }
        let mut url = reqwest::Url::parse(&format!("{base}/api/v1/import"))
            .with_context(|| format!("--server {base} is not a URL"))?;
        url.query_pairs_mut().append_pair("key", &object_key);
        if let Some(k) = kind {
            url.query_pairs_mut().append_pair("kind", k);
        }
        bar.set_message(object_key.rsplit('/').next().unwrap_or_default().to_owned());
        let reply = session
            .post(url.as_str(), "application/octet-stream", body)
            .with_context(|| format!("importing {object_key}"))?;
        let kind_name = reply["kind"].as_str().unwrap_or("skipped").to_owned();
        let t = kinds.entry(kind_name.clone()).or_default();
        t.files += 1;
        t.records += reply["records"].as_u64().unwrap_or(0);
        let rejected = reply["rejected"].as_u64().unwrap_or(0);
        t.rejected += rejected;
        t.bytes += size;
        if let Some(problem) = reply["problem"].as_str() {
            notes.push(format!("{object_key}: {problem}"));
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
                "{object_key}: {rejected} rejected ({})",
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
