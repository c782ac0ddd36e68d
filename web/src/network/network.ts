// The network page's pure parts: the API's traffic rows and findings as the
// tables, the flow diagram and the home tile show them.

import type { Schemas } from '../api/types';

export type TrafficRow = Schemas['TrafficRow'];
export type Findings = Schemas['Findings'];
export type Finding = Schemas['Finding'];
export type ImportStatus = Schemas['ImportStatus'];

export type TrafficSortKey = 'first' | 'second' | 'bytes_sent' | 'bytes_received' | 'bytes' | 'cost_usd';
export interface TrafficSort {
  key: TrafficSortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_TRAFFIC_SORT: TrafficSort = { key: 'bytes', dir: 'desc' };

const GiB = 1024 ** 3;

/** Bytes as B, KiB, MiB, GiB or TiB with three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[i]}`;
}

export function formatUsd(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: usd < 100 ? 2 : 0, maximumFractionDigits: usd < 100 ? 2 : 0 })}`;
}

export function formatKrw(krw: number): string {
  return `₩${Math.round(krw).toLocaleString('en-US')}`;
}

export function gib(bytes: number): number {
  return bytes / GiB;
}

/** The value of `field` in a row's group ('' when null). */
export function groupValue(row: TrafficRow, field: string): string {
  return row.group[field] ?? '';
}

/** Rows sorted by a column; `first`/`second` are the two grouping fields. */
export function sortTraffic(rows: TrafficRow[], fields: [string, string], sort: TrafficSort): TrafficRow[] {
  const value = (r: TrafficRow): string | number =>
    sort.key === 'first' ? groupValue(r, fields[0]) : sort.key === 'second' ? groupValue(r, fields[1]) : r[sort.key];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c * sign;
  });
}

export function nextTrafficSort(s: TrafficSort, key: TrafficSortKey): TrafficSort {
  if (s.key === key) return { key, dir: s.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'first' || key === 'second' ? 'asc' : 'desc' };
}

/** Rows whose grouping values contain `text` (case-insensitive). */
export function filterTraffic(rows: TrafficRow[], text: string): TrafficRow[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((r) => Object.values(r.group).some((v) => (v ?? '').toLowerCase().includes(q)));
}

export interface SankeyData {
  nodes: { name: string; depth: number }[];
  links: { source: string; target: string; value: number }[];
}

/**
 * Client → gateway → destination, from rows grouped by client_task, gateway
 * and destination: the `limit` largest paths, the rest summed per client
 * into "other". Node names carry their column so a name used in two columns
 * stays two nodes (ECharts' sankey needs an acyclic graph).
 */
export function sankeyData(rows: TrafficRow[], limit = 30): SankeyData {
  const sorted = [...rows].sort((a, b) => b.bytes - a.bytes);
  const kept = sorted.slice(0, limit);
  const nodes = new Map<string, number>();
  const links = new Map<string, { source: string; target: string; value: number }>();
  const node = (column: number, value: string) => {
    const name = `${['client', 'via', 'to'][column]}: ${value || '–'}`;
    nodes.set(name, column);
    return name;
  };
  const link = (source: string, target: string, value: number) => {
    const key = `${source}\u0000${target}`;
    const l = links.get(key);
    if (l) l.value += value;
    else links.set(key, { source, target, value });
  };
  for (const r of kept) {
    if (r.bytes <= 0) continue;
    const client = node(0, groupValue(r, 'client_task'));
    const gateway = node(1, groupValue(r, 'gateway') || groupValue(r, 'gateway_type'));
    const destination = node(2, groupValue(r, 'destination'));
    link(client, gateway, r.bytes);
    link(gateway, destination, r.bytes);
  }
  return {
    nodes: [...nodes].map(([name, depth]) => ({ name, depth })),
    links: [...links.values()],
  };
}

/** What the findings save a month, in total. */
export function totalSavings(f: Findings): { usd: number; krw: number } {
  return f.findings.reduce((a, x) => ({ usd: a.usd + x.monthly_savings_usd, krw: a.krw + x.monthly_savings_krw }), { usd: 0, krw: 0 });
}
