//! `hannun ingest`: streams files to a running server, each through the
//! sender its first line calls for (NDJSON chunks or OTLP-JSON documents),
//! and sums up what the server accepted and rejected.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::ndjson::NdjsonSender;
use super::otlp::OtlpSender;
use super::session::{Session, Tally, progress_bar};
use super::{Target, client};

/// The sender a file needs, chosen once from its first line.
enum Sender {
    Ndjson(NdjsonSender),
    Otlp(OtlpSender),
}

impl Sender {
    fn for_file(base: &str, dataset: &str, path: &Path, first_line: &str) -> Sender {
        match OtlpSender::for_first_line(base, first_line) {
            Some(otlp) => Sender::Otlp(otlp),
            None => Sender::Ndjson(NdjsonSender::new(base, dataset, path)),
        }
    }

    fn line(&mut self, session: &mut Session, line: &str) -> anyhow::Result<()> {
        match self {
            Sender::Ndjson(s) => s.line(session, line),
            Sender::Otlp(s) => s.line(session, line),
        }
    }

    /// Sends what is still buffered at the end of the file.
    fn finish(&mut self, session: &mut Session) -> anyhow::Result<()> {
        match self {
            Sender::Ndjson(s) => s.finish(session),
            // Each document was sent as it was read.
            Sender::Otlp(_) => Ok(()),
        }
    }
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

/// Sends one file, line by line, moving `bar` by the bytes read (scaled to
/// the compressed size of a .gz file).
fn send_file(
    session: &mut Session,
    (base, dataset): (&str, &str),
    path: &Path,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let compressed_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut reader = open(path)?;
    let mut line = String::new();
    let mut sender: Option<Sender> = None;
    let mut raw_bytes = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        raw_bytes += n as u64;
        let sender = sender.get_or_insert_with(|| Sender::for_file(base, dataset, path, &line));
        if n == 0 {
            sender.finish(session)?;
        } else {
            sender.line(session, &line)?;
        }
        let ratio = if raw_bytes > 0 {
            compressed_len as f64 / raw_bytes.max(compressed_len) as f64
        } else {
            1.0
        };
        bar.set_position(bar.position().max((raw_bytes as f64 * ratio) as u64));
        if n == 0 {
            return Ok(());
        }
    }
}

pub(crate) fn ingest(
    target: &Target,
    files: &[PathBuf],
    dataset: &str,
    key: Option<&str>,
) -> anyhow::Result<()> {
    let mut session = Session {
        client: client()?,
        key,
        tally: Tally::default(),
    };
    let base = target.server.trim_end_matches('/');
    let bar = progress_bar(files);
    for path in files {
        send_file(&mut session, (base, dataset), path, &bar)?;
    }
    let tally = session.tally;
    bar.finish_and_clear();
    println!(
        "sent {} file(s): {} records accepted, {} rejected",
        files.len(),
        tally.accepted,
        tally.rejected
    );
    for r in &tally.first_rejects {
        println!("  rejected {r}");
    }
    Ok(())
}
