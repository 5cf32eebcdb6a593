import { useEffect, useState } from 'preact/hooks';

/*
 * Hash routing (`#/traces/tr-…?span=…`): the server only ever serves `/`, so every view is a
 * link that survives a reload and can be shared, with no server-side fallback route. Preact's
 * routers (preact-iso, preact-router) route on the path and would need that fallback.
 */

export interface Route {
  /** Path segments after `#/`, decoded. */
  segments: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q + 1) : '';
  return {
    segments: path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s)),
    params: new URLSearchParams(query),
  };
}

/** `#/a/b?x=1`, dropping empty parameters. */
export function href(
  segments: readonly string[],
  params: Record<string, string | number | null | undefined> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const query = q.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
