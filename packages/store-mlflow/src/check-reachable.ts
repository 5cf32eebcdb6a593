import {
  DEFAULT_PRECHECK_TIMEOUT_MS,
  errorMessage,
  type ReachabilityResult,
} from '@graphtrace/core';
import { networkCode } from './errors.js';
import { type FetchLike, parseTrackingUri } from './http-client.js';

export interface CheckReachableOptions {
  /** Budget for the whole check. Default 3000 ms. */
  timeoutMs?: number;
  fetch?: FetchLike;
}

const DESCRIBE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * GET `<uri>/health` within a time budget. A refused connection is decided as soon as the OS
 * says so (milliseconds); a host that accepts and never answers, or never accepts, is decided
 * when the budget runs out. Never throws.
 */
export async function checkReachable(
  uri: string,
  options: CheckReachableOptions = {},
): Promise<ReachabilityResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PRECHECK_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let health: string;
  try {
    // Credentials removed (fetch refuses them; /health needs none), and query and hash.
    health = `${parseTrackingUri(uri).baseUrl}/health`;
  } catch {
    return { ok: false, reason: `"${uri}" is not an http(s) URL`, elapsedMs: elapsed() };
  }
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  try {
    const res = await doFetch(health, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    // Drain the body so the connection is reusable, within the same budget.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, reason: 'ok', elapsedMs: elapsed() };
    return { ok: false, reason: `HTTP ${res.status} from ${health}`, elapsedMs: elapsed() };
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return { ok: false, reason: `no answer within ${timeoutMs} ms`, elapsedMs: elapsed() };
    const code = networkCode(err);
    const what = code ? `${DESCRIBE[code] ?? 'network error'} (${code})` : errorMessage(err);
    return { ok: false, reason: what, elapsedMs: elapsed() };
  }
}
