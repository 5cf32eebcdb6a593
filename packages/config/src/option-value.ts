import type { ConfigSource, LayerValues, LoadIssues } from './config-layers.js';
import { type IssueLocation, makeIssue } from './errors.js';
import type { OptionLeaf } from './options.js';
import { importCommand, migrateFileStoreUri } from './tracking-uri.js';
import { type IssueOrigin, mapZodIssues } from './validate.js';

/* One option's value given outside a file (an environment variable, an override). */

const URI_PATHS = new Set([
  'observability.mlflow.tracking_uri',
  'observability.mlflow.fallback.uri',
]);

/** Where the value came from: for issues (`location`, `origin`) and for `sources`. */
export interface ValueOrigin {
  location: IssueLocation;
  origin: IssueOrigin;
  source: ConfigSource;
  /** The option's segments below the section, for issue paths. */
  segments: readonly string[];
}

/**
 * Adds `value` of option `leaf` to `values` if it is valid; else its issues go to `errors`.
 * An old FileStore URI is migrated first, as in files.
 */
export function addOptionValue(
  values: LayerValues,
  leaf: OptionLeaf,
  value: unknown,
  from: ValueOrigin,
  issues: LoadIssues,
): void {
  const migrated = migrateUriValue(leaf, value, from.location, issues);
  const check = leaf.schema.safeParse(migrated);
  if (!check.success) {
    issues.errors.push(...mapZodIssues(check.error.issues, migrated, from.origin, from.segments));
    return;
  }
  values.set(leaf.path, { value: migrated, source: from.source });
}

/** Old FileStore URIs given through env or overrides are migrated like those in files. */
function migrateUriValue(
  leaf: OptionLeaf,
  value: unknown,
  loc: IssueLocation,
  issues: LoadIssues,
): unknown {
  if (!URI_PATHS.has(leaf.path) || typeof value !== 'string') return value;
  const migrated = migrateFileStoreUri(value);
  if (migrated === undefined) return value;
  const command = importCommand(migrated.mlrunsPath, migrated.sqliteUri);
  issues.notes.push(`Import the runs of the old FileStore ${migrated.mlrunsPath} with: ${command}`);
  issues.warnings.push(
    makeIssue(
      'CONFIG_LEGACY_URI',
      `\`${value}\` is an MLflow FileStore, which graphtrace does not write; using \`${migrated.sqliteUri}\` instead. Import the old runs with: ${command}`,
      { ...loc, path: leaf.path },
    ),
  );
  return migrated.sqliteUri;
}
