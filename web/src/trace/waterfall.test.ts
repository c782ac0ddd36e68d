import { describe, expect, it } from 'vitest';
import { ancestorIndexes, axisTicks, descendantCounts, exploreLogsUrl, formatDurationNs, parseSpanEvents, serviceColors, spanAttributes, timeToNs, visibleSpans } from './waterfall';

// 0 ─┬─ 1 ─── 2
//    └─ 3 ─── 4
// 5 (a second root)
const tree = [{ children: [1, 3] }, { children: [2] }, { children: [] }, { children: [4] }, { children: [] }, { children: [] }];

describe('formatDurationNs', () => {
  it('picks a unit', () => {
    expect(formatDurationNs(850)).toBe('850 ns');
    expect(formatDurationNs(12_300)).toBe('12.3 µs');
    expect(formatDurationNs(4_500_000)).toBe('4.5 ms');
    expect(formatDurationNs(123_456_789)).toBe('123 ms');
    expect(formatDurationNs(2_500_000_000)).toBe('2.5 s');
    expect(formatDurationNs(125e9)).toBe('2 min 5 s');
  });
});

describe('axisTicks', () => {
  it('uses round steps from 0 to the total', () => {
    expect(axisTicks(1_000_000, 5)).toEqual([0, 200_000, 400_000, 600_000, 800_000, 1_000_000]);
    expect(axisTicks(730, 6)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
    const t = axisTicks(123_456_789);
    expect(t[0]).toBe(0);
    expect(t.length).toBeGreaterThanOrEqual(4);
    expect(t.length).toBeLessThanOrEqual(8);
    expect(t[t.length - 1]).toBeLessThanOrEqual(123_456_789);
  });
  it('handles an empty trace', () => {
    expect(axisTicks(0)).toEqual([0]);
  });
});

describe('ancestorIndexes', () => {
  it('lists the spans above one, parent first', () => {
    expect(ancestorIndexes(tree, 4)).toEqual([3, 0]);
    expect(ancestorIndexes(tree, 2)).toEqual([1, 0]);
    expect(ancestorIndexes(tree, 0)).toEqual([]);
    expect(ancestorIndexes(tree, 5)).toEqual([]);
    expect(ancestorIndexes(tree, 99)).toEqual([]);
  });
  it('survives a cycle', () => {
    expect(ancestorIndexes([{ children: [1] }, { children: [0] }], 0)).toEqual([1]);
  });
});

describe('visibleSpans', () => {
  it('walks depth first', () => {
    expect(visibleSpans(tree, [0, 5], new Set())).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('hides the subtree of collapsed spans', () => {
    expect(visibleSpans(tree, [0, 5], new Set([1]))).toEqual([0, 1, 3, 4, 5]);
    expect(visibleSpans(tree, [0, 5], new Set([0]))).toEqual([0, 5]);
  });
  it('appends spans no root reaches', () => {
    expect(visibleSpans(tree, [0], new Set())).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('counts descendants', () => {
    expect(descendantCounts(tree)).toEqual([4, 1, 0, 1, 0, 0]);
  });
});

describe('parseSpanEvents', () => {
  it('parses the JSON string and finds exceptions', () => {
    const raw = JSON.stringify([
      { name: 'cache miss', timestamp: 1717171717000000000, attributes: { key: 'a' } },
      { name: 'exception', timestamp: '2024-05-31T16:08:37.123456789Z', attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'took too long', 'exception.stacktrace': 'at x\nat y' } },
    ]);
    const ev = parseSpanEvents(raw);
    expect(ev).toHaveLength(2);
    expect(ev[0].name).toBe('cache miss');
    expect(ev[0].exception).toBeUndefined();
    expect(ev[1].exception).toEqual({ type: 'TimeoutError', message: 'took too long', stacktrace: 'at x\nat y' });
    expect(ev[1].timeNs).toBe(Date.parse('2024-05-31T16:08:37.123Z') * 1e6 + 456789);
  });
  it('tolerates empty and broken input', () => {
    expect(parseSpanEvents('')).toEqual([]);
    expect(parseSpanEvents(null)).toEqual([]);
    expect(parseSpanEvents('[]')).toEqual([]);
    expect(parseSpanEvents('{not json')).toEqual([{ name: '{not json', timeNs: null, attributes: {} }]);
    expect(parseSpanEvents([{ name: 'x' }])[0].name).toBe('x');
  });
  it('reads times in several units', () => {
    expect(timeToNs(1_700_000_000_000)).toBe(1_700_000_000_000 * 1e6);
    expect(timeToNs('abc')).toBeNull();
  });
});

describe('attributes and links', () => {
  it('sorts attributes and leaves out the big fields', () => {
    expect(spanAttributes({ 'http.route': '/a', events: '[...]', 'db.system': 'postgres', n: 3, o: { a: 1 }, empty: '' })).toEqual([
      ['db.system', 'postgres'],
      ['http.route', '/a'],
      ['n', '3'],
      ['o', '{"a":1}'],
    ]);
  });
  it('gives services distinct, non-red colours', () => {
    const c = serviceColors(['a', 'b', 'a']);
    expect(c.size).toBe(2);
    expect(c.get('a')).not.toBe(c.get('b'));
    expect([...c.values()]).not.toContain('#ef4444');
  });
  it('links to the logs of the trace in Explore', () => {
    expect(exploreLogsUrl('ab12', new URLSearchParams('from=now-24h&to=now'))).toBe('/explore?dataset=logs&q=trace_id%3Aab12&from=now-24h&to=now');
    expect(exploreLogsUrl('ab12', new URLSearchParams(''), { fromMs: 1000, toMs: 2000 })).toBe('/explore?dataset=logs&q=trace_id%3Aab12&from=1000&to=2000');
  });
});
