//! Sends an NDJSON file to `/api/v1/ingest/{dataset}` in chunks of whole
//! lines; the server's reply counts the accepted and rejected records.

use std::path::{Path, PathBuf};

use super::session::Session;

/// Bytes of lines posted at once.
const CHUNK: usize = 4 << 20;

pub(super) struct NdjsonSender {
    url: String,
    /// The file, to name it in rejections.
    path: PathBuf,
    chunk: Vec<u8>,
}

impl NdjsonSender {
    pub(super) fn new(base: &str, dataset: &str, path: &Path) -> NdjsonSender {
        NdjsonSender {
            url: format!("{base}/api/v1/ingest/{dataset}"),
            path: path.to_owned(),
            chunk: Vec::with_capacity(CHUNK + 4096),
        }
    }

    pub(super) fn line(&mut self, session: &mut Session, line: &str) -> anyhow::Result<()> {
        self.chunk.extend_from_slice(line.as_bytes());
        if self.chunk.len() >= CHUNK {
            self.send(session)?;
        }
        Ok(())
    }

    pub(super) fn finish(&mut self, session: &mut Session) -> anyhow::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        self.send(session)
    }

    fn send(&mut self, session: &mut Session) -> anyhow::Result<()> {
        let body = std::mem::take(&mut self.chunk);
        let reply = session.post(&self.url, "application/x-ndjson", body)?;
        let tally = &mut session.tally;
        tally.accepted += reply["accepted"].as_u64().unwrap_or(0);
        tally.rejected += reply["rejected"].as_u64().unwrap_or(0);
        tally.note_rejects(&self.path, &reply["rejects"]);
        Ok(())
    }
}
