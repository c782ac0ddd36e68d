//! The catalog: which Parquet files hold which dataset and time range, the
//! dataset schemas, and the WAL checkpoint. One JSON file, replaced atomically.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use model::DatasetSchema;

use crate::error::StoreError;

const CATALOG_FILE: &str = "catalog.json";
const CATALOG_VERSION: u32 = 1;

/// One immutable Parquet file of a dataset.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    pub(crate) dataset: String,
    /// Relative to the data directory.
    pub(crate) path: String,
    pub min_time: i64,
    pub max_time: i64,
    pub rows: u64,
    pub bytes: u64,
    /// How many compactions produced this file (0 = written by a flush).
    pub(crate) level: u32,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Catalog {
    pub(crate) version: u32,
    /// Every WAL entry up to this sequence number is in the files below.
    pub(crate) checkpoint_seq: u64,
    pub(crate) next_file_id: u64,
    pub(crate) schemas: BTreeMap<String, DatasetSchema>,
    pub(crate) files: Vec<FileEntry>,
}

impl Catalog {
    pub(crate) fn load(dir: &Path) -> Result<Catalog, StoreError> {
        let path = dir.join(CATALOG_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let catalog: Catalog =
                    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                        what: "catalog",
                        detail: format!("{}: {e}", path.display()),
                    })?;
                if catalog.version != CATALOG_VERSION {
                    return Err(StoreError::Corrupt {
                        what: "catalog",
                        detail: format!(
                            "version {} is not the supported {CATALOG_VERSION}",
                            catalog.version
                        ),
                    });
                }
                Ok(catalog)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalog {
                version: CATALOG_VERSION,
                next_file_id: 1,
                ..Catalog::default()
            }),
            Err(e) => Err(StoreError::io("read catalog", path)(e)),
        }
    }

    /// Writes the catalog to a temporary file, syncs it, and renames it over
    /// the old one, so a crash leaves either the old or the new catalog.
    pub(crate) fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let tmp = dir.join("catalog.json.tmp");
        let bytes = serde_json::to_vec(self).expect("catalog serializes");
        let mut file = File::create(&tmp).map_err(StoreError::io("write catalog", &tmp))?;
        file.write_all(&bytes)
            .and_then(|_| file.sync_all())
            .map_err(StoreError::io("write catalog", &tmp))?;
        let path = dir.join(CATALOG_FILE);
        std::fs::rename(&tmp, &path).map_err(StoreError::io("replace catalog", &path))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(StoreError::io("sync directory", dir))
    }

    pub(crate) fn allocate_file_path(&mut self, dataset: &str, day: i64) -> PathBuf {
        let id = self.next_file_id;
        self.next_file_id += 1;
        let date = model::format_rfc3339_nanos(day * 86_400_000_000_000);
        PathBuf::from("data")
            .join(dataset)
            .join(&date[..10])
            .join(format!("{id:012}.parquet"))
    }
}
