import { describe, expect, it } from 'vitest';
import { buildAggregateRequest, buildTimeseriesRequest, substituteFilter, substituteSql, variableValues, widgetRequest } from './builder';
import type { Widget } from './schema';

const range = { fromMs: 1_700_000_000_000, toMs: 1_700_003_600_000 };

describe('substituteFilter', () => {
  it('writes variable values in', () => {
    expect(substituteFilter('service:$service env:$env level:error', { service: 'jobs-api', env: 'prod' })).toBe('service:jobs-api env:prod level:error');
  });
  it('quotes values that need it', () => {
    expect(substituteFilter('service:$service', { service: 'jobs api' })).toBe('service:"jobs api"');
    expect(substituteFilter('$q', { q: 'time out' })).toBe('"time out"');
  });
  it('removes terms whose variable is * (or empty), with their negation', () => {
    expect(substituteFilter('service:$service env:$env level:error', { service: '*', env: 'prod' })).toBe('env:prod level:error');
    expect(substituteFilter('service:$service -env:$env level:error', { service: 'a', env: '*' })).toBe('service:a level:error');
    expect(substituteFilter('NOT env:$env level:error', { env: '' })).toBe('level:error');
    expect(substituteFilter('service:$service', { service: '*' })).toBe('');
  });
  it('leaves the query valid after removal', () => {
    expect(substituteFilter('service:$service AND level:error', { service: '*' })).toBe('level:error');
    expect(substituteFilter('level:error AND service:$service', { service: '*' })).toBe('level:error');
    expect(substituteFilter('(service:$service OR env:$env) level:error', { service: '*', env: '*' })).toBe('level:error');
    expect(substituteFilter('service:($service OR web)', { service: '*' })).toBe('service:(web)');
  });
  it('keeps unknown variables and other text as typed', () => {
    expect(substituteFilter('service:$other "$service"', { service: 'x' })).toBe('service:$other "$service"');
    expect(substituteFilter('service:"$service"', { service: 'x y' })).toBe('service:"x y"');
    expect(substituteFilter('level:error', { service: 'x' })).toBe('level:error');
  });
  it('supports @fields and comparisons', () => {
    expect(substituteFilter('@http.status_code:>=$code', { code: '500' })).toBe('@http.status_code:>=500');
    expect(substituteFilter('@http.status_code:>=$code x', { code: '*' })).toBe('x');
  });
});

describe('substituteSql', () => {
  it('escapes single quotes and leaves macros alone', () => {
    expect(substituteSql("SELECT * FROM logs WHERE $__timeFilter AND service = '$service'", { service: "o'brien" })).toBe(
      "SELECT * FROM logs WHERE $__timeFilter AND service = 'o''brien'",
    );
    expect(substituteSql('date_bin($__interval, timestamp) $nope', { service: 'x' })).toBe('date_bin($__interval, timestamp) $nope');
  });
});

describe('requests', () => {
  const q = { dataset: 'logs', filter: 'service:$service level:error', measure: { op: 'p95' as const, field: 'duration_ms' }, group_by: ['http.route'], limit: 5 };
  it('builds an aggregate request', () => {
    expect(buildAggregateRequest(q, { service: 'jobs-api' }, range)).toEqual({
      dataset: 'logs',
      query: 'service:jobs-api level:error',
      from_ms: range.fromMs,
      to_ms: range.toMs,
      measure: { op: 'p95', field: 'duration_ms' },
      group_by: ['http.route'],
      limit: 5,
      order: 'desc',
    });
  });
  it('builds a timeseries request', () => {
    expect(buildTimeseriesRequest({ ...q, measure: { op: 'count' }, group_by: [] }, { service: '*' }, range, 30)).toEqual({
      dataset: 'logs',
      query: 'level:error',
      from_ms: range.fromMs,
      to_ms: range.toMs,
      measure: { op: 'count' },
      buckets: 30,
    });
  });
  it('drops the field of count', () => {
    expect(buildAggregateRequest({ ...q, measure: { op: 'count', field: 'x' } }, {}, range).measure).toEqual({ op: 'count' });
  });
  it('picks the endpoint by widget type and query form', () => {
    const base: Omit<Widget, 'type'> = { id: 'a', title: '', layout: { x: 0, y: 0, w: 6, h: 4 }, query: q };
    expect(widgetRequest({ ...base, type: 'timeseries' }, {}, range).kind).toBe('timeseries');
    expect(widgetRequest({ ...base, type: 'toplist' }, {}, range).kind).toBe('aggregate');
    const value = widgetRequest({ ...base, type: 'value' }, {}, range);
    expect(value.kind).toBe('aggregate');
    if (value.kind === 'aggregate') expect(value.body.group_by).toBeUndefined();
    const events = widgetRequest({ ...base, type: 'table', query: { dataset: 'logs', filter: 'env:$env', columns: ['body'], limit: 7 } }, { env: 'prod' }, range);
    expect(events).toEqual({ kind: 'search', body: { dataset: 'logs', query: 'env:prod', from_ms: range.fromMs, to_ms: range.toMs, limit: 7, facets: [], buckets: 1 } });
    const sql = widgetRequest({ ...base, type: 'table', query: { sql: "SELECT '$env'" } }, { env: 'prod' }, range);
    expect(sql).toEqual({ kind: 'sql', body: { sql: "SELECT 'prod'", from_ms: range.fromMs, to_ms: range.toMs } });
    expect(widgetRequest({ ...base, type: 'note' }, {}, range).kind).toBe('none');
  });
  it('reads variable values from the URL over defaults', () => {
    const vars = [
      { name: 'service', default: '*' },
      { name: 'env', default: 'prod' },
    ];
    expect(variableValues(vars, new URLSearchParams('var-service=jobs-api'))).toEqual({ service: 'jobs-api', env: 'prod' });
  });
});
