import { causeChain, GraphtraceError, type GraphtraceErrorCode } from '@graphtrace/core';

/** What an MLflow server said when it refused a request. */
export interface ServerErrorBody {
  /** MLflow's `error_code` (e.g. RESOURCE_DOES_NOT_EXIST); absent for FastAPI routes such as /v1/traces. */
  errorCode: string | null;
  message: string;
}

/** A GraphtraceError raised for an HTTP exchange, with what is known about it. */
export class MlflowServerError extends GraphtraceError {
  readonly status: number | null;
  readonly serverErrorCode: string | null;
  readonly endpoint: string;

  constructor(
    code: GraphtraceErrorCode,
    message: string,
    details: { status: number | null; serverErrorCode: string | null; endpoint: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'MlflowServerError';
    this.status = details.status;
    this.serverErrorCode = details.serverErrorCode;
    this.endpoint = details.endpoint;
  }
}

export const AUTH_HINT =
  'set the token (option `token` or MLFLOW_TRACKING_TOKEN) or the user and password ' +
  '(options `username`/`password` or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD)';

export const TLS_HINT =
  'trust the server certificate with `caBundle` (or MLFLOW_TRACKING_SERVER_CERT_PATH), ' +
  'or, for a test server only, disable verification with `insecureTls` (or MLFLOW_TRACKING_INSECURE_TLS=true)';

/** Reads MLflow's `{error_code, message}` or FastAPI's `{detail}` from a response body. */
export function parseErrorBody(text: string): ServerErrorBody | null {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (body && typeof body === 'object') {
      if (typeof body.error_code === 'string')
        return { errorCode: body.error_code, message: String(body.message ?? '') };
      if (body.detail !== undefined)
        return {
          errorCode: null,
          message: typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail),
        };
    }
  } catch {
    // not JSON: a proxy's HTML page, for example
  }
  return null;
}

/** Maps an HTTP status and MLflow error code to graphtrace's error code. */
export function graphtraceCodeFor(status: number, serverCode: string | null): GraphtraceErrorCode {
  switch (serverCode) {
    case 'RESOURCE_DOES_NOT_EXIST':
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'RESOURCE_ALREADY_EXISTS':
    case 'ALREADY_EXISTS':
      return 'ALREADY_EXISTS';
    case 'INVALID_PARAMETER_VALUE':
    case 'BAD_REQUEST':
    case 'INVALID_STATE':
    case 'INVALID_REQUEST':
      return 'INVALID_ARGUMENT';
    case 'UNAUTHENTICATED':
      return 'UNAUTHENTICATED';
    case 'PERMISSION_DENIED':
      return 'PERMISSION_DENIED';
    case 'NOT_IMPLEMENTED':
    case 'FEATURE_DISABLED':
      return 'UNSUPPORTED';
    case 'REQUEST_LIMIT_EXCEEDED':
    case 'TEMPORARILY_UNAVAILABLE':
      return 'STORE_UNAVAILABLE';
  }
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'ALREADY_EXISTS';
  if (status === 501) return 'UNSUPPORTED';
  if (status === 429 || status >= 500) return 'STORE_UNAVAILABLE';
  return 'INVALID_ARGUMENT';
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** The low-level code (ECONNREFUSED, a TLS verification code, …) behind a fetch failure. */
export function networkCode(err: unknown): string | null {
  for (const e of causeChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return null;
}

export function isTlsCode(code: string | null): boolean {
  return (
    code !== null &&
    (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
  );
}

/** Deepest message in a cause chain: fetch's own message is just "fetch failed". */
export function rootMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  for (const e of causeChain(err)) if (e instanceof Error && e.message) msg = e.message;
  return msg;
}
