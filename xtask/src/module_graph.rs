//! A crate's file modules and the paths they name: which modules refer to
//! which (`crate::a`, `super::b`, `self::c`, or an item the crate root
//! re-exports), the circles among them, and the `std` IO modules they use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

use crate::rust_paths::{ParsedFile, Reference, parse};

/// One source file of a crate.
pub(crate) struct SourceFile {
    /// Where it is, for messages.
    pub(crate) path: String,
    /// Its module path: `[]` for lib.rs and main.rs, `["otlp", "logs"]` for
    /// otlp/logs.rs.
    pub(crate) module: Vec<String>,
    pub(crate) text: String,
}

/// The module path of a file at `relative` (to the crate's `src`), or
/// `None` for what is not a module of the crate (`src/bin/*`, other files).
pub(crate) fn module_of(relative: &Path) -> Option<Vec<String>> {
    if relative.extension()? != "rs" || relative.starts_with("bin") {
        return None;
    }
    let mut module: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_owned),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if (module.len() == 1 && matches!(module[0].as_str(), "lib" | "main"))
        || module.last()? == "mod"
    {
        module.pop();
    }
    Some(module)
}

/// The file module a reference leads to, if it leads into the crate.
fn resolve(
    reference: &Reference,
    modules: &BTreeSet<Vec<String>>,
    reexports: &BTreeMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let segments = &reference.segments;
    let (base, rest): (&[String], &[String]) = match segments.first()?.as_str() {
        "crate" => (&[], &segments[1..]),
        "self" => (&reference.scope, &segments[1..]),
        "super" => {
            let up = segments.iter().take_while(|s| *s == "super").count();
            let kept = reference.scope.len().checked_sub(up)?;
            (&reference.scope[..kept], &segments[up..])
        }
        _ if reference.in_use => (&reference.scope, segments),
        _ => return None,
    };
    let full: Vec<String> = base.iter().chain(rest).cloned().collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .or_else(|| reexports.get(full.first()?).cloned())
}

/// A circle: modules that reach each other through their references.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Circle {
    /// Sorted, `a::b` for nested modules.
    pub(crate) modules: Vec<String>,
    /// The references between them, as `(from, to)`.
    pub(crate) edges: Vec<(String, String)>,
}

/// The parsed sources of one crate.
pub(crate) struct CrateGraph {
    files: Vec<(String, Vec<String>, ParsedFile)>,
    /// Which file module each module refers to (ancestors and descendants
    /// excluded: a parent declares its children, a child may use its parent).
    edges: BTreeMap<String, BTreeSet<String>>,
    test_modules: BTreeSet<Vec<String>>,
}

impl CrateGraph {
    pub(crate) fn new(sources: &[SourceFile]) -> CrateGraph {
        let files: Vec<_> = sources
            .iter()
            .map(|f| (f.path.clone(), f.module.clone(), parse(&f.module, &f.text)))
            .collect();
        let modules: BTreeSet<Vec<String>> = files.iter().map(|(_, m, _)| m.clone()).collect();
        let test_modules: BTreeSet<Vec<String>> = files
            .iter()
            .flat_map(|(_, module, parsed)| {
                parsed.test_modules.iter().map(move |name| {
                    let mut child = module.clone();
                    child.push(name.clone());
                    child
                })
            })
            .collect();
        // Items of the crate root that stand for a module's: `pub use a::Thing;`.
        let mut reexports = BTreeMap::new();
        for (_, module, parsed) in &files {
            for r in parsed
                .references
                .iter()
                .filter(|r| r.in_use && r.scope.is_empty())
            {
                if module.is_empty()
                    && let (Some(name), Some(target)) = (
                        r.alias.as_ref().or(r.segments.last()),
                        resolve(r, &modules, &BTreeMap::new()),
                    )
                {
                    reexports.insert(name.clone(), target);
                }
            }
        }
        // Test code is left out: a test may build its input with any module.
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, module, parsed) in &files {
            if is_test_module(&test_modules, module) {
                continue;
            }
            for r in parsed.references.iter().filter(|r| !r.test_only) {
                let Some(target) = resolve(r, &modules, &reexports) else {
                    continue;
                };
                if !target.starts_with(module) && !module.starts_with(&target) {
                    edges
                        .entry(module.join("::"))
                        .or_default()
                        .insert(target.join("::"));
                }
            }
        }
        CrateGraph {
            files,
            edges,
            test_modules,
        }
    }

    /// The circles among the crate's file modules (test code aside).
    pub(crate) fn circles(&self) -> Vec<Circle> {
        let mut components = strongly_connected(&self.edges);
        components.retain(|c| c.len() > 1);
        components
            .into_iter()
            .map(|modules| {
                let edges = modules
                    .iter()
                    .flat_map(|from| {
                        self.edges[from]
                            .iter()
                            .filter(|to| modules.contains(*to))
                            .map(move |to| (from.clone(), to.clone()))
                    })
                    .collect();
                Circle {
                    modules: modules.into_iter().collect(),
                    edges,
                }
            })
            .collect()
    }

    /// `(file, path)` for every use of `std::fs`, `std::net`, `std::process`
    /// or `std::env` outside test code. The address types of `std::net`
    /// (`IpAddr`, `Ipv4Addr`, `Ipv6Addr`, `SocketAddr`...) are values, not IO.
    pub(crate) fn io_uses(&self) -> Vec<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, module, parsed) in &self.files {
            if is_test_module(&self.test_modules, module) {
                continue;
            }
            for r in parsed.references.iter().filter(|r| !r.test_only) {
                if let [std, io, ..] = r.segments.as_slice()
                    && std == "std"
                    && ["fs", "net", "process", "env"].contains(&io.as_str())
                    && !(io == "net"
                        && r.segments
                            .get(2)
                            .is_some_and(|item| NET_VALUES.contains(&item.as_str())))
                {
                    out.insert((path.clone(), format!("std::{io}")));
                }
            }
        }
        out.into_iter().collect()
    }
}

/// The items of `std::net` that are plain values (addresses), not IO.
const NET_VALUES: &[&str] = &[
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "AddrParseError",
];

/// Whether `module` is, or is inside, a module declared `#[cfg(test)]`.
fn is_test_module(test_modules: &BTreeSet<Vec<String>>, module: &[String]) -> bool {
    test_modules.iter().any(|t| module.starts_with(t))
}

/// Tarjan's strongly connected components, each sorted, in sorted order.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        components: Vec<BTreeSet<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let edges = self.edges;
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            for next in edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next.as_str()) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next.as_str()]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next.as_str()) {
                    let low = self.low[node].min(self.index[next.as_str()]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = BTreeSet::new();
                while let Some(member) = self.stack.pop() {
                    component.insert(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.components.sort();
    walk.components
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph of files given as (path under src, text).
    fn graph(files: &[(&str, &str)]) -> CrateGraph {
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile {
                path: format!("src/{path}"),
                module: module_of(Path::new(path)).expect("a module file"),
                text: (*text).to_owned(),
            })
            .collect();
        CrateGraph::new(&sources)
    }

    /// Checks the circles of `files`: each as its sorted modules.
    fn check(files: &[(&str, &str)], expected: &[&[&str]]) {
        let circles: Vec<Vec<String>> = graph(files)
            .circles()
            .into_iter()
            .map(|c| c.modules)
            .collect();
        assert_eq!(circles, expected, "circles of {files:?}");
    }

    const LIB: &str = "mod a; mod b; mod c; pub use a::Thing; pub use c::{Other as Renamed};";

    #[test]
    fn module_paths_follow_the_files() {
        let module = |p: &str| module_of(Path::new(p));
        assert_eq!(module("lib.rs"), Some(vec![]));
        assert_eq!(module("main.rs"), Some(vec![]));
        assert_eq!(module("otlp/mod.rs"), Some(vec!["otlp".to_owned()]));
        assert_eq!(
            module("otlp/logs.rs"),
            Some(vec!["otlp".to_owned(), "logs".to_owned()])
        );
        assert_eq!(module("bin/tool.rs"), None);
        assert_eq!(module("README.md"), None);
    }

    #[test]
    fn two_modules_using_each_other_are_a_circle() {
        check(
            &[
                ("lib.rs", LIB),
                ("a.rs", "use crate::b::helper; pub struct Thing;"),
                (
                    "b.rs",
                    "pub(crate) fn helper() -> crate::a::Thing { crate::a::Thing }",
                ),
            ],
            &[&["a", "b"]],
        );
    }

    #[test]
    fn a_chain_is_no_circle() {
        check(
            &[
                ("lib.rs", LIB),
                ("a.rs", "use crate::b::helper;"),
                ("b.rs", "use crate::c::{self, Other};"),
                (
                    "c.rs",
                    "use std::collections::BTreeMap; use crate::Renamed as _;",
                ),
            ],
            &[],
        );
    }

    #[test]
    fn items_the_root_reexports_lead_to_their_module() {
        check(
            &[
                ("lib.rs", LIB),
                ("a.rs", "use crate::b::helper;"),
                ("b.rs", "fn f(t: crate::Thing) {}"),
            ],
            &[&["a", "b"]],
        );
        check(
            &[
                ("lib.rs", LIB),
                ("b.rs", "use crate::{Renamed, a::x};"),
                ("a.rs", "use super::b;"),
                ("c.rs", "use crate::a::{self};"),
            ],
            &[&["a", "b", "c"]],
        );
    }

    #[test]
    fn a_renamed_module_is_still_that_module() {
        check(
            &[
                ("lib.rs", LIB),
                ("a.rs", "use crate::b as bee; fn f() { bee::x() }"),
                ("b.rs", "use crate::{a::{self as ay}};"),
            ],
            &[&["a", "b"]],
        );
    }

    #[test]
    fn grouped_and_nested_uses_count() {
        check(
            &[
                ("lib.rs", LIB),
                ("a.rs", "use crate::{c::{Other, more::*}, b as bee};"),
                ("b.rs", ""),
                ("c.rs", "pub(crate) use super::a::Thing;"),
            ],
            &[&["a", "c"]],
        );
    }

    #[test]
    fn super_is_relative_to_the_file_and_its_inline_modules() {
        // `super::*` in an inline test module is the file itself: no edge.
        // `super::b` in otlp/logs.rs is otlp::b, not the crate's b.
        check(
            &[
                ("lib.rs", "mod a; mod b; mod otlp;"),
                (
                    "a.rs",
                    "use crate::b::x; #[cfg(test)] mod tests { use super::*; }",
                ),
                ("b.rs", "use crate::otlp::logs::y;"),
                ("otlp/mod.rs", "mod b; mod logs;"),
                ("otlp/b.rs", ""),
                (
                    "otlp/logs.rs",
                    "use super::b::z; fn f() { super::super::a::g() }",
                ),
            ],
            &[&["a", "b", "otlp::logs"]],
        );
    }

    #[test]
    fn parents_and_children_are_no_circle() {
        check(
            &[
                ("lib.rs", "mod otlp; use crate::otlp::logs::x;"),
                ("otlp/mod.rs", "mod logs; use self::logs::y;"),
                ("otlp/logs.rs", "use super::Shared; use crate::otlp::z;"),
            ],
            &[],
        );
    }

    #[test]
    fn paths_in_comments_strings_and_casts_do_not_count() {
        check(
            &[
                ("lib.rs", LIB),
                (
                    "a.rs",
                    "use crate::b::x; const N: u64 = crate::LIMIT as u64;",
                ),
                (
                    "b.rs",
                    "// use crate::a::y;\nconst S: &str = \"crate::a::z\";",
                ),
            ],
            &[],
        );
    }

    #[test]
    fn test_code_is_no_part_of_circles() {
        let lib = "mod a; mod b; #[cfg(test)] mod tests; pub use a::Thing;";
        check(
            &[
                ("lib.rs", lib),
                ("a.rs", "use crate::b::x;"),
                (
                    "b.rs",
                    "#[cfg(test)] mod tests { use crate::a::Thing; } #[cfg(test)] fn f(_: crate::Thing) {}",
                ),
                ("tests.rs", "use crate::a::Thing;"),
            ],
            &[],
        );
        // The same reference outside test code closes the circle.
        check(
            &[
                ("lib.rs", lib),
                ("a.rs", "use crate::b::x;"),
                ("b.rs", "fn f(_: crate::Thing) {}"),
            ],
            &[&["a", "b"]],
        );
    }

    #[test]
    fn a_circle_lists_its_references() {
        let g = graph(&[
            ("lib.rs", LIB),
            ("a.rs", "use crate::b::x;"),
            ("b.rs", "use crate::Thing;"),
        ]);
        let edges = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        assert_eq!(
            g.circles(),
            [Circle {
                modules: vec!["a".into(), "b".into()],
                edges: edges(&[("a", "b"), ("b", "a")]),
            }]
        );
    }

    #[test]
    fn io_uses_outside_tests_are_found() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; mod c; #[cfg(test)] mod tests;"),
            (
                "a.rs",
                "use std::{fs, io::Write}; fn f() { let _ = std::env::var(\"X\"); }",
            ),
            (
                "b.rs",
                "const V: &str = env!(\"CARGO_PKG_VERSION\"); // std::net::TcpStream\nuse std::io::Read;",
            ),
            (
                "c.rs",
                "#[cfg(test)] mod tests { use std::process::Command; } fn g() {}",
            ),
            ("tests.rs", "use std::fs::read;"),
        ]);
        assert_eq!(
            g.io_uses(),
            [
                ("src/a.rs".to_owned(), "std::env".to_owned()),
                ("src/a.rs".to_owned(), "std::fs".to_owned()),
            ]
        );
    }
}
