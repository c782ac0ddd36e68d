import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort } from './client';

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `fn` whenever `deps` change (cancelling the previous run) and keeps the
 * last data while a new run is in flight. `fn` returning null skips the run.
 */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T> | null, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;

  useEffect(() => {
    const ac = new AbortController();
    const p = fnRef.current(ac.signal);
    if (!p) {
      setLoading(false);
      return;
    }
    setLoading(true);
    p.then(
      (d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e) => {
        if (ac.signal.aborted || isAbort(e)) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
