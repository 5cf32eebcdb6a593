import { ConfigError } from '@graphtrace/config';
import { FilterSyntaxError, GraphtraceError } from '@graphtrace/core';

/** Process exit codes of the `graphtrace` command. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed: something missing, unreachable, refused. */
  FAILURE: 1,
  /** The command line or the configuration is wrong: fix it and run again. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type CliErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'INVALID_URI'
  | 'INVALID_FILTER'
  | 'INVALID_ORDER_BY'
  | 'NOT_FOUND'
  | 'FILE_EXISTS'
  | 'CONFIRMATION_REQUIRED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_NOT_INSTALLED'
  | 'DATABASE_NOT_FOUND'
  | 'DASHBOARD_NOT_INSTALLED'
  | 'IMPORT_FAILED'
  | 'SYNC_FAILED'
  | 'WRITE_FAILED'
  | 'CHECKS_FAILED'
  | (string & {});

/**
 * An error the CLI reports as one line, `graphtrace: error: <message>`, and exits with
 * `exitCode`. The message says what to do next.
 */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;
  /** Already reported on stdout/stderr (e.g. `config check`): only the exit code is left. */
  readonly silent: boolean;

  constructor(
    code: CliErrorCode,
    message: string,
    options: { exitCode?: ExitCode; cause?: unknown; silent?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
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

/** Turns anything thrown into a CliError with the right exit code. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof FilterSyntaxError) {
    return new CliError(err.code, firstLine(err.message), {
      exitCode: ExitCode.USAGE,
      cause: err,
    });
  }
  if (err instanceof ConfigError) {
    return new CliError(err.code, firstLine(err.message), { exitCode: ExitCode.USAGE, cause: err });
  }
  if (err instanceof GraphtraceError) {
    const usage =
      err.code === 'INVALID_ARGUMENT' ||
      err.code === 'INVALID_FILTER' ||
      err.code === 'INVALID_ORDER_BY' ||
      err.code === 'INVALID_PAGE_TOKEN';
    return new CliError(err.code, firstLine(err.message), {
      exitCode: usage ? ExitCode.USAGE : ExitCode.FAILURE,
      cause: err,
    });
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return new CliError(typeof code === 'string' ? code : 'INTERNAL', firstLine(err.message), {
      cause: err,
    });
  }
  return new CliError('INTERNAL', String(err));
}
