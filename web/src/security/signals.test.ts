import { describe, expect, it } from 'vitest';
import {
  beforeAfter,
  countBySeverity,
  DEFAULT_SIGNAL_SORT,
  entityUrl,
  eventPlace,
  filterSignals,
  formatInstant,
  identityUrl,
  nextSignalSort,
  parseRaw,
  ruleUrl,
  severitySeries,
  signalFiltersFromParams,
  signalFiltersToParams,
  signalsQuery,
  signalUrl,
  sortSignals,
  toggleSeverity,
  volumeByKey,
  volumeQuery,
  volumeX,
  type Signal,
  type Volume,
} from './signals';

const sig = (over: Partial<Signal>): Signal => ({
  signal_id: 'a',
  rule_id: 'r',
  title: 't',
  severity: 'low',
  entity: 'e',
  source: 'cloudtrail',
  first_seen_ms: 0,
  last_seen_ms: 0,
  count: 1,
  suppressed: 0,
  detail: null,
  place: null,
  status: 'open',
  status_by: null,
  status_at: null,
  comments: [],
  ...over,
});

describe('signal filters and the URL', () => {
  it('reads defaults from an empty query string', () => {
    const f = signalFiltersFromParams(new URLSearchParams());
    expect(f).toEqual({ severities: [], rule: '', entity: '', status: 'open', source: '', suppressed: false, sort: DEFAULT_SIGNAL_SORT });
    expect(signalFiltersToParams(f)).toEqual({ severity: null, rule_id: null, entity: null, status: null, source: null, suppressed: null, sort: null, dir: null });
  });
  it('round-trips every filter, ignoring unknown values', () => {
    const p = new URLSearchParams('severity=low,bogus,critical&rule_id=impossible-travel&entity=alice%40corp.example&status=archived&source=okta&suppressed=true&sort=count&dir=asc');
    const f = signalFiltersFromParams(p);
    expect(f.severities).toEqual(['critical', 'low']);
    expect(f.status).toBe('archived');
    expect(f.sort).toEqual({ key: 'count', dir: 'asc' });
    expect(signalFiltersToParams(f)).toEqual({
      severity: 'critical,low',
      rule_id: 'impossible-travel',
      entity: 'alice@corp.example',
      status: 'archived',
      source: 'okta',
      suppressed: 'true',
      sort: 'count',
      dir: 'asc',
    });
    expect(signalFiltersFromParams(new URLSearchParams('status=closed&source=gcp')).status).toBe('open');
    expect(signalFiltersFromParams(new URLSearchParams('source=gcp')).source).toBe('');
    // A sort without a direction starts as its column does.
    expect(signalFiltersFromParams(new URLSearchParams('sort=title')).sort).toEqual({ key: 'title', dir: 'asc' });
  });
  it('toggles severities in severity order', () => {
    expect(toggleSeverity(['low'], 'critical')).toEqual(['critical', 'low']);
    expect(toggleSeverity(['critical', 'low'], 'critical')).toEqual(['low']);
  });
  it('sends every filter to the API', () => {
    const range = { fromMs: 1000.4, toMs: 2000.2 };
    const one = signalsQuery({ ...signalFiltersFromParams(new URLSearchParams('severity=high&entity=%20bob%20&suppressed=true')) }, range);
    expect(one.toString()).toBe('from_ms=1000&to_ms=2001&severity=high&entity=bob&status=open&suppressed=true');
    const many = signalsQuery(signalFiltersFromParams(new URLSearchParams('severity=high,low&status=all&rule_id=x&source=waf')), range);
    expect(many.get('severity')).toBe('high,low');
    expect(many.get('source')).toBe('waf');
    expect(many.get('status')).toBeNull();
    expect(many.get('rule_id')).toBe('x');
    expect(volumeQuery({ groupBy: 'severity', entity: 'bob' }, range).toString()).toBe('from_ms=1000&to_ms=2001&group_by=severity&entity=bob');
    expect(volumeQuery({ groupBy: 'severity', severities: ['high'], source: 'okta' }, range).toString()).toBe('from_ms=1000&to_ms=2001&group_by=severity&severity=high&source=okta');
  });
  it('filters several severities and the source on the page', () => {
    const rows = [sig({ signal_id: '1', severity: 'high' }), sig({ signal_id: '2', severity: 'low', source: 'okta' }), sig({ signal_id: '3', severity: 'medium', source: 'cloudtrail, okta' })];
    expect(filterSignals(rows, { severities: ['high', 'low'], source: '' }).map((s) => s.signal_id)).toEqual(['1', '2']);
    expect(filterSignals(rows, { severities: [], source: 'okta' }).map((s) => s.signal_id)).toEqual(['2', '3']);
  });
});

describe('signal sorting', () => {
  const rows = [
    sig({ signal_id: 'a', severity: 'low', count: 5, last_seen_ms: 30, title: 'b', status: 'archived' }),
    sig({ signal_id: 'b', severity: 'critical', count: 1, last_seen_ms: 10, title: 'a' }),
    sig({ signal_id: 'c', severity: 'high', count: 5, last_seen_ms: 20, title: 'c', status: 'under_review' }),
  ];
  const ids = (s: Signal[]) => s.map((x) => x.signal_id).join('');
  it('sorts by severity rank, numbers and text; ties by last seen', () => {
    expect(ids(sortSignals(rows, { key: 'severity', dir: 'desc' }))).toBe('bca');
    expect(ids(sortSignals(rows, { key: 'severity', dir: 'asc' }))).toBe('acb');
    expect(ids(sortSignals(rows, { key: 'count', dir: 'desc' }))).toBe('acb');
    expect(ids(sortSignals(rows, { key: 'title', dir: 'asc' }))).toBe('bac');
    expect(ids(sortSignals(rows, { key: 'status', dir: 'asc' }))).toBe('bca');
    expect(ids(sortSignals(rows, DEFAULT_SIGNAL_SORT))).toBe('acb');
  });
  it('flips the same column, starts a new one by its type', () => {
    expect(nextSignalSort({ key: 'count', dir: 'desc' }, 'count')).toEqual({ key: 'count', dir: 'asc' });
    expect(nextSignalSort({ key: 'count', dir: 'desc' }, 'entity')).toEqual({ key: 'entity', dir: 'asc' });
    expect(nextSignalSort({ key: 'entity', dir: 'asc' }, 'severity')).toEqual({ key: 'severity', dir: 'desc' });
  });
  it('counts per severity', () => {
    expect(countBySeverity(rows)).toEqual({ critical: 1, high: 1, medium: 0, low: 1, info: 0 });
  });
});

describe('volume series', () => {
  const v: Volume = {
    from_ms: 1000,
    step_ms: 100,
    buckets: 3,
    series: [
      { key: 'low', detections: [4, 0, 2], suppressed: [1, 0, 2], total: 6, total_suppressed: 3 },
      { key: 'critical', detections: [0, 1, 0], suppressed: [0, 0, 0], total: 1, total_suppressed: 0 },
      { key: 'info', detections: [0, 0, 0], suppressed: [0, 0, 0], total: 0, total_suppressed: 0 },
    ],
  };
  it('puts the buckets on the time axis', () => {
    expect(volumeX(v)).toEqual([1000, 1100, 1200]);
  });
  it('stacks severities most severe first, after exceptions unless asked', () => {
    const after = severitySeries(v);
    expect(after.series.map((s) => s.label)).toEqual(['critical', 'low']);
    expect(after.series[1].values).toEqual([3, 0, 0]);
    expect(after.total).toBe(4);
    const before = severitySeries(v, { includeSuppressed: true, label: (s) => s.toUpperCase() });
    expect(before.series[1]).toMatchObject({ label: 'LOW', values: [4, 0, 2], color: '#eab308' });
    expect(severitySeries(v, { severities: ['high', 'low'] }).series.map((s) => s.label)).toEqual(['low']);
  });
  it('sums a rule before and after exceptions', () => {
    const r = beforeAfter({ ...v, series: v.series.slice(0, 2) });
    expect(r.before).toEqual([4, 1, 2]);
    expect(r.after).toEqual([3, 1, 0]);
    expect([r.total, r.suppressed]).toEqual([7, 3]);
    // Short arrays read as zeros.
    expect(beforeAfter({ ...v, series: [{ key: 'x', detections: [1], suppressed: [], total: 1, total_suppressed: 0 }] }).before).toEqual([1, 0, 0]);
  });
  it('indexes detections by key', () => {
    expect(volumeByKey(v).get('low')).toEqual([4, 0, 2]);
    expect(volumeByKey(undefined).size).toBe(0);
  });
});

describe('events and links', () => {
  it('writes places as the detections do', () => {
    expect(eventPlace({ city: 'London', country: 'GB' })).toBe('London, GB');
    expect(eventPlace({ city: null, country: 'US' })).toBe('US');
    expect(eventPlace({ city: null, country: null })).toBeNull();
  });
  it('writes instants to the second', () => {
    expect(formatInstant('2026-12-03T19:31:53.000000000Z')).toBe('2026-12-03 19:31:53 UTC');
    expect(formatInstant('2026-12-03T19:31:53+09:00')).toBe('2026-12-03 19:31:53 +09:00');
    expect(formatInstant(null)).toBe('–');
    expect(formatInstant('yesterday')).toBe('yesterday');
  });
  it('parses raw JSON, keeps other text', () => {
    expect(parseRaw('{"a":1}')).toEqual({ a: 1 });
    expect(parseRaw('not json')).toBe('not json');
    expect(parseRaw(null)).toBeNull();
  });
  it('links the pages with the time range', () => {
    const range = { from: 'now-7d', to: 'now' };
    expect(signalUrl('00ab', range)).toBe('/security/signals/00ab?from=now-7d&to=now');
    expect(identityUrl('arn:aws:iam::1:user/ci')).toBe('/security/identity?actor=arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fci');
    expect(ruleUrl('impossible-travel', range)).toBe('/security/rules?rule=impossible-travel&from=now-7d&to=now');
    expect(entityUrl({ entity: 'bob@corp.example', source: 'okta' })).toBe('/security/identity?actor=bob%40corp.example');
    // A WAF signal is about a client address: its requests in Explore.
    expect(entityUrl({ entity: '203.0.113.7', source: 'waf' }, range)).toBe('/explore?dataset=requests&q=client_ip%3A203.0.113.7&from=now-7d&to=now');
  });
});
