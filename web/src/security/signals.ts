// Cloud SIEM helpers (/security/...): wire types, the signal filters <-> URL
// <-> API query, sorting, the series of the alert-volume charts and the
// links between the security pages. No React here: unit-tested.
import type { Schemas } from '../api/types';
import type { ChartSeries } from '../charts/TimeChart';
import { term } from '../search/tokenizer';

export type Signal = Schemas['Signal'];
export type SignalDetail = Schemas['SignalDetail'];
export type SignalComment = Schemas['SignalComment'];
export type AuditEvent = Schemas['AuditEvent'];
export type TriageReply = Schemas['TriageReply'];
export type TriageBody = Schemas['TriageBody'];
export type Volume = Schemas['Volume'];
export type VolumeSeries = Schemas['VolumeSeries'];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SIGNAL_STATUSES = ['open', 'under_review', 'archived'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];
export type StatusFilter = SignalStatus | 'all';
export const STATUS_FILTERS: StatusFilter[] = ['open', 'under_review', 'archived', 'all'];

export const SOURCES = ['cloudtrail', 'okta', 'waf'] as const;

/** Fixed colours of the severities (charts and badges agree). */
export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#991b1b',
  high: '#ef4444',
  medium: '#f97316',
  low: '#eab308',
  info: '#3b82f6',
};

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

export function isSignalStatus(s: unknown): s is SignalStatus {
  return typeof s === 'string' && (SIGNAL_STATUSES as readonly string[]).includes(s);
}

/** 0 for critical .. 4 for info; anything else after info. */
export function severityRank(s: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
}

export function severityColor(s: string): string {
  return isSeverity(s) ? SEVERITY_COLORS[s] : '#94a3b8';
}

// ---------- filters <-> URL <-> API ----------

export type SignalSortKey = 'severity' | 'title' | 'entity' | 'place' | 'count' | 'first_seen_ms' | 'last_seen_ms' | 'status';
export const SIGNAL_SORT_KEYS: SignalSortKey[] = ['severity', 'title', 'entity', 'place', 'count', 'first_seen_ms', 'last_seen_ms', 'status'];
const TEXT_SORT_KEYS: SignalSortKey[] = ['title', 'entity', 'place', 'status'];
export interface SignalSort {
  key: SignalSortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_SIGNAL_SORT: SignalSort = { key: 'last_seen_ms', dir: 'desc' };

export interface SignalFilters {
  /** Severities shown; empty = all. */
  severities: Severity[];
  rule: string;
  entity: string;
  status: StatusFilter;
  source: string;
  suppressed: boolean;
  sort: SignalSort;
}

export const DEFAULT_STATUS: StatusFilter = 'open';

/** The explorer's filters from its query string (unknown values fall back to the defaults). */
export function signalFiltersFromParams(p: URLSearchParams): SignalFilters {
  const severities = (p.get('severity') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(isSeverity);
  const status = p.get('status');
  const sortKey = p.get('sort') as SignalSortKey | null;
  const dir = p.get('dir');
  const source = p.get('source') ?? '';
  return {
    severities: SEVERITIES.filter((s) => severities.includes(s)),
    rule: p.get('rule_id') ?? '',
    entity: p.get('entity') ?? '',
    status: status && (STATUS_FILTERS as string[]).includes(status) ? (status as StatusFilter) : DEFAULT_STATUS,
    source: (SOURCES as readonly string[]).includes(source) ? source : '',
    suppressed: p.get('suppressed') === 'true',
    sort: {
      key: sortKey && SIGNAL_SORT_KEYS.includes(sortKey) ? sortKey : DEFAULT_SIGNAL_SORT.key,
      dir: dir === 'asc' || dir === 'desc' ? dir : sortKey && SIGNAL_SORT_KEYS.includes(sortKey) ? (TEXT_SORT_KEYS.includes(sortKey) ? 'asc' : 'desc') : DEFAULT_SIGNAL_SORT.dir,
    },
  };
}

/** The URL patch (for useSearchParams' setter) that writes `f`; defaults are left out. */
export function signalFiltersToParams(f: SignalFilters): Record<string, string | null> {
  const sortIsDefault = f.sort.key === DEFAULT_SIGNAL_SORT.key && f.sort.dir === DEFAULT_SIGNAL_SORT.dir;
  return {
    severity: f.severities.length && f.severities.length < SEVERITIES.length ? f.severities.join(',') : null,
    rule_id: f.rule || null,
    entity: f.entity || null,
    status: f.status === DEFAULT_STATUS ? null : f.status,
    source: f.source || null,
    suppressed: f.suppressed ? 'true' : null,
    sort: sortIsDefault ? null : f.sort.key,
    dir: sortIsDefault ? null : f.sort.dir,
  };
}

/** Flips one severity in or out of the filter. */
export function toggleSeverity(selected: readonly Severity[], s: Severity): Severity[] {
  const next = selected.includes(s) ? selected.filter((x) => x !== s) : [...selected, s];
  return SEVERITIES.filter((x) => next.includes(x));
}

type Range = { fromMs: number; toMs: number };

/** Query string of GET /api/v1/signals: every filter is the server's. */
export function signalsQuery(f: SignalFilters, range: Range): URLSearchParams {
  const qs = new URLSearchParams({ from_ms: String(Math.floor(range.fromMs)), to_ms: String(Math.ceil(range.toMs)) });
  if (f.rule) qs.set('rule_id', f.rule);
  if (f.severities.length) qs.set('severity', f.severities.join(','));
  if (f.source) qs.set('source', f.source);
  if (f.entity.trim()) qs.set('entity', f.entity.trim());
  if (f.status !== 'all') qs.set('status', f.status);
  if (f.suppressed) qs.set('suppressed', 'true');
  return qs;
}

/** Query string of GET /api/v1/signals/volume. */
export function volumeQuery(
  p: { groupBy: 'rule_id' | 'severity'; rule?: string; entity?: string; severities?: readonly string[]; source?: string },
  range: Range,
): URLSearchParams {
  const qs = new URLSearchParams({ from_ms: String(Math.floor(range.fromMs)), to_ms: String(Math.ceil(range.toMs)), group_by: p.groupBy });
  if (p.rule) qs.set('rule_id', p.rule);
  if (p.entity?.trim()) qs.set('entity', p.entity.trim());
  if (p.severities?.length) qs.set('severity', p.severities.join(','));
  if (p.source) qs.set('source', p.source);
  return qs;
}

/** The same filters applied to a list in hand (the server applies them too). */
export function filterSignals(signals: readonly Signal[], f: Pick<SignalFilters, 'severities' | 'source'>): Signal[] {
  return signals.filter((s) => (f.severities.length === 0 || (f.severities as string[]).includes(s.severity)) && (!f.source || s.source.split(/,\s*/).includes(f.source)));
}

/** Signals sorted by a column; ties by last seen, latest first. Severity sorts by rank (desc = critical first). */
export function sortSignals(signals: readonly Signal[], sort: SignalSort): Signal[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const value = (s: Signal): string | number => {
    switch (sort.key) {
      case 'severity':
        return -severityRank(s.severity);
      case 'status':
        return (SIGNAL_STATUSES as readonly string[]).indexOf(s.status);
      case 'place':
        return s.place ?? '';
      default:
        return s[sort.key];
    }
  };
  return [...signals]
    .map((s, i) => [s, i] as const)
    .sort(([a, ia], [b, ib]) => {
      const va = value(a);
      const vb = value(b);
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return c * sign || b.last_seen_ms - a.last_seen_ms || ia - ib;
    })
    .map(([s]) => s);
}

/** Clicking a header: the same column flips; a new one starts asc for text, desc otherwise. */
export function nextSignalSort(cur: SignalSort, key: SignalSortKey): SignalSort {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: TEXT_SORT_KEYS.includes(key) ? 'asc' : 'desc' };
}

/** Signals per severity (each severity present, zero when none). */
export function countBySeverity(signals: readonly Pick<Signal, 'severity'>[]): Record<Severity, number> {
  const out = { critical: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const s of signals) if (isSeverity(s.severity)) out[s.severity] += 1;
  return out;
}

// ---------- volume charts ----------

/** Bucket starts (ms) of a volume response. */
export function volumeX(v: Pick<Volume, 'from_ms' | 'step_ms' | 'buckets'>): number[] {
  return Array.from({ length: Math.max(0, v.buckets) }, (_, i) => v.from_ms + i * v.step_ms);
}

function at(values: readonly number[] | undefined, i: number): number {
  const v = values?.[i];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * The explorer's timeline: one stacked series per severity (critical at the
 * bottom), from a volume grouped by severity. Detections after exceptions,
 * or all of them (`includeSuppressed`, as the list with "show suppressed");
 * only `severities` when some are chosen; empty severities are left out.
 */
export function severitySeries(
  v: Volume,
  opts: { severities?: readonly Severity[]; includeSuppressed?: boolean; label?: (s: Severity) => string } = {},
): { x: number[]; series: ChartSeries[]; total: number } {
  const x = volumeX(v);
  const byKey = new Map(v.series.map((s) => [s.key, s]));
  const series: ChartSeries[] = [];
  let total = 0;
  for (const sev of SEVERITIES) {
    if (opts.severities?.length && !opts.severities.includes(sev)) continue;
    const s = byKey.get(sev);
    if (!s) continue;
    const values = x.map((_, i) => Math.max(0, at(s.detections, i) - (opts.includeSuppressed ? 0 : at(s.suppressed, i))));
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum === 0) continue;
    total += sum;
    series.push({ label: opts.label ? opts.label(sev) : sev, values, color: SEVERITY_COLORS[sev] });
  }
  return { x, series, total };
}

/** All detections and those left after exceptions, summed over the series (a rule's volume). */
export function beforeAfter(v: Volume): { x: number[]; before: number[]; after: number[]; total: number; suppressed: number } {
  const x = volumeX(v);
  const before = x.map((_, i) => v.series.reduce((a, s) => a + at(s.detections, i), 0));
  const sup = x.map((_, i) => v.series.reduce((a, s) => a + at(s.suppressed, i), 0));
  const after = before.map((b, i) => Math.max(0, b - sup[i]));
  return {
    x,
    before,
    after,
    total: v.series.reduce((a, s) => a + (s.total ?? 0), 0),
    suppressed: v.series.reduce((a, s) => a + (s.total_suppressed ?? 0), 0),
  };
}

/** Per rule id, its detections per bucket (for sparklines). */
export function volumeByKey(v: Volume | undefined): Map<string, number[]> {
  return new Map((v?.series ?? []).map((s) => [s.key, s.detections]));
}

// ---------- events ----------

/** "City, CC" as the detections write a place; null when the event has neither. */
export function eventPlace(e: Pick<AuditEvent, 'city' | 'country'>): string | null {
  const parts = [e.city, e.country].filter((p): p is string => !!p);
  return parts.length ? parts.join(', ') : null;
}

/** The event as delivered, parsed (the text itself when it is not JSON); null without one. */
export function parseRaw(raw: string | null | undefined): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** An RFC 3339 instant as the pages write it: `2026-12-03 19:31:53 UTC` (to the second; other offsets kept). */
export function formatInstant(at: string | null | undefined): string {
  if (!at) return '–';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(at.trim());
  if (!m) return at;
  return `${m[1]} ${m[2]}${m[3] === 'Z' || !m[3] ? ' UTC' : ` ${m[3]}`}`;
}

/** success -> good, failure -> bad, others neutral. */
export function outcomeClass(outcome: string | null | undefined): 'good' | 'bad' | 'warn' | '' {
  if (outcome === 'success') return 'good';
  if (outcome === 'failure') return 'bad';
  if (outcome === 'challenge') return 'warn';
  return '';
}

// ---------- links ----------

type UrlRange = { from: string; to: string };

function withRange(path: string, params: Record<string, string>, range?: UrlRange): string {
  const p = new URLSearchParams(params);
  if (range) {
    p.set('from', range.from);
    p.set('to', range.to);
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

export function signalUrl(id: string, range?: UrlRange): string {
  return withRange(`/security/signals/${encodeURIComponent(id)}`, {}, range);
}

export function signalsUrl(f: Partial<Record<'rule_id' | 'entity' | 'severity' | 'status' | 'source', string>>, range?: UrlRange): string {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v) params[k] = v;
  return withRange('/security', params, range);
}

export function identityUrl(actor: string, range?: UrlRange): string {
  return withRange('/security/identity', { actor }, range);
}

export function identitiesUrl(q: string, range?: UrlRange): string {
  return withRange('/security/identities', q ? { q } : {}, range);
}

/**
 * Where a signal's entity is investigated: an identity's page, or for WAF
 * signals (whose entity is a client address, not an actor) that client's
 * requests in Explore.
 */
export function entityUrl(s: Pick<Signal, 'entity' | 'source'>, range?: UrlRange): string {
  if (s.source === 'waf') return withRange('/explore', { dataset: 'requests', q: term('client_ip', s.entity) }, range);
  return identityUrl(s.entity, range);
}

export function ruleUrl(ruleId: string, range?: UrlRange): string {
  return withRange('/security/rules', ruleId ? { rule: ruleId } : {}, range);
}
