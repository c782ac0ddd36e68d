import { describe, expect, it } from 'vitest';
import { actionsFor, ageParts, formatAge, formatAgo, issueFiltersFromParams, issuesQuery, issueUrl, parseStack, sampleExploreUrl, toMs, type IssueDetailResponse, type IssuesResponse } from './issues';

const MIN = 60_000;
const DAY = 86_400_000;

// Shaped exactly like GET /api/v1/issues and /api/v1/issues/{fingerprint}.
const list: IssuesResponse = {
  issues: [
    {
      fingerprint: '9f86d081884c7d65', title: 'AxiosError: Network Error', error_type: 'AxiosError', message: 'Network Error',
      culprit: 'fetchOrders (src/api/orders.ts:42)', count: 1234, first_seen: 1780000000000000000, last_seen: 1795742076677834999,
      services: ['web-bff'], status: 'open', regressed: true, series: [0, 3, 10, 1],
    },
  ],
  bucket_seconds: 120,
  elapsed_ms: 8,
};
const detail: IssueDetailResponse = {
  issue: list.issues[0],
  bucket_seconds: 120,
  series: { timestamps_ms: [1, 2], counts: [3, 4] },
  stack: 'AxiosError: Network Error\n    at fetchOrders (src/api/orders.ts:42:11)\n    at XMLHttpRequest.handleError (node_modules/axios/lib/adapters/xhr.js:110:14)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n',
  samples: [{ timestamp: 1795742076677834999, service: 'web-bff', env: 'prod', source: 'span', message: 'Network Error', trace_id: '2d7324dd54a6e3d7a723e019fa5c9105', span_id: '53429d46728628ec' }],
  elapsed_ms: 3,
};

describe('relative ages', () => {
  it('picks the largest whole unit', () => {
    expect(ageParts(37 * MIN + 20_000)).toEqual({ n: 37, unit: 'minute' });
    expect(ageParts(5 * 30 * DAY + DAY)).toEqual({ n: 5, unit: 'month' });
    expect(ageParts(3 * 3_600_000)).toEqual({ n: 3, unit: 'hour' });
    expect(ageParts(2 * 365 * DAY)).toEqual({ n: 2, unit: 'year' });
    expect(ageParts(-5)).toEqual({ n: 0, unit: 'second' });
  });
  it('says "ago" and "old" in English', () => {
    expect(formatAgo(37 * MIN, 'en')).toBe('37 minutes ago');
    expect(formatAgo(1 * MIN, 'en')).toBe('1 minute ago');
    expect(formatAgo(10_000, 'en')).toBe('just now');
    expect(formatAgo(50_000, 'en')).toBe('50 seconds ago');
    expect(formatAge(5 * 30 * DAY + 3 * DAY, 'en')).toBe('5 months old');
    expect(formatAge(DAY, 'en')).toBe('1 day old');
    expect(formatAge(0, 'en')).toBe('brand new');
  });
  it('says 전 in Korean', () => {
    expect(formatAgo(37 * MIN, 'ko')).toBe('37분 전');
    expect(formatAge(5 * 30 * DAY + 3 * DAY, 'ko')).toBe('5개월 전');
    expect(formatAgo(2 * 3_600_000, 'ko')).toBe('2시간 전');
    expect(formatAgo(1000, 'ko')).toBe('방금 전');
    expect(formatAge(400 * DAY, 'ko')).toBe('1년 전');
  });
  it('converts ns to ms', () => {
    expect(toMs(1795742076677834999)).toBe(1795742076677);
    expect(toMs(1795742076677)).toBe(1795742076677);
    expect(toMs(null)).toBeNull();
  });
});

describe('filters', () => {
  it('defaults to open issues by last seen', () => {
    expect(issueFiltersFromParams(new URLSearchParams(''))).toEqual({ status: 'open', service: '', env: '', q: '', sort: 'last_seen' });
    expect(issueFiltersFromParams(new URLSearchParams('status=bogus&sort=bogus'))).toMatchObject({ status: 'open', sort: 'last_seen' });
    expect(issueFiltersFromParams(new URLSearchParams('status=all&sort=count&service=a&env=prod&q=axios'))).toEqual({ status: 'all', service: 'a', env: 'prod', q: 'axios', sort: 'count' });
  });
  it('builds the API query', () => {
    const qs = issuesQuery({ status: 'resolved', service: 'a', env: '', q: ' x ', sort: 'first_seen' }, { fromMs: 1.2, toMs: 5.5 }, 50);
    expect(Object.fromEntries(qs)).toEqual({ from_ms: '1', to_ms: '6', status: 'resolved', service: 'a', q: 'x', sort: 'first_seen', limit: '50' });
  });
  it('links an issue', () => {
    expect(issueUrl('9f86d081884c7d65', { from: 'now-1h', to: 'now' })).toBe('/issues/9f86d081884c7d65?from=now-1h&to=now');
    expect(issueUrl('abc')).toBe('/issues/abc');
  });
});

describe('stack traces', () => {
  it('marks frames and in-app frames', () => {
    const lines = parseStack(detail.stack);
    expect(lines.map((l) => [l.frame, l.inApp])).toEqual([[false, false], [true, true], [true, false], [true, false]]);
  });
  it('treats well-known Java libraries as not in-app', () => {
    const java = parseStack('com.fasterxml.jackson.databind.exc.MismatchedInputException: bad date\n\tat com.fasterxml.jackson.databind.DeserializationContext.reportInputMismatch(DeserializationContext.java:1767)\n\tat com.remember.cards.infra.OcrResultMapper.toCard(OcrResultMapper.kt:64)\n\tat java.base/java.lang.Thread.run(Thread.java:833)');
    expect(java.map((l) => l.inApp)).toEqual([false, false, true, false]);
  });
  it('handles Python and empty stacks', () => {
    const py = parseStack('Traceback (most recent call last):\n  File "/app/orders.py", line 10, in create\n  File "/usr/lib/python3.12/site-packages/requests/api.py", line 5, in get\nConnectionError: boom');
    expect(py.map((l) => l.inApp)).toEqual([false, true, false, false]);
    expect(parseStack(null)).toEqual([]);
    expect(parseStack('')).toEqual([]);
  });
});

describe('occurrences', () => {
  it('opens the trace in Explore when there is one', () => {
    const u = new URL(sampleExploreUrl(detail.samples[0]), 'http://x');
    expect(u.searchParams.get('dataset')).toBe('spans');
    expect(u.searchParams.get('q')).toBe('trace_id:2d7324dd54a6e3d7a723e019fa5c9105');
    expect(Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'))).toBe(10 * MIN);
  });
  it('falls back to the service errors around the time', () => {
    const u = new URL(sampleExploreUrl({ ...detail.samples[0], source: 'log', trace_id: null }), 'http://x');
    expect(u.searchParams.get('dataset')).toBe('logs');
    expect(u.searchParams.get('q')).toBe('service:web-bff env:prod level:error');
  });
  it('offers the right actions', () => {
    expect(actionsFor('open')).toEqual(['resolved', 'ignored']);
    expect(actionsFor('resolved')).toEqual(['open']);
    expect(actionsFor('ignored')).toEqual(['open']);
  });
});
