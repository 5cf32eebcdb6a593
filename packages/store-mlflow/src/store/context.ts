import { GraphtraceError } from '@graphtrace/core';
import type { HttpClient, RequestOptions } from '../http-client.js';

/** What every part of the server store works with: the server's client and its address. */
export interface ServerContext {
  readonly http: HttpClient;
  /** The tracking URI without credentials, for messages. */
  readonly uri: string;
}

export const V2 = '/api/2.0/mlflow';
export const V3 = '/api/3.0/mlflow';

/** A lookup's answer, or null where the server says there is no such thing. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof GraphtraceError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** A GET of one thing (repeatable), or null where the server says there is no such thing. */
export function getOrNull<T>(
  ctx: ServerContext,
  path: string,
  query?: RequestOptions['query'],
  signal?: AbortSignal,
): Promise<T | null> {
  return orNull(ctx.http.json<T>({ method: 'GET', path, query, idempotent: true, signal }));
}

export function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new GraphtraceError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  return v;
}
