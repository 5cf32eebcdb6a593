import { GraphtraceError, type Logger } from '@graphtrace/core';
import type { FetchLike, HttpClientOptions } from './http-client.js';
import { parseTrackingUri } from './http-client.js';

export interface MlflowServerStoreOptions {
  /** `http://host:5000` or `https://mlflow.example.com/prefix`; `user:pass@` in it is basic auth. */
  trackingUri: string;
  /** Bearer token (MLflow's MLFLOW_TRACKING_TOKEN). Wins over username/password. */
  token?: string;
  /** Basic auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). */
  username?: string;
  password?: string;
  /** Skip TLS certificate verification (MLFLOW_TRACKING_INSECURE_TLS). For test servers only. */
  insecureTls?: boolean;
  /** A CA bundle to trust: PEM text or a file path (MLFLOW_TRACKING_SERVER_CERT_PATH). */
  caBundle?: string;
  /** Per-attempt timeout. Default 30 000 ms (MLFLOW_HTTP_REQUEST_TIMEOUT, in seconds). */
  requestTimeoutMs?: number;
  /**
   * Longest one call waits for the server in all, attempts and backoff included; beyond it the
   * call fails with STORE_UNAVAILABLE. Default: no bound beyond the attempts' own timeouts.
   */
  maxWaitMs?: number;
  /** Retries after the first attempt for transient failures. Default 3 (MLFLOW_HTTP_REQUEST_MAX_RETRIES). */
  retries?: number;
  /** First backoff delay; it doubles per retry (with jitter) up to `retryMaxDelayMs`. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Default 4 000 ms. */
  retryMaxDelayMs?: number;
  /** A fetch to use instead of Node's (a proxy agent, a test double). TLS options are then up to it. */
  fetch?: FetchLike;
  /**
   * Where to read MLflow's MLFLOW_TRACKING_* / MLFLOW_HTTP_* variables for options not given;
   * default `process.env`, `false` to read none.
   */
  env?: Record<string, string | undefined> | false;
  /** Where retries are reported (debug level). */
  logger?: Logger;
}

function envNumber(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new GraphtraceError('INVALID_ARGUMENT', `${name}="${raw}" is not a non-negative number`);
  }
  return n;
}

function positive(
  name: string,
  v: number | undefined,
  fallback: number,
  allowZero = false,
): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `mlflowServerStore option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`,
    );
  }
  return v;
}

/** Options with MLflow's environment variables filled in and defaults applied. */
export function resolveOptions(o: MlflowServerStoreOptions): HttpClientOptions & { uri: string } {
  const env = o.env === false ? {} : (o.env ?? process.env);
  const parsed = parseTrackingUri(o.trackingUri);
  const timeoutS = envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT');
  const insecureEnv = env.MLFLOW_TRACKING_INSECURE_TLS;
  const token = o.token ?? (env.MLFLOW_TRACKING_TOKEN || undefined);
  const username = o.username ?? parsed.username ?? (env.MLFLOW_TRACKING_USERNAME || undefined);
  const password = o.password ?? parsed.password ?? (env.MLFLOW_TRACKING_PASSWORD || undefined);
  if ((username === undefined) !== (password === undefined) && !token) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `basic auth for ${parsed.baseUrl} needs both a username and a password (options username/password or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD)`,
    );
  }
  return {
    uri: parsed.baseUrl,
    baseUrl: parsed.baseUrl,
    token,
    username,
    password,
    insecureTls: o.insecureTls ?? (insecureEnv ? /^(1|true|yes)$/i.test(insecureEnv) : false),
    caBundle: o.caBundle ?? (env.MLFLOW_TRACKING_SERVER_CERT_PATH || undefined),
    requestTimeoutMs: positive(
      'requestTimeoutMs',
      o.requestTimeoutMs ?? (timeoutS !== undefined ? timeoutS * 1000 : undefined),
      30_000,
    ),
    maxWaitMs: o.maxWaitMs === undefined ? undefined : positive('maxWaitMs', o.maxWaitMs, 0),
    retries: Math.floor(
      positive('retries', o.retries ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES'), 3, true),
    ),
    retryBaseDelayMs: positive('retryBaseDelayMs', o.retryBaseDelayMs, 250, true),
    retryMaxDelayMs: positive('retryMaxDelayMs', o.retryMaxDelayMs, 4_000, true),
    fetch: o.fetch,
    logger: o.logger,
  };
}
