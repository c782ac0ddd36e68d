//! The web UI in a real browser: Debian's Chromium driven by playwright-core
//! (web/e2e/run.mjs) against `hannun demo`. Screenshots of every step land
//! in the test output directory.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::Server;

fn web_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

#[test]
fn the_ui_in_chromium_against_the_demo() {
    let web = web_dir();
    assert!(
        web.join("node_modules/playwright-core").exists(),
        "web/node_modules is missing: run scripts/test.sh (it installs the web packages and Chromium)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} not found: scripts/test.sh installs Debian's chromium"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_demo(dir.path(), "0.05");
    let screenshots = std::env::var_os("HANNUN_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots"));
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).unwrap();
    // The demo's ingest key, for steps that send their own data.
    let api_key = std::fs::read_to_string(dir.path().join("data/demo-api-key")).unwrap();
    let output = Command::new("node")
        .arg("e2e/run.mjs")
        .current_dir(&web)
        .env("HANNUN_URL", server.url(""))
        .env("SCREENSHOT_DIR", &screenshots)
        .env("CHROMIUM", &chromium)
        .env("HANNUN_API_KEY", api_key.trim())
        .output()
        .expect("run node (Node.js is needed for the browser tests)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "the browser test failed ({}); screenshots in {}",
        output.status,
        screenshots.display()
    );
    assert!(
        stdout.contains("DASHBOARD_RENDER_MS="),
        "the browser test did not measure the dashboard"
    );
    server.stop();
}
