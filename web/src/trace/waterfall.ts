// Pure helpers of the trace waterfall: durations, axis ticks, collapsing,
// span events and attributes.
import { PALETTE } from '../charts/palette';
import type { TraceSpan } from '../api/types';

/** 850 → "850 ns", 12_300 → "12.3 µs", 4_500_000 → "4.5 ms", 2.5e9 → "2.5 s". */
export function formatDurationNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  const a = Math.abs(ns);
  const num = (v: number) => String(Number(v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)));
  if (a < 1_000) return `${Math.round(ns)} ns`;
  if (a < 1_000_000) return `${num(ns / 1_000)} µs`;
  if (a < 1_000_000_000) return `${num(ns / 1_000_000)} ms`;
  if (a < 60e9) return `${num(ns / 1e9)} s`;
  const m = Math.floor(a / 60e9);
  const s = Math.round((a - m * 60e9) / 1e9);
  return `${ns < 0 ? '-' : ''}${m} min ${s} s`;
}

/**
 * Axis ticks for a trace of `totalNs`: 0 and multiples of a round step
 * (1, 2 or 5 × 10^k ns) up to the total, about `target` of them.
 */
export function axisTicks(totalNs: number, target = 6): number[] {
  if (!(totalNs > 0)) return [0];
  const raw = totalNs / Math.max(1, target);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => totalNs / s <= target * 1.5) ?? 10 * pow;
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const v = i * step;
    if (v > totalNs * (1 + 1e-9)) break;
    out.push(v);
  }
  return out;
}

/**
 * The indexes of the spans to show, depth first from the roots, leaving out
 * the descendants of collapsed spans. Spans no root reaches are appended.
 */
export function visibleSpans(spans: Pick<TraceSpan, 'children'>[], roots: number[], collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const seen = new Uint8Array(spans.length);
  const walk = (start: number) => {
    const stack = [start];
    while (stack.length) {
      const i = stack.pop()!;
      if (i < 0 || i >= spans.length || seen[i]) continue;
      seen[i] = 1;
      out.push(i);
      if (collapsed.has(i)) {
        markSeen(spans, i, seen);
        continue;
      }
      const ch = spans[i].children ?? [];
      for (let k = ch.length - 1; k >= 0; k--) stack.push(ch[k]);
    }
  };
  for (const r of roots) walk(r);
  for (let i = 0; i < spans.length; i++) if (!seen[i]) walk(i);
  return out;
}

function markSeen(spans: Pick<TraceSpan, 'children'>[], from: number, seen: Uint8Array) {
  const stack = [...(spans[from].children ?? [])];
  while (stack.length) {
    const i = stack.pop()!;
    if (i < 0 || i >= spans.length || seen[i]) continue;
    seen[i] = 1;
    stack.push(...(spans[i].children ?? []));
  }
}

/**
 * The indexes of the spans above span `index` (parent first), from the
 * `children` lists; empty for a root or an index out of range.
 */
export function ancestorIndexes(spans: Pick<TraceSpan, 'children'>[], index: number): number[] {
  if (index < 0 || index >= spans.length) return [];
  const parent = new Int32Array(spans.length).fill(-1);
  spans.forEach((s, i) => {
    for (const c of s.children ?? []) if (c >= 0 && c < spans.length && parent[c] < 0 && c !== i) parent[c] = i;
  });
  const out: number[] = [];
  const seen = new Set([index]);
  for (let i = parent[index]; i >= 0 && !seen.has(i); i = parent[i]) {
    seen.add(i);
    out.push(i);
  }
  return out;
}

/** Number of descendants of every span. */
export function descendantCounts(spans: Pick<TraceSpan, 'children'>[]): number[] {
  const memo = new Array<number>(spans.length).fill(-1);
  const count = (i: number): number => {
    if (memo[i] >= 0) return memo[i];
    memo[i] = 0; // guards against cycles
    let n = 0;
    for (const c of spans[i].children ?? []) if (c >= 0 && c < spans.length) n += 1 + count(c);
    memo[i] = n;
    return n;
  };
  // Deepest first keeps the recursion shallow for long chains.
  for (let i = spans.length - 1; i >= 0; i--) count(i);
  return memo;
}

export interface SpanEvent {
  name: string;
  /** Epoch ns (possibly imprecise) or null when unknown. */
  timeNs: number | null;
  attributes: Record<string, unknown>;
  exception?: { type: string; message: string; stacktrace: string };
}

/** Parses the `events` field (a JSON string of [{name, timestamp, attributes}]). */
export function parseSpanEvents(raw: unknown): SpanEvent[] {
  let list: unknown = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return [];
    try {
      list = JSON.parse(raw);
    } catch {
      return [{ name: raw, timeNs: null, attributes: {} }];
    }
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => {
      const attrs = e.attributes && typeof e.attributes === 'object' && !Array.isArray(e.attributes) ? (e.attributes as Record<string, unknown>) : {};
      const name = String(e.name ?? '');
      const ev: SpanEvent = { name, timeNs: timeToNs(e.timestamp ?? e.time_unix_nano ?? e.time), attributes: attrs };
      const str = (k: string) => (attrs[k] === undefined || attrs[k] === null ? '' : String(attrs[k]));
      if (name === 'exception' || 'exception.type' in attrs || 'exception.message' in attrs) {
        ev.exception = { type: str('exception.type'), message: str('exception.message'), stacktrace: str('exception.stacktrace') };
      }
      return ev;
    });
}

/** An event time (epoch ns/µs/ms number, numeric string or RFC 3339) to epoch ns. */
export function timeToNs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (v > 1e17) return v;
    if (v > 1e14) return v * 1e3;
    return v * 1e6;
  }
  if (typeof v === 'string' && v) {
    if (/^\d+$/.test(v)) return timeToNs(Number(v));
    const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
    const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isNaN(ms)) return null;
    const subMs = frac.length > 3 ? Number(frac.slice(3, 9).padEnd(6, '0')) : 0;
    return ms * 1e6 + subMs;
  }
  return null;
}

/** Fields shown elsewhere in the panel or too big for the attribute list. */
const HIDDEN_FIELDS = new Set(['events', 'links', 'end_timestamp', 'trace_id', 'span_id', 'parent_span_id', 'start_ns', 'timestamp', 'duration_ns', 'service', 'name', 'status_code', 'status_message', 'kind']);

/** The span's fields as sorted [key, text] pairs, without the big/duplicated ones. */
export function spanAttributes(fields: Record<string, unknown>): [string, string][] {
  return Object.entries(fields ?? {})
    .filter(([k, v]) => !HIDDEN_FIELDS.has(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A stable colour per service (red is left for errors). */
export function serviceColors(services: string[]): Map<string, string> {
  const palette = PALETTE.filter((c) => c !== '#ef4444');
  const m = new Map<string, string>();
  [...new Set(services)].forEach((s, i) => m.set(s, palette[i % palette.length]));
  return m;
}

/**
 * The Explore URL of the trace's logs. Keeps `from`/`to` when the page has
 * them, else uses a window around the trace.
 */
export function exploreLogsUrl(traceId: string, current: URLSearchParams, window?: { fromMs: number; toMs: number }): string {
  const p = new URLSearchParams({ dataset: 'logs', q: `trace_id:${traceId}` });
  const from = current.get('from');
  const to = current.get('to');
  if (from) {
    p.set('from', from);
    p.set('to', to || 'now');
  } else if (window) {
    p.set('from', String(Math.floor(window.fromMs)));
    p.set('to', String(Math.ceil(window.toMs)));
  }
  return `/explore?${p}`;
}
