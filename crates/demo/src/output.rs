//! Puts generated lines in time order and hands them to the sink in chunks.
//!
//! A request's spans and logs are written when the request is generated,
//! but they end later (a batch job's last log can be minutes after its
//! start). Lines wait here, and each minute everything before the minute's
//! end is sorted and released: nothing generated later can be earlier.

use crate::DemoDataset;

/// Lines of one dataset not yet released, in one byte arena.
#[derive(Default)]
struct Pending {
    arena: Vec<u8>,
    /// (timestamp, insertion order, offset, length) per line.
    items: Vec<(i64, u64, usize, usize)>,
    next_seq: u64,
}

/// Released lines of one dataset, waiting for a full chunk.
struct Chunk {
    dataset: DemoDataset,
    buf: Vec<u8>,
    lines: usize,
}

pub(crate) struct Output<'s> {
    pending: [Pending; 3],
    chunks: [Chunk; 3],
    chunk_lines: usize,
    sink: &'s mut dyn FnMut(DemoDataset, &[u8]),
    counts: [u64; 3],
}

fn slot(dataset: DemoDataset) -> usize {
    match dataset {
        DemoDataset::Logs => 0,
        DemoDataset::Spans => 1,
        DemoDataset::Metrics => 2,
    }
}

impl<'s> Output<'s> {
    pub(crate) fn new(
        chunk_lines: usize,
        sink: &'s mut dyn FnMut(DemoDataset, &[u8]),
    ) -> Output<'s> {
        let chunk = |dataset| Chunk {
            dataset,
            buf: Vec::new(),
            lines: 0,
        };
        Output {
            pending: Default::default(),
            chunks: [
                chunk(DemoDataset::Logs),
                chunk(DemoDataset::Spans),
                chunk(DemoDataset::Metrics),
            ],
            chunk_lines: chunk_lines.max(1),
            sink,
            counts: [0; 3],
        }
    }

    /// Adds one line at `timestamp`, written by `write` (without newline).
    pub(crate) fn line(
        &mut self,
        dataset: DemoDataset,
        timestamp: i64,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        let pending = &mut self.pending[slot(dataset)];
        let from = pending.arena.len();
        write(&mut pending.arena);
        pending.arena.push(b'\n');
        pending.items.push((
            timestamp,
            pending.next_seq,
            from,
            pending.arena.len() - from,
        ));
        pending.next_seq += 1;
    }

    /// Releases, in time order, every waiting line earlier than `bound`.
    pub(crate) fn release_before(&mut self, bound: i64) {
        for i in 0..3 {
            let pending = &mut self.pending[i];
            if pending.items.is_empty() {
                continue;
            }
            // Insertion order breaks ties, so equal timestamps stay stable.
            pending
                .items
                .sort_unstable_by_key(|&(t, seq, _, _)| (t, seq));
            let ready = pending.items.partition_point(|&(t, _, _, _)| t < bound);
            let chunk = &mut self.chunks[i];
            for &(_, _, from, len) in &pending.items[..ready] {
                chunk
                    .buf
                    .extend_from_slice(&pending.arena[from..from + len]);
                chunk.lines += 1;
                if chunk.lines >= self.chunk_lines {
                    (self.sink)(chunk.dataset, &chunk.buf);
                    chunk.buf.clear();
                    chunk.lines = 0;
                }
            }
            self.counts[i] += ready as u64;
            // Keep the rest, compacted into a fresh arena.
            let mut arena = Vec::with_capacity(pending.arena.len() / 2);
            let mut items = Vec::with_capacity(pending.items.len() - ready);
            for &(t, seq, from, len) in &pending.items[ready..] {
                items.push((t, seq, arena.len(), len));
                arena.extend_from_slice(&pending.arena[from..from + len]);
            }
            pending.arena = arena;
            pending.items = items;
        }
    }

    /// Sends the partial chunks; lines at or after the window's end (there
    /// should be none) are dropped.
    pub(crate) fn finish(mut self, end: i64) -> [u64; 3] {
        self.release_before(end);
        for chunk in &mut self.chunks {
            if chunk.lines > 0 {
                (self.sink)(chunk.dataset, &chunk.buf);
            }
        }
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_sorted_chunks_before_the_bound() {
        let mut got: Vec<(DemoDataset, String)> = Vec::new();
        let mut sink = |d: DemoDataset, chunk: &[u8]| {
            got.push((d, String::from_utf8(chunk.to_vec()).unwrap()))
        };
        let mut out = Output::new(2, &mut sink);
        for (t, text) in [
            (5, "e"),
            (1, "a"),
            (3, "c"),
            (3, "d"),
            (2, "b"),
            (9, "late"),
        ] {
            out.line(DemoDataset::Logs, t, |b| {
                b.extend_from_slice(text.as_bytes())
            });
        }
        out.line(DemoDataset::Metrics, 4, |b| b.extend_from_slice(b"m"));
        out.release_before(6);
        let counts = out.finish(9);
        assert_eq!(counts, [5, 0, 1]);
        assert_eq!(
            got,
            vec![
                (DemoDataset::Logs, "a\nb\n".to_owned()),
                (DemoDataset::Logs, "c\nd\n".to_owned()),
                (DemoDataset::Logs, "e\n".to_owned()),
                (DemoDataset::Metrics, "m\n".to_owned()),
            ]
        );
    }
}
