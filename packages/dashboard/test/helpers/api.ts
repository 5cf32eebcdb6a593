import type { DashboardApp } from '../../src/index.js';

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A request through the app's own fetch handler, as the browser would make it. */
export async function call<T = any>(
  app: DashboardApp,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<ApiResult<T>> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  const response = await app.request(`http://127.0.0.1:5005${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { method: rest.method ?? 'POST', body: JSON.stringify(json) }),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json'))
    body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: response.headers };
}

/** `?a=1&b=2` from an object, skipping undefined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  const text = s.toString();
  return text === '' ? '' : `?${text}`;
}
