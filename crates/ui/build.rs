//! Embeds the built web UI (web/dist, made by `npm run build` in web/):
//! writes a table of every file, its content type and a gzip copy of
//! compressible files into OUT_DIR. Without web/dist the table is empty and
//! the server says how to build the UI.

use std::io::Write;
use std::path::{Path, PathBuf};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "mjs" | "css" | "json" | "svg" | "txt" | "map")
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = manifest.join("../../web/dist");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    println!("cargo::rerun-if-changed={}", dist.display());
    println!("cargo::rerun-if-env-changed=HANNUN_WEB_DIST");
    let dist = std::env::var_os("HANNUN_WEB_DIST")
        .map(PathBuf::from)
        .unwrap_or(dist);

    let mut files = Vec::new();
    walk(&dist, &mut files);
    files.sort();
    if !files.iter().any(|f| f.ends_with("index.html")) {
        println!(
            "cargo::warning=web/dist is missing: the binary will serve no UI. Build it with `npm --prefix web ci && npm --prefix web run build`"
        );
        files.clear();
    }
    let mut table = String::from("&[\n");
    for (i, file) in files.iter().enumerate() {
        let Ok(relative) = file.strip_prefix(&dist) else {
            continue;
        };
        let route = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let gzip = if compressible(file) {
            let bytes = std::fs::read(file).expect("read a web/dist file");
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(&bytes).expect("gzip in memory");
            let compressed = encoder.finish().expect("gzip in memory");
            let path = out_dir.join(format!("asset-{i}.gz"));
            std::fs::write(&path, compressed).expect("write to OUT_DIR");
            format!("Some(include_bytes!({:?}))", path.display().to_string())
        } else {
            "None".to_owned()
        };
        table.push_str(&format!(
            "    Asset {{ path: {route:?}, content_type: {:?}, body: include_bytes!({:?}), gzip: {gzip} }},\n",
            content_type(file),
            file.display().to_string(),
        ));
    }
    table.push(']');
    std::fs::write(out_dir.join("assets.rs"), table).expect("write to OUT_DIR");
}
