//! The write-ahead log: the point where a write becomes acknowledged.
//!
//! Entries are framed `[len u32][crc32 u32][seq u64][payload]` in segment
//! files named by their first sequence number. Concurrent appenders share one
//! `fdatasync` (group commit): the first waiter writes and syncs everything
//! pending, the others wait for it. A torn or corrupt tail (a crash mid-write)
//! ends replay at the last whole entry and is truncated away.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use crate::error::StoreError;

const FRAME_HEADER: usize = 8;
/// Entries larger than this are refused at append and treated as corruption at replay.
const MAX_ENTRY_BYTES: usize = 256 << 20;

/// One replayed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WalEntry {
    pub(crate) seq: u64,
    pub(crate) payload: Vec<u8>,
}

/// Appends one framed entry to `out`.
fn encode_frame(seq: u64, payload: &[u8], out: &mut Vec<u8>) {
    let len = (8 + payload.len()) as u32;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&seq.to_le_bytes());
    hasher.update(payload);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
}

/// Decodes whole frames from `bytes`; returns them and the length of the
/// valid prefix (anything after it is a torn or corrupt tail).
fn decode_frames(bytes: &[u8]) -> (Vec<WalEntry>, usize) {
    let mut entries = Vec::new();
    let mut at = 0;
    while bytes.len() - at >= FRAME_HEADER {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        if !(8..=MAX_ENTRY_BYTES + 8).contains(&len) || bytes.len() - at - FRAME_HEADER < len {
            break;
        }
        let body = &bytes[at + FRAME_HEADER..at + FRAME_HEADER + len];
        if crc32fast::hash(body) != crc {
            break;
        }
        let seq = u64::from_le_bytes(body[..8].try_into().expect("8 bytes"));
        entries.push(WalEntry {
            seq,
            payload: body[8..].to_vec(),
        });
        at += FRAME_HEADER + len;
    }
    (entries, at)
}

struct WalState {
    file: File,
    segment_path: PathBuf,
    next_seq: u64,
    pending: Vec<u8>,
    pending_last_seq: u64,
    synced_seq: u64,
    syncing: bool,
    failed: Option<String>,
    bytes_written: u64,
}

/// The log of one data directory.
pub(crate) struct Wal {
    dir: PathBuf,
    state: Mutex<WalState>,
    synced: Condvar,
}

fn segment_name(first_seq: u64) -> String {
    format!("{first_seq:020}.wal")
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("sync directory", dir))
}

/// Segment files of `dir`, oldest first, with their first sequence number.
fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(StoreError::io("read WAL directory", dir))? {
        let path = entry
            .map_err(StoreError::io("read WAL directory", dir))?
            .path();
        let first = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".wal"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(first) = first {
            out.push((first, path));
        }
    }
    out.sort();
    Ok(out)
}

impl Wal {
    /// Opens the log in `dir`, replays every whole entry with a sequence number
    /// above `after_seq` to `apply`, truncates a torn tail, and starts a fresh
    /// segment. Returns the log and the number of torn bytes dropped.
    pub(crate) fn open(
        dir: &Path,
        after_seq: u64,
        mut apply: impl FnMut(WalEntry) -> Result<(), StoreError>,
    ) -> Result<(Wal, u64), StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create WAL directory", dir))?;
        let mut last_seq = after_seq;
        let mut torn_bytes = 0u64;
        for (_, path) in segments(dir)? {
            let mut bytes = Vec::new();
            File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(StoreError::io("read WAL segment", &path))?;
            let (entries, valid) = decode_frames(&bytes);
            if valid < bytes.len() {
                torn_bytes += (bytes.len() - valid) as u64;
                let file = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(StoreError::io("open WAL segment", &path))?;
                file.set_len(valid as u64)
                    .map_err(StoreError::io("truncate torn WAL tail", &path))?;
                file.sync_all()
                    .map_err(StoreError::io("sync WAL segment", &path))?;
            }
            for entry in entries {
                if entry.seq > last_seq {
                    last_seq = entry.seq;
                    apply(entry)?;
                }
            }
        }
        let next_seq = last_seq + 1;
        let segment_path = dir.join(segment_name(next_seq));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&segment_path)
            .map_err(StoreError::io("create WAL segment", &segment_path))?;
        sync_dir(dir)?;
        let state = WalState {
            file,
            segment_path,
            next_seq,
            pending: Vec::new(),
            pending_last_seq: last_seq,
            synced_seq: last_seq,
            syncing: false,
            failed: None,
            bytes_written: 0,
        };
        Ok((
            Wal {
                dir: dir.to_owned(),
                state: Mutex::new(state),
                synced: Condvar::new(),
            },
            torn_bytes,
        ))
    }

    /// Appends `payloads` as consecutive entries in one group commit and
    /// returns the last one's sequence number once all are on disk.
    pub(crate) fn append_many(&self, payloads: &[&[u8]]) -> Result<u64, StoreError> {
        if let Some(big) = payloads.iter().find(|p| p.len() > MAX_ENTRY_BYTES) {
            return Err(StoreError::Corrupt {
                what: "WAL entry",
                detail: format!("{} bytes is over the limit", big.len()),
            });
        }
        let mut state = self.state.lock().expect("wal lock");
        let mut seq = state.next_seq;
        for payload in payloads {
            seq = state.next_seq;
            state.next_seq += 1;
            encode_frame(seq, payload, &mut state.pending);
        }
        state.pending_last_seq = seq;
        loop {
            if let Some(message) = &state.failed {
                return Err(StoreError::Corrupt {
                    what: "WAL",
                    detail: format!("an earlier write failed: {message}"),
                });
            }
            if state.synced_seq >= seq {
                return Ok(seq);
            }
            if state.syncing {
                state = self.synced.wait(state).expect("wal lock");
                continue;
            }
            // Become the leader: write and sync everything pending, for all waiters.
            state.syncing = true;
            let buffer = std::mem::take(&mut state.pending);
            let upto = state.pending_last_seq;
            let mut file = state
                .file
                .try_clone()
                .map_err(StoreError::io("clone WAL handle", &state.segment_path))?;
            let path = state.segment_path.clone();
            drop(state);
            let result = file.write_all(&buffer).and_then(|_| file.sync_data());
            state = self.state.lock().expect("wal lock");
            state.syncing = false;
            match result {
                Ok(()) => {
                    state.synced_seq = upto;
                    state.bytes_written += buffer.len() as u64;
                }
                Err(e) => state.failed = Some(format!("{}: {e}", path.display())),
            }
            self.synced.notify_all();
        }
    }

    /// Closes the current segment and starts a new one. Returns the last
    /// sequence number in the closed segments: once data up to it is in
    /// Parquet, `remove_through` may delete them.
    pub(crate) fn rotate(&self) -> Result<u64, StoreError> {
        let mut state = self.state.lock().expect("wal lock");
        while state.syncing {
            state = self.synced.wait(state).expect("wal lock");
        }
        if !state.pending.is_empty() {
            let buffer = std::mem::take(&mut state.pending);
            let path = state.segment_path.clone();
            state
                .file
                .write_all(&buffer)
                .and_then(|_| state.file.sync_data())
                .map_err(StoreError::io("write WAL segment", &path))?;
            state.synced_seq = state.pending_last_seq;
            self.synced.notify_all();
        }
        let boundary = state.next_seq - 1;
        let segment_path = self.dir.join(segment_name(state.next_seq));
        if segment_path != state.segment_path {
            state.file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&segment_path)
                .map_err(StoreError::io("create WAL segment", &segment_path))?;
            state.segment_path = segment_path;
            sync_dir(&self.dir)?;
        }
        Ok(boundary)
    }

    /// Deletes closed segments whose entries all have sequence numbers at or
    /// below `seq`.
    pub(crate) fn remove_through(&self, seq: u64) -> Result<(), StoreError> {
        let current = self.state.lock().expect("wal lock").segment_path.clone();
        let all = segments(&self.dir)?;
        for (i, (_, path)) in all.iter().enumerate() {
            let next_first = all.get(i + 1).map(|(first, _)| *first);
            if *path != current && next_first.is_some_and(|n| n <= seq + 1) {
                std::fs::remove_file(path).map_err(StoreError::io("remove WAL segment", path))?;
            }
        }
        Ok(())
    }

    /// Bytes written to the log since it was opened.
    pub(crate) fn bytes_written(&self) -> u64 {
        self.state.lock().expect("wal lock").bytes_written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn frames_round_trip(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..20)) {
            let mut bytes = Vec::new();
            for (i, p) in payloads.iter().enumerate() {
                encode_frame(i as u64 + 1, p, &mut bytes);
            }
            let (entries, valid) = decode_frames(&bytes);
            prop_assert_eq!(valid, bytes.len());
            prop_assert_eq!(entries.len(), payloads.len());
            for (e, p) in entries.iter().zip(&payloads) {
                prop_assert_eq!(&e.payload, p);
            }
        }

        #[test]
        fn torn_tail_keeps_every_whole_frame(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 1..10), cut in any::<prop::sample::Index>()) {
            let mut bytes = Vec::new();
            let mut ends = Vec::new();
            for (i, p) in payloads.iter().enumerate() {
                encode_frame(i as u64 + 1, p, &mut bytes);
                ends.push(bytes.len());
            }
            let cut = cut.index(bytes.len() + 1);
            let (entries, valid) = decode_frames(&bytes[..cut]);
            let whole = ends.iter().filter(|&&e| e <= cut).count();
            prop_assert_eq!(entries.len(), whole);
            prop_assert_eq!(valid, if whole == 0 { 0 } else { ends[whole - 1] });
        }

        #[test]
        fn flipped_byte_never_yields_a_wrong_entry(payload in proptest::collection::vec(any::<u8>(), 1..200), flip in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = Vec::new();
            encode_frame(7, &payload, &mut bytes);
            let i = flip.index(bytes.len());
            bytes[i] ^= 1 << bit;
            let (entries, _) = decode_frames(&bytes);
            prop_assert!(entries.is_empty() || (entries[0].seq == 7 && entries[0].payload == payload));
        }
    }

    #[test]
    fn replays_after_reopen_and_truncates_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), 0, |_| Ok(())).unwrap();
        assert_eq!(wal.append_many(&[b"one".as_slice()]).unwrap(), 1);
        assert_eq!(wal.append_many(&[b"two".as_slice()]).unwrap(), 2);
        let boundary = wal.rotate().unwrap();
        assert_eq!(boundary, 2);
        assert_eq!(wal.append_many(&[b"three".as_slice()]).unwrap(), 3);
        drop(wal);
        // A crash mid-append leaves half a frame at the end of the last segment.
        let last = segments(dir.path()).unwrap().pop().unwrap().1;
        let mut f = OpenOptions::new().append(true).open(&last).unwrap();
        f.write_all(&[42, 0, 0, 0, 1, 2]).unwrap();
        drop(f);
        let mut seen = Vec::new();
        let (wal, torn) = Wal::open(dir.path(), 1, |e| {
            seen.push((e.seq, e.payload));
            Ok(())
        })
        .unwrap();
        assert_eq!(torn, 6);
        assert_eq!(seen, vec![(2, b"two".to_vec()), (3, b"three".to_vec())]);
        assert_eq!(wal.append_many(&[b"four".as_slice()]).unwrap(), 4);
        wal.remove_through(2).unwrap();
        let left: Vec<u64> = segments(dir.path()).unwrap().iter().map(|s| s.0).collect();
        assert_eq!(left, vec![3, 4]);
    }

    #[test]
    fn concurrent_appends_get_distinct_durable_sequence_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), 0, |_| Ok(())).unwrap();
        let wal = std::sync::Arc::new(wal);
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let wal = wal.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| wal.append_many(&[format!("{t}-{i}").as_bytes()]).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort();
        assert_eq!(all, (1..=400).collect::<Vec<_>>());
        drop(wal);
        let mut count = 0;
        Wal::open(dir.path(), 0, |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 400);
    }
}
