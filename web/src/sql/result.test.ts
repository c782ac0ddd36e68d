import { describe, expect, it } from 'vitest';
import { chartData, rowsAsArrays } from './result';

describe('SQL results', () => {
  it('reads rows in column order, missing cells as null', () => {
    const columns = [
      { name: 'a', type: 'Utf8' },
      { name: 'b', type: 'Int64' },
    ];
    expect(rowsAsArrays({ columns, rows: [{ a: 'x', b: 1 }, { a: 'y' }], elapsed_ms: 1 })).toEqual([
      ['x', 1],
      ['y', null],
    ]);
  });
  it('makes a bar chart from label + numbers', () => {
    const c = chartData({ columns: [{ name: 'service', type: 'Utf8' }, { name: 'n', type: 'Int64' }], rows: [{ service: 'a', n: 3 }, { service: 'b', n: 1 }], elapsed_ms: 1 });
    expect(c).toEqual({ kind: 'bar', x: ['a', 'b'], series: [{ name: 'n', data: [3, 1] }] });
  });
  it('makes a line chart from time + numbers, pivoting a text column', () => {
    const t1 = '2024-05-01T12:00:00Z';
    const t2 = '2024-05-01T12:01:00Z';
    const c = chartData({
      columns: [
        { name: 'time', type: 'Timestamp(Nanosecond, Some("UTC"))' },
        { name: 'level', type: 'Utf8' },
        { name: 'n', type: 'Int64' },
      ],
      rows: [
        { time: t1, level: 'info', n: 5 },
        { time: t1, level: 'error', n: 1 },
        { time: t2, level: 'info', n: 6 },
      ],
      elapsed_ms: 1,
    });
    expect(c?.kind).toBe('line');
    expect(c?.x).toEqual([Date.parse(t1), Date.parse(t2)]);
    expect(c?.series).toEqual([
      { name: 'info', data: [5, 6] },
      { name: 'error', data: [1, null] },
    ]);
  });
  it('returns null when nothing is numeric', () => {
    expect(chartData({ columns: [{ name: 'a', type: 'Utf8' }, { name: 'b', type: 'Utf8' }], rows: [{ a: 'x', b: 'y' }], elapsed_ms: 1 })).toBeNull();
    expect(chartData({ columns: [{ name: 'a', type: 'Utf8' }], rows: [], elapsed_ms: 1 })).toBeNull();
  });
});
