//! Checks the invariants of ARCHITECTURE.md that `cargo metadata` and the
//! sources show: dependencies point one way along the flow, pure crates stay
//! pure (no async runtime, no `std::fs`, `std::net`, `std::process` or
//! `std::env`), and no crate's file modules use each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;

use crate::module_graph::{Circle, CrateGraph, SourceFile, module_of};

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
    ("enrich", &["model", "formats"]),
    ("detect", &["model", "formats", "enrich"]),
    ("query", &["model", "store", "search-syntax"]),
    (
        "ingest",
        &["model", "formats", "store", "derived", "enrich", "detect"],
    ),
    ("apm", &["model", "query", "derived"]),
    ("network", &["model", "query"]),
    ("siem", &["model", "query", "detect"]),
    (
        "api",
        &[
            "model", "formats", "query", "ingest", "saved", "ui", "apm", "network", "siem",
        ],
    ),
    (
        "hannun",
        &[
            "model", "formats", "store", "query", "ingest", "api", "demo", "saved", "network",
            "enrich", "detect", "siem",
        ],
    ),
    ("xtask", &["demo", "model", "formats", "enrich", "detect"]),
];

/// Crates that must do no IO and use no async runtime.
const PURE: &[&str] = &[
    "model",
    "search-syntax",
    "formats",
    "demo",
    "ui",
    "derived",
    "enrich",
    "detect",
];
const IMPURE_DEPENDENCIES: &[&str] = &["tokio", "datafusion", "axum", "tonic", "reqwest", "hyper"];

/// Circles between file modules let through, as (crate, its modules in the
/// circle). Empty since issue 10 removed the last ones; a new circle is
/// moved apart, not listed here.
const ALLOWED_CIRCLES: &[(&str, &[&str])] = &[];

/// What the checks found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Broken rules, one message each.
    pub(crate) violations: Vec<String>,
    /// Circles `ALLOWED_CIRCLES` lets through for now.
    pub(crate) allowed_circles: Vec<String>,
}

/// Every rule, over the workspace `metadata` describes and the sources of
/// its crates.
pub(crate) fn check_workspace(metadata: &serde_json::Value) -> anyhow::Result<Findings> {
    let mut findings = Findings {
        violations: dependency_violations(metadata),
        ..Findings::default()
    };
    for package in workspace_packages(metadata) {
        let name = package["name"].as_str().unwrap_or_default();
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or_default());
        let src = manifest.parent().context("manifest path")?.join("src");
        let sources = read_sources(&src).with_context(|| format!("reading {}", src.display()))?;
        check_sources(name, &sources, ALLOWED_CIRCLES, &mut findings);
    }
    Ok(findings)
}

/// The module files under `src`, with paths from the crate's folder.
fn read_sources(src: &Path) -> anyhow::Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    let mut folders = vec![src.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            let relative = path.strip_prefix(src)?;
            if path.is_dir() {
                folders.push(path);
            } else if let Some(module) = module_of(relative) {
                files.push(SourceFile {
                    path: Path::new("src").join(relative).display().to_string(),
                    module,
                    text: std::fs::read_to_string(&path)?,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Circles among the file modules of crate `name` (let through if
/// `allowed`), and IO in it if it is pure.
fn check_sources(
    name: &str,
    sources: &[SourceFile],
    allowed: &[(&str, &[&str])],
    findings: &mut Findings,
) {
    let graph = CrateGraph::new(sources);
    for circle in graph.circles() {
        let is_allowed = allowed.iter().any(|(krate, modules)| {
            *krate == name && circle.modules.iter().all(|m| modules.contains(&m.as_str()))
        });
        let message = circle_message(name, &circle);
        if is_allowed {
            findings.allowed_circles.push(message);
        } else {
            findings.violations.push(message);
        }
    }
    if PURE.contains(&name) {
        for (file, io) in graph.io_uses() {
            findings
                .violations
                .push(format!("{name} is a pure crate but {file} uses {io}"));
        }
    }
}

fn circle_message(name: &str, circle: &Circle) -> String {
    let edges: Vec<String> = circle
        .edges
        .iter()
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    format!(
        "{name}: modules {} use each other ({}): move what they share into a module both use",
        circle.modules.join(", "),
        edges.join(", ")
    )
}

/// The workspace's own packages in `metadata` (registry ones have a source).
fn workspace_packages(metadata: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["source"].is_null())
}

/// Violations of the dependency rules above, one message each.
fn dependency_violations(metadata: &serde_json::Value) -> Vec<String> {
    let members: BTreeSet<&str> = workspace_packages(metadata)
        .filter_map(|p| p["name"].as_str())
        .collect();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut out = Vec::new();
    for package in workspace_packages(metadata) {
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
    use crate::module_graph::{SourceFile, module_of};

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
        let findings = super::check_workspace(&metadata).unwrap();
        assert!(findings.violations.is_empty(), "{:#?}", findings.violations);
    }

    #[test]
    fn a_backwards_dependency_is_caught() {
        let metadata = serde_json::json!({ "packages": [
            { "name": "model", "source": null, "dependencies": [ { "name": "store", "kind": null }, { "name": "tokio", "kind": null } ] },
            { "name": "store", "source": null, "dependencies": [] },
        ]});
        let v = super::dependency_violations(&metadata);
        assert_eq!(v.len(), 2, "{v:?}");
    }

    /// The findings over crate `name` made of `files` (path under src,
    /// text), with `allowed` circles.
    fn check(name: &str, files: &[(&str, &str)], allowed: &[(&str, &[&str])]) -> super::Findings {
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile {
                path: format!("src/{path}"),
                module: module_of(std::path::Path::new(path)).unwrap(),
                text: (*text).to_owned(),
            })
            .collect();
        let mut findings = super::Findings::default();
        super::check_sources(name, &sources, allowed, &mut findings);
        findings
    }

    const CIRCLE: &[(&str, &str)] = &[
        ("lib.rs", "mod a; mod b; mod c;"),
        ("a.rs", "use crate::b::x;"),
        ("b.rs", "use crate::a::y; fn f() { crate::c::z() }"),
        ("c.rs", ""),
    ];

    #[test]
    fn only_the_listed_circles_are_let_through() {
        let listed: &[(&str, &[&str])] = &[("api", &["a", "b"])];
        let f = check("api", CIRCLE, listed);
        assert!(f.violations.is_empty(), "{:?}", f.violations);
        assert_eq!(f.allowed_circles.len(), 1);
        // The same circle in another crate is not listed.
        let f = check("query", CIRCLE, listed);
        assert_eq!(f.violations.len(), 1, "{:?}", f.violations);
        assert!(
            f.violations[0].contains("a -> b, b -> a"),
            "{}",
            f.violations[0]
        );
        // Nor is a circle that grew a module.
        let mut grown = CIRCLE.to_vec();
        grown[3] = ("c.rs", "use crate::a::w;");
        let f = check("api", &grown, listed);
        assert_eq!(f.violations.len(), 1, "{:?}", f.violations);
        assert!(
            f.violations[0].contains("modules a, b, c"),
            "{}",
            f.violations[0]
        );
    }

    #[test]
    fn a_pure_crate_may_not_name_io() {
        let files = &[
            (
                "lib.rs",
                "mod a; mod b; pub fn read() { std::fs::read(\"x\").ok(); }",
            ),
            ("b.rs", "pub fn serve(_: std::net::TcpListener) {}"),
            (
                "a.rs",
                "use std::{env, io::Write, net::IpAddr}; #[cfg(test)] mod tests { use std::net::TcpStream; }",
            ),
        ];
        let f = check("demo", files, &[]);
        assert_eq!(
            f.violations,
            [
                "demo is a pure crate but src/a.rs uses std::env",
                "demo is a pure crate but src/b.rs uses std::net",
                "demo is a pure crate but src/lib.rs uses std::fs",
            ]
        );
        // `saved` keeps documents in files: it is not on the pure list.
        assert!(check("saved", files, &[]).violations.is_empty());
    }
}
