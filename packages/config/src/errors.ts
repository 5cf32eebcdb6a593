import { GraphtraceError } from '@graphtrace/core';

/** Codes of problems that make a configuration unusable (`errors`). */
export const CONFIG_ERROR_CODES = [
  'CONFIG_NOT_FOUND',
  'CONFIG_READ_FAILED',
  'CONFIG_TOO_LARGE',
  'CONFIG_YAML_SYNTAX',
  'CONFIG_DUPLICATE_KEY',
  'CONFIG_UNKNOWN_KEY',
  'CONFIG_INVALID_TYPE',
  'CONFIG_INVALID_VALUE',
  'CONFIG_INVALID_URI',
  'CONFIG_UNSUPPORTED_VERSION',
  'CONFIG_LEGACY_CONFLICT',
  'CONFIG_UNWRITABLE_SQLITE_DIR',
  'CONFIG_INVALID_ENV',
  'CONFIG_INVALID_OVERRIDE',
  'CONFIG_WRITE_FAILED',
] as const;

/** Codes of things worth telling the user that do not stop loading (`warnings`). */
export const CONFIG_WARNING_CODES = [
  'CONFIG_LEGACY_FORMAT',
  'CONFIG_LEGACY_SECTION',
  'CONFIG_LEGACY_KEY',
  'CONFIG_LEGACY_URI',
  'CONFIG_LEGACY_CONFLICT',
  'CONFIG_UNKNOWN_KEY',
  'CONFIG_SECTION_MISSING',
  'CONFIG_EXPERIMENT_CONFLICT',
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];
export type ConfigWarningCode = (typeof CONFIG_WARNING_CODES)[number];
export type ConfigIssueCode = ConfigErrorCode | ConfigWarningCode;

/**
 * One problem found while reading or migrating a configuration. `message` is complete on its
 * own (it starts with the location), the other fields let tools point at the place.
 */
export interface ConfigIssue {
  code: ConfigIssueCode;
  message: string;
  /** Dot-path of the option, e.g. `observability.mlflow.fallback.precheck_timeout`. */
  path?: string;
  /** The config file, as the caller named it. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  /** The environment variable the value came from. */
  variable?: string;
  /** The nearest known key, for unknown keys. */
  suggestion?: string;
}

/**
 * Thrown only by the few helpers that cannot return a result (e.g. `parseTrackingUri`). A
 * GraphtraceError like every graphtrace error; core's GraphtraceErrorCode documents the codes.
 */
export class ConfigError extends GraphtraceError {
  declare readonly code: ConfigIssueCode;
  readonly issues: readonly ConfigIssue[];

  constructor(code: ConfigIssueCode, message: string, issues: readonly ConfigIssue[] = []) {
    super(code, message);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface IssueLocation {
  path?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  variable?: string | undefined;
}

/** `file:line:col`, `$VAR` or the dot-path: the most precise place we know. */
export function formatLocation(loc: IssueLocation): string | undefined {
  if (loc.file !== undefined) {
    if (loc.line === undefined) return loc.file;
    return loc.column === undefined
      ? `${loc.file}:${loc.line}`
      : `${loc.file}:${loc.line}:${loc.column}`;
  }
  if (loc.variable !== undefined) return `$${loc.variable}`;
  return undefined;
}

/** Builds an issue whose message is prefixed with its location, dropping empty fields. */
export function makeIssue(
  code: ConfigIssueCode,
  text: string,
  loc: IssueLocation = {},
  extra: { suggestion?: string | undefined } = {},
): ConfigIssue {
  const where = formatLocation(loc);
  const issue: ConfigIssue = { code, message: where === undefined ? text : `${where}: ${text}` };
  if (loc.path !== undefined) issue.path = loc.path;
  if (loc.file !== undefined) issue.file = loc.file;
  if (loc.line !== undefined) issue.line = loc.line;
  if (loc.column !== undefined) issue.column = loc.column;
  if (loc.variable !== undefined) issue.variable = loc.variable;
  if (extra.suggestion !== undefined) issue.suggestion = extra.suggestion;
  return issue;
}
