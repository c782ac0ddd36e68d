// Helpers of the trace search (/apm/traces): filters <-> URL <-> API query,
// the trace-id shortcut, duration bars and the duration histogram.
import type { Schemas } from '../api/types';

/** A trace whose span matched; its service, endpoint, start and duration are the matching span's. */
export type TraceRow = Omit<Schemas['TraceSummary'], 'status'> & { status: 'error' | 'ok' | 'unset' };

export type TracesResponse = Omit<Schemas['TraceSearchResponse'], 'traces'> & { traces: TraceRow[] };

/** The status filter of the form: '' is any. */
export type StatusFilter = '' | Exclude<Schemas['SpanStatusFilter'], 'any'>;

/**
 * Which spans the filters match: root spans, service entry spans (server or
 * consumer spans, and roots) or any span of the trace.
 */
export type TraceScope = Schemas['TraceScope'];

export const SCOPES: readonly TraceScope[] = ['root', 'entry', 'all'];

export interface TraceFilters {
  service: string;
  endpoint: string;
  status: StatusFilter;
  /** ms, as typed ('' = none) */
  min: string;
  max: string;
  q: string;
  /** '' = the default (see effectiveScope) */
  scope: '' | TraceScope;
}

export const EMPTY_FILTERS: TraceFilters = { service: '', endpoint: '', status: '', min: '', max: '', q: '', scope: '' };

/** The scope when none is chosen, as the API has it: entry spans when a service is given, else roots. */
export function defaultScope(service: string): TraceScope {
  return service ? 'entry' : 'root';
}

/** The scope the search runs with. */
export function effectiveScope(f: Pick<TraceFilters, 'service' | 'scope'>): TraceScope {
  return f.scope || defaultScope(f.service);
}

/** The filters after choosing a scope in the picker: choosing the default clears it (no `scope` in the URL). */
export function withScope(f: TraceFilters, scope: TraceScope): TraceFilters {
  return { ...f, scope: scope === defaultScope(f.service) ? '' : scope };
}

const isScope = (s: string | null): s is TraceScope => SCOPES.includes(s as TraceScope);

const num = (s: string | null) => {
  const v = (s ?? '').trim();
  return v !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? v : '';
};

/**
 * Filters from the page URL (`service`, `endpoint`, `status`, `min_ms`, `max_ms`, `q`, `scope`);
 * the API's `min_duration_ms`/`max_duration_ms` are understood too, so an API URL pasted
 * into the page keeps its filters.
 */
export function filtersFromParams(p: URLSearchParams): TraceFilters {
  const status = p.get('status');
  const scope = p.get('scope');
  return {
    service: p.get('service') ?? '',
    endpoint: p.get('endpoint') ?? '',
    status: status === 'error' || status === 'ok' ? status : '',
    min: num(p.get('min_ms') ?? p.get('min_duration_ms')),
    max: num(p.get('max_ms') ?? p.get('max_duration_ms')),
    q: p.get('q') ?? '',
    scope: isScope(scope) ? scope : '',
  };
}

/** The URL patch of the filters (null removes a key). */
export function filtersToPatch(f: TraceFilters): Record<string, string | null> {
  return {
    service: f.service || null,
    endpoint: f.endpoint.trim() || null,
    status: f.status || null,
    min_ms: num(f.min) || null,
    max_ms: num(f.max) || null,
    q: f.q.trim() || null,
    scope: f.scope || null,
  };
}

/** Query string for GET /api/v1/apm/traces. */
export function tracesQuery(f: TraceFilters, range: { fromMs: number; toMs: number }, limit = 100): URLSearchParams {
  const qs = new URLSearchParams({ from_ms: String(Math.floor(range.fromMs)), to_ms: String(Math.ceil(range.toMs)) });
  if (f.service) qs.set('service', f.service);
  if (f.endpoint.trim()) qs.set('endpoint', f.endpoint.trim());
  if (f.status) qs.set('status', f.status);
  if (num(f.min)) qs.set('min_duration_ms', num(f.min));
  if (num(f.max)) qs.set('max_duration_ms', num(f.max));
  if (f.q.trim()) qs.set('q', f.q.trim());
  // Always explicit: the picker shows this scope, whatever the server's default.
  qs.set('scope', effectiveScope(f));
  qs.set('limit', String(Math.max(1, Math.min(500, Math.floor(limit)))));
  return qs;
}

/**
 * The trace page of a result row. Rows of entry or any-span searches describe
 * the matching span, so that span is selected (`?span=`); a root search's row
 * is the trace itself.
 */
export function traceRowPath(row: Pick<TraceRow, 'trace_id' | 'span_id'>, scope: TraceScope): string {
  const path = `/traces/${encodeURIComponent(row.trace_id)}`;
  return scope !== 'root' && row.span_id ? `${path}?${new URLSearchParams({ span: row.span_id })}` : path;
}

/** A full W3C trace id (32 hex digits), lower-cased, or null. */
export function fullTraceId(s: string): string | null {
  const v = s.trim().toLowerCase();
  return /^[0-9a-f]{32}$/.test(v) ? v : null;
}

/**
 * Width (0..1) of a duration bar relative to the slowest trace, on a log scale
 * (one slow outlier would otherwise flatten every other bar); at least a
 * sliver when positive.
 */
export function durationFraction(ms: number, maxMs: number): number {
  if (!(maxMs > 0) || !(ms > 0)) return 0;
  return Math.max(0.02, Math.min(1, Math.log1p(ms) / Math.log1p(maxMs)));
}

export interface HistBucket {
  /** ms, inclusive */
  lo: number;
  /** ms, exclusive (the last bucket includes it) */
  hi: number;
  count: number;
  errors: number;
}

/**
 * A duration histogram of the results: `n` log-spaced buckets between the
 * smallest and largest duration (latencies are long-tailed), linear when the
 * spread is small. Empty when there are no rows.
 */
export function durationHistogram(rows: readonly Pick<TraceRow, 'duration_ms' | 'status'>[], n = 24): HistBucket[] {
  const vals = rows.map((r) => r.duration_ms).filter((v) => Number.isFinite(v) && v >= 0);
  if (vals.length === 0) return [];
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  if (max === min) {
    return [{ lo: min, hi: max, count: vals.length, errors: rows.filter((r) => r.status === 'error').length }];
  }
  const useLog = min > 0 && max / min > 20;
  const lo = useLog ? Math.log(min) : min;
  const hi = useLog ? Math.log(max) : max;
  const step = (hi - lo) / n;
  const edge = (i: number) => (useLog ? Math.exp(lo + i * step) : lo + i * step);
  const out: HistBucket[] = Array.from({ length: n }, (_, i) => ({ lo: i === 0 ? min : edge(i), hi: i === n - 1 ? max : edge(i + 1), count: 0, errors: 0 }));
  for (const r of rows) {
    const v = r.duration_ms;
    if (!Number.isFinite(v) || v < 0) continue;
    const x = useLog ? Math.log(Math.max(v, min)) : v;
    const i = Math.min(n - 1, Math.max(0, Math.floor((x - lo) / step)));
    out[i].count += 1;
    if (r.status === 'error') out[i].errors += 1;
  }
  return out;
}
