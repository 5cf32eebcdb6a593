import type { GraphtraceErrorCode } from './error-codes.js';

export type { GraphtraceErrorCode } from './error-codes.js';

/**
 * The one error family of graphtrace: every package's errors (SchemaError, ConfigError,
 * DashboardError, CliError, …) extend it, so `instanceof GraphtraceError` and `code` are enough
 * to handle any of them. ERRORS.md lists the codes.
 */
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

/** How many links of a cause chain are followed: guards against cycles and absurd nesting. */
const MAX_CAUSE_DEPTH = 5;

/**
 * `err` and the errors behind it (`cause` after `cause`), outermost first, at most 5. Node's
 * fetch, for one, reports "fetch failed" with the useful code (ECONNREFUSED, a TLS code) and
 * message a cause or two deeper.
 */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && chain.length < MAX_CAUSE_DEPTH; e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
