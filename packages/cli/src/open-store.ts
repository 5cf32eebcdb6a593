import { statSync } from 'node:fs';
import { type MlflowConfig, parseTrackingUri, resolveSqlitePath } from '@graphtrace/config';
import { memoryStore, type TrackingStore } from '@graphtrace/core';
import type { MlflowServerStoreOptions } from '@graphtrace/store-mlflow';
import { CliError, usageError } from './errors.js';

/** What an http(s) store is given: the URI and the configuration's credentials, TLS, timeout. */
export type ServerStoreOptions = MlflowServerStoreOptions;

/**
 * How each scheme becomes a store. The defaults load the store packages on first use, so
 * `graphtrace --help` does not pay for better-sqlite3 or OpenTelemetry; tests and embedders
 * may pass their own.
 */
export interface StoreFactories {
  sqlite(options: { path: string; schemaVersion?: string }): TrackingStore | Promise<TrackingStore>;
  http(options: ServerStoreOptions): TrackingStore | Promise<TrackingStore>;
  memory(): TrackingStore | Promise<TrackingStore>;
}

export interface OpenStoreOptions {
  /** Relative sqlite paths resolve against it. */
  cwd: string;
  /** Credentials, TLS and timeouts for http(s) stores. */
  config?: MlflowConfig | undefined;
  /** Refuse to create a SQLite file that does not exist (commands that only read). */
  mustExist?: boolean;
  /** Replaces some or all of the default factories. */
  factories?: Partial<StoreFactories>;
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

function isModuleMissing(err: unknown, specifier: string): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((err as Error).message).includes(specifier)
  );
}

/** Loads a store package on first use; a missing one is a one-line error, not a stack. */
async function loadStorePackage<T>(
  specifier: string,
  load: () => Promise<T>,
  why: string,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isModuleMissing(err, specifier)) {
      throw new CliError(
        'STORE_NOT_INSTALLED',
        `${why} needs ${specifier}, which is not installed: install it next to @graphtrace/cli (npm i ${specifier})`,
        { cause: err },
      );
    }
    throw err;
  }
}

export const defaultStoreFactories: StoreFactories = {
  async sqlite(options) {
    const { sqliteStore } = await loadStorePackage(
      '@graphtrace/store-sqlite',
      () => import('@graphtrace/store-sqlite'),
      'a sqlite:/// tracking URI',
    );
    return sqliteStore(options);
  },
  async http(options) {
    const { mlflowServerStore } = await loadStorePackage(
      '@graphtrace/store-mlflow',
      () => import('@graphtrace/store-mlflow'),
      'an http(s):// tracking URI',
    );
    return mlflowServerStore(options);
  },
  memory() {
    return memoryStore();
  },
};

/**
 * Opens the store a tracking URI names: `sqlite:///path.db`, `http(s)://host[:port][/path]` or
 * `memory:`. The CLI is one of the few places that picks concrete stores.
 */
export async function openStore(uri: string, options: OpenStoreOptions): Promise<TrackingStore> {
  const factories = { ...defaultStoreFactories, ...options.factories };
  let parsed: ReturnType<typeof parseTrackingUri>;
  try {
    parsed = parseTrackingUri(uri);
  } catch (err) {
    const message = (err as Error).message;
    throw usageError(options.flag ? `${options.flag}: ${message}` : message, 'INVALID_URI');
  }
  switch (parsed.scheme) {
    case 'memory':
      return factories.memory();
    case 'sqlite': {
      const path = resolveSqlitePath(parsed, options.cwd);
      if (options.mustExist) {
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
      const schemaVersion = options.config?.sqlite_schema_version;
      return factories.sqlite(schemaVersion === undefined ? { path } : { path, schemaVersion });
    }
    case 'http':
    case 'https': {
      const c = options.config;
      return factories.http({
        trackingUri: parsed.url,
        token: c?.token,
        username: c?.username,
        password: c?.password,
        insecureTls: c?.insecure_tls,
        caBundle: c?.ca_bundle,
        requestTimeoutMs: c === undefined ? undefined : c.request_timeout * 1000,
        maxWaitMs: options.maxWaitMs,
        // The configuration already read MLflow's variables; the store reads the rest.
        ...(options.env === undefined ? {} : { env: { ...options.env } }),
      });
    }
  }
}
