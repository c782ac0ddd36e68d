import { describe, expect, it } from 'vitest';
import {
  defaultScope,
  durationFraction,
  durationHistogram,
  effectiveScope,
  EMPTY_FILTERS,
  filtersFromParams,
  filtersToPatch,
  fullTraceId,
  traceRowPath,
  tracesQuery,
  withScope,
  type TracesResponse,
} from './traces';

// Shaped exactly like GET /api/v1/apm/traces.
const fixture: TracesResponse = {
  traces: [
    { trace_id: '2d7324dd54a6e3d7a723e019fa5c9105', span_id: 'a1b2c3d4e5f60718', timestamp: 1795742076677834999, service: 'web-bff', endpoint: 'GET /api/jobs/{id}', duration_ms: 9.8, status: 'error', span_count: 3, error_count: 1, services: ['web-bff', 'jobs-api'] },
    { trace_id: '00000000000000000000000000000001', span_id: null, timestamp: 1795742076600000000, service: 'jobs-api', endpoint: 'GET /jobs', duration_ms: 1200, status: 'ok', span_count: 12, error_count: 0, services: ['jobs-api'] },
    { trace_id: '00000000000000000000000000000002', span_id: null, timestamp: 1795742076500000000, service: 'jobs-api', endpoint: 'GET /jobs', duration_ms: 0.5, status: 'unset', span_count: 1, error_count: 0, services: ['jobs-api'] },
  ],
  sql_where: "kind IN ('server', 'consumer')",
  elapsed_ms: 5,
};

describe('filters', () => {
  it('reads the URL, ignoring junk', () => {
    expect(filtersFromParams(new URLSearchParams(''))).toEqual(EMPTY_FILTERS);
    const f = filtersFromParams(new URLSearchParams('service=a&endpoint=GET%20%2Fx&status=error&min_ms=10&max_ms=abc&q=http.route%3A%22%2Fapi%22'));
    expect(f).toEqual({ service: 'a', endpoint: 'GET /x', status: 'error', min: '10', max: '', q: 'http.route:"/api"', scope: '' });
    expect(filtersFromParams(new URLSearchParams('status=bogus&min_ms=-1')).status).toBe('');
    expect(filtersFromParams(new URLSearchParams('min_ms=-1')).min).toBe('');
    expect(filtersFromParams(new URLSearchParams('scope=all')).scope).toBe('all');
    expect(filtersFromParams(new URLSearchParams('scope=entry&service=a')).scope).toBe('entry');
    expect(filtersFromParams(new URLSearchParams('scope=everything')).scope).toBe('');
    // The API's parameter names work in the page URL too.
    const api = filtersFromParams(new URLSearchParams('min_duration_ms=200&max_duration_ms=900'));
    expect([api.min, api.max]).toEqual(['200', '900']);
    expect(filtersFromParams(new URLSearchParams('min_ms=5&min_duration_ms=200')).min).toBe('5');
  });
  it('writes the URL patch, removing empty filters', () => {
    expect(filtersToPatch({ ...EMPTY_FILTERS, service: 's', min: '5', q: '  ' })).toEqual({ service: 's', endpoint: null, status: null, min_ms: '5', max_ms: null, q: null, scope: null });
    expect(filtersToPatch({ ...EMPTY_FILTERS, scope: 'all' }).scope).toBe('all');
  });
  it('round-trips the filters through the URL', () => {
    const f = { service: 'jobs-api', endpoint: 'GET /jobs', status: 'error' as const, min: '5', max: '', q: 'name:"db query"', scope: 'all' as const };
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(filtersToPatch(f))) if (v !== null) p.set(k, v);
    expect(p.get('scope')).toBe('all');
    expect(filtersFromParams(p)).toEqual(f);
  });
  it('knows the default scope and leaves it out of the URL', () => {
    expect(defaultScope('')).toBe('root');
    expect(defaultScope('jobs-api')).toBe('entry');
    expect(effectiveScope(EMPTY_FILTERS)).toBe('root');
    expect(effectiveScope({ service: 'jobs-api', scope: '' })).toBe('entry');
    expect(effectiveScope({ service: 'jobs-api', scope: 'root' })).toBe('root');
    expect(effectiveScope({ service: '', scope: 'all' })).toBe('all');
    // Choosing the default clears the scope; anything else is kept.
    expect(withScope(EMPTY_FILTERS, 'root').scope).toBe('');
    expect(withScope(EMPTY_FILTERS, 'entry').scope).toBe('entry');
    expect(withScope({ ...EMPTY_FILTERS, service: 'a', scope: 'all' }, 'entry').scope).toBe('');
    expect(withScope({ ...EMPTY_FILTERS, service: 'a' }, 'root').scope).toBe('root');
    expect(filtersToPatch(withScope({ ...EMPTY_FILTERS, service: 'a', scope: 'all' }, 'entry')).scope).toBeNull();
  });
  it('builds the API query', () => {
    const qs = tracesQuery({ service: 'a', endpoint: ' GET /x ', status: 'ok', min: '1.5', max: '200', q: '@duration_ns:>1000000', scope: 'all' }, { fromMs: 1000.4, toMs: 2000.2 }, 9999);
    expect(Object.fromEntries(qs)).toEqual({
      from_ms: '1000', to_ms: '2001', service: 'a', endpoint: 'GET /x', status: 'ok', min_duration_ms: '1.5', max_duration_ms: '200', q: '@duration_ns:>1000000', scope: 'all', limit: '500',
    });
    // The scope is always sent, the default spelled out.
    expect(Object.fromEntries(tracesQuery(EMPTY_FILTERS, { fromMs: 0, toMs: 1 }))).toEqual({ from_ms: '0', to_ms: '1', scope: 'root', limit: '100' });
    expect(tracesQuery({ ...EMPTY_FILTERS, service: 'a' }, { fromMs: 0, toMs: 1 }).get('scope')).toBe('entry');
    expect(tracesQuery({ ...EMPTY_FILTERS, service: 'a', scope: 'root' }, { fromMs: 0, toMs: 1 }).get('scope')).toBe('root');
  });
  it('opens a row with its matching span selected, unless it is a root', () => {
    const [withSpan, , noSpan] = fixture.traces;
    expect(traceRowPath(withSpan, 'all')).toBe('/traces/2d7324dd54a6e3d7a723e019fa5c9105?span=a1b2c3d4e5f60718');
    expect(traceRowPath(withSpan, 'entry')).toBe('/traces/2d7324dd54a6e3d7a723e019fa5c9105?span=a1b2c3d4e5f60718');
    expect(traceRowPath(withSpan, 'root')).toBe('/traces/2d7324dd54a6e3d7a723e019fa5c9105');
    expect(traceRowPath(noSpan, 'all')).toBe('/traces/00000000000000000000000000000002');
    expect(traceRowPath({ trace_id: 'ab', span_id: 'x y&z' }, 'all')).toBe('/traces/ab?span=x+y%26z');
  });
  it('recognises a full trace id', () => {
    expect(fullTraceId(' 2D7324DD54A6E3D7A723E019FA5C9105 ')).toBe('2d7324dd54a6e3d7a723e019fa5c9105');
    expect(fullTraceId('2d7324dd54a6e3d7')).toBeNull();
    expect(fullTraceId('zz7324dd54a6e3d7a723e019fa5c9105')).toBeNull();
  });
});

describe('durations', () => {
  it('sizes duration bars', () => {
    expect(durationFraction(1200, 1200)).toBe(1);
    expect(durationFraction(10, 5000)).toBeCloseTo(Math.log1p(10) / Math.log1p(5000), 10);
    expect(durationFraction(10, 5000)).toBeGreaterThan(0.25);
    expect(durationFraction(100, 5000)).toBeGreaterThan(durationFraction(10, 5000));
    expect(durationFraction(0.001, 1200)).toBe(0.02);
    expect(durationFraction(0, 1200)).toBe(0);
    expect(durationFraction(5, 0)).toBe(0);
  });
  it('buckets durations on a log scale when they spread widely', () => {
    const h = durationHistogram(fixture.traces, 4);
    expect(h).toHaveLength(4);
    expect(h.reduce((s, b) => s + b.count, 0)).toBe(3);
    expect(h[0]).toMatchObject({ lo: 0.5, count: 1, errors: 0 });
    expect(h[3]).toMatchObject({ hi: 1200, count: 1 });
    expect(h.reduce((s, b) => s + b.errors, 0)).toBe(1);
  });
  it('buckets linearly for a narrow spread and handles edge cases', () => {
    const h = durationHistogram([{ duration_ms: 10, status: 'ok' }, { duration_ms: 20, status: 'error' }], 2);
    expect(h.map((b) => [b.lo, b.hi, b.count, b.errors])).toEqual([[10, 15, 1, 0], [15, 20, 1, 1]]);
    expect(durationHistogram([])).toEqual([]);
    expect(durationHistogram([{ duration_ms: 3, status: 'ok' }, { duration_ms: 3, status: 'ok' }])).toEqual([{ lo: 3, hi: 3, count: 2, errors: 0 }]);
  });
});
