import { describe, expect, it } from 'vitest';
import { parseColor, buildGraph, clickableService, edgeRows, edgeWidth, esc, KIND_SYMBOLS, mix, nodeColor, nodeSize, type ServiceMapResponse } from './map';

// Shaped exactly like GET /api/v1/apm/service-map.
const fixture: ServiceMapResponse = {
  nodes: [
    { id: 'service:web-bff', name: 'web-bff', kind: 'service', virtual: false, requests: 1000, errors: 10, error_rate: 0.01, p95_ms: 50 },
    { id: 'service:checkout-api', name: 'checkout-api', kind: 'service', virtual: false, requests: 250, errors: 25, error_rate: 0.1, p95_ms: 120 },
    { id: 'database:postgresql orders', name: 'postgresql orders', kind: 'database', virtual: true, requests: 900, errors: 0, error_rate: 0, p95_ms: 4 },
    { id: 'queue:kafka orders', name: 'kafka orders', kind: 'queue', virtual: true, requests: 90, errors: 0, error_rate: 0, p95_ms: 2 },
    { id: 'external:api.stripe.com', name: 'api.stripe.com', kind: 'external', virtual: true, requests: 60, errors: 6, error_rate: 0.1, p95_ms: 300 },
  ],
  edges: [
    { source: 'service:web-bff', target: 'service:checkout-api', requests: 250, errors: 25, error_rate: 0.1, rate_per_s: 0.07, p50_ms: 30, p95_ms: 120, paired: true },
    { source: 'service:checkout-api', target: 'database:postgresql orders', requests: 900, errors: 0, error_rate: 0, rate_per_s: 0.25, p50_ms: 1, p95_ms: 4, paired: false },
    { source: 'service:checkout-api', target: 'queue:kafka orders', requests: 90, errors: 0, error_rate: 0, rate_per_s: 0.025, p50_ms: 1, p95_ms: 2, paired: false },
    { source: 'service:checkout-api', target: 'external:api.stripe.com', requests: 60, errors: 6, error_rate: 0.1, rate_per_s: 0.017, p50_ms: 100, p95_ms: 300, paired: false },
  ],
  elapsed_ms: 12,
};

const labels = { requests: 'Requests', errorRate: 'Error rate', p95: 'p95', kind: (k: string) => k, virtual: 'not instrumented' };

describe('graph', () => {
  it('builds one node per node and one link per edge', () => {
    const g = buildGraph(fixture, labels);
    expect(g.nodes.map((n) => n.id)).toEqual(fixture.nodes.map((n) => n.id));
    expect(g.links.map((l) => `${l.source}>${l.target}`)).toEqual(fixture.edges.map((e) => `${e.source}>${e.target}`));
  });
  it('shapes and colours nodes by kind, errors and virtuality', () => {
    const g = buildGraph(fixture, labels);
    const node = (id: string) => g.nodes.find((n) => n.id === id)!;
    expect(node('service:web-bff').symbol).toBe('circle');
    expect(node('database:postgresql orders').symbol).toBe(KIND_SYMBOLS.database);
    expect(node('queue:kafka orders').symbol).toBe('roundRect');
    expect(node('external:api.stripe.com').symbol).toBe('diamond');
    expect(node('service:web-bff').itemStyle.color).toBe('#3b82f6');
    expect(node('service:web-bff').itemStyle.borderType).toBe('solid');
    expect(node('database:postgresql orders').itemStyle.borderType).toBe('dashed');
    expect(node('service:checkout-api').itemStyle.borderColor).toBe('#ef4444');
    expect(node('service:checkout-api').itemStyle.color).not.toBe('#3b82f6');
    expect(node('service:web-bff').symbolSize).toBe(56);
    expect(node('service:web-bff').tip).toContain('web-bff');
  });
  it('scales edge width by rate and marks failing edges', () => {
    const g = buildGraph(fixture, labels);
    const widths = g.links.map((l) => l.lineStyle.width);
    expect(widths[1]).toBe(7);
    expect(widths[0]).toBeLessThan(widths[1]);
    expect(g.links[0].lineStyle.color).toBe('#ef4444');
    expect(g.links[1].lineStyle.color).not.toBe('#ef4444');
    expect(g.links[0].tip).toContain('web-bff → checkout-api');
    expect(g.links[0].tip).toContain('10.0%');
    expect(g.links[0].label).toContain('120 ms');
  });
  it('adds virtual nodes for edge ends the server left out', () => {
    const g = buildGraph({ nodes: [], edges: [fixture.edges[1]] }, labels);
    expect(g.nodes.map((n) => [n.id, n.name, n.kind, n.virtual])).toEqual([
      ['service:checkout-api', 'checkout-api', 'service', true],
      ['database:postgresql orders', 'postgresql orders', 'database', true],
    ]);
  });
  it('escapes names in tooltips', () => {
    const g = buildGraph({ nodes: [{ ...fixture.nodes[0], name: '<b>x</b>' }], edges: [] }, labels);
    expect(g.nodes[0].tip).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(esc(`a&"'`)).toBe('a&amp;&quot;&#39;');
  });
});

describe('scales and colours', () => {
  it('maps widths and sizes', () => {
    expect(edgeWidth(0, 1)).toBe(1);
    expect(edgeWidth(1, 1)).toBe(7);
    expect(edgeWidth(0.25, 1)).toBe(4);
    expect(edgeWidth(1, 0)).toBe(1);
    expect(nodeSize(0, 10)).toBe(24);
    expect(nodeSize(10, 10)).toBe(56);
  });
  it('mixes colours', () => {
    expect(mix('#000000', '#ffffff', 0.5)).toBe('#808080');
    // getComputedStyle shortens #ffffff to #fff.
    expect(mix('#000000', '#fff', 0.5)).toBe('#808080');
    expect(mix('#000000', 'rgb(255, 255, 255)', 1)).toBe('#ffffff');
    expect(mix('#000000', 'transparent', 1)).toBe('#ffffff');
    expect(nodeColor({ kind: 'database', virtual: true, error_rate: 0 }, '#fff')).toBe(nodeColor({ kind: 'database', virtual: true, error_rate: 0 }, '#ffffff'));
    expect(nodeColor({ kind: 'service', virtual: false, error_rate: 0.05 })).toBe('#3b82f6');
    expect(nodeColor({ kind: 'service', virtual: false, error_rate: 0.051 })).not.toBe('#3b82f6');
  });
});

describe('colour parsing', () => {
  it('reads short and long hex and rgb()', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor(' #121824 ')).toEqual([18, 24, 36]);
    expect(parseColor('rgba(1, 2, 3, 0.5)')).toEqual([1, 2, 3]);
    expect(parseColor('red')).toBeNull();
  });
});

describe('edge table and clicks', () => {
  it('lists edges busiest first with names', () => {
    const rows = edgeRows(fixture);
    expect(rows.map((r) => `${r.sourceName}>${r.targetName}`)).toEqual([
      'checkout-api>postgresql orders',
      'web-bff>checkout-api',
      'checkout-api>kafka orders',
      'checkout-api>api.stripe.com',
    ]);
    expect(rows[0].targetKind).toBe('database');
  });
  it('opens only instrumented services', () => {
    expect(clickableService(fixture.nodes[0])).toBe('web-bff');
    expect(clickableService(fixture.nodes[2])).toBeNull();
    expect(clickableService({ kind: 'service', virtual: true, name: 'x' })).toBeNull();
    expect(clickableService(undefined)).toBeNull();
  });
});
