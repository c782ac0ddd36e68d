import { describe, expect, it } from 'vitest';
import { durationFraction, durationHistogram, EMPTY_FILTERS, filtersFromParams, filtersToPatch, fullTraceId, tracesQuery, type TracesResponse } from './traces';

// Shaped exactly like GET /api/v1/apm/traces.
const fixture: TracesResponse = {
  traces: [
    { trace_id: '2d7324dd54a6e3d7a723e019fa5c9105', timestamp: 1795742076677834999, service: 'web-bff', endpoint: 'GET /api/jobs/{id}', duration_ms: 9.8, status: 'error', span_count: 3, error_count: 1, services: ['web-bff', 'jobs-api'] },
    { trace_id: '00000000000000000000000000000001', timestamp: 1795742076600000000, service: 'jobs-api', endpoint: 'GET /jobs', duration_ms: 1200, status: 'ok', span_count: 12, error_count: 0, services: ['jobs-api'] },
    { trace_id: '00000000000000000000000000000002', timestamp: 1795742076500000000, service: 'jobs-api', endpoint: 'GET /jobs', duration_ms: 0.5, status: 'unset', span_count: 1, error_count: 0, services: ['jobs-api'] },
  ],
  elapsed_ms: 5,
};

describe('filters', () => {
  it('reads the URL, ignoring junk', () => {
    expect(filtersFromParams(new URLSearchParams(''))).toEqual(EMPTY_FILTERS);
    const f = filtersFromParams(new URLSearchParams('service=a&endpoint=GET%20%2Fx&status=error&min_ms=10&max_ms=abc&q=http.route%3A%22%2Fapi%22'));
    expect(f).toEqual({ service: 'a', endpoint: 'GET /x', status: 'error', min: '10', max: '', q: 'http.route:"/api"' });
    expect(filtersFromParams(new URLSearchParams('status=bogus&min_ms=-1')).status).toBe('');
    expect(filtersFromParams(new URLSearchParams('min_ms=-1')).min).toBe('');
  });
  it('writes the URL patch, removing empty filters', () => {
    expect(filtersToPatch({ ...EMPTY_FILTERS, service: 's', min: '5', q: '  ' })).toEqual({ service: 's', endpoint: null, status: null, min_ms: '5', max_ms: null, q: null });
  });
  it('builds the API query', () => {
    const qs = tracesQuery({ service: 'a', endpoint: ' GET /x ', status: 'ok', min: '1.5', max: '200', q: '@duration_ns:>1000000' }, { fromMs: 1000.4, toMs: 2000.2 }, 9999);
    expect(Object.fromEntries(qs)).toEqual({
      from_ms: '1000', to_ms: '2001', service: 'a', endpoint: 'GET /x', status: 'ok', min_duration_ms: '1.5', max_duration_ms: '200', q: '@duration_ns:>1000000', limit: '500',
    });
    expect(Object.fromEntries(tracesQuery(EMPTY_FILTERS, { fromMs: 0, toMs: 1 }))).toEqual({ from_ms: '0', to_ms: '1', limit: '100' });
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
