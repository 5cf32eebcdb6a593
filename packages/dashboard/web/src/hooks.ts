import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface Async<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetch again with the same inputs (keeps the current data while loading). */
  reload(): void;
}

/**
 * Loads `fn()` whenever `deps` change; a superseded load is aborted so a slow answer never
 * overwrites a newer one. The previous data stays visible while the next loads. The request
 * starts as soon as the render is committed (a layout effect), not a frame later, as Preact's
 * `useEffect` would: each page's data arrives a frame sooner.
 */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useLayoutEffect(() => {
    const controller = new AbortController();
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    fnRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error: Error) => {
        if (!controller.signal.aborted && error.name !== 'AbortError')
          setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Marks the first render of a page's content, once per page load (see the render benchmark). */
export function useFirstContentMark(name: string, ready: boolean): void {
  useEffect(() => {
    if (ready && performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
  }, [name, ready]);
}
