// Number formatting for charts and widgets.

/** 1234 → 1.23k, 1234567 → 1.23M; small numbers keep up to 2 decimals. */
export function formatCompact(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e12) return trim(v / 1e12) + 'T';
  if (a >= 1e9) return trim(v / 1e9) + 'B';
  if (a >= 1e6) return trim(v / 1e6) + 'M';
  if (a >= 1e4) return trim(v / 1e3) + 'k';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return String(Number(v.toFixed(1)));
  if (a >= 1) return String(Number(v.toFixed(2)));
  return String(Number(v.toPrecision(3)));
}

function trim(v: number): string {
  return String(Number(v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)));
}

/** Full number with thousands separators and at most 3 decimals. */
export function formatFull(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function withUnit(text: string, unit?: string): string {
  if (!unit || text === '–') return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** A unit guessed from a field name (duration_ms → ms). */
export function unitOf(field?: string): string | undefined {
  if (!field) return undefined;
  if (/(_|\.)ms$/.test(field)) return 'ms';
  if (/(_|\.)(s|seconds)$/.test(field)) return 's';
  if (/bytes$/.test(field)) return 'B';
  return undefined;
}

/** 850 → "850 ms", 11972 → "12.0 s". */
export function formatElapsed(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 24-hour tick labels; the date is added where it changes (and on the first tick). */
export function timeTicks(splits: number[], incrMs: number): string[] {
  let prevDay = '';
  return splits.map((v) => {
    const d = new Date(v);
    const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const time = incrMs < 60_000 ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const showDay = day !== prevDay;
    prevDay = day;
    if (incrMs >= 86_400_000) return day;
    return showDay ? `${time}\n${day}` : time;
  });
}
