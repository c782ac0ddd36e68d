//! Sends an NDJSON file to `/api/v1/ingest/{dataset}` in chunks of whole
//! lines; the server's reply counts the accepted and rejected records.

use std::path::Path;

use super::ingest::{Http, Tally};

/// Bytes of lines posted at once.
const CHUNK: usize = 4 << 20;

pub(super) struct NdjsonSender {
    url: String,
    chunk: Vec<u8>,
}

impl NdjsonSender {
    pub(super) fn new(base: &str, dataset: &str) -> NdjsonSender {
        NdjsonSender {
            url: format!("{base}/api/v1/ingest/{dataset}"),
            chunk: Vec::with_capacity(CHUNK + 4096),
        }
    }

    pub(super) fn line(
        &mut self,
        http: &Http,
        path: &Path,
        line: &str,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        self.chunk.extend_from_slice(line.as_bytes());
        if self.chunk.len() >= CHUNK {
            self.send(http, path, tally)?;
        }
        Ok(())
    }

    pub(super) fn finish(
        &mut self,
        http: &Http,
        path: &Path,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        self.send(http, path, tally)
    }

    fn send(&mut self, http: &Http, path: &Path, tally: &mut Tally) -> anyhow::Result<()> {
        let body = std::mem::take(&mut self.chunk);
        let reply = http.post(&self.url, "application/x-ndjson", body)?;
        tally.accepted += reply["accepted"].as_u64().unwrap_or(0);
        tally.rejected += reply["rejected"].as_u64().unwrap_or(0);
        tally.note_rejects(path, &reply["rejects"]);
        Ok(())
    }
}
