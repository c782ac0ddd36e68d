import { describe, expect, it } from 'vitest';
import {
  apdexClass,
  DEFAULT_SORT,
  envsOf,
  errorRateClass,
  exploreSpansUrl,
  formatApdex,
  formatMs,
  formatPerSec,
  formatRate,
  nextSort,
  sortRows,
  type ServiceRow,
} from './services';

const row = (service: string, env: string | null, requests: number, extra: Partial<ServiceRow> = {}): ServiceRow => ({
  service,
  env,
  requests,
  errors: 0,
  error_rate: 0,
  rate_per_s: requests / 3600,
  avg_ms: 1,
  p50_ms: 1,
  p95_ms: 2,
  p99_ms: 3,
  apdex: 1,
  requests_series: [],
  errors_series: [],
  ...extra,
});

const names = (rows: ServiceRow[]) => rows.map((r) => `${r.service}/${r.env ?? ''}`);

describe('sorting', () => {
  const rows = [
    row('b', 'prod', 10, { apdex: 0.9, p95_ms: null }),
    row('a', 'prod', 30, { apdex: null, p95_ms: 50 }),
    row('c', 'dev', 20, { apdex: 0.99, p95_ms: 5 }),
    row('a', 'dev', 30, { apdex: 0.5, p95_ms: 7 }),
  ];
  it('defaults to requests descending with stable ties', () => {
    expect(DEFAULT_SORT).toEqual({ key: 'requests', dir: 'desc' });
    expect(names(sortRows(rows, DEFAULT_SORT))).toEqual(['a/dev', 'a/prod', 'c/dev', 'b/prod']);
  });
  it('sorts text ascending and descending', () => {
    expect(names(sortRows(rows, { key: 'service', dir: 'asc' }))).toEqual(['a/dev', 'a/prod', 'b/prod', 'c/dev']);
    expect(names(sortRows(rows, { key: 'env', dir: 'desc' }))).toEqual(['a/prod', 'b/prod', 'a/dev', 'c/dev']);
  });
  it('puts nulls last in both directions', () => {
    expect(names(sortRows(rows, { key: 'apdex', dir: 'asc' }))).toEqual(['a/dev', 'b/prod', 'c/dev', 'a/prod']);
    expect(names(sortRows(rows, { key: 'apdex', dir: 'desc' }))).toEqual(['c/dev', 'b/prod', 'a/dev', 'a/prod']);
    expect(names(sortRows(rows, { key: 'p95_ms', dir: 'desc' }))).toEqual(['a/prod', 'a/dev', 'c/dev', 'b/prod']);
  });
  it('does not mutate the input', () => {
    const copy = [...rows];
    sortRows(rows, { key: 'service', dir: 'asc' });
    expect(rows).toEqual(copy);
  });
  it('toggles the direction on the same column, picks a default on a new one', () => {
    expect(nextSort(DEFAULT_SORT, 'requests')).toEqual({ key: 'requests', dir: 'asc' });
    expect(nextSort({ key: 'requests', dir: 'asc' }, 'requests')).toEqual({ key: 'requests', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'service')).toEqual({ key: 'service', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'p99_ms')).toEqual({ key: 'p99_ms', dir: 'desc' });
  });
  it('lists the distinct envs', () => {
    expect(envsOf([...rows, row('d', null, 1), row('e', '', 1)])).toEqual(['dev', 'prod']);
  });
});

describe('formatting', () => {
  it('formats error rates', () => {
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(0.0125484)).toBe('1.25%');
    expect(formatRate(0.5)).toBe('50.0%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0.00001)).toBe('<0.01%');
    expect(formatRate(NaN)).toBe('–');
  });
  it('formats latencies', () => {
    expect(formatMs(0.421)).toBe('0.42 ms');
    expect(formatMs(16.047)).toBe('16.0 ms');
    expect(formatMs(255.6)).toBe('256 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(90_000)).toBe('1.5 min');
    expect(formatMs(null)).toBe('–');
  });
  it('formats rates per second', () => {
    expect(formatPerSec(0)).toBe('0');
    expect(formatPerSec(0.00005)).toBe('<0.001');
    expect(formatPerSec(0.052)).toBe('0.052');
    expect(formatPerSec(0.5)).toBe('0.5');
    expect(formatPerSec(12.34)).toBe('12.3');
    expect(formatPerSec(12345.6)).toBe('12,346');
  });
  it('formats and colours Apdex', () => {
    expect(formatApdex(0.99723)).toBe('1.00');
    expect(formatApdex(null)).toBe('–');
    expect(apdexClass(0.94)).toBe('apdex-good');
    expect(apdexClass(0.9399)).toBe('apdex-fair');
    expect(apdexClass(0.85)).toBe('apdex-fair');
    expect(apdexClass(0.8499)).toBe('apdex-poor');
    expect(apdexClass(null)).toBe('');
  });
  it('marks error rates above 1% red', () => {
    expect(errorRateClass(0.01)).toBe('');
    expect(errorRateClass(0.0101)).toBe('bad');
  });
});

describe('explore link', () => {
  const range = { from: 'now-1h', to: 'now' };
  it('filters spans by service and env, keeping the range', () => {
    const u = new URL(exploreSpansUrl({ service: 'web-bff', env: 'prod' }, range), 'http://x');
    expect(u.pathname).toBe('/explore');
    expect(u.searchParams.get('dataset')).toBe('spans');
    expect(u.searchParams.get('q')).toBe('service:web-bff env:prod');
    expect(u.searchParams.get('from')).toBe('now-1h');
    expect(u.searchParams.get('to')).toBe('now');
  });
  it('leaves out a missing env and quotes odd names', () => {
    const u = new URL(exploreSpansUrl({ service: 'my svc', env: null }, range), 'http://x');
    expect(u.searchParams.get('q')).toBe('service:"my svc"');
  });
});
