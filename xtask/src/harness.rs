//! What both benchmarks share: where the workspace and the build output
//! are, the release binary and the peers' Python, posting until the server
//! accepts, waiting for compaction, medians, and the marker of the span
//! benchmark's section in docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::server::Server;

/// Marks the start of `cargo xtask bench-spans`' section in docs/benchmarks.md.
pub(crate) const SPANS_DOC_MARKER: &str = "<!-- bench-spans -->";

pub(crate) const SERVER_CONFIG: &str =
    "[storage]\nmax_buffer_mb = 1024\n[query]\ntimeout_seconds = 300\nmemory_mb = 4096\n";

/// Where a benchmark works and what it runs.
pub(crate) struct Setup {
    pub(crate) root: PathBuf,
    /// `bench` in the target directory: generated data and data directories.
    pub(crate) work: PathBuf,
    /// The server binary to measure.
    pub(crate) binary: PathBuf,
    /// The peers' Python, with duckdb and chdb.
    pub(crate) python: PathBuf,
}

/// Makes the work directory, builds (or picks) the server binary and
/// prepares the peers' Python.
pub(crate) fn setup() -> anyhow::Result<Setup> {
    let root = workspace_root();
    let work = target_dir().join("bench");
    std::fs::create_dir_all(&work)?;
    let binary = bench_binary(&root)?;
    let python = peer_python()?;
    Ok(Setup {
        root,
        work,
        binary,
        python,
    })
}

/// As `setup`, for benchmarks that run no server: no release build.
pub(crate) fn setup_without_binary() -> anyhow::Result<Setup> {
    let root = workspace_root();
    let work = target_dir().join("bench");
    std::fs::create_dir_all(&work)?;
    Ok(Setup {
        root,
        work,
        binary: PathBuf::new(),
        python: PathBuf::new(),
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace")
        .to_owned()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed with {status}");
    Ok(())
}

/// The Python venv with duckdb and chdb, made on first use.
fn peer_python() -> anyhow::Result<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?);
    let venv = home.join(".cache/hannun/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "duckdb",
        "chdb",
    ]))?;
    Ok(python)
}

/// POSTs `body` until the server accepts it, waiting while it pushes back
/// (429, 503).
pub(crate) fn post_until_accepted(
    client: &reqwest::blocking::Client,
    url: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> anyhow::Result<()> {
    loop {
        let r = client
            .post(url)
            .header("content-type", content_type)
            .body(body.clone())
            .send()?;
        if matches!(r.status().as_u16(), 429 | 503) {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        if !r.status().is_success() {
            bail!(
                "ingest failed: {} {}",
                r.status(),
                r.text().unwrap_or_default()
            );
        }
        return Ok(());
    }
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Waits until background compaction stops changing the file count.
pub(crate) fn wait_for_compaction(server: &Server) -> anyhow::Result<u64> {
    let client = reqwest::blocking::Client::new();
    let mut last = u64::MAX;
    let mut stable = 0;
    for _ in 0..120 {
        let v: serde_json::Value = client.get(server.url("/api/v1/datasets")).send()?.json()?;
        let files = v["datasets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| d["files"].as_u64().unwrap_or(0))
            .sum::<u64>();
        stable = if files == last { stable + 1 } else { 0 };
        last = files;
        if stable >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_secs(5));
    }
    Ok(last)
}

/// The server binary to measure: HANNUN_BENCH_BINARY lets a quick check run
/// a debug build; figures for docs/benchmarks.md always come from the
/// release build, built here.
fn bench_binary(root: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("HANNUN_BENCH_BINARY") {
        return Ok(PathBuf::from(path));
    }
    eprintln!("building the release binary...");
    run(Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "hannun"])
        .current_dir(root))?;
    Ok(target_dir().join("release/hannun"))
}
