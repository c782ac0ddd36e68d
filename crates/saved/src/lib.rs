//! Saved objects: dashboards and saved views, JSON documents the UI
//! defines, kept per kind in one file under the data directory.
//!
//! Every change rewrites the kind's file atomically (temporary file, fsync,
//! rename, fsync of the directory), so a crash leaves either the old or the
//! new set, never a torn one. The documents are small and few (limits
//! below); the whole set lives in memory.
//!
//! This crate knows nothing of HTTP, queries or storage of events: it
//! checks each kind's few required fields and size limits and keeps the
//! rest as the client sent it.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Largest document, serialized.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Most documents of one kind.
pub const MAX_DOCUMENTS: usize = 1000;
/// Longest name or title.
const MAX_TITLE_CHARS: usize = 200;
/// Most widgets on one dashboard.
const MAX_WIDGETS: usize = 100;

/// What kind of object; each kind has its own file and required fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Dashboards,
    Views,
    /// The status of error-tracking issues, by fingerprint (the issues
    /// themselves are computed from the `errors` dataset).
    IssueStates,
    /// The triage of security signals, by signal id: status, who set it
    /// and when, comments (the signals are computed from `signals`).
    SignalStates,
    /// Tuning exceptions of security rules: which detections (a rule, an
    /// entity, a field's value) are suppressed, until when, and why.
    SignalExceptions,
    /// Security rules switched off, by rule id.
    RuleStates,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dashboards => "dashboards",
            Kind::Views => "views",
            Kind::IssueStates => "issues",
            Kind::SignalStates => "signals",
            Kind::SignalExceptions => "exceptions",
            Kind::RuleStates => "rules",
        }
    }

    /// Every kind, each with its own file.
    pub const ALL: [Kind; 6] = [
        Kind::Dashboards,
        Kind::Views,
        Kind::IssueStates,
        Kind::SignalStates,
        Kind::SignalExceptions,
        Kind::RuleStates,
    ];

    /// Most documents of the kind.
    fn max_documents(self) -> usize {
        match self {
            Kind::IssueStates | Kind::SignalStates => 50_000,
            _ => MAX_DOCUMENTS,
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Kind::Dashboards => "dashboard",
            Kind::Views => "saved view",
            Kind::IssueStates => "issue status",
            Kind::SignalStates => "signal status",
            Kind::SignalExceptions => "signal exception",
            Kind::RuleStates => "rule state",
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Dashboards => "d",
            Kind::Views => "v",
            Kind::IssueStates => "i",
            Kind::SignalStates => "s",
            Kind::SignalExceptions => "x",
            Kind::RuleStates => "r",
        }
    }

    /// The field that names a document of this kind.
    fn title_field(self) -> &'static str {
        match self {
            Kind::Dashboards => "title",
            Kind::Views => "name",
            Kind::IssueStates | Kind::SignalStates => "status",
            Kind::SignalExceptions => "reason",
            Kind::RuleStates => "state",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("{0}")]
    Invalid(String),
    #[error("no {kind} with id {id:?}")]
    NotFound { kind: &'static str, id: String },
    #[error("too many {kind}: at most {max}; delete some first")]
    TooMany { kind: &'static str, max: usize },
    #[error("saved objects file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("saved objects file {path} is not valid JSON: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

/// The saved objects of one data directory.
#[derive(Debug)]
pub struct Saved {
    dir: PathBuf,
    kinds: Mutex<BTreeMap<Kind, Vec<Map<String, Value>>>>,
}

fn now_rfc3339() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    let text = model::format_rfc3339_nanos(nanos - nanos % 1_000_000);
    // Milliseconds are all a browser's Date keeps.
    match text.split_once('.') {
        Some((seconds, fraction)) => format!("{seconds}.{}Z", &fraction[..3]),
        None => text,
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SavedError + '_ {
    move |source| SavedError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Saved {
    /// Opens (creating if needed) `dir` and loads every kind's file.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Saved, SavedError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut kinds = BTreeMap::new();
        for kind in Kind::ALL {
            let path = dir.join(format!("{}.json", kind.as_str()));
            let docs = match fs::read(&path) {
                Ok(bytes) => {
                    let value: Value =
                        serde_json::from_slice(&bytes).map_err(|e| SavedError::Corrupt {
                            path: path.clone(),
                            detail: e.to_string(),
                        })?;
                    let Value::Array(items) = value else {
                        return Err(SavedError::Corrupt {
                            path,
                            detail: "expected an array of documents".into(),
                        });
                    };
                    items
                        .into_iter()
                        .filter_map(|v| match v {
                            Value::Object(map) => Some(map),
                            _ => None,
                        })
                        .collect()
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(io(&path)(e)),
            };
            kinds.insert(kind, docs);
        }
        Ok(Saved {
            dir,
            kinds: Mutex::new(kinds),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Kind, Vec<Map<String, Value>>>> {
        self.kinds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every document of a kind, oldest first.
    pub fn list(&self, kind: Kind) -> Vec<Map<String, Value>> {
        self.lock().get(&kind).cloned().unwrap_or_default()
    }

    pub fn get(&self, kind: Kind, id: &str) -> Result<Map<String, Value>, SavedError> {
        let kinds = self.lock();
        let docs = kinds.get(&kind).map(Vec::as_slice).unwrap_or_default();
        Ok(docs[position(kind, docs, id)?].clone())
    }

    /// Stores a new document; returns it with `id`, `created_at` and
    /// `updated_at` set (any given are replaced).
    pub fn create(&self, kind: Kind, doc: Value) -> Result<Map<String, Value>, SavedError> {
        let mut doc = validate(kind, doc)?;
        let mut kinds = self.lock();
        let docs = kinds.entry(kind).or_default();
        if docs.len() >= kind.max_documents() {
            return Err(SavedError::TooMany {
                kind: kind.as_str(),
                max: kind.max_documents(),
            });
        }
        let id = new_id(kind, docs);
        let now = now_rfc3339();
        doc.insert("id".into(), Value::String(id));
        doc.insert("created_at".into(), Value::String(now.clone()));
        doc.insert("updated_at".into(), Value::String(now));
        self.commit(kind, docs, |next| next.push(doc.clone()))?;
        Ok(doc)
    }

    /// Replaces a document, keeping its id and creation time.
    pub fn replace(
        &self,
        kind: Kind,
        id: &str,
        doc: Value,
    ) -> Result<Map<String, Value>, SavedError> {
        let mut doc = validate(kind, doc)?;
        let mut kinds = self.lock();
        let docs = kinds.entry(kind).or_default();
        let index = position(kind, docs, id)?;
        let created = docs[index]
            .get("created_at")
            .cloned()
            .unwrap_or(Value::Null);
        doc.insert("id".into(), Value::String(id.to_owned()));
        doc.insert("created_at".into(), created);
        doc.insert("updated_at".into(), Value::String(now_rfc3339()));
        self.commit(kind, docs, |next| next[index] = doc.clone())?;
        Ok(doc)
    }

    /// Creates or replaces the document with the caller's `id` (for kinds
    /// keyed by something else than a generated id, such as fingerprints).
    pub fn upsert(
        &self,
        kind: Kind,
        id: &str,
        doc: Value,
    ) -> Result<Map<String, Value>, SavedError> {
        let mut doc = validate(kind, doc)?;
        if id.is_empty() || id.len() > 128 {
            return Err(SavedError::Invalid(format!(
                "a {} id must have 1 to 128 characters",
                kind.singular()
            )));
        }
        let mut kinds = self.lock();
        let docs = kinds.entry(kind).or_default();
        let index = docs.iter().position(|d| d["id"] == id);
        if index.is_none() && docs.len() >= kind.max_documents() {
            return Err(SavedError::TooMany {
                kind: kind.as_str(),
                max: kind.max_documents(),
            });
        }
        let now = now_rfc3339();
        let created = index
            .and_then(|i| docs[i].get("created_at").cloned())
            .unwrap_or_else(|| Value::String(now.clone()));
        doc.insert("id".into(), Value::String(id.to_owned()));
        doc.insert("created_at".into(), created);
        doc.insert("updated_at".into(), Value::String(now));
        self.commit(kind, docs, |next| match index {
            Some(i) => next[i] = doc.clone(),
            None => next.push(doc.clone()),
        })?;
        Ok(doc)
    }

    pub fn delete(&self, kind: Kind, id: &str) -> Result<(), SavedError> {
        let mut kinds = self.lock();
        let docs = kinds.entry(kind).or_default();
        let index = position(kind, docs, id)?;
        self.commit(kind, docs, |next| {
            next.remove(index);
        })
    }

    /// Applies `change` to a copy of a kind's documents, writes it, and only
    /// then makes it current: a failed write leaves memory as the file is.
    fn commit(
        &self,
        kind: Kind,
        docs: &mut Vec<Map<String, Value>>,
        change: impl FnOnce(&mut Vec<Map<String, Value>>),
    ) -> Result<(), SavedError> {
        let mut next = docs.clone();
        change(&mut next);
        self.write(kind, &next)?;
        *docs = next;
        Ok(())
    }

    /// Writes a kind's file atomically.
    fn write(&self, kind: Kind, docs: &[Map<String, Value>]) -> Result<(), SavedError> {
        let path = self.dir.join(format!("{}.json", kind.as_str()));
        let tmp = self.dir.join(format!(".{}.json.tmp", kind.as_str()));
        let bytes = serde_json::to_vec_pretty(docs).map_err(|e| SavedError::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let mut file = File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(&bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        Ok(())
    }
}

/// Where the document with `id` is; `NotFound` naming the kind if nowhere.
fn position(kind: Kind, docs: &[Map<String, Value>], id: &str) -> Result<usize, SavedError> {
    docs.iter()
        .position(|d| d["id"] == id)
        .ok_or_else(|| SavedError::NotFound {
            kind: kind.singular(),
            id: id.to_owned(),
        })
}

/// An id not used by any document of the kind: prefix and time in hex.
fn new_id(kind: Kind, docs: &[Map<String, Value>]) -> String {
    let mut n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0);
    loop {
        let id = format!("{}{n:x}", kind.id_prefix());
        if !docs.iter().any(|d| d["id"] == id.as_str()) {
            return id;
        }
        n += 1;
    }
}

/// Checks the kind's required fields and the size limit.
fn validate(kind: Kind, doc: Value) -> Result<Map<String, Value>, SavedError> {
    let Value::Object(doc) = doc else {
        return Err(SavedError::Invalid(format!(
            "a {} must be a JSON object",
            kind.singular()
        )));
    };
    let size = serde_json::to_vec(&doc).map(|b| b.len()).unwrap_or(0);
    if size > MAX_DOCUMENT_BYTES {
        return Err(SavedError::Invalid(format!(
            "the {} is {size} bytes; at most {MAX_DOCUMENT_BYTES} are allowed",
            kind.singular()
        )));
    }
    let field = kind.title_field();
    match doc.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            if s.chars().count() > MAX_TITLE_CHARS {
                return Err(SavedError::Invalid(format!(
                    "`{field}` is longer than {MAX_TITLE_CHARS} characters"
                )));
            }
        }
        _ => {
            return Err(SavedError::Invalid(format!(
                "a {} needs a non-empty string `{field}`",
                kind.singular()
            )));
        }
    }
    if kind == Kind::Dashboards {
        match doc.get("widgets") {
            Some(Value::Array(widgets)) if widgets.len() <= MAX_WIDGETS => {}
            Some(Value::Array(widgets)) => {
                return Err(SavedError::Invalid(format!(
                    "the dashboard has {} widgets; at most {MAX_WIDGETS} are allowed",
                    widgets.len()
                )));
            }
            _ => {
                return Err(SavedError::Invalid(
                    "a dashboard needs an array `widgets`".into(),
                ));
            }
        }
    }
    Ok(doc)
}
