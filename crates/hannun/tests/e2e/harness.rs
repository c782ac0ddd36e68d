//! Starts and stops `hannun serve` on free ports with a temporary data directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct Server {
    child: Child,
    pub(crate) http: String,
    pub(crate) otlp_grpc: String,
    pub(crate) otlp_http: String,
}

fn address(line: &str, label: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix(label)?.trim();
    Some(rest.trim_start_matches("http://").to_owned())
}

impl Server {
    /// Starts a server on `dir` with extra config file text.
    pub(crate) fn start(dir: &Path, config: &str) -> Server {
        Server::start_command(dir, config, &["serve"], &[], Duration::from_secs(60))
    }

    /// Starts a server with extra environment variables (credentials).
    pub(crate) fn start_with_env(dir: &Path, config: &str, env: &[(&str, &str)]) -> Server {
        Server::start_command(dir, config, &["serve"], env, Duration::from_secs(60))
    }

    /// Starts `hannun demo` on `dir`: seeds the demo world (at `scale` of
    /// its volume) when the directory is new.
    pub(crate) fn start_demo(dir: &Path, scale: &str) -> Server {
        Server::start_command(
            dir,
            "",
            &["demo", "--scale", scale],
            &[],
            Duration::from_secs(900),
        )
    }

    fn start_command(
        dir: &Path,
        config: &str,
        command: &[&str],
        env: &[(&str, &str)],
        wait: Duration,
    ) -> Server {
        let config_path = dir.join("hannun.toml");
        std::fs::write(&config_path, config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hannun"))
            // A relative data directory, as in the zero-config default.
            .current_dir(dir)
            .args(command)
            .args(["--data-dir", "data"])
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
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start hannun");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (mut http, mut grpc, mut otlp_http) = (None, None, None);
        let deadline = Instant::now() + wait;
        while http.is_none() || grpc.is_none() || otlp_http.is_none() {
            assert!(
                Instant::now() < deadline,
                "server did not print its addresses"
            );
            let line = lines.next().expect("server exited early").unwrap();
            http = http.or(address(&line, "UI and API"));
            grpc = grpc.or(address(&line, "OTLP/gRPC"));
            otlp_http = otlp_http.or(address(&line, "OTLP/HTTP"));
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            http: http.unwrap(),
            otlp_grpc: grpc.unwrap(),
            otlp_http: otlp_http.unwrap(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    /// kill -9: no flush, no goodbye.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM and wait for the graceful shutdown to finish.
    pub(crate) fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "server exited with {status}");
    }

    pub(crate) fn sql(&self, sql: &str) -> Vec<serde_json::Value> {
        let reply = client()
            .post(self.url("/api/v1/sql"))
            .json(&serde_json::json!({ "sql": sql }))
            .send()
            .unwrap();
        let status = reply.status();
        let body: serde_json::Value = reply.json().unwrap();
        assert!(status.is_success(), "{sql}: {body}");
        body["rows"].as_array().unwrap().clone()
    }

    /// `GET /api/v1/ingest/stats`.
    pub(crate) fn ingest_stats(&self) -> serde_json::Value {
        client()
            .get(self.url("/api/v1/ingest/stats"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    pub(crate) fn count(&self, sql: &str) -> i64 {
        self.sql(sql)[0]["n"].as_i64().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// An OTLP logs export of one record with body `message` at `time_unix_nano`
/// (0: unset).
pub(crate) fn otlp_logs(
    message: &str,
    time_unix_nano: u64,
) -> opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest {
    use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    let record = LogRecord {
        time_unix_nano,
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(message.to_owned())),
        }),
        ..Default::default()
    };
    opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: vec![record],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

pub(crate) fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

/// The Python with the OpenTelemetry SDK that `scripts/test.sh` installs.
pub(crate) fn python() -> PathBuf {
    let path = std::env::var_os("HANNUN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/hannun/venv/bin/python")
        });
    assert!(
        path.exists(),
        "{} not found: run scripts/test.sh, which installs the OpenTelemetry SDK (tests/requirements.txt)",
        path.display()
    );
    path
}
