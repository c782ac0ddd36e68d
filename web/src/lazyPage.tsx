import { lazy, type ComponentType } from 'react';

/**
 * A lazily loaded page that can be preloaded: once its module is in, it
 * renders directly instead of suspending (React 19 holds a revealed Suspense
 * boundary back for up to 300 ms, which would delay the page's first query).
 */
export function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let Loaded: ComponentType<P> | null = null;
  let promise: Promise<void> | null = null;
  const preload = () =>
    (promise ??= load().then(
      (m) => {
        Loaded = m.default;
      },
      (e) => {
        promise = null;
        throw e;
      },
    ));
  const Lazy = lazy(() => preload().then(() => ({ default: Loaded! })));
  function Page(props: P) {
    const C = Loaded;
    return C ? <C {...props} /> : <Lazy {...props} />;
  }
  return Object.assign(Page, { preload });
}
