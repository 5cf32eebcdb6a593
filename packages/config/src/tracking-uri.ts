import { posix, resolve } from 'node:path';
import { ConfigError } from './errors.js';

/** A tracking URI, decoded enough for another package to pick its store. */
export type TrackingUri =
  | { scheme: 'sqlite'; path: string; absolute: boolean }
  | { scheme: 'http' | 'https'; url: string }
  | { scheme: 'memory' }
  /** A scheme a store package registered (`registerStoreScheme` of @graphtrace/setup). */
  | { scheme: 'registered'; name: string; url: string };

export type TrackingUriParseResult =
  | { ok: true; value: TrackingUri }
  | { ok: false; message: string; legacy: boolean };

/** Schemes registered by store packages: accepted as they are, the store checks the rest. */
const registeredSchemes = new Set<string>();

/**
 * Lets configuration name a tracking URI scheme a store package provides; returns the undo.
 * @graphtrace/setup's `registerStoreScheme` calls it, so registering a store is one call.
 */
export function allowTrackingUriScheme(scheme: string): () => void {
  const key = scheme.toLowerCase().replace(/:$/, '');
  const had = registeredSchemes.has(key);
  registeredSchemes.add(key);
  return () => {
    if (!had) registeredSchemes.delete(key);
  };
}

const IMPORT_HINT = 'graphtrace import mlruns <dir> --to sqlite:///mlflow.db';

/** A URI as messages may show it: the password of `scheme://user:password@host` masked. */
export function displayUri(uri: string): string {
  return uri.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/, '$1***@');
}

/** Parses a tracking URI without throwing; `legacy` marks MLflow FileStore forms. */
export function tryParseTrackingUri(uri: string): TrackingUriParseResult {
  const shown = displayUri(uri);
  const fail = (message: string, legacy = false): TrackingUriParseResult => ({
    ok: false,
    message,
    legacy,
  });
  if (uri.trim() === '') return fail('the tracking URI is empty');
  if (uri !== uri.trim()) return fail(`\`${shown}\` has leading or trailing spaces`);

  if (/^databricks(:|$)/i.test(uri)) {
    return fail(
      'Databricks workspaces are not supported as a tracking URI; use an http(s):// MLflow server',
    );
  }
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  // A drive letter (C:\mlruns) is a path, not a scheme.
  const scheme = schemeMatch && schemeMatch[1]!.length > 1 ? schemeMatch[1]!.toLowerCase() : '';

  switch (scheme) {
    case 'sqlite':
      return parseSqlite(uri);
    case 'http':
    case 'https':
      return parseHttp(uri, scheme);
    case 'memory':
      return /^memory:(\/\/)?$/i.test(uri)
        ? { ok: true, value: { scheme: 'memory' } }
        : fail(`\`${shown}\`: the in-memory store takes no path; write \`memory:\``);
    case 'file':
      return fail(
        `\`${shown}\` is an MLflow FileStore URI (MLflow 2.x), which graphtrace does not write; ` +
          `use sqlite:///mlflow.db and import the old runs with \`${IMPORT_HINT}\``,
        true,
      );
    case 'postgresql':
    case 'postgres':
    case 'mysql':
    case 'mssql':
      return fail(
        `\`${scheme}:\` is a database URI; graphtrace reaches such databases through an MLflow ` +
          `tracking server: run \`mlflow server --backend-store-uri ${scheme}://...\` and set ` +
          'the tracking URI to its http(s):// address',
      );
    case '':
      return fail(
        `\`${shown}\` has no scheme; a bare path is an MLflow FileStore (MLflow 2.x), which ` +
          `graphtrace does not write: use sqlite:///mlflow.db and import the old runs with \`${IMPORT_HINT}\``,
        true,
      );
    default:
      if (registeredSchemes.has(scheme)) {
        return { ok: true, value: { scheme: 'registered', name: scheme, url: uri } };
      }
      return fail(
        `unsupported scheme \`${scheme}:\`; use sqlite:///relative.db, sqlite:////absolute/path.db, ` +
          'http(s)://host[:port][/path] or memory:, or register a store for it with ' +
          'registerStoreScheme of @graphtrace/setup',
      );
  }
}

/** Parses a tracking URI, throwing a `ConfigError` (`CONFIG_INVALID_URI`) when it is bad. */
export function parseTrackingUri(uri: string): TrackingUri {
  const result = tryParseTrackingUri(uri);
  if (!result.ok) throw new ConfigError('CONFIG_INVALID_URI', result.message);
  return result.value;
}

/** The absolute file path of a sqlite URI; relative paths are resolved against `cwd`. */
export function resolveSqlitePath(uri: string | TrackingUri, cwd: string = process.cwd()): string {
  const parsed = typeof uri === 'string' ? parseTrackingUri(uri) : uri;
  if (parsed.scheme !== 'sqlite') {
    throw new ConfigError('CONFIG_INVALID_URI', `\`${describe(parsed)}\` is not a sqlite URI`);
  }
  return parsed.absolute ? parsed.path : resolve(cwd, parsed.path);
}

function describe(uri: TrackingUri): string {
  return uri.scheme === 'memory' ? 'memory:' : uri.scheme === 'sqlite' ? uri.path : uri.url;
}

function parseSqlite(uri: string): TrackingUriParseResult {
  const shown = displayUri(uri);
  const rest = uri.slice('sqlite:'.length);
  const bad = (why: string): TrackingUriParseResult => ({
    ok: false,
    message: `\`${shown}\`: ${why}; write sqlite:///relative/path.db or sqlite:////absolute/path.db`,
    legacy: false,
  });
  if (!rest.startsWith('///')) return bad('a sqlite URI has three slashes and no host');
  if (/[?#]/.test(rest)) return bad('query strings and fragments are not supported');
  let path: string;
  try {
    path = decodeURIComponent(rest.slice(3));
  } catch {
    return bad('the path has an invalid %-escape');
  }
  if (path === '' || path === '/') return bad('the database file path is missing');
  if (path === ':memory:') {
    return {
      ok: false,
      message: `\`${shown}\`: for an in-memory store write \`memory:\``,
      legacy: false,
    };
  }
  if (path.endsWith('/')) return bad('the path names a directory, not a database file');
  const absolute = path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path);
  return { ok: true, value: { scheme: 'sqlite', path, absolute } };
}

function parseHttp(uri: string, scheme: 'http' | 'https'): TrackingUriParseResult {
  const shown = displayUri(uri);
  const bad = (why: string): TrackingUriParseResult => ({
    ok: false,
    message: `\`${shown}\`: ${why}`,
    legacy: false,
  });
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return bad('not a valid URL; write http(s)://host[:port][/path]');
  }
  if (!/^https?:\/\/[^/]/i.test(uri) || url.hostname === '') return bad('the host is missing');
  if (url.username !== '' || url.password !== '') {
    // Credentials in URIs end up in logs and run params; MLflow has dedicated settings.
    return bad(
      'credentials in the URI are not accepted; set username/password (or ' +
        'MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD) instead',
    );
  }
  if (url.search !== '' || url.hash !== '')
    return bad('query strings and fragments are not supported');
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, value: { scheme, url: `${url.protocol}//${url.host}${path}` } };
}

/**
 * MLflow 2.x FileStore locations (`file://./mlruns`, `file:///abs/mlruns`, a bare path) and the
 * sqlite URI that replaces them: a `mlflow.db` next to the old `mlruns` directory.
 */
export function migrateFileStoreUri(
  uri: string,
): { sqliteUri: string; mlrunsPath: string } | undefined {
  const parsed = tryParseTrackingUri(uri);
  if (parsed.ok || !parsed.legacy) return undefined;
  let path = uri;
  if (/^file:/i.test(path)) {
    path = path.slice('file:'.length);
    if (path.startsWith('//')) {
      path = path.slice(2);
      // file://localhost/abs and file:///abs both name /abs.
      if (path.startsWith('localhost/')) path = path.slice('localhost'.length);
    }
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
  }
  if (path === '') return undefined;
  const posixPath = path.replace(/\\/g, '/');
  const dbPath = posix.join(posix.dirname(posix.normalize(posixPath)), 'mlflow.db');
  return { sqliteUri: `sqlite:///${dbPath}`, mlrunsPath: path };
}

/** The command that imports an old FileStore into the new sqlite store. */
export function importCommand(mlrunsPath: string, sqliteUri: string): string {
  const quoted = /^[\w./:@%+=-]+$/.test(mlrunsPath)
    ? mlrunsPath
    : `'${mlrunsPath.replace(/'/g, `'\\''`)}'`;
  return `graphtrace import mlruns ${quoted} --to ${sqliteUri}`;
}
