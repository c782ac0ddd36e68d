//! The web UI's built files, embedded at compile time from web/dist (see
//! build.rs). No CDN: every asset the browser loads comes from here.
//!
//! This crate knows nothing of HTTP servers; it answers "which file for
//! this path", with the single-page app's fallback to index.html.

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Path below the site root, without a leading slash.
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
    /// The body gzip-compressed, for compressible types.
    pub gzip: Option<&'static [u8]>,
}

static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Whether the UI was built into this binary.
pub fn is_built() -> bool {
    !ASSETS.is_empty()
}

/// Every embedded file.
pub fn assets() -> &'static [Asset] {
    ASSETS
}

/// The file at `path` exactly (no leading slash).
pub fn asset(path: &str) -> Option<&'static Asset> {
    let path = path.trim_start_matches('/');
    ASSETS.iter().find(|a| a.path == path)
}

/// The file for a browser path: the asset itself, or index.html for the
/// app's own routes (`/explore`, `/dashboards/d1`...). Paths that look like
/// files (a dot in the last segment) and are missing get `None`, so a
/// missing script is a 404, not a page of HTML.
pub fn resolve(path: &str) -> Option<&'static Asset> {
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return asset("index.html");
    }
    if let Some(found) = asset(path) {
        return Some(found);
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.contains('.') || path.starts_with("assets/") {
        return None;
    }
    asset("index.html")
}

/// Whether a path names a content-hashed file that never changes.
pub fn is_immutable(path: &str) -> bool {
    path.trim_start_matches('/').starts_with("assets/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_back_to_the_app_and_files_do_not() {
        if !is_built() {
            assert!(resolve("/").is_none());
            return;
        }
        let index = resolve("/").expect("index.html");
        assert_eq!(index.path, "index.html");
        assert_eq!(resolve("/dashboards/d123").unwrap().path, "index.html");
        assert!(resolve("/assets/missing.js").is_none());
        assert!(resolve("/favicon-missing.png").is_none());
        for a in assets() {
            assert_eq!(resolve(a.path).unwrap().path, a.path);
        }
        assert!(is_immutable("/assets/index-abc.js"));
        assert!(!is_immutable("/index.html"));
    }
}
