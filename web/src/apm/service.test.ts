import { describe, expect, it } from 'vitest';
import {
  alignSeries,
  DEFAULT_ENDPOINT_SORT,
  ENDPOINT_TEXT_KEYS,
  envsOfService,
  issuesUrl,
  peerKind,
  serviceUrl,
  sortBy,
  sortDependencies,
  sortEndpoints,
  toggleSort,
  traceSearchUrl,
  type DependencyRow,
  type EndpointRow,
  type ServiceDetailResponse,
} from './service';

// A response shaped exactly like GET /api/v1/apm/services/{service}.
const fixture: ServiceDetailResponse = {
  service: 'checkout-api',
  env: 'prod',
  summary: { requests: 1200, errors: 30, error_rate: 0.025, rate_per_s: 0.333, avg_ms: 20, p50_ms: 12.5, p95_ms: 80.1, p99_ms: 210, apdex: 0.97 },
  bucket_seconds: 120,
  series: { timestamps_ms: [1000, 121000, 241000], requests: [400, 500, 300], errors: [10, 15, 5], p95_ms: [70, null, 90] },
  endpoints: [
    { endpoint: 'POST /api/orders', kind: 'server', requests: 700, errors: 25, error_rate: 0.0357, rate_per_s: 0.19, avg_ms: null, p50_ms: 20, p95_ms: 120, p99_ms: 300, apdex: 0.9, requests_series: [1, 2], errors_series: [0, 1] },
    { endpoint: 'GET /api/orders/{id}', kind: 'server', requests: 400, errors: 5, error_rate: 0.0125, rate_per_s: 0.11, avg_ms: null, p50_ms: 5, p95_ms: null, p99_ms: 40, apdex: null, requests_series: [], errors_series: [] },
    { endpoint: 'orders.consume', kind: 'consumer', requests: 100, errors: 0, error_rate: 0, rate_per_s: 0.03, avg_ms: null, p50_ms: 50, p95_ms: 60, p99_ms: 70, apdex: 1, requests_series: [], errors_series: [] },
  ],
  dependencies: [
    { peer: 'payments-api', peer_kind: 'service', requests: 300, errors: 3, error_rate: 0.01, rate_per_s: 0.08, avg_ms: null, p50_ms: 30, p95_ms: 90, p99_ms: 150, apdex: null, callee: null },
    { peer: 'postgresql orders', peer_kind: 'database', requests: 900, errors: 0, error_rate: 0, rate_per_s: 0.25, avg_ms: null, p50_ms: 2, p95_ms: 8, p99_ms: 12, apdex: null, callee: null },
    { peer: 'kafka orders', peer_kind: 'queue', requests: 300, errors: 0, error_rate: 0, rate_per_s: 0.08, avg_ms: null, p50_ms: 1, p95_ms: 3, p99_ms: 4, apdex: null, callee: null },
  ],
  apdex_threshold_ms: 500,
  elapsed_ms: 42,
};

const eps = (rows: EndpointRow[]) => rows.map((r) => r.endpoint);

describe('endpoint sorting', () => {
  it('defaults to requests descending', () => {
    expect(eps(sortEndpoints(fixture.endpoints, DEFAULT_ENDPOINT_SORT))).toEqual(['POST /api/orders', 'GET /api/orders/{id}', 'orders.consume']);
  });
  it('sorts text and numbers both ways, nulls last', () => {
    expect(eps(sortEndpoints(fixture.endpoints, { key: 'endpoint', dir: 'asc' }))).toEqual(['GET /api/orders/{id}', 'orders.consume', 'POST /api/orders']);
    expect(eps(sortEndpoints(fixture.endpoints, { key: 'p95_ms', dir: 'asc' }))).toEqual(['orders.consume', 'POST /api/orders', 'GET /api/orders/{id}']);
    expect(eps(sortEndpoints(fixture.endpoints, { key: 'p95_ms', dir: 'desc' }))).toEqual(['POST /api/orders', 'orders.consume', 'GET /api/orders/{id}']);
    expect(eps(sortEndpoints(fixture.endpoints, { key: 'apdex', dir: 'asc' }))).toEqual(['POST /api/orders', 'orders.consume', 'GET /api/orders/{id}']);
  });
  it('keeps ties stable and does not mutate', () => {
    const copy = [...fixture.endpoints];
    const rows = [{ a: 1, n: 'x' }, { a: 1, n: 'y' }, { a: 0, n: 'z' }];
    expect(sortBy(rows, { key: 'a', dir: 'desc' }).map((r) => r.n)).toEqual(['x', 'y', 'z']);
    sortEndpoints(fixture.endpoints, { key: 'endpoint', dir: 'desc' });
    expect(fixture.endpoints).toEqual(copy);
  });
  it('toggles direction on the same column', () => {
    expect(toggleSort(DEFAULT_ENDPOINT_SORT, 'requests', ENDPOINT_TEXT_KEYS)).toEqual({ key: 'requests', dir: 'asc' });
    expect(toggleSort(DEFAULT_ENDPOINT_SORT, 'endpoint', ENDPOINT_TEXT_KEYS)).toEqual({ key: 'endpoint', dir: 'asc' });
    expect(toggleSort(DEFAULT_ENDPOINT_SORT, 'p99_ms', ENDPOINT_TEXT_KEYS)).toEqual({ key: 'p99_ms', dir: 'desc' });
  });
  it('sorts dependencies by requests, then name', () => {
    expect(sortDependencies(fixture.dependencies).map((d: DependencyRow) => d.peer)).toEqual(['postgresql orders', 'kafka orders', 'payments-api']);
  });
});

describe('links', () => {
  const range = { from: 'now-1h', to: 'now' };
  it('builds the service page URL', () => {
    expect(serviceUrl('checkout-api')).toBe('/apm/services/checkout-api');
    const u = new URL(serviceUrl('my svc/x', { env: 'prod', range }), 'http://x');
    expect(u.pathname).toBe('/apm/services/my%20svc%2Fx');
    expect(decodeURIComponent(u.pathname.split('/').pop()!)).toBe('my svc/x');
    expect(u.searchParams.get('env')).toBe('prod');
    expect(u.searchParams.get('from')).toBe('now-1h');
  });
  it('opens the trace search filtered to an endpoint', () => {
    const u = new URL(traceSearchUrl({ service: 'checkout-api', endpoint: 'POST /api/orders' }, range), 'http://x');
    expect(u.pathname).toBe('/apm/traces');
    expect(u.searchParams.get('service')).toBe('checkout-api');
    expect(u.searchParams.get('endpoint')).toBe('POST /api/orders');
    expect(u.searchParams.get('to')).toBe('now');
    expect(traceSearchUrl({ status: 'error' })).toBe('/apm/traces?status=error');
  });
  it('opens the issues of a service', () => {
    expect(issuesUrl({ service: 'a', status: 'all' })).toBe('/issues?status=all&service=a');
  });
});

describe('misc', () => {
  it('lists the envs of one service', () => {
    expect(envsOfService([{ service: 'a', env: 'prod' }, { service: 'a', env: 'dev' }, { service: 'b', env: 'qa' }, { service: 'a', env: null }], 'a')).toEqual(['dev', 'prod']);
  });
  it('maps unknown peer kinds to external', () => {
    expect(peerKind('database')).toBe('database');
    expect(peerKind('cache')).toBe('external');
  });
  it('aligns chart series', () => {
    const { x, ys } = alignSeries(fixture.series.timestamps_ms, fixture.series.requests, fixture.series.p95_ms, [1, 2]);
    expect(x).toEqual([1000, 121000]);
    expect(ys).toEqual([[400, 500], [70, null], [1, 2]]);
  });
});
