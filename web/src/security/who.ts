// Who triages, tunes and switches rules: until sign-in exists, the person
// says, and the browser remembers it.
import { useCallback, useState } from 'react';

const KEY = 'hannun.security.by';

function load(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function useWho(): [string, (who: string) => void] {
  const [who, setState] = useState(load);
  const set = useCallback((w: string) => {
    setState(w);
    try {
      localStorage.setItem(KEY, w);
    } catch {
      /* storage may be disabled */
    }
  }, []);
  return [who, set];
}
