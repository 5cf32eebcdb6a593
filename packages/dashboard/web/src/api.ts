import type { ApiErrorBody } from '../../src/api/types.js';

/** An API answer other than 2xx, with what the server said. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** 1-based column of a filter / order-by mistake. */
  readonly column: number | undefined;
  readonly param: string | undefined;

  constructor(status: number, body: ApiErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.column = body.column;
    this.param = body.param;
  }
}

export type Params = Record<string, string | number | null | undefined>;

/** `api/<path>?<params>`, dropping empty parameters (relative: the app may sit under a prefix). */
export function url(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const query = q.toString();
  return `api/${path}${query ? `?${query}` : ''}`;
}

async function parse<T>(response: Response): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('application/json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error =
      typeof body === 'object' && body && 'error' in body
        ? (body as ApiErrorBody).error
        : { code: `HTTP_${response.status}`, message: String(body).slice(0, 300) };
    throw new ApiError(response.status, error);
  }
  return body as T;
}

export async function getJson<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url(path, params), { signal: signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, {
      code: 'UNREACHABLE',
      message: 'The dashboard server does not answer. Is `graphtrace ui` still running?',
    });
  }
  return parse<T>(response);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return parse<T>(response);
}
