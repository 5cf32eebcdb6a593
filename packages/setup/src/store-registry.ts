import { createRequire } from 'node:module';
import {
  allowTrackingUriScheme,
  type MlflowConfig,
  parseTrackingUri,
  resolveSqlitePath,
} from '@graphtrace/config';
import { GraphtraceError, memoryStore, type TrackingStore } from '@graphtrace/core';

/** What a store factory is given besides the URI. */
export interface StoreContext {
  /** Relative paths resolve against it. */
  cwd: string;
  /** Credentials, TLS, timeouts and the SQLite schema choice of the configuration, when there is one. */
  config?: MlflowConfig | undefined;
  /** Longest one call to a server may wait in all. */
  maxWaitMs?: number | undefined;
  /** Environment a server store reads MLFLOW_HTTP_* settings from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Makes the store a tracking URI of one scheme names. Synchronous, so `setup()` can do all its
 * work in its caller's async context (a store with slow start-up defers it to its first call).
 */
export type StoreFactory = (uri: string, context: StoreContext) => TrackingStore;

const registry = new Map<string, StoreFactory>();

/**
 * Registers the factory of a URI scheme (`'sqlite'`, `'https'`, or a store of your own); it
 * replaces the one registered before. Returns a function that restores that one.
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory): () => void {
  const key = scheme.toLowerCase().replace(/:$/, '');
  const before = registry.get(key);
  registry.set(key, factory);
  const disallow = allowTrackingUriScheme(key);
  return () => {
    disallow();
    if (before) registry.set(key, before);
    else registry.delete(key);
  };
}

function isModuleMissing(err: unknown, specifier: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((err as Error).message).includes(specifier)
  );
}

const requireHere = createRequire(import.meta.url);

/**
 * Loads an optional package on first use, synchronously (Node loads our ES modules through
 * `require` since 20.19); a missing one is a coded error naming it.
 */
export function loadOptional<T>(specifier: string, why: string): T {
  try {
    return requireHere(specifier) as T;
  } catch (err) {
    if (!isModuleMissing(err, specifier)) throw err;
    throw new GraphtraceError(
      'PACKAGE_NOT_INSTALLED',
      `${why} needs ${specifier}, which is not installed: npm i ${specifier}`,
      { cause: err },
    );
  }
}

function sqlite(uri: string, c: StoreContext): TrackingStore {
  const { sqliteStore } = loadOptional<typeof import('@graphtrace/store-sqlite')>(
    '@graphtrace/store-sqlite',
    `the tracking URI ${uri}`,
  );
  const schemaVersion = c.config?.sqlite_schema_version;
  return sqliteStore({
    path: resolveSqlitePath(uri, c.cwd),
    ...(schemaVersion ? { schemaVersion } : {}),
  });
}

function server(uri: string, c: StoreContext): TrackingStore {
  const { mlflowServerStore } = loadOptional<typeof import('@graphtrace/store-mlflow')>(
    '@graphtrace/store-mlflow',
    `the tracking URI ${uri}`,
  );
  const m = c.config;
  return mlflowServerStore({
    trackingUri: uri,
    ...(m?.token ? { token: m.token } : {}),
    ...(m?.username ? { username: m.username } : {}),
    ...(m?.password ? { password: m.password } : {}),
    ...(m?.insecure_tls ? { insecureTls: true } : {}),
    ...(m?.ca_bundle ? { caBundle: m.ca_bundle } : {}),
    ...(m ? { requestTimeoutMs: m.request_timeout * 1000 } : {}),
    ...(c.maxWaitMs !== undefined ? { maxWaitMs: c.maxWaitMs } : {}),
    ...(c.env ? { env: { ...c.env } } : {}),
  });
}

const BUILT_IN: Record<string, StoreFactory> = {
  sqlite,
  http: server,
  https: server,
  memory: () => memoryStore(),
};

/**
 * Opens the store a tracking URI names: `sqlite:///path.db`, `http(s)://host[:port][/path]`,
 * `memory:`, or any scheme registered with `registerStoreScheme`. Store packages load on first
 * use, so an app installs only the stores it uses.
 */
export function openStore(uri: string, context: StoreContext): TrackingStore {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase() ?? '';
  const registered = registry.get(scheme);
  if (registered) return registered(uri, context);
  // Built-in schemes are checked by the configuration's parser, whose errors say what to write
  // instead (a `file:` FileStore URI, a database URI, a bare path).
  const parsed = parseTrackingUri(uri);
  const open = BUILT_IN[parsed.scheme];
  if (!open) {
    throw new GraphtraceError(
      'UNSUPPORTED',
      `no store is registered for the tracking URI ${uri}: call registerStoreScheme('${scheme}', factory) of @graphtrace/setup first`,
    );
  }
  return open(uri, context);
}
