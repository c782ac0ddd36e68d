//! Checks the invariants of ARCHITECTURE.md that `cargo metadata` can see:
//! dependencies point one way along the flow, pure crates stay pure.

use std::collections::{BTreeMap, BTreeSet};

/// Which workspace crates each crate may depend on (normal dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("search-syntax", &[]),
    ("formats", &["model"]),
    ("demo", &["model"]),
    ("store", &["model"]),
    ("saved", &["model"]),
    ("ui", &[]),
    ("derived", &["model"]),
    ("query", &["model", "store", "search-syntax"]),
    ("ingest", &["model", "formats", "store", "derived"]),
    ("apm", &["model", "query", "derived"]),
    (
        "api",
        &[
            "model", "formats", "store", "query", "ingest", "saved", "ui", "apm",
        ],
    ),
    (
        "hannun",
        &[
            "model", "formats", "store", "query", "ingest", "api", "demo", "saved",
        ],
    ),
    ("xtask", &["demo", "model"]),
];

/// Crates that must do no IO and use no async runtime.
const PURE: &[&str] = &[
    "model",
    "search-syntax",
    "formats",
    "demo",
    "saved",
    "ui",
    "derived",
];
const IMPURE_DEPENDENCIES: &[&str] = &["tokio", "datafusion", "axum", "tonic", "reqwest", "hyper"];

/// Violations of the rules above, one message each.
pub(crate) fn violations(metadata: &serde_json::Value) -> Vec<String> {
    let members: BTreeSet<&str> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["source"].is_null())
        .filter_map(|p| p["name"].as_str())
        .collect();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut out = Vec::new();
    for package in metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["source"].is_null())
    {
        let name = package["name"].as_str().unwrap_or_default();
        let Some(may) = allowed.get(name) else {
            out.push(format!(
                "crate {name} is not in xtask's architecture table: add it and to ARCHITECTURE.md"
            ));
            continue;
        };
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            if !dep["kind"].is_null() {
                continue; // dev and build dependencies may reach further
            }
            let dep_name = dep["name"].as_str().unwrap_or_default();
            if members.contains(dep_name) && !may.contains(&dep_name) {
                out.push(format!(
                    "{name} depends on {dep_name}, against the flow in ARCHITECTURE.md"
                ));
            }
            if PURE.contains(&name) && IMPURE_DEPENDENCIES.contains(&dep_name) {
                out.push(format!("{name} is a pure crate but depends on {dep_name}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn workspace_keeps_its_architecture() {
        let output = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let violations = super::violations(&metadata);
        assert!(violations.is_empty(), "{violations:#?}");
    }

    #[test]
    fn a_backwards_dependency_is_caught() {
        let metadata = serde_json::json!({ "packages": [
            { "name": "model", "source": null, "dependencies": [ { "name": "store", "kind": null }, { "name": "tokio", "kind": null } ] },
            { "name": "store", "source": null, "dependencies": [] },
        ]});
        let v = super::violations(&metadata);
        assert_eq!(v.len(), 2, "{v:?}");
    }
}
