// Default and configurable columns of the events table.

export const DEFAULT_COLUMNS: Record<string, string[]> = {
  logs: ['timestamp', 'level', 'service', 'body'],
  spans: ['timestamp', 'service', 'kind', 'name', 'duration_ns', 'status_code'],
  metrics: ['timestamp', 'metric', 'service', 'value'],
};

export function defaultColumns(dataset: string, available: string[]): string[] {
  const preset = DEFAULT_COLUMNS[dataset];
  if (preset) {
    const have = preset.filter((c) => available.length === 0 || available.includes(c));
    if (have.length >= 2) return have;
  }
  const rest = available.filter((c) => c !== 'timestamp' && c !== 'attributes').slice(0, 4);
  return ['timestamp', ...rest];
}

export function parseColumns(param: string | null): string[] | null {
  if (!param) return null;
  const cols = param
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return cols.length ? cols : null;
}

/** A CSS grid track for a column. */
export function columnWidth(col: string): string {
  if (col === 'timestamp') return '206px';
  if (col === 'level') return '76px';
  if (col === 'body' || col === 'message' || col === 'name') return 'minmax(280px, 1fr)';
  if (col === 'service') return '150px';
  if (col === 'kind') return '90px';
  if (/_id$/.test(col)) return '170px';
  return 'minmax(100px, 160px)';
}

/** Displays a cell value (`*_ns` durations in ms). */
export function cellText(v: unknown, col = ''): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && /duration_ns$/.test(col)) return `${(v / 1e6).toLocaleString('en-US', { maximumFractionDigits: 2 })} ms`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
