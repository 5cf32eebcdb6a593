import { isMap, isScalar, type Node, Pair, Scalar, YAMLMap } from 'yaml';
import { type ConfigIssue, type ConfigIssueCode, makeIssue } from './errors.js';
import { CONFIG_VERSION } from './schema.js';
import { importCommand, migrateFileStoreUri } from './tracking-uri.js';
import { findPair, positionOf, type SourceDocument } from './yaml-document.js';

/** Keys of the MLflow 2.9-era section renamed without any change of value. */
export const LEGACY_RENAMES: Readonly<Record<string, string>> = {
  experiment: 'experiment_name',
  autolog: 'autolog_enabled',
  enable_autolog: 'autolog_enabled',
  log_inputs_outputs: 'log_prompts',
  tracking_token: 'token',
  tracking_username: 'username',
  tracking_password: 'password',
  tracking_insecure_tls: 'insecure_tls',
  tracking_server_cert_path: 'ca_bundle',
  timeout: 'request_timeout',
};

/** Every legacy key and where its value goes now (for docs and "did you mean"). */
export const LEGACY_KEY_MAP: Readonly<Record<string, string>> = {
  ...LEGACY_RENAMES,
  verify_ssl: 'insecure_tls',
  fallback_uri: 'fallback.uri',
};

export interface MigrateDocumentOptions {
  /**
   * `load`: a file that already says `config_version: 2` is left alone (old keys in it are
   * errors), and no marker is added. `rewrite`: fix everything and add the marker.
   */
  mode: 'load' | 'rewrite';
}

export interface DocumentMigration {
  /** The document was modified. */
  changed: boolean;
  /** One per legacy construct rewritten (the marker is not one). */
  warnings: ConfigIssue[];
  errors: ConfigIssue[];
  /** Things to do by hand, e.g. importing an old FileStore. */
  notes: string[];
  /** The section carries `config_version: 2`. */
  versioned: boolean;
  /** New dot-path -> where the value was written in the file. */
  legacyPaths: Map<string, string>;
}

const SECTION = 'observability.mlflow';

/** Rewrites the MLflow 2.9-era shapes of a YAML document into the current one, in place. */
export function migrateDocument(
  source: SourceDocument,
  options: MigrateDocumentOptions,
): DocumentMigration {
  const result: DocumentMigration = {
    changed: false,
    warnings: [],
    errors: [],
    notes: [],
    versioned: false,
    legacyPaths: new Map(),
  };
  const root = source.doc.contents;
  if (!isMap(root)) return result;

  const warn = (code: ConfigIssueCode, text: string, node: unknown, path: string) => {
    const pos = positionOf(source, node);
    result.warnings.push(
      makeIssue(code, text, { file: source.file, line: pos?.line, column: pos?.column, path }),
    );
    result.changed = true;
  };

  let oldPrefix = SECTION;
  const topPair = findPair(root, 'mlflow');
  if (topPair && (isMap(topPair.value) || topPair.value === null || isNullScalar(topPair.value))) {
    if (!moveTopLevelSection(source, root, topPair, result)) return result;
    oldPrefix = 'mlflow';
    warn(
      'CONFIG_LEGACY_SECTION',
      'moved the top-level `mlflow:` section (MLflow 2.9-era layout) to `observability.mlflow:`',
      topPair.key,
      SECTION,
    );
  }

  const obs = findPair(root, 'observability')?.value;
  const section = isMap(obs) ? findPair(obs, 'mlflow')?.value : undefined;
  if (!isMap(section)) return sortWarnings(result);

  const versionPair = findPair(section, 'config_version');
  const version = versionPair && isScalar(versionPair.value) ? versionPair.value.value : undefined;
  if (versionPair !== undefined && version !== 1 && version !== CONFIG_VERSION) {
    const pos = positionOf(source, versionPair.value);
    const newer = typeof version === 'number' && version > CONFIG_VERSION;
    result.errors.push(
      makeIssue(
        'CONFIG_UNSUPPORTED_VERSION',
        newer
          ? `config_version ${version} is newer than this graphtrace understands (${CONFIG_VERSION}); upgrade @graphtrace/config`
          : `config_version must be ${CONFIG_VERSION} (or absent in MLflow 2.9-era files), got ${JSON.stringify(version ?? null)}`,
        {
          file: source.file,
          line: pos?.line,
          column: pos?.column,
          path: `${SECTION}.config_version`,
        },
      ),
    );
    return result;
  }
  result.versioned = version === CONFIG_VERSION;
  if (result.versioned && options.mode === 'load') return sortWarnings(result);

  const renamed = (from: string, to: string) => {
    result.legacyPaths.set(`${SECTION}.${to}`, `${oldPrefix}.${from}`);
  };

  for (const [from, to] of Object.entries(LEGACY_RENAMES)) {
    const pair = findPair(section, from);
    if (pair === undefined) continue;
    if (dropIfTaken(section, pair, from, to, warn)) continue;
    setKey(pair, to);
    renamed(from, to);
    warn('CONFIG_LEGACY_KEY', `renamed \`${from}\` to \`${to}\``, pair.key, `${SECTION}.${to}`);
  }

  migrateNumbersToStrings(section, warn);
  migrateVerifySsl(section, warn, renamed, result, source);
  migrateFallback(section, warn, renamed);

  const fallback = findPair(section, 'fallback')?.value;
  migrateUri(section, 'tracking_uri', warn, result);
  if (isMap(fallback)) migrateUri(fallback, 'uri', warn, result, 'fallback.');

  if (versionPair !== undefined && version === 1) {
    if (options.mode === 'rewrite') {
      (versionPair.value as Scalar).value = CONFIG_VERSION;
    } else {
      removePair(section, versionPair);
    }
    result.changed = true;
  } else if (versionPair === undefined && options.mode === 'rewrite') {
    // First key, so the format is visible at a glance; comments stay with the key they annotate.
    const first = section.items[0] as Pair | undefined;
    if (first !== undefined && section.commentBefore) {
      const key = ensureScalarKey(first);
      key.commentBefore = joinComments(section.commentBefore, key.commentBefore);
      section.commentBefore = undefined;
    }
    section.items.unshift(new Pair(new Scalar('config_version'), new Scalar(CONFIG_VERSION)));
    result.changed = true;
  }
  return sortWarnings(result);
}

type Warn = (code: ConfigIssueCode, text: string, node: unknown, path: string) => void;

function isNullScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null;
}

function sortWarnings(result: DocumentMigration): DocumentMigration {
  result.warnings.sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  result.notes = [...new Set(result.notes)];
  return result;
}

function moveTopLevelSection(
  source: SourceDocument,
  root: YAMLMap,
  topPair: Pair,
  result: DocumentMigration,
): boolean {
  const obsPair = findPair(root, 'observability');
  const obs = obsPair?.value;
  const topKey = ensureScalarKey(topPair);
  if (obsPair === undefined) {
    // Same place, new nesting: the comment above `mlflow:` now sits above `observability:`.
    const obsKey = new Scalar('observability');
    obsKey.commentBefore = topKey.commentBefore;
    obsKey.spaceBefore = topKey.spaceBefore;
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar('mlflow'), topPair.value));
    root.items[root.items.indexOf(topPair)] = new Pair(obsKey, map);
    return true;
  }
  if (isMap(obs) && findPair(obs, 'mlflow') !== undefined) {
    const pos = positionOf(source, topKey);
    result.errors.push(
      makeIssue(
        'CONFIG_LEGACY_CONFLICT',
        'both a top-level `mlflow:` section (MLflow 2.9-era layout) and `observability.mlflow:` are present; keep only `observability.mlflow:`',
        { file: source.file, line: pos?.line, column: pos?.column, path: 'mlflow' },
      ),
    );
    return false;
  }
  if (!isMap(obs) && obs !== null && !isNullScalar(obs)) {
    const pos = positionOf(source, obs);
    result.errors.push(
      makeIssue(
        'CONFIG_INVALID_TYPE',
        '`observability` must be a mapping to receive the top-level `mlflow:` section',
        { file: source.file, line: pos?.line, column: pos?.column, path: 'observability' },
      ),
    );
    return false;
  }
  const moved = new Pair(new Scalar('mlflow'), topPair.value);
  (moved.key as Scalar).commentBefore = topKey.commentBefore;
  (moved.key as Scalar).spaceBefore = topKey.spaceBefore;
  root.items.splice(root.items.indexOf(topPair), 1);
  if (isMap(obs)) {
    obs.items.push(moved);
  } else {
    const map = new YAMLMap();
    map.items.push(moved);
    obsPair.value = map;
  }
  return true;
}

/** When the new key is already set the old one is dropped, with a warning. */
function dropIfTaken(section: YAMLMap, pair: Pair, from: string, to: string, warn: Warn): boolean {
  const taken = to.includes('.') ? undefined : findPair(section, to);
  if (taken === undefined) return false;
  warn(
    'CONFIG_LEGACY_CONFLICT',
    `\`${from}\` (MLflow 2.9-era) and \`${to}\` are both set; kept \`${to}\` and dropped \`${from}\``,
    pair.key,
    `${SECTION}.${to}`,
  );
  removePair(section, pair);
  return true;
}

/**
 * MLflow's Python client turned `experiment_id: 12` and integer tag values into strings; the
 * schema wants strings, so old files get them quoted.
 */
function migrateNumbersToStrings(section: YAMLMap, warn: Warn): void {
  const quote = (node: unknown, label: string, path: string) => {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isSafeInteger(node.value))
      return;
    const text = String(node.value);
    node.value = text;
    node.type = 'QUOTE_DOUBLE';
    warn('CONFIG_LEGACY_KEY', `read \`${label}: ${text}\` as the string "${text}"`, node, path);
  };
  quote(findPair(section, 'experiment_id')?.value, 'experiment_id', `${SECTION}.experiment_id`);
  const tags = findPair(section, 'tags')?.value;
  if (!isMap(tags)) return;
  for (const pair of tags.items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    quote(pair.value, `tags.${key}`, `${SECTION}.tags`);
  }
}

// requests-style `verify`: false disables verification, a string is a CA bundle path.
function migrateVerifySsl(
  section: YAMLMap,
  warn: Warn,
  renamed: (from: string, to: string) => void,
  result: DocumentMigration,
  source: SourceDocument,
): void {
  const pair = findPair(section, 'verify_ssl');
  if (pair === undefined) return;
  const value = pair.value;
  let raw = isScalar(value) ? value.value : undefined;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) {
    raw = raw.trim().toLowerCase() === 'true';
  }
  if (typeof raw === 'boolean') {
    if (dropIfTaken(section, pair, 'verify_ssl', 'insecure_tls', warn)) return;
    const scalar = value as Scalar;
    scalar.value = !raw;
    setKey(pair, 'insecure_tls');
    renamed('verify_ssl', 'insecure_tls');
    warn(
      'CONFIG_LEGACY_KEY',
      `replaced \`verify_ssl: ${raw}\` with \`insecure_tls: ${!raw}\``,
      pair.key,
      `${SECTION}.insecure_tls`,
    );
    return;
  }
  if (typeof raw === 'string' && raw.trim() !== '') {
    if (dropIfTaken(section, pair, 'verify_ssl', 'ca_bundle', warn)) return;
    setKey(pair, 'ca_bundle');
    renamed('verify_ssl', 'ca_bundle');
    warn(
      'CONFIG_LEGACY_KEY',
      `replaced \`verify_ssl: ${raw}\` (a CA bundle path) with \`ca_bundle: ${raw}\``,
      pair.key,
      `${SECTION}.ca_bundle`,
    );
    return;
  }
  const pos = positionOf(source, value ?? pair.key);
  // Removed so that validation does not report it a second time as an unknown key.
  section.items.splice(section.items.indexOf(pair), 1);
  result.errors.push(
    makeIssue(
      'CONFIG_INVALID_TYPE',
      '`verify_ssl` (MLflow 2.9-era) must be true, false or the path of a CA bundle',
      { file: source.file, line: pos?.line, column: pos?.column, path: `${SECTION}.verify_ssl` },
    ),
  );
}

function migrateFallback(
  section: YAMLMap,
  warn: Warn,
  renamed: (from: string, to: string) => void,
): void {
  let fallbackPair = findPair(section, 'fallback');
  // `fallback: true|false` was the on/off switch; it is now `fallback.enabled`.
  if (
    fallbackPair &&
    isScalar(fallbackPair.value) &&
    typeof fallbackPair.value.value === 'boolean'
  ) {
    const enabled = fallbackPair.value;
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar('enabled'), enabled));
    fallbackPair.value = map;
    renamed('fallback', 'fallback.enabled');
    warn(
      'CONFIG_LEGACY_KEY',
      `replaced \`fallback: ${enabled.value}\` with \`fallback: { enabled: ${enabled.value} }\``,
      fallbackPair.key,
      `${SECTION}.fallback.enabled`,
    );
  }

  const uriPair = findPair(section, 'fallback_uri');
  if (uriPair === undefined) return;
  const uriKey = ensureScalarKey(uriPair);
  fallbackPair = findPair(section, 'fallback');
  const path = `${SECTION}.fallback.uri`;
  if (fallbackPair === undefined) {
    const key = new Scalar('fallback');
    key.commentBefore = uriKey.commentBefore;
    key.spaceBefore = uriKey.spaceBefore;
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar('uri'), uriPair.value));
    section.items[section.items.indexOf(uriPair)] = new Pair(key, map);
  } else if (isMap(fallbackPair.value)) {
    if (findPair(fallbackPair.value, 'uri') !== undefined) {
      warn(
        'CONFIG_LEGACY_CONFLICT',
        '`fallback_uri` (MLflow 2.9-era) and `fallback.uri` are both set; kept `fallback.uri` and dropped `fallback_uri`',
        uriKey,
        path,
      );
      removePair(section, uriPair);
      return;
    }
    const moved = new Pair(new Scalar('uri'), uriPair.value);
    (moved.key as Scalar).commentBefore = uriKey.commentBefore;
    fallbackPair.value.items.push(moved);
    removePair(section, uriPair, false);
  } else if (fallbackPair.value === null || isNullScalar(fallbackPair.value)) {
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar('uri'), uriPair.value));
    fallbackPair.value = map;
    removePair(section, uriPair);
  } else {
    return; // `fallback` has a wrong type: validation reports it, fallback_uri stays unknown.
  }
  renamed('fallback_uri', 'fallback.uri');
  warn('CONFIG_LEGACY_KEY', 'moved `fallback_uri` to `fallback.uri`', uriKey, path);
}

function migrateUri(
  map: YAMLMap,
  key: string,
  warn: Warn,
  result: DocumentMigration,
  prefix = '',
): void {
  const pair = findPair(map, key);
  const node = pair?.value;
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const migrated = migrateFileStoreUri(node.value);
  if (migrated === undefined) return;
  const old = node.value;
  node.value = migrated.sqliteUri;
  const command = importCommand(migrated.mlrunsPath, migrated.sqliteUri);
  result.notes.push(`Import the runs of the old FileStore ${migrated.mlrunsPath} with: ${command}`);
  warn(
    'CONFIG_LEGACY_URI',
    `\`${prefix}${key}: ${old}\` is an MLflow FileStore, which graphtrace does not write; using \`${migrated.sqliteUri}\` instead. Import the old runs with: ${command}`,
    node,
    `${SECTION}.${prefix}${key}`,
  );
}

function ensureScalarKey(pair: Pair): Scalar {
  if (!isScalar(pair.key)) pair.key = new Scalar(pair.key === null ? null : String(pair.key));
  return pair.key as Scalar;
}

function setKey(pair: Pair, name: string): void {
  ensureScalarKey(pair).value = name;
}

function joinComments(a: string | null | undefined, b: string | null | undefined): string {
  return [a, b].filter((c): c is string => !!c).join('\n');
}

/** Removes a pair; its leading comment (and blank line) move to the next pair. */
function removePair(map: YAMLMap, pair: Pair, keepComment = true): void {
  const index = map.items.indexOf(pair);
  if (index < 0) return;
  map.items.splice(index, 1);
  const key = pair.key as Node | null;
  if (!keepComment || !isScalar(key)) return;
  const next = map.items[index] as Pair | undefined;
  if (next !== undefined) {
    const nextKey = ensureScalarKey(next);
    nextKey.commentBefore = joinComments(key.commentBefore, nextKey.commentBefore) || undefined;
    nextKey.spaceBefore = nextKey.spaceBefore || key.spaceBefore;
  } else if (key.commentBefore) {
    map.comment = joinComments(map.comment, key.commentBefore);
  }
}
