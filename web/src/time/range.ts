// Time ranges as they appear in the URL: `from=now-1h&to=now` (relative,
// Grafana style) or absolute epoch milliseconds (`from=1717171717000`).
// Relative expressions are resolved to milliseconds when a query runs.

export interface TimeRange {
  /** URL form of the start, e.g. `now-1h` or `1717171717000`. */
  from: string;
  /** URL form of the end, e.g. `now` or `1717175317000`. */
  to: string;
}

export interface ResolvedRange {
  fromMs: number;
  toMs: number;
}

export const DEFAULT_RANGE: TimeRange = { from: 'now-1h', to: 'now' };

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** The relative presets the time picker offers. */
export const PRESETS = ['15m', '1h', '4h', '24h', '7d'] as const;
export type Preset = (typeof PRESETS)[number];

/** Parses one time expression to epoch ms, or null when it is not valid. */
export function parseTimeExpr(expr: string, nowMs: number): number | null {
  const s = expr.trim();
  if (s === '') return null;
  if (/^\d{9,}$/.test(s)) {
    // Epoch milliseconds (13 digits today). Accept seconds/nanos defensively.
    const n = Number(s);
    if (s.length <= 11) return n * 1000; // seconds
    if (s.length >= 17) return Math.floor(Number(s.slice(0, s.length - 6))); // nanoseconds
    return n;
  }
  const rel = /^now(?:\s*([+-])\s*(\d+)\s*([smhdw]))?$/.exec(s);
  if (rel) {
    if (!rel[1]) return nowMs;
    const delta = Number(rel[2]) * UNIT_MS[rel[3]];
    return rel[1] === '-' ? nowMs - delta : nowMs + delta;
  }
  // ISO 8601 / RFC 3339 (for hand-written URLs).
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Resolves a range against `nowMs`; null when invalid or empty (from >= to). */
export function resolveRange(range: TimeRange, nowMs: number): ResolvedRange | null {
  const fromMs = parseTimeExpr(range.from, nowMs);
  const toMs = parseTimeExpr(range.to, nowMs);
  if (fromMs === null || toMs === null || fromMs >= toMs) return null;
  return { fromMs, toMs };
}

/** Reads the range from URL search params, falling back to the default. */
export function rangeFromParams(params: URLSearchParams): TimeRange {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && resolveRange({ from, to }, Date.now())) return { from, to };
  if (from && !to && parseTimeExpr(from, Date.now()) !== null) return { from, to: 'now' };
  return DEFAULT_RANGE;
}

/** `now-1h`..`now` → `1h`; anything else → null. */
export function presetOf(range: TimeRange): string | null {
  if (range.to !== 'now') return null;
  const m = /^now-(\d+[smhdw])$/.exec(range.from);
  return m ? m[1] : null;
}

export function isRelative(range: TimeRange): boolean {
  return range.to.startsWith('now') || range.from.startsWith('now');
}

/** An absolute range in URL form, rounded to whole ms. */
export function absoluteRange(fromMs: number, toMs: number): TimeRange {
  return { from: String(Math.round(fromMs)), to: String(Math.round(toMs)) };
}

/** Milliseconds of a duration such as `15m`. */
export function durationMs(d: string): number | null {
  const m = /^(\d+)([smhdw])$/.exec(d);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

/** `2024-05-01T12:30` in local time, for <input type="datetime-local">. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Parses <input type="datetime-local"> (local time) to ms. */
export function fromLocalInput(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  return d.getTime();
}

/** Short local date-time text for labels: `05-01 12:30:05`. */
export function formatTime(ms: number, withSeconds = true, withDate = true): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}${withSeconds ? ':' + p(d.getSeconds()) : ''}`;
  return withDate ? `${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

/** Full local timestamp with milliseconds: `2024-05-01 12:30:05.123`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Nanoseconds (number, possibly imprecise past 2^53) → ms. */
export function nsToMs(ns: number): number {
  return Math.floor(ns / 1e6);
}

/** Parses an event timestamp (RFC 3339 string or epoch ns/ms number) to ms. */
export function eventTimeMs(v: unknown): number | null {
  if (typeof v === 'number') {
    if (v > 1e17) return Math.floor(v / 1e6); // ns
    if (v > 1e14) return Math.floor(v / 1e3); // µs
    return v;
  }
  if (typeof v === 'string') {
    // Date.parse handles fractional seconds beyond ms in modern engines,
    // but trim to ms to be safe.
    const trimmed = v.replace(/(\.\d{3})\d+/, '$1');
    const t = Date.parse(trimmed);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
