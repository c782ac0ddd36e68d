// Helpers of the APM Services page: sorting, formatting, colour classes and
// the Explore link of a service row.
import { term } from '../search/tokenizer';
import type { MessageKey } from '../i18n';
import type { Schemas } from '../api/types';

/** RED counts with the tail latency and the Apdex score (services, endpoints, dependencies). */
export type RedSummary = Schemas['RedSummary'];

/** The RED counts every APM row carries (service, endpoint, dependency, map edge). */
export type RedCounts = Pick<RedSummary, 'requests' | 'errors' | 'error_rate' | 'rate_per_s' | 'p50_ms' | 'p95_ms'>;

export type ServiceRow = Schemas['ServiceSummary'];
export type ServicesResponse = Schemas['ServicesResponse'];

/** The sortable RED columns, in the order of the RED cells of a row. */
export type RedSortKey = 'requests' | 'rate_per_s' | 'error_rate' | 'p50_ms' | 'p95_ms' | 'p99_ms' | 'apdex';
export const RED_COLUMNS: { key: RedSortKey; label: MessageKey; numeric: boolean }[] = [
  { key: 'requests', label: 'apm.requests', numeric: true },
  { key: 'rate_per_s', label: 'apm.ratePerSec', numeric: true },
  { key: 'error_rate', label: 'apm.errorRate', numeric: true },
  { key: 'p50_ms', label: 'apm.p50', numeric: true },
  { key: 'p95_ms', label: 'apm.p95', numeric: true },
  { key: 'p99_ms', label: 'apm.p99', numeric: true },
  { key: 'apdex', label: 'apm.apdex', numeric: true },
];

export type SortKey = 'service' | 'env' | RedSortKey;
export type SortDir = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  dir: SortDir;
}

export const SORT_KEYS: SortKey[] = ['service', 'env', 'requests', 'rate_per_s', 'error_rate', 'p50_ms', 'p95_ms', 'p99_ms', 'apdex'];
export const DEFAULT_SORT: Sort = { key: 'requests', dir: 'desc' };

const isText = (k: SortKey) => k === 'service' || k === 'env';

/** Clicking a header: the same column flips direction; a new one starts desc for numbers, asc for text. */
export function nextSort(cur: Sort, key: SortKey): Sort {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: isText(key) ? 'asc' : 'desc' };
}

/** Sorts a copy of `rows`; null / missing values always go last; ties by service then env. */
export function sortRows(rows: ServiceRow[], sort: Sort): ServiceRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const tie = (a: ServiceRow, b: ServiceRow) =>
    a.service.localeCompare(b.service) || (a.env ?? '').localeCompare(b.env ?? '');
  return [...rows].sort((a, b) => {
    const va = a[sort.key];
    const vb = b[sort.key];
    const na = va === null || va === undefined || (typeof va === 'number' && Number.isNaN(va));
    const nb = vb === null || vb === undefined || (typeof vb === 'number' && Number.isNaN(vb));
    if (na || nb) return na && nb ? tie(a, b) : na ? 1 : -1;
    let c: number;
    if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
    else c = String(va).localeCompare(String(vb));
    return c !== 0 ? c * sign : tie(a, b);
  });
}

/** The distinct, non-empty envs of the rows, sorted. */
export function envsOf(rows: ServiceRow[]): string[] {
  return [...new Set(rows.map((r) => r.env).filter((e): e is string => !!e))].sort();
}

/** The options of an env select: `envs`, plus the selected `env` (sorted in) when the data lacks it. */
export function withSelectedEnv(envs: string[], env: string): string[] {
  return env && !envs.includes(env) ? [...envs, env].sort() : envs;
}

/** 0.01254 -> "1.25%"; 0 -> "0%". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  if (rate === 0) return '0%';
  const pct = rate * 100;
  if (pct < 0.01) return '<0.01%';
  return `${pct < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** Latency in ms: "0.42 ms", "16.0 ms", "256 ms", "1.25 s", "1.5 min". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Requests per second: "12.3", "0.052", "<0.001". */
export function formatPerSec(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  if (v < 0.001) return '<0.001';
  if (v < 1) return v.toPrecision(2).replace(/0+$/, '').replace(/\.$/, '');
  if (v < 100) return v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
}

export function formatApdex(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return '–';
  return a.toFixed(2);
}

/** Error rate above 1% is bad. */
export function errorRateClass(rate: number): string {
  return rate > 0.01 ? 'bad' : '';
}

/** Apdex: >= 0.94 good, >= 0.85 fair, else poor. */
export function apdexClass(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return '';
  return a >= 0.94 ? 'apdex-good' : a >= 0.85 ? 'apdex-fair' : 'apdex-poor';
}

/** Explore on spans filtered to the service (and env), keeping the time range. */
export function exploreSpansUrl(row: Pick<ServiceRow, 'service' | 'env'>, range: { from: string; to: string }): string {
  let q = term('service', row.service);
  if (row.env) q += ` ${term('env', row.env)}`;
  const p = new URLSearchParams({ dataset: 'spans', q, from: range.from, to: range.to });
  return `/explore?${p}`;
}
