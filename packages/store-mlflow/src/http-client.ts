import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphtraceError, type Logger, silentLogger } from '@graphtrace/core';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  AUTH_HINT,
  graphtraceCodeFor,
  isTlsCode,
  MlflowServerError,
  networkCode,
  parseErrorBody,
  rootMessage,
  TLS_HINT,
} from './errors.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Base URL without a trailing slash, credentials removed. */
  baseUrl: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  insecureTls?: boolean | undefined;
  /** PEM text, or the path of a PEM file. */
  caBundle?: string | undefined;
  requestTimeoutMs: number;
  /** Longest one call may take in all, attempts and backoff included (undefined: no bound). */
  maxWaitMs?: number | undefined;
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  fetch?: FetchLike | undefined;
  logger?: Logger | undefined;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  json?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
  /**
   * Whether repeating the request is harmless. Requests the server never received (refused
   * connection, 429/502/503/504) are retried either way; a request that may have reached the
   * server (reset connection, timeout) is retried only when it is idempotent.
   */
  idempotent: boolean;
  /** Stops the call (and its retries) when aborted; it then fails with STORE_UNAVAILABLE. */
  signal?: AbortSignal | undefined;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** MLflow answers 500 INTERNAL_ERROR for these database hiccups: worth another try. */
const TRANSIENT_INTERNAL =
  /database is locked|deadlock|could not serialize|timed? ?out|connection/i;
/**
 * Concurrent writers can make the backend abort a transaction; MLflow reports that with
 * whatever status the route uses (the OTLP route says 422). It succeeds when tried again.
 */
const TRANSIENT_DATABASE = /database is locked|deadlock detected|could not serialize access/i;

function readCa(ca: string): string {
  return ca.includes('-----BEGIN') ? ca : readFileSync(ca, 'utf8');
}

/**
 * Fetch with MLflow's auth, TLS options, per-attempt timeouts and bounded retries (exponential
 * backoff with jitter). Every failure becomes a `MlflowServerError` with an actionable message.
 */
export class HttpClient {
  private readonly fetchImpl: FetchLike;
  private readonly agent: Agent | null = null;
  private readonly auth: string | null;
  private readonly logger: Logger;

  constructor(private readonly options: HttpClientOptions) {
    this.logger = options.logger ?? silentLogger;
    if (options.token) this.auth = `Bearer ${options.token}`;
    else if (options.username !== undefined && options.password !== undefined)
      this.auth = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    else this.auth = null;

    if (options.fetch) {
      this.fetchImpl = options.fetch;
    } else if (options.caBundle || options.insecureTls) {
      // Node's global fetch has no TLS options; undici (the same engine) takes them on an Agent.
      const agent = new Agent({
        connect: {
          ...(options.caBundle ? { ca: readCa(options.caBundle) } : {}),
          ...(options.insecureTls ? { rejectUnauthorized: false } : {}),
        },
      });
      this.agent = agent;
      this.fetchImpl = (input, init) =>
        undiciFetch(input, {
          ...(init as object),
          dispatcher: agent,
        }) as unknown as Promise<Response>;
    } else {
      this.fetchImpl = (input, init) => fetch(input, init);
    }
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The fetch every request goes through: with the store's TLS options or the caller's own. */
  get fetch(): FetchLike {
    return this.fetchImpl;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) params.append(k, item);
      else params.append(k, String(v));
    }
    const qs = params.toString();
    return `${this.options.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends a request and returns the response body bytes of a 2xx answer. */
  async request(req: RequestOptions): Promise<Uint8Array> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { ...req.headers };
    if (this.auth) headers.authorization = this.auth;
    let body: string | Uint8Array | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.body) {
      body = req.body;
    }
    const endpoint = `${req.method} ${req.path}`;
    const { maxWaitMs } = this.options;
    const deadline = maxWaitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + maxWaitMs;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (req.signal?.aborted || left <= 0) throw this.stopped(req.signal, endpoint, attempt);
      const last = attempt >= this.options.retries;
      const attemptMs = Math.min(this.options.requestTimeoutMs, left);
      const timeout = AbortSignal.timeout(attemptMs);
      let res: Response;
      let bytes: Uint8Array | null = null;
      try {
        res = await this.fetchImpl(url, {
          method: req.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
        });
        // The body is read under the same signal: a server may stall half-way through it.
        if (res.ok) bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        if (req.signal?.aborted) throw this.stopped(req.signal, endpoint, attempt, err);
        const code = networkCode(err);
        const timedOut = (err as Error)?.name === 'TimeoutError';
        if (isTlsCode(code)) {
          throw new MlflowServerError(
            'TLS_ERROR',
            `TLS failure talking to ${this.options.baseUrl} (${code}: ${rootMessage(err)}): ${TLS_HINT}`,
            { status: null, serverErrorCode: null, endpoint },
            { cause: err },
          );
        }
        const retriable =
          (code !== null && NEVER_SENT.has(code)) ||
          (req.idempotent && (timedOut || (code !== null && MAYBE_SENT.has(code))));
        if (retriable && !last) {
          await this.backoff(attempt, null, endpoint, code ?? 'timeout', req.signal, deadline);
          continue;
        }
        if (timedOut && attemptMs < this.options.requestTimeoutMs)
          throw this.stopped(undefined, endpoint, attempt, err);
        const what = timedOut
          ? `no answer within ${attemptMs} ms`
          : `${code ?? 'network error'}: ${rootMessage(err)}`;
        throw new MlflowServerError(
          'STORE_UNAVAILABLE',
          `MLflow server ${this.options.baseUrl} is unreachable (${endpoint}: ${what}` +
            `${attempt > 0 ? `, after ${attempt + 1} attempts` : ''}). Check that it runs and that the tracking URI is right.`,
          { status: null, serverErrorCode: null, endpoint },
          { cause: err },
        );
      }
      if (bytes) return bytes;

      const text = await res.text().catch(() => '');
      const parsed = parseErrorBody(text);
      const transient =
        RETRY_STATUSES.has(res.status) ||
        (res.status === 500 &&
          (parsed?.errorCode == null || TRANSIENT_INTERNAL.test(parsed.message))) ||
        (parsed !== null && TRANSIENT_DATABASE.test(parsed.message));
      if (transient && !last) {
        await this.backoff(
          attempt,
          res.headers.get('retry-after'),
          endpoint,
          `HTTP ${res.status}`,
          req.signal,
          deadline,
        );
        continue;
      }
      throw this.httpError(res.status, parsed, text, endpoint, attempt);
    }
  }

  async json<T>(req: RequestOptions): Promise<T> {
    const bytes = await this.request(req);
    const text = Buffer.from(bytes).toString('utf8');
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The raw response text (for callers that parse big integers themselves). */
  async text(req: RequestOptions): Promise<string> {
    return Buffer.from(await this.request(req)).toString('utf8');
  }

  private httpError(
    status: number,
    parsed: ReturnType<typeof parseErrorBody>,
    text: string,
    endpoint: string,
    attempt: number,
  ): MlflowServerError {
    const code = graphtraceCodeFor(status, parsed?.errorCode ?? null);
    const serverSays = parsed
      ? `${parsed.errorCode ? `${parsed.errorCode}: ` : ''}${parsed.message}`
      : text.slice(0, 300).trim() || `HTTP ${status}`;
    let message = `MLflow server ${this.options.baseUrl} refused ${endpoint} (HTTP ${status}): ${serverSays}`;
    if (code === 'UNAUTHENTICATED')
      message += `. The server wants credentials${this.auth ? ' other than those sent' : ''}: ${AUTH_HINT}`;
    else if (code === 'PERMISSION_DENIED')
      message += `. The credentials sent lack permission for this; use an account that has it: ${AUTH_HINT}`;
    else if (status === 404 && !parsed)
      message +=
        '. The endpoint is missing: graphtrace needs MLflow server 3.9 or later at this URI.';
    else if (code === 'STORE_UNAVAILABLE' && attempt > 0)
      message += ` (after ${attempt + 1} attempts)`;
    return new MlflowServerError(code, message, {
      status,
      serverErrorCode: parsed?.errorCode ?? null,
      endpoint,
    });
  }

  /**
   * The error of a call stopped before the server answered: by the caller's signal, or by
   * `maxWaitMs` running out (then the message says how to wait longer).
   */
  private stopped(
    signal: AbortSignal | undefined,
    endpoint: string,
    attempt: number,
    cause?: unknown,
  ): MlflowServerError {
    const attempts = attempt > 0 ? `, ${attempt + 1} attempts` : '';
    const why = signal?.aborted
      ? `stopped waiting: ${rootMessage(signal.reason)}${attempts}`
      : `no answer within ${this.options.maxWaitMs} ms in all${attempts}; if the server is only slow, allow it more time (option maxWaitMs, or the CLI's --timeout)`;
    return new MlflowServerError(
      'STORE_UNAVAILABLE',
      `MLflow server ${this.options.baseUrl} did not answer ${endpoint} (${why})`,
      { status: null, serverErrorCode: null, endpoint },
      { cause: cause ?? signal?.reason },
    );
  }

  private async backoff(
    attempt: number,
    retryAfter: string | null,
    endpoint: string,
    why: string,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<void> {
    const { retryBaseDelayMs: base, retryMaxDelayMs: max } = this.options;
    const exp = Math.min(max, base * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so clients that failed together spread out.
    let delay = exp / 2 + Math.random() * (exp / 2);
    const after = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(after) && after >= 0) delay = Math.min(max, Math.max(delay, after * 1000));
    // Never sleep past the call's deadline; an abort wakes the sleep, and the loop then stops.
    delay = Math.max(0, Math.min(delay, deadline - Date.now()));
    this.logger.debug(`${endpoint}: ${why}; retry ${attempt + 1} in ${Math.round(delay)} ms`);
    await sleep(delay, undefined, signal ? { signal } : undefined).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }
}

/** Splits `http://user:pass@host/` into a credential-free base URL and the credentials. */
export function parseTrackingUri(uri: string): {
  baseUrl: string;
  username?: string;
  password?: string;
} {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `tracking URI "${uri}" is not a URL: use http://host:port or https://host`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `tracking URI "${uri}" is not an http(s) URL: mlflowServerStore talks to an MLflow server; use sqliteStore for sqlite:/// URIs`,
    );
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  const baseUrl = u.toString().replace(/\/+$/, '');
  return {
    baseUrl,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}
