// SQL results: rows in column order and what chart they make.
import type { Column, SqlResponse } from '../api/types';
import { eventTimeMs } from '../time/range';

/** Rows (objects, nulls omitted) as arrays in column order. */
export function rowsAsArrays(res: SqlResponse): unknown[][] {
  return res.rows.map((r) => res.columns.map((c) => r[c.name] ?? null));
}

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

export function isTimeColumn(col: Column, values: unknown[]): boolean {
  if (/timestamp|date/i.test(col.type)) return true;
  const present = values.filter((v) => v !== null && v !== undefined);
  return present.length > 0 && present.every((v) => typeof v === 'string' && ISO.test(v));
}

export function isNumericColumn(col: Column, values: unknown[]): boolean {
  if (/^(u?int|float|decimal|double)/i.test(col.type)) return true;
  const present = values.filter((v) => v !== null && v !== undefined);
  return present.length > 0 && present.every((v) => typeof v === 'number');
}

export interface ChartData {
  kind: 'line' | 'bar';
  /** Epoch ms for line charts, category labels for bar charts. */
  x: (number | string)[];
  series: { name: string; data: (number | null)[] }[];
}

const MAX_SERIES = 12;

/**
 * A line chart when the first column is a time (one series per numeric
 * column, or per value of text columns when there is one numeric column),
 * else a bar chart of the numeric columns by the first column.
 */
export function chartData(res: SqlResponse): ChartData | null {
  const cols = res.columns;
  if (cols.length < 2 || res.rows.length === 0) return null;
  const rows = rowsAsArrays(res);
  const colValues = (i: number) => rows.map((r) => r[i]);
  const numeric = cols.map((c, i) => i > 0 && isNumericColumn(c, colValues(i)));
  const numIdx = numeric.flatMap((n, i) => (n ? [i] : []));
  if (numIdx.length === 0) return null;

  if (isTimeColumn(cols[0], colValues(0))) {
    const textIdx = cols.map((_, i) => i).filter((i) => i > 0 && !numeric[i]);
    const toMs = (v: unknown) => eventTimeMs(v) ?? NaN;
    const xs = [...new Set(rows.map((r) => toMs(r[0])).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
    const at = new Map(xs.map((v, i) => [v, i]));
    if (textIdx.length > 0 && numIdx.length === 1) {
      // Pivot: one series per combination of text values.
      const bySeries = new Map<string, (number | null)[]>();
      for (const r of rows) {
        const name = textIdx.map((i) => (r[i] === null || r[i] === undefined ? '(none)' : String(r[i]))).join(' · ');
        if (!bySeries.has(name)) {
          if (bySeries.size >= MAX_SERIES) continue;
          bySeries.set(name, new Array(xs.length).fill(null));
        }
        const k = at.get(toMs(r[0]));
        if (k !== undefined) bySeries.get(name)![k] = num(r[numIdx[0]]);
      }
      return { kind: 'line', x: xs, series: [...bySeries].map(([name, data]) => ({ name, data })) };
    }
    const series = numIdx.slice(0, MAX_SERIES).map((i) => {
      const data: (number | null)[] = new Array(xs.length).fill(null);
      for (const r of rows) {
        const k = at.get(toMs(r[0]));
        if (k !== undefined) data[k] = num(r[i]);
      }
      return { name: cols[i].name, data };
    });
    return { kind: 'line', x: xs, series };
  }
  return {
    kind: 'bar',
    x: rows.map((r) => (r[0] === null || r[0] === undefined ? '(none)' : String(r[0]))),
    series: numIdx.slice(0, MAX_SERIES).map((i) => ({ name: cols[i].name, data: rows.map((r) => num(r[i])) })),
  };
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}
