import { createContext, useContext, useEffect } from 'react';

export const PageTitleContext = createContext<(title: string) => void>(() => {});

/** Shows `title` in the top bar and `tab` (default: the title) in the browser tab. */
export function usePageTitle(title: string, tab?: string) {
  const set = useContext(PageTitleContext);
  useEffect(() => {
    set(title);
    const t = tab ?? title;
    document.title = t ? `${t} · hannun` : 'hannun';
  }, [title, tab, set]);
}
