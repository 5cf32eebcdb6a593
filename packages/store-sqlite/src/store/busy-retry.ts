import { setTimeout as sleep } from 'node:timers/promises';
import { GraphtraceError } from '@graphtrace/core';

/** SQLITE_BUSY (and its extended codes) and SQLITE_LOCKED: another connection holds the lock. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  );
}

export interface BusyRetryOptions {
  /** Total time to keep retrying after busy_timeout gave up, in ms. */
  maxWaitMs: number;
  /** Names the store in the final error. */
  uri: string;
}

/**
 * SQLite's busy_timeout blocks the thread while it waits; when it runs out we retry with an
 * async, jittered backoff so that other work (and other processes) can make progress, and only
 * give up after `maxWaitMs` with a coded error: raw SQLITE_BUSY never reaches callers.
 */
export async function withBusyRetry<T>(
  fn: () => T | Promise<T>,
  options: BusyRetryOptions,
): Promise<T> {
  const deadline = Date.now() + options.maxWaitMs;
  let delay = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      if (Date.now() >= deadline) {
        throw new GraphtraceError(
          'STORE_UNAVAILABLE',
          `${options.uri} stayed locked by another connection for over ${options.maxWaitMs} ms (${attempt} attempts); ` +
            'another process is holding a long write transaction. Retry later, or raise busyTimeoutMs.',
          { cause: err },
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 250);
    }
  }
}
