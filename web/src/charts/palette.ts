// Colours of series: fixed ones for log levels and status, a palette otherwise.
export const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#6366f1', '#84cc16', '#06b6d4', '#a855f7', '#ef4444'];

const NAMED: Record<string, string> = {
  error: '#ef4444',
  err: '#ef4444',
  fatal: '#b91c1c',
  critical: '#b91c1c',
  warn: '#f59e0b',
  warning: '#f59e0b',
  info: '#3b82f6',
  debug: '#94a3b8',
  trace: '#cbd5e1',
  ok: '#10b981',
  unset: '#94a3b8',
};

export function seriesColor(label: string, index: number): string {
  return NAMED[label.toLowerCase()] ?? PALETTE[index % PALETTE.length];
}

/** Orders log levels from the most severe. */
export function levelRank(level: string): number {
  const order = ['fatal', 'critical', 'error', 'err', 'warn', 'warning', 'info', 'debug', 'trace'];
  const i = order.indexOf(level.toLowerCase());
  return i < 0 ? order.length : i;
}
