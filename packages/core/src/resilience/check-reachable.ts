import { causeChain, errorMessage } from '../errors.js';

export interface ReachabilityResult {
  ok: boolean;
  /** `ok`, or why not: `connection refused (ECONNREFUSED)`, `no answer within 3000 ms`, `HTTP 503`… */
  reason: string;
  elapsedMs: number;
}

export interface CheckReachableOptions {
  /** Budget for the whole check. Default 3000 ms. */
  timeoutMs?: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export const DEFAULT_PRECHECK_TIMEOUT_MS = 3000;

/** Whether a tracking URI names a server (http/https) rather than a local store. */
export function isServerUri(uri: string | undefined): uri is string {
  return uri !== undefined && /^https?:\/\//i.test(uri);
}

/** The first error code along the error's causes (Node's network errors carry one). */
function causeCode(err: unknown): string | null {
  const code = causeChain(err)
    .map((e) => (e as { code?: unknown }).code)
    .find((c) => typeof c === 'string');
  return (code as string | undefined) ?? null;
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
  let url: URL;
  try {
    url = new URL(uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, reason: `"${uri}" is not an http(s) URL`, elapsedMs: elapsed() };
  }
  // fetch refuses URLs with credentials; /health needs none.
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const health = `${url.toString().replace(/\/+$/, '')}/health`;
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
    const code = causeCode(err);
    const what = code ? `${DESCRIBE[code] ?? 'network error'} (${code})` : errorMessage(err);
    return { ok: false, reason: what, elapsedMs: elapsed() };
  }
}
