import type { LayerValues, LoadIssues } from './config-layers.js';
import { makeIssue } from './errors.js';
import { addOptionValue } from './option-value.js';
import { OPTION_BY_PATH, OPTION_LEAVES } from './options.js';
import { isPlainObject } from './plain-object.js';
import type { ConfigOverrides } from './schema.js';
import { suggestKey } from './suggest.js';
import { describeValue, dotPath } from './validate.js';

/**
 * The values of programmatic overrides (CLI flags, say), shaped
 * `{ observability: { mlflow: {...} } }`, validated option by option.
 */
export function overrideValues(
  overrides: ConfigOverrides | undefined,
  issues: LoadIssues,
): LayerValues {
  const values: LayerValues = new Map();
  if (overrides === undefined) return values;
  const bad = (path: string, text: string) =>
    issues.errors.push(makeIssue('CONFIG_INVALID_OVERRIDE', `override: ${text}`, { path }));

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
      if (inner === 'mlflow') walkSection(section, [], values, issues, bad);
      else bad(`observability.${inner}`, `unknown option observability.${inner}`);
    }
  }
  return values;
}

/** Walks the object at `segments` below the section: options are added, unknown keys reported. */
function walkSection(
  object: unknown,
  segments: string[],
  values: LayerValues,
  issues: LoadIssues,
  bad: (path: string, text: string) => void,
): void {
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
      const from = {
        location: { path: childPath },
        origin: { kind: 'override' },
        source: { kind: 'override' },
        segments: childSegments,
      } as const;
      addOptionValue(values, leaf, value, from, issues);
    } else if (OPTION_LEAVES.some((l) => l.path.startsWith(`${childPath}.`))) {
      walkSection(value, childSegments, values, issues, bad);
    } else {
      bad(childPath, `unknown option ${childPath}${didYouMean(key, segments, path)}`);
    }
  }
}

/** `; did you mean …?` for an unknown key among the options at `segments`, if one is close. */
function didYouMean(key: string, segments: readonly string[], path: string): string {
  const known = [
    ...new Set(
      OPTION_LEAVES.filter((l) => l.path.startsWith(`${path}.`)).map(
        (l) => l.segments[segments.length]!,
      ),
    ),
  ];
  const suggestion = suggestKey(key, known);
  return suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`;
}
