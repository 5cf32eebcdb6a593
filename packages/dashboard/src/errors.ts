import { FilterSyntaxError, GraphtraceError, type GraphtraceErrorCode } from '@graphtrace/core';

/**
 * Error codes of the dashboard itself (store errors keep the store's code); GraphtraceErrorCode
 * documents each (see ERRORS.md).
 */
export type DashboardErrorCode = Extract<
  GraphtraceErrorCode,
  | 'INVALID_QUERY'
  | 'INVALID_BODY'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'FORBIDDEN_HOST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  | 'INVALID_OPTION'
  | 'TOO_MANY_STREAMS'
  | 'SERVER_CLOSING'
>;

export class DashboardError extends GraphtraceError {
  /** The HTTP status an API response carries for it. */
  readonly status: number;
  /** The query parameter or body field at fault, when there is one. */
  readonly param: string | undefined;

  constructor(
    code: DashboardErrorCode,
    message: string,
    options: { status?: number; param?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DashboardError';
    this.status = options.status ?? 400;
    this.param = options.param;
  }
}

/** The JSON body of every API error. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    /** 1-based column of a filter or order_by error. */
    column?: number;
    /** The query parameter or body field at fault. */
    param?: string;
  };
}

const BAD_REQUEST = new Set([
  'INVALID_ARGUMENT',
  'INVALID_FILTER',
  'INVALID_ORDER_BY',
  'INVALID_PAGE_TOKEN',
]);

/**
 * The HTTP status and body for an error thrown while serving a request. Errors the user can fix
 * (bad filters, page tokens, arguments) are 400 with the store's message; unknown errors are
 * 500 with a generic message, the details going to the log instead.
 */
export function errorResponse(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof FilterSyntaxError) {
    return {
      status: 400,
      body: {
        error: {
          code: err.code,
          message: err.message,
          column: err.column,
          param: err.code === 'INVALID_ORDER_BY' ? 'orderBy' : 'filter',
        },
      },
    };
  }
  if (err instanceof DashboardError) {
    return {
      status: err.status,
      body: {
        error: {
          code: err.code,
          message: err.message,
          ...(err.param === undefined ? {} : { param: err.param }),
        },
      },
    };
  }
  if (err instanceof GraphtraceError) {
    const status = BAD_REQUEST.has(err.code)
      ? 400
      : err.code === 'NOT_FOUND'
        ? 404
        : err.code === 'READ_ONLY'
          ? 409
          : err.code === 'UNSUPPORTED'
            ? 501
            : err.code === 'STORE_UNAVAILABLE'
              ? 503
              : 500;
    if (status !== 500)
      return { status, body: { error: { code: err.code, message: err.message } } };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'The dashboard failed to answer this request; the server log has the details.',
      },
    },
  };
}
