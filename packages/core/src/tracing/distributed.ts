import { TRACE_ID_PREFIX } from '../model/keys.js';
import { contextValue, runInContext } from './context.js';
import type { LiveSpan } from './live-span.js';

/**
 * W3C Trace Context (`traceparent`, `tracestate`), as MLflow's TypeScript SDK propagates it: a
 * caller sends its active span in the headers of an HTTP request; the service it calls records
 * its spans under that span, in the caller's trace.
 */

/** The caller's span, from the headers of the request being handled. */
export interface RemoteParent {
  /** `tr-` + the 32 hex of the W3C trace id. */
  traceId: string;
  spanId: string;
  /** The caller recorded this trace (flag 01): the callee records its part too. */
  sampled: boolean;
  /** Passed on unchanged. */
  traceState?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** Parses a `traceparent` value; null when it is not a valid one (W3C rules). */
export function parseTraceparent(value: unknown, traceState?: unknown): RemoteParent | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m) return null;
  const [, version, traceId, spanId, flags] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version === 'ff' || (version === '00' && value.trim().length !== 55)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return {
    traceId: `${TRACE_ID_PREFIX}${traceId}`,
    spanId,
    sampled: (Number.parseInt(flags, 16) & 1) === 1,
    ...(typeof traceState === 'string' && traceState !== '' ? { traceState } : {}),
  };
}

/** A header of a Node request (`req.headers`), a fetch `Headers`, or a plain object, any case. */
export type HeadersLike =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() !== name) continue;
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}

/** The caller's span named by `headers`; null when they carry no valid `traceparent`. */
export function remoteParentFrom(headers: unknown): RemoteParent | null {
  if (headers === null || typeof headers !== 'object') return null;
  try {
    const h = headers as HeadersLike;
    return parseTraceparent(header(h, 'traceparent'), header(h, 'tracestate'));
  } catch {
    return null; // a header object whose getters throw carries nothing we can use
  }
}

/** The `traceparent` (and `tracestate`) of `span`, for the request it is about to make. */
export function headersFor(span: LiveSpan): Record<string, string> {
  const flags = span.trace.recording ? '01' : '00';
  const out: Record<string, string> = {
    traceparent: `00-${span.traceId.slice(TRACE_ID_PREFIX.length)}-${span.spanId}-${flags}`,
  };
  if (span.trace.traceState) out.tracestate = span.trace.traceState;
  return out;
}

/** Runs `fn` with `parent` as the parent of every span it starts without a local one. */
export function runWithRemoteParent<T>(parent: RemoteParent | null, fn: () => T): T {
  return runInContext('remote', parent ?? undefined, fn);
}

/** @internal The caller's span for a span starting here without a local parent. */
export function currentRemoteParent(): RemoteParent | undefined {
  return contextValue<RemoteParent>('remote');
}
