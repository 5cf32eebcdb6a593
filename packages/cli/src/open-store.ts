import { statSync } from 'node:fs';
import { type MlflowConfig, parseTrackingUri, resolveSqlitePath } from '@graphtrace/config';
import type { TrackingStore } from '@graphtrace/core';
import { openStore as setupOpenStore } from '@graphtrace/setup';
import { CliError, usageError } from './errors.js';

export interface OpenStoreOptions {
  /** Relative sqlite paths resolve against it. */
  cwd: string;
  /** Credentials, TLS and timeouts for http(s) stores. */
  config?: MlflowConfig | undefined;
  /** Refuse to create a SQLite file that does not exist (commands that only read). */
  mustExist?: boolean;
  /** Names the flag the URI came from in messages, e.g. `--to`. */
  flag?: string;
  /** Longest one call to a server may wait in all (the CLI's `--timeout`). */
  maxWaitMs?: number;
  /** Environment the server store reads MLFLOW_HTTP_* settings from. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The size of the file at `path`; undefined when there is none. */
function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Opens the store a tracking URI names: `sqlite:///path.db`, `http(s)://host[:port][/path]` or
 * `memory:`. The CLI is one of the few places that picks concrete stores.
 */
export async function openStore(uri: string, options: OpenStoreOptions): Promise<TrackingStore> {
  let parsed: ReturnType<typeof parseTrackingUri>;
  try {
    parsed = parseTrackingUri(uri);
  } catch (err) {
    const message = (err as Error).message;
    throw usageError(options.flag ? `${options.flag}: ${message}` : message, 'INVALID_URI');
  }
  if (parsed.scheme === 'sqlite' && options.mustExist) {
    const path = resolveSqlitePath(parsed, options.cwd);
    const size = fileSize(path);
    if (size === undefined) {
      throw new CliError(
        'DATABASE_NOT_FOUND',
        `no tracking database at ${path} (${uri}): nothing has been recorded there yet; run your program first, or point at another store with --tracking-uri`,
      );
    }
    // SQLite takes an empty file for an empty database, and the store would create
    // MLflow's schema in it: a command that only reads must leave it as it is.
    if (size === 0) {
      throw new CliError(
        'DATABASE_NOT_FOUND',
        `${path} (${uri}) is an empty file, not an MLflow tracking database yet, and this command does not create one (the file stays empty): run your program with this tracking URI to record into it, or point at another store with --tracking-uri`,
      );
    }
  }
  return setupOpenStore(uri, {
    cwd: options.cwd,
    config: options.config,
    maxWaitMs: options.maxWaitMs,
    // The configuration already read MLflow's variables; the store reads the rest.
    env: options.env,
  });
}
