//! Builds the span tree of one trace from its rows: parents and children,
//! depth, self time, the critical path, and the trace's defects (spans whose
//! parent is missing, duplicate span ids, children outside their parent's
//! time because of clock skew). Pure: rows in, tree out.

use std::collections::HashMap;

use query::Record;

/// One span in the tree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SpanNode {
    pub span_id: String,
    #[schema(required = true)]
    pub parent_span_id: Option<String>,
    pub service: String,
    pub name: String,
    /// Start, nanoseconds since the epoch.
    pub start_ns: i64,
    pub duration_ns: i64,
    /// Offset from the trace's start.
    pub offset_ns: i64,
    pub depth: usize,
    /// Indexes of the children in `TraceTree::spans`, by start time.
    pub children: Vec<usize>,
    /// Duration not covered by any child.
    pub self_ns: i64,
    pub error: bool,
    pub on_critical_path: bool,
    /// The parent id names a span this trace does not have.
    pub parent_missing: bool,
    /// The span starts before or ends after its parent (clock skew between
    /// hosts, or an asynchronous child).
    pub outside_parent: bool,
    /// Every stored column of the span (attributes, events, status...).
    pub fields: Record,
}

/// A trace as a tree, spans in depth-first order (the waterfall's rows).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TraceTree {
    pub trace_id: String,
    pub spans: Vec<SpanNode>,
    /// Indexes of the roots: spans without a parent, or whose parent is missing.
    pub roots: Vec<usize>,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub services: Vec<String>,
    pub errors: usize,
    /// Spans dropped because another span had the same id.
    pub duplicate_spans: usize,
    /// Spans whose parent is not in the trace.
    pub missing_parents: usize,
}

/// A non-empty text cell (other values printed).
fn text(row: &Record, key: &str) -> Option<String> {
    row.text(key).filter(|s| !s.is_empty())
}

/// Builds the tree. Each row needs `span_id`, `start_ns` and `duration_ns`
/// (rows without a span id are dropped); `parent_span_id`, `service`,
/// `name` and `status_code` are read when present; every column is kept in
/// `fields`. The phases, each O(spans): dedupe, link, break cycles, order,
/// self time, critical path, renumber.
pub fn build_tree(trace_id: &str, rows: Vec<Record>) -> TraceTree {
    let Deduped {
        mut spans,
        index_of,
        duplicate_spans,
    } = dedupe(rows);
    let (mut parent_of, mut missing_parents) = link(&mut spans, &index_of);
    missing_parents += break_cycles(&mut spans, &mut parent_of);
    let roots = adopt(&mut spans, &parent_of);
    let order = depth_first(&mut spans, &roots);
    let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
    let end_ns = spans
        .iter()
        .map(|s| s.start_ns.saturating_add(s.duration_ns))
        .max()
        .unwrap_or(0);
    self_times(&mut spans, start_ns);
    for &root in &roots {
        mark_critical_path(&mut spans, root);
    }
    let (spans, roots) = renumber(spans, &roots, &order);
    let mut services: Vec<String> = spans.iter().map(|s| s.service.clone()).collect();
    services.sort();
    services.dedup();
    TraceTree {
        trace_id: trace_id.to_owned(),
        errors: spans.iter().filter(|s| s.error).count(),
        spans,
        roots,
        start_ns,
        duration_ns: (end_ns - start_ns).max(0),
        services,
        duplicate_spans,
        missing_parents,
    }
}

/// The spans of a trace, each id once.
struct Deduped {
    spans: Vec<SpanNode>,
    index_of: HashMap<String, usize>,
    duplicate_spans: usize,
}

/// One node per span id (the first in start order wins), in start order.
fn dedupe(rows: Vec<Record>) -> Deduped {
    let mut rows: Vec<(i64, Record)> = rows
        .into_iter()
        .map(|r| (r.integer("start_ns").unwrap_or(0), r))
        .collect();
    rows.sort_by_key(|(start, _)| *start);
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut spans: Vec<SpanNode> = Vec::with_capacity(rows.len());
    let mut duplicate_spans = 0;
    for (start_ns, row) in rows {
        let Some(span_id) = text(&row, "span_id") else {
            continue;
        };
        if index_of.contains_key(&span_id) {
            duplicate_spans += 1;
            continue;
        }
        index_of.insert(span_id.clone(), spans.len());
        spans.push(node(span_id, start_ns, row));
    }
    Deduped {
        spans,
        index_of,
        duplicate_spans,
    }
}

fn node(span_id: String, start_ns: i64, row: Record) -> SpanNode {
    let error = text(&row, "status_code").is_some_and(|s| s.eq_ignore_ascii_case("error"));
    let mut fields = row;
    fields.remove("start_ns");
    SpanNode {
        span_id,
        parent_span_id: text(&fields, "parent_span_id"),
        service: text(&fields, "service").unwrap_or_default(),
        name: text(&fields, "name").unwrap_or_default(),
        start_ns,
        duration_ns: fields.integer("duration_ns").unwrap_or(0).max(0),
        offset_ns: 0,
        depth: 0,
        children: Vec::new(),
        self_ns: 0,
        error,
        on_critical_path: false,
        parent_missing: false,
        outside_parent: false,
        fields,
    }
}

/// Each span's parent; a parent id the trace lacks (or the span itself)
/// makes the span a root with `parent_missing`. Returns the parents and
/// how many were missing.
fn link(spans: &mut [SpanNode], index_of: &HashMap<String, usize>) -> (Vec<Option<usize>>, usize) {
    let mut parent_of: Vec<Option<usize>> = vec![None; spans.len()];
    let mut missing = 0;
    for (i, span) in spans.iter_mut().enumerate() {
        let Some(parent_id) = &span.parent_span_id else {
            continue;
        };
        match index_of.get(parent_id) {
            Some(&p) if p != i => parent_of[i] = Some(p),
            _ => {
                span.parent_missing = true;
                missing += 1;
            }
        }
    }
    (parent_of, missing)
}

/// Breaks parent cycles (corrupt or hostile data): walking up from each
/// span, a parent already on the current walk closes a loop; the span
/// pointing at it becomes a root. Each span is walked once: O(spans).
/// Returns how many spans lost their parent.
fn break_cycles(spans: &mut [SpanNode], parent_of: &mut [Option<usize>]) -> usize {
    let mut broken = 0;
    let mut state = vec![0u8; spans.len()]; // 0 new, 1 on this walk, 2 done
    for i in 0..spans.len() {
        let mut path = Vec::new();
        let mut at = Some(i);
        while let Some(node) = at {
            match state[node] {
                0 => {
                    state[node] = 1;
                    path.push(node);
                    at = parent_of[node];
                }
                1 => {
                    let last = *path.last().expect("a loop has a walk");
                    parent_of[last] = None;
                    spans[last].parent_missing = true;
                    broken += 1;
                    break;
                }
                _ => break,
            }
        }
        for node in path {
            state[node] = 2;
        }
    }
    broken
}

/// Gives each parent its children (in start order) and returns the roots.
fn adopt(spans: &mut [SpanNode], parent_of: &[Option<usize>]) -> Vec<usize> {
    let mut roots = Vec::new();
    for (i, parent) in parent_of.iter().enumerate() {
        match parent {
            Some(p) => spans[*p].children.push(i),
            None => roots.push(i),
        }
    }
    roots
}

/// The waterfall order (depth first, children by start) and each span's
/// depth, without recursion.
fn depth_first(spans: &mut [SpanNode], roots: &[usize]) -> Vec<usize> {
    let mut order = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        order.push(i);
        spans[i].depth = depth;
        for &c in spans[i].children.iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    order
}

/// Each span's time not covered by its children, its offset from the
/// trace's start, and whether it lies outside its parent (clock skew).
fn self_times(spans: &mut [SpanNode], trace_start_ns: i64) {
    for i in 0..spans.len() {
        let (start, end) = (spans[i].start_ns, spans[i].start_ns + spans[i].duration_ns);
        let mut covered = Vec::with_capacity(spans[i].children.len());
        for c in spans[i].children.clone() {
            let (cs, ce) = (spans[c].start_ns, spans[c].start_ns + spans[c].duration_ns);
            covered.push((cs.max(start), ce.min(end)));
            spans[c].outside_parent = cs < start || ce > end;
        }
        spans[i].self_ns = spans[i].duration_ns - union_length(&mut covered);
        spans[i].offset_ns = spans[i].start_ns - trace_start_ns;
    }
}

/// The spans in waterfall `order`, children and roots renumbered to match.
fn renumber(spans: Vec<SpanNode>, roots: &[usize], order: &[usize]) -> (Vec<SpanNode>, Vec<usize>) {
    let mut new_index = vec![0; spans.len()];
    for (n, &old) in order.iter().enumerate() {
        new_index[old] = n;
    }
    let mut taken: Vec<Option<SpanNode>> = spans.into_iter().map(Some).collect();
    let mut spans: Vec<SpanNode> = order
        .iter()
        .map(|&old| taken[old].take().expect("each span once"))
        .collect();
    for span in &mut spans {
        for c in &mut span.children {
            *c = new_index[*c];
        }
    }
    (spans, roots.iter().map(|&r| new_index[r]).collect())
}

/// Length of the union of intervals (sorted in place).
fn union_length(intervals: &mut [(i64, i64)]) -> i64 {
    intervals.sort();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for &(s, e) in intervals.iter() {
        if e <= s {
            continue;
        }
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

/// Marks the critical path under `root`: walking back from the span's end,
/// the child that finished last before the cursor is what the span waited
/// for; then the cursor moves to that child's start (Jaeger's definition).
fn mark_critical_path(spans: &mut [SpanNode], root: usize) {
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        spans[i].on_critical_path = true;
        let mut cursor = spans[i].start_ns + spans[i].duration_ns;
        let mut children = spans[i].children.clone();
        children.sort_by_key(|&c| std::cmp::Reverse(spans[c].start_ns + spans[c].duration_ns));
        for c in children {
            let end = spans[c].start_ns + spans[c].duration_ns;
            if end <= cursor && spans[c].start_ns >= spans[i].start_ns {
                stack.push(c);
                cursor = spans[c].start_ns;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use query::Cell;

    fn span(id: &str, parent: Option<&str>, start: i64, duration: i64) -> Record {
        let mut row = Record::default();
        let mut set = |k: &str, v: Cell| row.cells.push((k.into(), v));
        set("span_id", Cell::Text(id.into()));
        set("start_ns", Cell::Integer(start));
        set("duration_ns", Cell::Integer(duration));
        set("service", Cell::Text("svc".into()));
        set("name", Cell::Text(format!("op {id}")));
        set("status_code", Cell::Text("ok".into()));
        if let Some(p) = parent {
            set("parent_span_id", Cell::Text(p.into()));
        }
        row
    }

    /// The span with status error.
    fn failed(mut row: Record) -> Record {
        row.remove("status_code");
        row.cells
            .push(("status_code".into(), Cell::Text("error".into())));
        row
    }

    /// The tree as text: one line a span in waterfall order, indented by
    /// depth, with its times and marks.
    fn render(t: &TraceTree) -> String {
        let mut out = String::new();
        for s in &t.spans {
            let marks: Vec<&str> = [
                (s.on_critical_path, "critical"),
                (s.error, "error"),
                (s.parent_missing, "parent-missing"),
                (s.outside_parent, "outside-parent"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, m)| *m)
            .collect();
            out.push_str(&format!(
                "{}{} +{} {} self {} {}\n",
                "  ".repeat(s.depth),
                s.span_id,
                s.offset_ns,
                s.duration_ns,
                s.self_ns,
                marks.join(" ")
            ));
        }
        out.push_str(&format!(
            "roots {:?} duplicates {} missing parents {}",
            t.roots, t.duplicate_spans, t.missing_parents
        ));
        out
    }

    /// b waits for c (ended before b did) but not for late (ends after b:
    /// clock skew); of the x <-> y cycle, y loses its parent; the second
    /// "root" is a duplicate.
    #[test]
    fn snapshot_of_a_tree_with_every_defect() {
        let skewed = failed(span("late", Some("b"), 85, 30));
        let rows = vec![
            span("root", None, 0, 100),
            span("b", Some("root"), 30, 60),
            span("a", Some("root"), 10, 30),
            span("c", Some("b"), 40, 40),
            skewed,
            span("root", None, 5, 1),
            span("orphan", Some("gone"), 20, 10),
            span("x", Some("y"), 1, 1),
            span("y", Some("x"), 2, 1),
        ];
        insta::assert_snapshot!(render(&build_tree("t", rows)), @r"
        root +0 100 self 20 critical
          a +10 30 self 30 
          b +30 60 self 15 critical
            c +40 40 self 40 critical
            late +85 30 self 30 error outside-parent
        y +2 1 self 1 critical parent-missing
          x +1 1 self 1 outside-parent
        orphan +20 10 self 10 critical parent-missing
        roots [0, 5, 7] duplicates 1 missing parents 2
        ");
    }

    #[test]
    fn waterfall_order_depth_self_time_and_critical_path() {
        // root 0..100 calls a (10..40) and b (30..90, in parallel); b calls c (40..80).
        let rows = vec![
            span("c", Some("b"), 40, 40),
            span("root", None, 0, 100),
            span("b", Some("root"), 30, 60),
            span("a", Some("root"), 10, 30),
        ];
        let t = build_tree("t1", rows);
        let ids: Vec<&str> = t.spans.iter().map(|s| s.span_id.as_str()).collect();
        assert_eq!(ids, ["root", "a", "b", "c"]);
        let depths: Vec<usize> = t.spans.iter().map(|s| s.depth).collect();
        assert_eq!(depths, [0, 1, 1, 2]);
        assert_eq!(t.roots, [0]);
        assert_eq!(t.spans[0].children, [1, 2]);
        // root: covered 10..90 by a ∪ b, so 20 of its own.
        assert_eq!(t.spans[0].self_ns, 20);
        assert_eq!(t.spans[2].self_ns, 20);
        let critical: Vec<&str> = t
            .spans
            .iter()
            .filter(|s| s.on_critical_path)
            .map(|s| s.span_id.as_str())
            .collect();
        // b ended last (90), then a ended at 40 > b's start 30: not waited for.
        assert_eq!(critical, ["root", "b", "c"]);
        assert_eq!(t.duration_ns, 100);
        assert_eq!(t.spans[3].offset_ns, 40);
    }

    #[test]
    fn defects_are_counted_not_fatal() {
        let skewed = failed(span("late", Some("root"), 90, 50));
        let rows = vec![
            span("root", None, 0, 100),
            span("root", None, 5, 1),
            span("orphan", Some("gone"), 20, 10),
            skewed,
            span("x", Some("y"), 1, 1),
            span("y", Some("x"), 2, 1),
            {
                let mut r = span("", None, 0, 1);
                r.remove("span_id");
                r
            },
        ];
        let t = build_tree("t2", rows);
        assert_eq!(t.duplicate_spans, 1);
        // "orphan" plus one span of the x<->y cycle.
        assert_eq!(t.missing_parents, 2);
        assert_eq!(t.spans.len(), 5);
        assert_eq!(t.errors, 1);
        let late = t.spans.iter().find(|s| s.span_id == "late").unwrap();
        assert!(late.outside_parent);
        let orphan = t.spans.iter().find(|s| s.span_id == "orphan").unwrap();
        assert!(orphan.parent_missing && orphan.depth == 0);
        assert_eq!(t.roots.len(), 3);
        // Every span appears exactly once in the waterfall.
        let mut ids: Vec<&str> = t.spans.iter().map(|s| s.span_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        let n = 100_000;
        let rows: Vec<_> = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| (i - 1).to_string());
                span(
                    &i.to_string(),
                    parent.as_deref(),
                    i as i64,
                    (n - i) as i64 * 2,
                )
            })
            .collect();
        let t = build_tree("deep", rows);
        assert_eq!(t.spans.len(), n);
        assert_eq!(t.spans[n - 1].depth, n - 1);
        assert!(t.spans.iter().all(|s| s.on_critical_path));
    }
}
