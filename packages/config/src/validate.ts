import type { z } from 'zod';
import { type ConfigIssue, type ConfigIssueCode, type IssueLocation, makeIssue } from './errors.js';
import { LEGACY_KEY_MAP } from './legacy.js';
import { knownKeysAt } from './options.js';
import { SECRET_OPTIONS, SECTION_PATH } from './schema.js';
import { suggestKey } from './suggest.js';

/** Where the value being validated came from; decides the code and the location of issues. */
export type IssueOrigin =
  | {
      kind: 'file';
      /** Location of a node below the section (`key` for the key node itself). */
      locate: (segments: readonly (string | number)[], key: boolean) => IssueLocation;
      /** True when the file says `config_version: 2`: old key names are then mistakes. */
      versioned: boolean;
    }
  | { kind: 'env'; variable: string }
  | { kind: 'override' };

/** Turns zod issues about a value below the section into config issues. */
export function mapZodIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  origin: IssueOrigin,
  /** Segments of `input` below the section (for a single leaf, its own segments). */
  base: readonly string[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  // A value of the wrong type also fails the checks meant for the right one: say it once.
  const wrongType = new Set(
    issues.filter((i) => i.code === 'invalid_type').map((i) => JSON.stringify(i.path)),
  );
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' && wrongType.has(JSON.stringify(issue.path))) continue;
    const rel = [...base, ...issue.path.map((p) => String(p as string | number))];
    const value = valueAt(input, issue.path as (string | number)[]);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(unknownKey(rel, key, origin));
      continue;
    }
    const path = dotPath(rel);
    const { code, text } = describeIssue(issue, path, value);
    out.push(finish(code, text, rel, origin));
  }
  return out;
}

export function dotPath(rel: readonly (string | number)[]): string {
  return [...SECTION_PATH, ...rel].join('.');
}

function finish(
  code: ConfigIssueCode,
  text: string,
  rel: readonly (string | number)[],
  origin: IssueOrigin,
  key = false,
  suggestion?: string,
): ConfigIssue {
  const path = dotPath(rel);
  switch (origin.kind) {
    case 'file':
      return makeIssue(code, text, { ...origin.locate(rel, key), path }, { suggestion });
    case 'env':
      return makeIssue(
        'CONFIG_INVALID_ENV',
        text,
        { variable: origin.variable, path },
        { suggestion },
      );
    case 'override':
      return makeIssue('CONFIG_INVALID_OVERRIDE', `override: ${text}`, { path }, { suggestion });
  }
}

function unknownKey(parent: readonly string[], key: string, origin: IssueOrigin): ConfigIssue {
  const where = dotPath(parent);
  const rel = [...parent, key];
  const renamed = parent.length === 0 ? LEGACY_KEY_MAP[key] : undefined;
  if (renamed !== undefined) {
    const why =
      origin.kind === 'file' && origin.versioned
        ? ' in a file marked config_version 2; rename it (`graphtrace config migrate` does it for you)'
        : '; use the new name';
    return finish(
      'CONFIG_UNKNOWN_KEY',
      `unknown key \`${key}\` in \`${where}\`: \`${key}\` is the MLflow 2.9-era name of \`${renamed}\`${why}`,
      rel,
      origin,
      true,
      renamed,
    );
  }
  const known = knownKeysAt(parent);
  const suggestion = suggestKey(key, known);
  const hint =
    suggestion !== undefined
      ? `; did you mean \`${suggestion}\`?`
      : `; known keys: ${known.join(', ')}`;
  return finish(
    'CONFIG_UNKNOWN_KEY',
    `unknown key \`${key}\` in \`${where}\`${hint}`,
    rel,
    origin,
    true,
    suggestion,
  );
}

function describeIssue(
  issue: z.core.$ZodIssue,
  path: string,
  value: unknown,
): { code: ConfigIssueCode; text: string } {
  const secret = SECRET_OPTIONS.has(path);
  const got = secret ? '' : `, got ${describeValue(value)}`;
  const unit = /timeout$/.test(path) ? ' seconds' : '';
  switch (issue.code) {
    case 'invalid_type': {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return { code: 'CONFIG_INVALID_VALUE', text: `${path} must be a finite number${got}` };
      }
      const hint = secret ? '' : typeHint(issue.expected, value);
      return {
        code: 'CONFIG_INVALID_TYPE',
        text: `${path} must be ${expectedText(issue.expected)}${got}${hint}`,
      };
    }
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'string' && issue.code === 'too_small') {
        return { code: 'CONFIG_INVALID_VALUE', text: `${path} must not be empty` };
      }
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const relation =
        issue.code === 'too_small'
          ? issue.inclusive
            ? 'at least'
            : 'greater than'
          : issue.inclusive
            ? 'at most'
            : 'less than';
      return {
        code: 'CONFIG_INVALID_VALUE',
        text: `${path} must be ${relation} ${String(bound)}${unit}${got}`,
      };
    }
    case 'invalid_value':
      return {
        code: path.endsWith('.config_version')
          ? 'CONFIG_UNSUPPORTED_VERSION'
          : 'CONFIG_INVALID_VALUE',
        text: `${path} must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}${got}`,
      };
    case 'custom': {
      const code = (issue.params as { code?: ConfigIssueCode } | undefined)?.code;
      return { code: code ?? 'CONFIG_INVALID_VALUE', text: `${path}: ${issue.message}` };
    }
    default:
      return { code: 'CONFIG_INVALID_VALUE', text: `${path}: ${issue.message}` };
  }
}

function expectedText(expected: string): string {
  switch (expected) {
    case 'boolean':
      return 'true or false';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a string';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

function typeHint(expected: string, value: unknown): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return ` (quote it: "${String(value)}")`;
  }
  if (typeof value === 'string') {
    if (expected === 'boolean' && /^(true|false)$/i.test(value.trim())) {
      return ' (write true or false without quotes)';
    }
    if (
      (expected === 'number' || expected === 'int') &&
      value.trim() !== '' &&
      Number.isFinite(Number(value))
    ) {
      return ' (remove the quotes)';
    }
  }
  if (expected === 'array' && typeof value === 'string')
    return ` (write a list: [${JSON.stringify(value)}])`;
  return '';
}

/** A short, safe rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `a date (${value.toISOString().slice(0, 10)}; quote it)`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

export function valueAt(input: unknown, segments: readonly (string | number)[]): unknown {
  let current = input;
  for (const seg of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(seg)];
  }
  return current;
}
