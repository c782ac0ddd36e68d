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
/// `fields`.
pub fn build_tree(trace_id: &str, rows: Vec<Record>) -> TraceTree {
    // Deduplicate by span id (first wins), in start order.
    let mut rows: Vec<(i64, Record)> = rows
        .into_iter()
        .map(|r| (r.integer("start_ns").unwrap_or(0), r))
        .collect();
    rows.sort_by_key(|(start, _)| *start);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut spans: Vec<SpanNode> = Vec::with_capacity(rows.len());
    let mut duplicate_spans = 0;
    for (start_ns, row) in rows {
        let Some(span_id) = text(&row, "span_id") else {
            continue;
        };
        if seen.contains_key(&span_id) {
            duplicate_spans += 1;
            continue;
        }
        seen.insert(span_id.clone(), spans.len());
        let error = text(&row, "status_code").is_some_and(|s| s.eq_ignore_ascii_case("error"));
        let mut fields = row;
        fields.remove("start_ns");
        spans.push(SpanNode {
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
        });
    }

    // Link children to parents; a missing parent makes a root.
    let mut parent_of: Vec<Option<usize>> = vec![None; spans.len()];
    let mut missing_parents = 0;
    for i in 0..spans.len() {
        let Some(parent_id) = spans[i].parent_span_id.clone() else {
            continue;
        };
        match seen.get(&parent_id) {
            Some(&p) if p != i => parent_of[i] = Some(p),
            _ => {
                spans[i].parent_missing = true;
                missing_parents += 1;
            }
        }
    }
    // Break cycles (corrupt or hostile data): walking up from each span,
    // a parent already on the current walk closes a loop; the span pointing
    // at it becomes a root. Each span is walked once: O(spans).
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
                    missing_parents += 1;
                    break;
                }
                _ => break,
            }
        }
        for node in path {
            state[node] = 2;
        }
    }
    let mut roots = Vec::new();
    for (i, parent) in parent_of.iter().enumerate() {
        match parent {
            Some(p) => spans[*p].children.push(i),
            None => roots.push(i),
        }
    }

    let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
    let end_ns = spans
        .iter()
        .map(|s| s.start_ns.saturating_add(s.duration_ns))
        .max()
        .unwrap_or(0);

    // Depth-first order, depth, self time, skew.
    let mut order = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        order.push(i);
        spans[i].depth = depth;
        for &c in spans[i].children.clone().iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    for i in 0..spans.len() {
        let (start, end) = (spans[i].start_ns, spans[i].start_ns + spans[i].duration_ns);
        let mut covered = Vec::new();
        for &c in &spans[i].children {
            let (cs, ce) = (spans[c].start_ns, spans[c].start_ns + spans[c].duration_ns);
            covered.push((cs.max(start), ce.min(end)));
        }
        for c in spans[i].children.clone() {
            let (cs, ce) = (spans[c].start_ns, spans[c].start_ns + spans[c].duration_ns);
            spans[c].outside_parent = cs < start || ce > end;
        }
        spans[i].self_ns = spans[i].duration_ns - union_length(&mut covered);
        spans[i].offset_ns = spans[i].start_ns - start_ns;
    }
    for &root in &roots {
        mark_critical_path(&mut spans, root);
    }

    // Renumber into depth-first order.
    let mut new_index = vec![0; spans.len()];
    for (n, &old) in order.iter().enumerate() {
        new_index[old] = n;
    }
    let mut ordered: Vec<Option<SpanNode>> = spans.into_iter().map(Some).collect();
    let mut spans: Vec<SpanNode> = order
        .iter()
        .map(|&old| ordered[old].take().expect("each span once"))
        .collect();
    for span in &mut spans {
        for c in &mut span.children {
            *c = new_index[*c];
        }
    }
    let roots: Vec<usize> = roots.iter().map(|&r| new_index[r]).collect();
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
        let mut skewed = span("late", Some("root"), 90, 50);
        skewed.remove("status_code");
        skewed
            .cells
            .push(("status_code".into(), Cell::Text("error".into())));
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
