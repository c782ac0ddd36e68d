// Helpers of the APM service page (/apm/services/:service): wire types,
// endpoint / dependency sorting, links to the trace search and the page itself.
import type { Schemas } from '../api/types';
import type { RedSortKey, RedSummary, ServiceRow } from './services';

/** What a peer is; the server sends these words (a string in the document). */
export type PeerKind = 'service' | 'database' | 'queue' | 'external';

export type ServiceSummary = RedSummary;

export type EndpointRow = Schemas['EndpointSummary'];

export type DependencyRow = Omit<Schemas['DependencySummary'], 'peer_kind'> & { peer_kind: PeerKind };

export type ServiceDetailResponse = Omit<Schemas['ServiceDetail'], 'dependencies'> & {
  dependencies: DependencyRow[];
};

export type Dir = 'asc' | 'desc';
export interface TableSort<K extends string> {
  key: K;
  dir: Dir;
}

/**
 * Sorts a copy of `rows` by `key`: numbers numerically, text by locale; null,
 * undefined and NaN always last; ties keep `tie` order (then input order).
 */
export function sortBy<T, K extends keyof T & string>(rows: readonly T[], sort: TableSort<K>, tie?: (a: T, b: T) => number): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const missing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, ia], [b, ib]) => {
      const va = a[sort.key] as unknown;
      const vb = b[sort.key] as unknown;
      const na = missing(va);
      const nb = missing(vb);
      let c = 0;
      if (na || nb) {
        if (!(na && nb)) return na ? 1 : -1;
      } else if (typeof va === 'number' && typeof vb === 'number') c = (va - vb) * sign;
      else c = String(va).localeCompare(String(vb)) * sign;
      return c || (tie ? tie(a, b) : 0) || ia - ib;
    })
    .map(([r]) => r);
}

/** Clicking a header: the same column flips; a new one starts desc for numbers, asc for text. */
export function toggleSort<K extends string>(cur: TableSort<K>, key: K, textKeys: readonly K[]): TableSort<K> {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: textKeys.includes(key) ? 'asc' : 'desc' };
}

export type EndpointSortKey = 'endpoint' | 'kind' | RedSortKey;
export const ENDPOINT_TEXT_KEYS: EndpointSortKey[] = ['endpoint', 'kind'];
export const DEFAULT_ENDPOINT_SORT: TableSort<EndpointSortKey> = { key: 'requests', dir: 'desc' };

export function sortEndpoints(rows: readonly EndpointRow[], sort: TableSort<EndpointSortKey>): EndpointRow[] {
  return sortBy(rows, sort, (a, b) => a.endpoint.localeCompare(b.endpoint));
}

/** Dependencies: most requests first. */
export function sortDependencies(rows: readonly DependencyRow[]): DependencyRow[] {
  return sortBy(rows, { key: 'requests', dir: 'desc' }, (a, b) => a.peer.localeCompare(b.peer));
}

interface Range {
  from: string;
  to: string;
}

function withRange(path: string, p: URLSearchParams, range?: Range): string {
  if (range) {
    p.set('from', range.from);
    p.set('to', range.to);
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

/** `/apm/services/<service>?env=..&from=..&to=..` */
export function serviceUrl(service: string, opts: { env?: string | null; range?: Range } = {}): string {
  const p = new URLSearchParams();
  if (opts.env) p.set('env', opts.env);
  return withRange(`/apm/services/${encodeURIComponent(service)}`, p, opts.range);
}

/** The trace search filtered to a service (and endpoint, status). */
export function traceSearchUrl(f: { service?: string; endpoint?: string; status?: 'error' | 'ok'; env?: string | null }, range?: Range): string {
  const p = new URLSearchParams();
  if (f.service) p.set('service', f.service);
  if (f.endpoint) p.set('endpoint', f.endpoint);
  if (f.status) p.set('status', f.status);
  return withRange('/apm/traces', p, range);
}

/** The issues list filtered to a service. */
export function issuesUrl(f: { service?: string; env?: string | null; status?: string }, range?: Range): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.service) p.set('service', f.service);
  if (f.env) p.set('env', f.env);
  return withRange('/issues', p, range);
}

/** The envs a service reported, from the services catalog. */
export function envsOfService(rows: readonly Pick<ServiceRow, 'service' | 'env'>[], service: string): string[] {
  return [...new Set(rows.filter((r) => r.service === service && r.env).map((r) => r.env as string))].sort();
}

export const PEER_KINDS: PeerKind[] = ['service', 'database', 'queue', 'external'];

/** A known peer kind, or 'external' for anything the server may add later. */
export function peerKind(kind: unknown): PeerKind {
  return PEER_KINDS.includes(kind as PeerKind) ? (kind as PeerKind) : 'external';
}

/** Uniform (timestamps, values) for a chart: drops the excess of the longer array. */
export function alignSeries(ts: readonly number[], ...values: readonly (readonly (number | null)[])[]): { x: number[]; ys: (number | null)[][] } {
  const n = Math.min(ts.length, ...values.map((v) => v.length));
  return { x: ts.slice(0, n), ys: values.map((v) => v.slice(0, n).map((x) => (x === null || x === undefined || !Number.isFinite(x) ? null : x))) };
}
