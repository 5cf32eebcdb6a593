import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Document } from 'yaml';
import { configSizeProblem } from './config-size.js';
import { CONFIG_PATH_ENV, ENV_BINDINGS, parseEnvValue } from './env.js';
import { type ConfigIssue, type IssueLocation, makeIssue } from './errors.js';
import { migrateDocument } from './legacy.js';
import { OPTION_BY_PATH, OPTION_LEAVES, type OptionLeaf } from './options.js';
import {
  type ConfigOverrides,
  type GraphtraceConfig,
  type GraphtraceConfigInput,
  type MlflowConfig,
  MlflowConfigSchema,
  SECRET_OPTIONS,
  SECTION_PATH,
} from './schema.js';
import { sqliteWriteProblem } from './sqlite-check.js';
import { editDistance, suggestKey } from './suggest.js';
import { importCommand, migrateFileStoreUri, tryParseTrackingUri } from './tracking-uri.js';
import { describeValue, dotPath, type IssueOrigin, mapZodIssues } from './validate.js';
import { locate, locator, parseYaml, type SourceDocument } from './yaml-document.js';

/** Where an effective value came from. */
export type ConfigSource =
  | { kind: 'default' }
  | {
      kind: 'file';
      file: string;
      line?: number;
      column?: number;
      /** Where an MLflow 2.9-era file wrote it, when migrated (e.g. `mlflow.experiment`). */
      legacyPath?: string;
    }
  | { kind: 'object'; legacyPath?: string }
  | { kind: 'env'; variable: string }
  | { kind: 'override' };

export interface LoadConfigOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over everything else (e.g. CLI flags). */
  overrides?: ConfigOverrides;
  /** Directory relative paths (config file, sqlite URIs) resolve against; defaults to `process.cwd()`. */
  cwd?: string;
  /** Check that sqlite databases can be created; default true. */
  checkFilesystem?: boolean;
}

export interface LoadConfigTextOptions extends LoadConfigOptions {
  /** Name used in messages for the text's location. */
  filename?: string;
}

interface LoadReport {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Effective dot-path -> origin, for every leaf that has a value. */
  sources: Record<string, ConfigSource>;
  /** Things the user should do, e.g. import an old FileStore. */
  notes: string[];
  /** Absolute path of the file read, if any. */
  file?: string;
}

export type LoadConfigResult =
  | (LoadReport & { ok: true; config: GraphtraceConfig })
  | (LoadReport & { ok: false; config: undefined });

/** The parsed file or object, ready to merge. */
interface FileLayer {
  kind: 'file' | 'object';
  file: string | undefined;
  source: SourceDocument | undefined;
  section: Record<string, unknown> | undefined;
  legacyPaths: Map<string, string>;
}

type LayerValues = Map<string, { value: unknown; source: ConfigSource }>;

/**
 * Loads the effective configuration: defaults < file (or object) < environment < overrides.
 * Never throws for user mistakes: every problem is in `errors`, with `config` undefined.
 */
export function loadConfig(
  pathOrObject?: string | GraphtraceConfigInput | null,
  options: LoadConfigOptions = {},
): LoadConfigResult {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let input = pathOrObject;
  if (input === undefined || input === null) {
    const fromEnv = env[CONFIG_PATH_ENV];
    if (fromEnv !== undefined && fromEnv !== '') input = fromEnv;
  }
  if (typeof input === 'string') {
    const absolute = resolve(cwd, input);
    let text: string;
    try {
      // Checked before reading, so a huge file is refused without loading it into memory.
      const tooLarge = configSizeProblem(statSync(absolute).size, input);
      if (tooLarge !== undefined) return failed(tooLarge, absolute);
      text = readFileSync(absolute, 'utf8');
    } catch (err) {
      return failed(readError(err, input, absolute), absolute);
    }
    const result = load(parseText(text, input), options);
    result.file = absolute;
    return result;
  }
  if (input === undefined || input === null) return load(undefined, options);
  if (typeof input !== 'object' || Array.isArray(input)) {
    return failed(
      makeIssue(
        'CONFIG_INVALID_TYPE',
        `loadConfig expects a file path or a configuration object, got ${describeValue(input)}`,
      ),
    );
  }
  const source: SourceDocument = {
    doc: new Document(input),
    file: undefined,
    lineCounter: undefined,
  };
  return load({ kind: 'object', source, errors: [] }, options);
}

/** Like `loadConfig`, for YAML text already in memory (stdin, an editor buffer). */
export function loadConfigText(
  text: string,
  options: LoadConfigTextOptions = {},
): LoadConfigResult {
  return load(parseText(text, options.filename ?? '<text>'), options);
}

/** A document ready to load; exported for the migrator, not part of the public API. */
export interface Parsed {
  kind: 'file' | 'object';
  source: SourceDocument;
  errors: ConfigIssue[];
}

function parseText(text: string, file: string): Parsed {
  const { source, errors } = parseYaml(text, file);
  return { kind: 'file', source, errors };
}

function failed(issue: ConfigIssue, file?: string): LoadConfigResult {
  const result: LoadConfigResult = {
    ok: false,
    config: undefined,
    errors: [issue],
    warnings: [],
    sources: {},
    notes: [],
  };
  if (file !== undefined) result.file = file;
  return result;
}

function readError(err: unknown, shown: string, absolute: string): ConfigIssue {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return makeIssue('CONFIG_NOT_FOUND', `config file not found (looked for ${absolute})`, {
      file: shown,
    });
  }
  const why =
    code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (err as Error).message;
  return makeIssue('CONFIG_READ_FAILED', `cannot read the config file: ${why}`, { file: shown });
}

/** Loads an already parsed document; the migrator uses it to validate what it would write. */
export function load(parsed: Parsed | undefined, options: LoadConfigOptions): LoadConfigResult {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const notes: string[] = [];

  let fileLayer: FileLayer | undefined;
  if (parsed !== undefined) {
    errors.push(...parsed.errors);
    // A document with syntax errors is not interpreted further: its values are guesses.
    if (parsed.errors.length === 0) {
      fileLayer = readDocument(parsed, errors, warnings, notes);
    }
  }

  const layers: LayerValues[] = [];
  if (fileLayer?.section !== undefined) layers.push(fileValues(fileLayer));
  layers.push(envValues(env, errors, warnings, notes));
  layers.push(overrideValues(options.overrides, errors, warnings, notes));

  const sources = collectSources(layers);
  const report: LoadReport = { errors, warnings, sources, notes: [...new Set(notes)] };
  if (errors.length > 0) return { ...report, ok: false, config: undefined };

  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [path, { value }] of layer) setAt(merged, OPTION_BY_PATH.get(path)!.segments, value);
  }
  const parsedConfig = MlflowConfigSchema.safeParse(merged);
  if (!parsedConfig.success) {
    // Every layer was checked on its own, so this only happens for an internal inconsistency.
    errors.push(...mapZodIssues(parsedConfig.error.issues, merged, { kind: 'override' }));
    return { ...report, ok: false, config: undefined };
  }
  const mlflow = parsedConfig.data as MlflowConfig;
  crossChecks(mlflow, sources, fileLayer, errors, warnings);
  if (options.checkFilesystem !== false) filesystemChecks(mlflow, sources, fileLayer, cwd, errors);
  if (errors.length > 0) return { ...report, ok: false, config: undefined };
  return { ...report, ok: true, config: { observability: { mlflow } } };
}

/** Migrates, checks the layout and validates the section of a file or object. */
function readDocument(
  parsed: Parsed,
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
  notes: string[],
): FileLayer | undefined {
  const { source, kind } = parsed;
  const migration = migrateDocument(source, { mode: 'load' });
  errors.push(...migration.errors);
  notes.push(...migration.notes);
  if (migration.warnings.length > 0) {
    const count = migration.warnings.length;
    const text =
      kind === 'file'
        ? `MLflow 2.9-era format, read with ${count} change(s) made in memory; rewrite the file with: graphtrace config migrate ${source.file}`
        : `the configuration object uses the MLflow 2.9-era format; read with ${count} change(s)`;
    warnings.push(
      makeIssue('CONFIG_LEGACY_FORMAT', text, { file: source.file }),
      ...migration.warnings,
    );
  }
  if (migration.errors.length > 0) return undefined;

  let js: unknown;
  try {
    js = source.doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    errors.push(
      makeIssue('CONFIG_YAML_SYNTAX', `YAML could not be resolved: ${(err as Error).message}`, {
        file: source.file,
      }),
    );
    return undefined;
  }

  // Built after the migration above: the document does not change while issues are located.
  const where = locator(source);
  const missing = (text: string) => {
    if (kind === 'file')
      warnings.push(makeIssue('CONFIG_SECTION_MISSING', text, { file: source.file }));
  };
  const layer: FileLayer = {
    kind,
    file: source.file,
    source,
    section: undefined,
    legacyPaths: migration.legacyPaths,
  };

  if (js === null || js === undefined) {
    missing('the file is empty; using defaults for observability.mlflow');
    return layer;
  }
  if (!isPlainObject(js)) {
    errors.push(
      makeIssue(
        'CONFIG_INVALID_TYPE',
        `the configuration must be a mapping (key: value) at the top level, got ${describeValue(js)}`,
        { ...where([]) },
      ),
    );
    return undefined;
  }
  nearMisses(js, [], 'observability', where, warnings);
  const obs = js.observability;
  if (obs === undefined || obs === null) {
    missing('no `observability.mlflow` section; using defaults');
    return layer;
  }
  if (!isPlainObject(obs)) {
    errors.push(
      makeIssue(
        'CONFIG_INVALID_TYPE',
        `observability must be a mapping, got ${describeValue(obs)}`,
        {
          ...where(['observability']),
          path: 'observability',
        },
      ),
    );
    return undefined;
  }
  nearMisses(obs, ['observability'], 'mlflow', where, warnings);
  let section = obs.mlflow;
  if (section === undefined) {
    missing('no `observability.mlflow` section; using defaults');
    return layer;
  }
  if (section === null) section = {};
  if (!isPlainObject(section)) {
    errors.push(
      makeIssue(
        'CONFIG_INVALID_TYPE',
        `observability.mlflow must be a mapping, got ${describeValue(section)}`,
        { ...where([...SECTION_PATH]), path: 'observability.mlflow' },
      ),
    );
    return undefined;
  }
  const cleaned = dropNulls(section);
  const origin: IssueOrigin = {
    kind: 'file',
    versioned: migration.versioned,
    locate: (segments, key) => where([...SECTION_PATH, ...segments], key),
  };
  const check = MlflowConfigSchema.safeParse(cleaned);
  if (!check.success) {
    // In file order, which is how users read and fix them.
    const found = mapZodIssues(check.error.issues, cleaned, origin);
    found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    errors.push(...found);
  }
  layer.section = cleaned;
  return layer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// `run_name:` with nothing after it means "not set", as users expect from YAML.
function dropNulls(section: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (value === null) continue;
    out[key] = key === 'fallback' && isPlainObject(value) ? dropNulls(value) : value;
  }
  return out;
}

/** Sibling keys of ours that look like typos of it: a warning, as they may belong to others. */
function nearMisses(
  object: Record<string, unknown>,
  parent: string[],
  expected: string,
  where: (segments: readonly (string | number)[], key?: boolean) => IssueLocation,
  warnings: ConfigIssue[],
): void {
  if (expected in object) return;
  for (const key of Object.keys(object)) {
    const normalized = key.toLowerCase().replace(/-/g, '_');
    // Edit distance only: unrelated sections of an app config must not trigger a warning.
    if (normalized[0] !== expected[0] || editDistance(normalized, expected) > 2) continue;
    const path = [...parent, key].join('.');
    const wanted = [...parent, expected].join('.');
    warnings.push(
      makeIssue(
        'CONFIG_UNKNOWN_KEY',
        `\`${path}\` is not read by graphtrace; did you mean \`${wanted}\`?`,
        { ...where([...parent, key], true), path },
        { suggestion: wanted },
      ),
    );
  }
}

function fileValues(layer: FileLayer): LayerValues {
  const values: LayerValues = new Map();
  for (const leaf of OPTION_LEAVES) {
    const value = getAt(layer.section, leaf.segments);
    if (value === undefined) continue;
    const legacyPath = layer.legacyPaths.get(leaf.path);
    let source: ConfigSource;
    if (layer.kind === 'file' && layer.file !== undefined) {
      const loc = locate(layer.source, [...SECTION_PATH, ...leaf.segments]);
      source = { kind: 'file', file: layer.file };
      if (loc.line !== undefined) source.line = loc.line;
      if (loc.column !== undefined) source.column = loc.column;
      if (legacyPath !== undefined) source.legacyPath = legacyPath;
    } else {
      source = legacyPath === undefined ? { kind: 'object' } : { kind: 'object', legacyPath };
    }
    values.set(leaf.path, { value, source });
  }
  return values;
}

const URI_PATHS = new Set([
  'observability.mlflow.tracking_uri',
  'observability.mlflow.fallback.uri',
]);

/** Old FileStore URIs given through env or overrides are migrated like those in files. */
function migrateUriValue(
  leaf: OptionLeaf,
  value: unknown,
  loc: IssueLocation,
  warnings: ConfigIssue[],
  notes: string[],
): unknown {
  if (!URI_PATHS.has(leaf.path) || typeof value !== 'string') return value;
  const migrated = migrateFileStoreUri(value);
  if (migrated === undefined) return value;
  const command = importCommand(migrated.mlrunsPath, migrated.sqliteUri);
  notes.push(`Import the runs of the old FileStore ${migrated.mlrunsPath} with: ${command}`);
  warnings.push(
    makeIssue(
      'CONFIG_LEGACY_URI',
      `\`${value}\` is an MLflow FileStore, which graphtrace does not write; using \`${migrated.sqliteUri}\` instead. Import the old runs with: ${command}`,
      { ...loc, path: leaf.path },
    ),
  );
  return migrated.sqliteUri;
}

function envValues(
  env: Readonly<Record<string, string | undefined>>,
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
  notes: string[],
): LayerValues {
  const values: LayerValues = new Map();
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.variable];
    // An empty variable is how shells unset things for one command: treat it as absent.
    if (raw === undefined || raw === '') continue;
    const leaf = OPTION_BY_PATH.get(binding.path)!;
    const secret = SECRET_OPTIONS.has(binding.path);
    const parsed = parseEnvValue(raw, binding.kind);
    if (!parsed.ok) {
      const shown = secret ? 'the value' : JSON.stringify(raw);
      errors.push(
        makeIssue('CONFIG_INVALID_ENV', `${shown} ${parsed.message}`, {
          variable: binding.variable,
          path: binding.path,
        }),
      );
      continue;
    }
    const loc = { variable: binding.variable };
    const value = migrateUriValue(leaf, parsed.value, loc, warnings, notes);
    const check = leaf.schema.safeParse(value);
    if (!check.success) {
      errors.push(
        ...mapZodIssues(check.error.issues, value, { kind: 'env', variable: binding.variable }, [
          ...leaf.segments,
        ]),
      );
      continue;
    }
    values.set(binding.path, { value, source: { kind: 'env', variable: binding.variable } });
  }
  return values;
}

function overrideValues(
  overrides: ConfigOverrides | undefined,
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
  notes: string[],
): LayerValues {
  const values: LayerValues = new Map();
  if (overrides === undefined) return values;
  const bad = (path: string, text: string) =>
    errors.push(makeIssue('CONFIG_INVALID_OVERRIDE', `override: ${text}`, { path }));

  const walk = (object: unknown, segments: string[]) => {
    const path = dotPath(segments);
    if (!isPlainObject(object)) {
      bad(path, `${path} must be an object, got ${describeValue(object)}`);
      return;
    }
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      const childSegments = [...segments, key];
      const childPath = dotPath(childSegments);
      const leaf = OPTION_BY_PATH.get(childPath);
      if (leaf !== undefined) {
        const migrated = migrateUriValue(leaf, value, { path: childPath }, warnings, notes);
        const check = leaf.schema.safeParse(migrated);
        if (!check.success) {
          errors.push(
            ...mapZodIssues(check.error.issues, migrated, { kind: 'override' }, childSegments),
          );
        } else {
          values.set(childPath, { value: migrated, source: { kind: 'override' } });
        }
      } else if (OPTION_LEAVES.some((l) => l.path.startsWith(`${childPath}.`))) {
        walk(value, childSegments);
      } else {
        const known = [
          ...new Set(
            OPTION_LEAVES.filter((l) => l.path.startsWith(`${path}.`)).map(
              (l) => l.segments[segments.length]!,
            ),
          ),
        ];
        const suggestion = suggestKey(key, known);
        bad(
          childPath,
          `unknown option ${childPath}${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`,
        );
      }
    }
  };

  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (key !== 'observability') {
      bad(
        key,
        `unknown option ${key}; overrides have the shape { observability: { mlflow: {...} } }`,
      );
      continue;
    }
    if (!isPlainObject(value)) {
      bad(key, `observability must be an object, got ${describeValue(value)}`);
      continue;
    }
    for (const [inner, section] of Object.entries(value)) {
      if (section === undefined) continue;
      if (inner === 'mlflow') walk(section, []);
      else bad(`observability.${inner}`, `unknown option observability.${inner}`);
    }
  }
  return values;
}

function collectSources(layers: LayerValues[]): Record<string, ConfigSource> {
  const sources: Record<string, ConfigSource> = {};
  for (const leaf of OPTION_LEAVES) {
    for (let i = layers.length - 1; i >= 0; i--) {
      const hit = layers[i]!.get(leaf.path);
      if (hit !== undefined) {
        sources[leaf.path] = hit.source;
        break;
      }
    }
    if (sources[leaf.path] === undefined && leaf.declared.def.type === 'default') {
      sources[leaf.path] = { kind: 'default' };
    }
  }
  return sources;
}

/** Location fields of the place an effective value came from. */
function locationOf(
  path: string,
  sources: Record<string, ConfigSource>,
  fileLayer: FileLayer | undefined,
): IssueLocation {
  const source = sources[path];
  switch (source?.kind) {
    case 'file': {
      const leaf = OPTION_BY_PATH.get(path)!;
      return { ...locate(fileLayer?.source, [...SECTION_PATH, ...leaf.segments]), path };
    }
    case 'env':
      return { variable: source.variable, path };
    default:
      return { path };
  }
}

function crossChecks(
  mlflow: MlflowConfig,
  sources: Record<string, ConfigSource>,
  fileLayer: FileLayer | undefined,
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
): void {
  const P = 'observability.mlflow';
  const hasUser = mlflow.username !== undefined;
  const hasPassword = mlflow.password !== undefined;
  if (hasUser !== hasPassword) {
    const [set, unset] = hasUser ? ['username', 'password'] : ['password', 'username'];
    errors.push(
      makeIssue(
        'CONFIG_INVALID_VALUE',
        `${P}.${set} is set but ${P}.${unset} is not; basic authentication needs both (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)`,
        locationOf(`${P}.${set}`, sources, fileLayer),
      ),
    );
  }
  if (mlflow.experiment_id !== undefined && sources[`${P}.experiment_name`]?.kind !== 'default') {
    warnings.push(
      makeIssue(
        'CONFIG_EXPERIMENT_CONFLICT',
        `both ${P}.experiment_id and ${P}.experiment_name are set; experiment_id ${JSON.stringify(mlflow.experiment_id)} is used and experiment_name ${JSON.stringify(mlflow.experiment_name)} is ignored`,
        locationOf(`${P}.experiment_name`, sources, fileLayer),
      ),
    );
  }
}

function filesystemChecks(
  mlflow: MlflowConfig,
  sources: Record<string, ConfigSource>,
  fileLayer: FileLayer | undefined,
  cwd: string,
  errors: ConfigIssue[],
): void {
  if (!mlflow.enabled) return;
  const check = (path: string, uri: string, label: string) => {
    const problem = sqliteWriteProblem(uri, cwd);
    if (problem === undefined) return;
    errors.push(
      makeIssue(
        'CONFIG_UNWRITABLE_SQLITE_DIR',
        `${label} ${uri}: ${problem}`,
        locationOf(path, sources, fileLayer),
      ),
    );
  };
  check('observability.mlflow.tracking_uri', mlflow.tracking_uri, 'tracking_uri');
  const tracking = tryParseTrackingUri(mlflow.tracking_uri);
  const remote =
    tracking.ok && (tracking.value.scheme === 'http' || tracking.value.scheme === 'https');
  if (remote && mlflow.fallback.enabled) {
    check('observability.mlflow.fallback.uri', mlflow.fallback.uri, 'fallback.uri');
  }
}

function getAt(object: unknown, segments: readonly string[]): unknown {
  let current = object;
  for (const seg of segments) {
    if (!isPlainObject(current)) return undefined;
    current = current[seg];
  }
  return current;
}

function setAt(object: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let current = object;
  for (const seg of segments.slice(0, -1)) {
    if (!isPlainObject(current[seg])) current[seg] = {};
    current = current[seg] as Record<string, unknown>;
  }
  current[segments[segments.length - 1]!] = value;
}
