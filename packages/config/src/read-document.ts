import type { ConfigSource, LayerValues, LoadIssues } from './config-layers.js';
import { type ConfigIssue, type IssueLocation, makeIssue } from './errors.js';
import { type DocumentMigration, migrateDocument } from './legacy.js';
import { OPTION_LEAVES } from './options.js';
import { getAt, isPlainObject } from './plain-object.js';
import { MlflowConfigSchema, SECTION_PATH } from './schema.js';
import { editDistance } from './suggest.js';
import { describeValue, type IssueOrigin, mapZodIssues } from './validate.js';
import { locate, locator, type SourceDocument } from './yaml-document.js';

/* A parsed file or configuration object, read into the layer merged over the defaults. */

/** A document ready to load; exported for the migrator, not part of the public API. */
export interface Parsed {
  kind: 'file' | 'object';
  source: SourceDocument;
  errors: ConfigIssue[];
}

/** The parsed file or object, ready to merge. */
export interface FileLayer {
  kind: 'file' | 'object';
  file: string | undefined;
  source: SourceDocument | undefined;
  section: Record<string, unknown> | undefined;
  legacyPaths: Map<string, string>;
}

const NO_SECTION = 'no `observability.mlflow` section; using defaults';

type Where = (segments: readonly (string | number)[], key?: boolean) => IssueLocation;

/** The `observability.mlflow` mapping, or why there is none: `missing` warns, `invalid` fails. */
type SectionLookup =
  | { found: Record<string, unknown> }
  | { missing: string }
  | { invalid: ConfigIssue };

/**
 * Migrates, checks the layout and validates the section of a file or object. Undefined when
 * the document cannot be used (its errors are in `issues`).
 */
export function readDocument(parsed: Parsed, issues: LoadIssues): FileLayer | undefined {
  const { source, kind } = parsed;
  const migration = migrate(parsed, issues);
  if (migration === undefined) return undefined;
  const resolved = resolve(source, issues.errors);
  if (resolved === undefined) return undefined;

  // Built after the migration above: the document does not change while issues are located.
  const where = locator(source);
  const lookup = findSection(resolved.js, where, issues.warnings);
  if ('invalid' in lookup) {
    issues.errors.push(lookup.invalid);
    return undefined;
  }
  const layer: FileLayer = {
    kind,
    file: source.file,
    source,
    section: undefined,
    legacyPaths: migration.legacyPaths,
  };
  if ('missing' in lookup) {
    if (kind === 'file')
      issues.warnings.push(
        makeIssue('CONFIG_SECTION_MISSING', lookup.missing, { file: source.file }),
      );
    return layer;
  }
  layer.section = validateSection(lookup.found, migration.versioned, where, issues.errors);
  return layer;
}

/** The layer's values by dot-path, each located in the file (or marked as from the object). */
export function fileValues(layer: FileLayer): LayerValues {
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

/** Rewrites MLflow 2.9-era shapes in memory, with a warning; undefined if that failed. */
function migrate(parsed: Parsed, issues: LoadIssues): DocumentMigration | undefined {
  const { source, kind } = parsed;
  const migration = migrateDocument(source, { mode: 'load' });
  issues.errors.push(...migration.errors);
  issues.notes.push(...migration.notes);
  if (migration.warnings.length > 0) {
    const count = migration.warnings.length;
    const text =
      kind === 'file'
        ? `MLflow 2.9-era format, read with ${count} change(s) made in memory; rewrite the file with: graphtrace config migrate ${source.file}`
        : `the configuration object uses the MLflow 2.9-era format; read with ${count} change(s)`;
    issues.warnings.push(
      makeIssue('CONFIG_LEGACY_FORMAT', text, { file: source.file }),
      ...migration.warnings,
    );
  }
  return migration.errors.length > 0 ? undefined : migration;
}

/** The document as plain values (aliases expanded, bounded); undefined if that failed. */
function resolve(source: SourceDocument, errors: ConfigIssue[]): { js: unknown } | undefined {
  try {
    return { js: source.doc.toJS({ maxAliasCount: 1000 }) };
  } catch (err) {
    errors.push(
      makeIssue('CONFIG_YAML_SYNTAX', `YAML could not be resolved: ${(err as Error).message}`, {
        file: source.file,
      }),
    );
    return undefined;
  }
}

/** Walks to `observability.mlflow`, warning about near-miss spellings of either key on the way. */
function findSection(js: unknown, where: Where, warnings: ConfigIssue[]): SectionLookup {
  if (js === null || js === undefined) {
    return { missing: 'the file is empty; using defaults for observability.mlflow' };
  }
  if (!isPlainObject(js)) {
    const what = 'the configuration must be a mapping (key: value) at the top level';
    return notMapping(what, js, where([]));
  }
  nearMisses(js, [], 'observability', where, warnings);
  const obs = js.observability;
  if (obs === undefined || obs === null) return { missing: NO_SECTION };
  if (!isPlainObject(obs)) {
    const path = 'observability';
    return notMapping(`${path} must be a mapping`, obs, { ...where([path]), path });
  }
  nearMisses(obs, ['observability'], 'mlflow', where, warnings);
  const section = obs.mlflow;
  if (section === undefined) return { missing: NO_SECTION };
  if (section === null) return { found: {} };
  if (!isPlainObject(section)) {
    const path = 'observability.mlflow';
    return notMapping(`${path} must be a mapping`, section, { ...where([...SECTION_PATH]), path });
  }
  return { found: section };
}

function notMapping(what: string, value: unknown, location: IssueLocation): SectionLookup {
  return {
    invalid: makeIssue('CONFIG_INVALID_TYPE', `${what}, got ${describeValue(value)}`, location),
  };
}

/** Checks the section against the schema; returns it without its null values. */
function validateSection(
  section: Record<string, unknown>,
  versioned: boolean,
  where: Where,
  errors: ConfigIssue[],
): Record<string, unknown> {
  const cleaned = dropNulls(section);
  const origin: IssueOrigin = {
    kind: 'file',
    versioned,
    locate: (segments, key) => where([...SECTION_PATH, ...segments], key),
  };
  const check = MlflowConfigSchema.safeParse(cleaned);
  if (!check.success) {
    // In file order, which is how users read and fix them.
    const found = mapZodIssues(check.error.issues, cleaned, origin);
    found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    errors.push(...found);
  }
  return cleaned;
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
  where: Where,
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
