import { GraphtraceError } from '@graphtrace/core';

/**
 * A trace write SQLite itself failed (SQLITE_FULL, SQLITE_IOERR, …) as one of graphtrace's
 * codes, SQLite's error (its own code kept) as the cause; on the writer thread and inline alike.
 * Anything else is returned as it is.
 */
export function writeFailure(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof GraphtraceError || typeof code !== 'string' || !code.startsWith('SQLITE_'))
    return err;
  return new GraphtraceError('SQLITE_WRITE_FAILED', (err as Error).message, { cause: err });
}
