// The investigator's pure parts: identity wire types, actor kinds, the
// AssumeRole chain laid out as a directed graph (left to right), the activity
// timeline and the places as points of a longitude/latitude scatter.
import type { Schemas } from '../api/types';
import type { ChartSeries } from '../charts/TimeChart';

export type IdentitySummary = Schemas['IdentitySummary'];
export type Identity = Schemas['Identity'];
export type IdentityPlace = Schemas['IdentityPlace'];
export type Chain = Schemas['Chain'];
export type ChainNode = Schemas['ChainNode'];
export type ChainEdge = Schemas['ChainEdge'];
export type KeyUse = Schemas['KeyUse'];

/** The actor kinds of `audit` (anything else shows as unknown). */
export const ACTOR_TYPES = ['person', 'root', 'iam_user', 'role', 'aws_service', 'aws_account', 'service', 'unknown'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export function actorType(t: string | null | undefined): ActorType {
  return t && (ACTOR_TYPES as readonly string[]).includes(t) ? (t as ActorType) : 'unknown';
}

export const ACTOR_COLORS: Record<ActorType, string> = {
  person: '#8b5cf6',
  root: '#dc2626',
  iam_user: '#10b981',
  role: '#3b82f6',
  aws_service: '#f59e0b',
  aws_account: '#64748b',
  service: '#14b8a6',
  unknown: '#94a3b8',
};

/** A short name for an actor: an ARN's last part (`role/Deploy` -> Deploy), else itself. */
export function shortActor(actor: string): string {
  const arn = /^arn:aws[\w-]*:(?:iam|sts)::\d*:(.+)$/.exec(actor);
  if (!arn) return actor;
  const rest = arn[1];
  if (rest === 'root') return 'root';
  const parts = rest.split('/');
  // assumed-role/Role/session -> Role/session; role/path/Name -> Name
  if (parts[0] === 'assumed-role' && parts.length >= 3) return `${parts[1]}/${parts.slice(2).join('/')}`;
  return parts[parts.length - 1] || actor;
}

/** The account of an ARN (`arn:aws:iam::111122223333:user/ci` -> 111122223333). */
export function arnAccount(actor: string): string | null {
  const m = /^arn:aws[\w-]*:(?:iam|sts)::(\d+):/.exec(actor);
  return m ? m[1] : null;
}

/** Query string of GET /api/v1/identities. */
export function identitiesQuery(q: string, range: { fromMs: number; toMs: number }): URLSearchParams {
  const qs = new URLSearchParams({ from_ms: String(Math.floor(range.fromMs)), to_ms: String(Math.ceil(range.toMs)) });
  if (q.trim()) qs.set('q', q.trim());
  return qs;
}

// ---------- the AssumeRole chain ----------

export interface ChainLayoutNode {
  id: string;
  label: string;
  kind: ActorType;
  /** Column, left to right along the edges. */
  depth: number;
  /** Row within the column. */
  row: number;
  x: number;
  y: number;
  /** The identity the page is about. */
  focus: boolean;
}

export interface ChainLayoutLink {
  source: string;
  target: string;
  how: string;
  count: number;
  first_seen_ms: number;
  last_seen_ms: number;
}

export interface ChainLayout {
  nodes: ChainLayoutNode[];
  links: ChainLayoutLink[];
  columns: number;
  rows: number;
  /**
   * Two corners of the drawing, at least `minColumns` columns wide and two
   * rows high, centred on the nodes: ECharts fits a graph's bounding box to
   * its view, so a lone row of two nodes would otherwise be stretched.
   */
  frame: [[number, number], [number, number]];
}

/**
 * A left-to-right layered layout of the chain: a node's column is the
 * longest path of edges reaching it (cycles are cut: an edge back to a node
 * already placed on the path does not push it), rows in a column keep the
 * server's order with the focused identity first. Edges to unknown nodes
 * get a node of their own. `dx`/`dy` are the spacing in px.
 */
export function chainLayout(chain: Pick<Chain, 'nodes' | 'edges'>, focus: string, dx = 240, dy = 80, minColumns = 4): ChainLayout {
  const nodes = new Map<string, { id: string; label: string; kind: ActorType }>();
  for (const n of chain.nodes ?? []) if (n && !nodes.has(n.id)) nodes.set(n.id, { id: n.id, label: n.label || shortActor(n.id), kind: actorType(n.kind) });
  const edges = (chain.edges ?? []).filter((e) => e && e.from && e.to && e.from !== e.to);
  for (const e of edges)
    for (const id of [e.from, e.to]) if (!nodes.has(id)) nodes.set(id, { id, label: shortActor(id), kind: 'unknown' });
  if (focus && !nodes.has(focus)) nodes.set(focus, { id: focus, label: shortActor(focus), kind: 'unknown' });

  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const incoming = new Set(edges.map((e) => e.to));
  const depth = new Map<string, number>();
  // Longest path by depth-first walks from the roots (nodes nobody reaches),
  // then from any node left (all on cycles).
  const walk = (id: string, d: number, path: Set<string>) => {
    if ((depth.get(id) ?? -1) >= d) return;
    depth.set(id, d);
    path.add(id);
    for (const next of out.get(id) ?? []) if (!path.has(next)) walk(next, d + 1, path);
    path.delete(id);
  };
  for (const id of nodes.keys()) if (!incoming.has(id)) walk(id, 0, new Set());
  for (const id of nodes.keys()) if (!depth.has(id)) walk(id, 0, new Set());

  const columns = new Map<number, string[]>();
  for (const id of nodes.keys()) {
    const d = depth.get(id) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), id]);
  }
  for (const ids of columns.values()) ids.sort((a, b) => Number(b === focus) - Number(a === focus));
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const laid: ChainLayoutNode[] = [];
  for (const [d, ids] of [...columns].sort((a, b) => a[0] - b[0])) {
    ids.forEach((id, row) => {
      const n = nodes.get(id)!;
      // Each column centred on y = 0.
      const y = (row - (ids.length - 1) / 2) * dy;
      laid.push({ ...n, depth: d, row, x: d * dx, y, focus: id === focus });
    });
  }
  const cx = ((columns.size - 1) * dx) / 2;
  const halfW = (Math.max(columns.size, minColumns) * dx) / 2;
  const halfH = (Math.max(rows, 2) * dy) / 2;
  return {
    nodes: laid,
    links: edges.map((e) => ({ source: e.from, target: e.to, how: e.how, count: e.count, first_seen_ms: e.first_seen_ms, last_seen_ms: e.last_seen_ms })),
    columns: columns.size,
    rows,
    frame: [
      [cx - halfW, -halfH],
      [cx + halfW, halfH],
    ],
  };
}

// ---------- timeline and places ----------

/** The identity's actions per bucket as two stacked series: successes, then failures. */
export function timelineSeries(
  t: Identity['timeline'],
  labels: { success: string; failure: string },
): { x: number[]; series: ChartSeries[] } {
  const n = Math.max(t.success?.length ?? 0, t.failure?.length ?? 0);
  const x = Array.from({ length: n }, (_, i) => t.from_ms + i * t.step_ms);
  const pick = (v: number[] | undefined) => x.map((_, i) => v?.[i] ?? 0);
  return {
    x,
    series: [
      { label: labels.success, values: pick(t.success), color: 'var(--good)' },
      { label: labels.failure, values: pick(t.failure), color: 'var(--bad)' },
    ],
  };
}

export interface PlacePoint {
  name: string;
  /** [longitude, latitude, events] */
  value: [number, number, number];
  failures: number;
  ips: string[];
}

/** Places with coordinates as scatter points; addresses at the same spot are one point. */
export function placePoints(places: readonly IdentityPlace[]): PlacePoint[] {
  const byKey = new Map<string, PlacePoint>();
  for (const p of places) {
    if (p.latitude === null || p.longitude === null || !Number.isFinite(p.latitude) || !Number.isFinite(p.longitude)) continue;
    const key = `${p.longitude.toFixed(2)},${p.latitude.toFixed(2)}`;
    const name = [p.city, p.country].filter(Boolean).join(', ') || p.source_ip;
    const cur = byKey.get(key);
    if (cur) {
      cur.value[2] += p.events;
      cur.failures += p.failures;
      cur.ips.push(p.source_ip);
    } else byKey.set(key, { name, value: [p.longitude, p.latitude, p.events], failures: p.failures, ips: [p.source_ip] });
  }
  return [...byKey.values()];
}

/** Symbol size 8..28 px by the square root of a point's share of the busiest. */
export function pointSize(events: number, max: number): number {
  if (!(max > 0) || !(events > 0)) return 8;
  return Math.round(8 + 20 * Math.sqrt(Math.min(1, events / max)));
}
