import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useSearchParams } from '../router';
import { rangeFromParams, resolveRange, DEFAULT_RANGE, type ResolvedRange, type TimeRange } from './range';

interface TimeValue {
  range: TimeRange;
  resolved: ResolvedRange;
  setRange: (r: TimeRange) => void;
  /** Re-resolves relative ranges against the current time. */
  refresh: () => void;
  refreshKey: number;
}

const TimeContext = createContext<TimeValue | null>(null);

export function TimeProvider({ children }: { children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const range = rangeFromParams(params);
  const [refreshKey, setRefreshKey] = useState(0);
  const resolved = useMemo(
    () => resolveRange(range, Date.now()) ?? resolveRange(DEFAULT_RANGE, Date.now())!,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [range.from, range.to, refreshKey],
  );
  const setRange = useCallback((r: TimeRange) => setParams({ from: r.from, to: r.to }), [setParams]);
  const refresh = useCallback(() => setRefreshKey((k) => k + 1), []);
  const value = useMemo(
    () => ({ range, resolved, setRange, refresh, refreshKey }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [range.from, range.to, resolved, setRange, refresh, refreshKey],
  );
  return <TimeContext.Provider value={value}>{children}</TimeContext.Provider>;
}

export function useTimeRange(): TimeValue {
  const v = useContext(TimeContext);
  if (!v) throw new Error('useTimeRange outside TimeProvider');
  return v;
}

/** Carries the current from/to over to another page's URL. */
export function withTime(path: string, range: TimeRange): string {
  const [base, qs = ''] = path.split('?');
  const p = new URLSearchParams(qs);
  if (!p.has('from')) p.set('from', range.from);
  if (!p.has('to')) p.set('to', range.to);
  return `${base}?${p}`;
}
