import { CONFIG_ERROR_CODES, CONFIG_WARNING_CODES } from '@graphtrace/config';
import { GraphtraceError, type GraphtraceErrorCode } from '@graphtrace/core';

/** Process exit codes of the `graphtrace` command. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed: something missing, unreachable, refused. */
  FAILURE: 1,
  /** The command line or the configuration is wrong: fix it and run again. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The CLI wraps every error in a CliError keeping its code, so any code of the family can appear. */
export type CliErrorCode = GraphtraceErrorCode;

/**
 * An error the CLI reports as one line, `graphtrace: error: <message>`, and exits with
 * `exitCode`. The message says what to do next.
 */
export class CliError extends GraphtraceError {
  readonly exitCode: ExitCode;
  /** Already reported on stdout/stderr (e.g. `config check`): only the exit code is left. */
  readonly silent: boolean;

  constructor(
    code: CliErrorCode,
    message: string,
    options: { exitCode?: ExitCode; cause?: unknown; silent?: boolean } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? ExitCode.FAILURE;
    this.silent = options.silent ?? false;
  }
}

export function usageError(message: string, code: CliErrorCode = 'USAGE'): CliError {
  return new CliError(code, message, { exitCode: ExitCode.USAGE });
}

/** Messages of the libraries can span lines (a filter with a caret): the CLI prints one. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

/**
 * Codes of errors the user fixes by changing the command line or the configuration: exit 2.
 * Every configuration problem counts (a ConfigError carries the code of its first issue).
 */
const USAGE_CODES: ReadonlySet<GraphtraceErrorCode> = new Set<GraphtraceErrorCode>([
  'INVALID_ARGUMENT',
  'INVALID_FILTER',
  'INVALID_ORDER_BY',
  'INVALID_PAGE_TOKEN',
  ...CONFIG_ERROR_CODES,
  ...CONFIG_WARNING_CODES,
]);

/** Turns anything thrown into a CliError with the right exit code. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof GraphtraceError) {
    return new CliError(err.code, firstLine(err.message), {
      exitCode: USAGE_CODES.has(err.code) ? ExitCode.USAGE : ExitCode.FAILURE,
      cause: err,
    });
  }
  // Not ours (a library's or Node's error): a failure, with its message.
  if (err instanceof Error) return new CliError('INTERNAL', firstLine(err.message), { cause: err });
  return new CliError('INTERNAL', String(err));
}
