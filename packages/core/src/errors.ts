/** Error codes graphtrace uses across packages; each error also says what to do. */
export type GraphtraceErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_ARGUMENT'
  | 'INVALID_FILTER'
  | 'INVALID_ORDER_BY'
  | 'INVALID_PAGE_TOKEN'
  | 'UNSUPPORTED'
  | 'STORE_UNAVAILABLE'
  | 'READ_ONLY'
  /** An optional package a feature needs (a store for a URI scheme, autolog) is not installed. */
  | 'PACKAGE_NOT_INSTALLED'
  | (string & {});

export class GraphtraceError extends Error {
  readonly code: GraphtraceErrorCode;

  constructor(code: GraphtraceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphtraceError';
    this.code = code;
  }
}

/** A filter or order_by string that does not parse or names something unknown. `column` is 1-based. */
export class FilterSyntaxError extends GraphtraceError {
  readonly column: number;
  readonly filter: string;

  constructor(
    filter: string,
    column: number,
    problem: string,
    what: 'filter' | 'order_by' = 'filter',
  ) {
    super(
      what === 'filter' ? 'INVALID_FILTER' : 'INVALID_ORDER_BY',
      `Invalid ${what} at column ${column}: ${problem}\n  ${filter}\n  ${' '.repeat(Math.max(0, column - 1))}^`,
    );
    this.name = 'FilterSyntaxError';
    this.column = column;
    this.filter = filter;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
