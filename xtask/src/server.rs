//! Runs a release `hannun serve` for the benchmark and reads its CPU time
//! and peak memory from /proc.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub(crate) struct Server {
    child: Child,
    pub(crate) http: String,
}

impl Server {
    pub(crate) fn start(binary: &Path, data_dir: &Path, config: &str) -> anyhow::Result<Server> {
        Server::start_with_env(binary, data_dir, config, &[])
    }

    /// As `start`, with extra environment variables for the server.
    pub(crate) fn start_with_env(
        binary: &Path,
        data_dir: &Path,
        config: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        std::fs::create_dir_all(data_dir)?;
        let config_path = data_dir.with_extension("toml");
        std::fs::write(&config_path, config)?;
        let mut child = Command::new(binary)
            .args(["serve", "--data-dir"])
            .arg(data_dir)
            .arg("--config")
            .arg(&config_path)
            .args([
                "--http-addr",
                "127.0.0.1:0",
                "--otlp-grpc-addr",
                "127.0.0.1:0",
                "--otlp-http-addr",
                "127.0.0.1:0",
            ])
            .env("HANNUN_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let deadline = Instant::now() + Duration::from_secs(120);
        let http = loop {
            if Instant::now() > deadline {
                bail!("hannun did not start");
            }
            let line = lines.next().context("hannun exited during start")??;
            if let Some(rest) = line.trim().strip_prefix("UI and API") {
                break rest.trim().trim_start_matches("http://").to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, http })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    /// User plus system CPU seconds the server has used.
    pub(crate) fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        let after_name = &stat[stat.rfind(')').context("malformed /proc stat")? + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
        Ok(ticks / clock_ticks())
    }

    /// Peak resident memory so far, in MiB.
    pub(crate) fn peak_rss_mib(&self) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .context("no VmHWM")?;
        let kib: f64 = line
            .split_whitespace()
            .nth(1)
            .context("no value")?
            .parse()?;
        Ok(kib / 1024.0)
    }

    /// SIGTERM and wait: the server flushes everything before it exits.
    pub(crate) fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "hannun exited with {status}");
        Ok(())
    }
}

impl Server {
    /// SIGKILL and wait: what a crash leaves behind.
    pub(crate) fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Bytes of every file under `dir`.
pub(crate) fn disk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                total += entry.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}
