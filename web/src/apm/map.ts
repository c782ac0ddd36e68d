// Helpers of the service map (/apm/map): wire types and the ECharts graph
// data (nodes, links) built from the service-map response. No ECharts import,
// so this stays unit-testable and out of the main bundle.
import type { Schemas } from '../api/types';
import { formatMs, formatPerSec, formatRate } from './services';
import { peerKind, type PeerKind } from './service';

export type MapNode = Omit<Schemas['MapNode'], 'kind'> & { kind: PeerKind };

export type MapEdge = Schemas['MapEdge'];

export type ServiceMapResponse = Omit<Schemas['ServiceMap'], 'nodes'> & { nodes: MapNode[] };

/** Error rate above which a node or edge is drawn red. */
export const MAP_ERROR_THRESHOLD = 0.05;

export const KIND_COLORS: Record<PeerKind, string> = {
  service: '#3b82f6',
  database: '#8b5cf6',
  queue: '#f59e0b',
  external: '#64748b',
};
const ERROR_COLOR = '#ef4444';

/** A database cylinder for ECharts' `symbol` (path:// in a 0..100 box). */
const CYLINDER = 'path://M0,15 C0,-5 100,-5 100,15 L100,85 C100,105 0,105 0,85 Z M0,15 C0,35 100,35 100,15';
export const KIND_SYMBOLS: Record<PeerKind, string> = {
  service: 'circle',
  database: CYLINDER,
  queue: 'roundRect',
  external: 'diamond',
};

/** `#rgb`, `#rrggbb` or `rgb(r, g, b)` as [r, g, b]; null otherwise. */
export function parseColor(c: string): [number, number, number] | null {
  const s = c.trim().toLowerCase();
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (m) return [parseInt(m[1] + m[1], 16), parseInt(m[2] + m[2], 16), parseInt(m[3] + m[3], 16)];
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(?:[0-9a-f]{2})?$/.exec(s);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

/** Mixes `a` toward `b` by t (0..1); a colour it cannot read counts as white. */
export function mix(a: string, b: string, t: number): string {
  const pa = parseColor(a) ?? [255, 255, 255];
  const pb = parseColor(b) ?? [255, 255, 255];
  return '#' + pa.map((v, i) => Math.round(v + (pb[i] - v) * t).toString(16).padStart(2, '0')).join('');
}

/** Fill colour of a node: its kind's colour, red-tinted above the error threshold, paler when virtual. */
export function nodeColor(n: Pick<MapNode, 'kind' | 'virtual' | 'error_rate'>, background = '#ffffff'): string {
  let c = KIND_COLORS[peerKind(n.kind)];
  if (n.error_rate > MAP_ERROR_THRESHOLD) c = mix(c, ERROR_COLOR, 0.75);
  if (n.virtual) c = mix(c, background, 0.3);
  return c;
}

/** Edge width 1..7 px by the square root of its share of the busiest edge's rate. */
export function edgeWidth(rate: number, maxRate: number): number {
  if (!(maxRate > 0) || !(rate > 0)) return 1;
  return Math.round((1 + 6 * Math.sqrt(Math.min(1, rate / maxRate))) * 10) / 10;
}

/** Node size 24..56 px by the square root of its share of the busiest node's requests. */
export function nodeSize(requests: number, maxRequests: number): number {
  if (!(maxRequests > 0) || !(requests > 0)) return 24;
  return Math.round(24 + 32 * Math.sqrt(Math.min(1, requests / maxRequests)));
}

export interface GraphNode {
  id: string;
  name: string;
  kind: PeerKind;
  virtual: boolean;
  value: number;
  symbol: string;
  symbolSize: number;
  itemStyle: { color: string; borderColor: string; borderWidth: number; borderType: 'solid' | 'dashed'; opacity: number };
  /** Text for the tooltip. */
  tip: string;
}

export interface GraphLink {
  source: string;
  target: string;
  value: number;
  lineStyle: { width: number; color: string; type: 'solid' | 'dashed'; opacity: number };
  label: string;
  tip: string;
}

export interface Graph {
  nodes: GraphNode[];
  links: GraphLink[];
}

export interface GraphLabels {
  requests: string;
  errorRate: string;
  p95: string;
  kind: (k: PeerKind) => string;
  virtual: string;
}

/**
 * ECharts `graph` data from the service-map response. Edges whose ends are not
 * among the nodes get a virtual node (the server should not send them, but a
 * missing node would make ECharts drop or throw on the edge).
 */
export function buildGraph(res: Pick<ServiceMapResponse, 'nodes' | 'edges'>, labels: GraphLabels, opts: { background?: string; edgeColor?: string } = {}): Graph {
  const bg = opts.background ?? '#ffffff';
  const edgeColor = opts.edgeColor ?? '#94a3b8';
  const byId = new Map<string, MapNode>();
  for (const n of res.nodes ?? []) if (n && typeof n.id === 'string' && !byId.has(n.id)) byId.set(n.id, n);
  const edges = (res.edges ?? []).filter((e) => e && typeof e.source === 'string' && typeof e.target === 'string');
  for (const e of edges) {
    for (const id of [e.source, e.target]) {
      if (!byId.has(id)) byId.set(id, placeholderNode(id));
    }
  }
  const nodes = [...byId.values()];
  const maxReq = Math.max(0, ...nodes.map((n) => n.requests || 0));
  const maxRate = Math.max(0, ...edges.map((e) => e.rate_per_s || 0));
  const gNodes: GraphNode[] = nodes.map((n) => {
    const kind = peerKind(n.kind);
    const color = nodeColor({ ...n, kind }, bg);
    const bad = n.error_rate > MAP_ERROR_THRESHOLD;
    return {
      id: n.id,
      name: n.name || n.id,
      kind,
      virtual: !!n.virtual,
      value: n.requests || 0,
      symbol: KIND_SYMBOLS[kind],
      symbolSize: nodeSize(n.requests || 0, maxReq),
      itemStyle: {
        color,
        borderColor: bad ? ERROR_COLOR : n.virtual ? mix(KIND_COLORS[kind], bg, 0.2) : mix(color, '#000000', 0.25),
        borderWidth: bad ? 3 : n.virtual ? 1.5 : 1,
        borderType: n.virtual ? 'dashed' : 'solid',
        opacity: n.virtual ? 0.75 : 1,
      },
      tip: [
        `<b>${esc(n.name || n.id)}</b> · ${esc(labels.kind(kind))}${n.virtual ? ` (${esc(labels.virtual)})` : ''}`,
        `${esc(labels.requests)}: ${(n.requests || 0).toLocaleString('en-US')}`,
        `${esc(labels.errorRate)}: ${formatRate(n.error_rate)}`,
        `${esc(labels.p95)}: ${formatMs(n.p95_ms)}`,
      ].join('<br/>'),
    };
  });
  const links: GraphLink[] = edges.map((e) => {
    const bad = e.error_rate > MAP_ERROR_THRESHOLD;
    return {
      source: e.source,
      target: e.target,
      value: e.requests,
      lineStyle: { width: edgeWidth(e.rate_per_s, maxRate), color: bad ? ERROR_COLOR : edgeColor, type: e.paired === false ? 'dashed' : 'solid', opacity: 0.85 },
      label: `${formatPerSec(e.rate_per_s)}/s · ${formatMs(e.p95_ms)}`,
      tip: [
        `<b>${esc(nameOf(byId, e.source))} → ${esc(nameOf(byId, e.target))}</b>`,
        `${esc(labels.requests)}: ${(e.requests || 0).toLocaleString('en-US')} (${formatPerSec(e.rate_per_s)}/s)`,
        `${esc(labels.errorRate)}: ${formatRate(e.error_rate)}`,
        `${esc(labels.p95)}: ${formatMs(e.p95_ms)}`,
      ].join('<br/>'),
    };
  });
  return { nodes: gNodes, links };
}

function placeholderNode(id: string): MapNode {
  const i = id.indexOf(':');
  const kind = peerKind(i > 0 ? id.slice(0, i) : 'external');
  return { id, name: i > 0 ? id.slice(i + 1) : id, kind, virtual: true, requests: 0, errors: 0, error_rate: 0, p95_ms: null };
}

function nameOf(byId: Map<string, MapNode>, id: string): string {
  return byId.get(id)?.name || placeholderNode(id).name;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface EdgeRow extends MapEdge {
  sourceName: string;
  targetName: string;
  sourceKind: PeerKind;
  targetKind: PeerKind;
}

/** The edges with node names, busiest first. */
export function edgeRows(res: Pick<ServiceMapResponse, 'nodes' | 'edges'>): EdgeRow[] {
  const byId = new Map((res.nodes ?? []).map((n) => [n.id, n]));
  return (res.edges ?? [])
    .map((e) => ({
      ...e,
      sourceName: nameOf(byId, e.source),
      targetName: nameOf(byId, e.target),
      sourceKind: peerKind(byId.get(e.source)?.kind ?? placeholderNode(e.source).kind),
      targetKind: peerKind(byId.get(e.target)?.kind ?? placeholderNode(e.target).kind),
    }))
    .sort((a, b) => b.requests - a.requests || a.sourceName.localeCompare(b.sourceName) || a.targetName.localeCompare(b.targetName));
}

/** The service a click on a node opens, or null for databases, queues, externals and virtual nodes. */
export function clickableService(n: Pick<MapNode, 'kind' | 'virtual' | 'name'> | undefined): string | null {
  return n && n.kind === 'service' && !n.virtual && n.name ? n.name : null;
}
