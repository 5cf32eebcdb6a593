import { z } from 'zod';
import { ENV_BINDINGS } from './env.js';
import { MlflowConfigSchema, SECRET_OPTIONS, SECTION_PATH } from './schema.js';

/** One settable value of the schema (objects are walked into, everything else is a leaf). */
export interface OptionLeaf {
  /** Segments below the section, e.g. `['fallback', 'uri']`. */
  segments: readonly string[];
  /** Full dot-path, e.g. `observability.mlflow.fallback.uri`. */
  path: string;
  /** The schema with default/optional removed: validates one value. */
  schema: z.ZodType;
  /** The schema as declared: holds the default and the description. */
  declared: z.ZodType;
}

/** Strips `.default()`/`.optional()` wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function collectLeaves(schema: z.ZodObject, prefix: readonly string[], out: OptionLeaf[]): void {
  for (const [key, declared] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const inner = unwrapSchema(declared);
    const segments = [...prefix, key];
    if (inner instanceof z.ZodObject) {
      collectLeaves(inner, segments, out);
    } else {
      out.push({
        segments,
        path: [...SECTION_PATH, ...segments].join('.'),
        schema: inner,
        declared,
      });
    }
  }
}

const leaves: OptionLeaf[] = [];
collectLeaves(MlflowConfigSchema, [], leaves);

/** Every leaf option, in schema order. */
export const OPTION_LEAVES: readonly OptionLeaf[] = leaves;

export const OPTION_BY_PATH: ReadonlyMap<string, OptionLeaf> = new Map(
  leaves.map((leaf) => [leaf.path, leaf]),
);

/** The keys an object at `segments` (below the section) accepts, for suggestions. */
export function knownKeysAt(segments: readonly (string | number)[]): string[] {
  let current: z.ZodType = MlflowConfigSchema;
  for (const seg of segments) {
    const inner = unwrapSchema(current);
    if (!(inner instanceof z.ZodObject)) return [];
    const next = (inner.shape as Record<string, z.ZodType>)[String(seg)];
    if (next === undefined) return [];
    current = next;
  }
  const inner = unwrapSchema(current);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** A documented option, as listed by `describeOptions()`. */
export interface OptionDescription {
  /** Dot-path, e.g. `observability.mlflow.fallback.precheck_timeout`. */
  path: string;
  /** A short human type: `boolean`, `number (> 0)`, `string (tracking URI)`, ... */
  type: string;
  /** The default value; absent when the option has none. */
  default?: unknown;
  /** Environment variables that set it, lowest precedence first. */
  env: string[];
  description: string;
  /** Never printed in messages. */
  secret: boolean;
}

/** Every option with its dot-path, type, default, environment variables and description. */
export function describeOptions(): OptionDescription[] {
  return OPTION_LEAVES.map((leaf) => {
    const option: OptionDescription = {
      path: leaf.path,
      type: describeType(leaf.schema),
      env: ENV_BINDINGS.filter((b) => b.path === leaf.path).map((b) => b.variable),
      description: leaf.declared.description ?? '',
      secret: SECRET_OPTIONS.has(leaf.path),
    };
    if (leaf.declared instanceof z.ZodDefault) {
      option.default = structuredClone(leaf.declared.def.defaultValue);
    }
    return option;
  });
}

function describeType(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  if (json.const !== undefined) return JSON.stringify(json.const);
  switch (json.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return `${json.type}${describeBounds(json)}`;
    case 'string':
      if (json.format === 'mlflow-version') return 'string (MLflow release)';
      return json.pattern !== undefined ? 'string (tracking URI)' : 'string';
    case 'array':
      return 'list of strings';
    case 'object': {
      const values = json.additionalProperties as Record<string, unknown> | undefined;
      return values?.type === 'object' ? 'map of model name to prices' : 'map of string to string';
    }
    default:
      return 'unknown';
  }
}

function describeBounds(json: Record<string, unknown>): string {
  const { minimum, maximum, exclusiveMinimum } = json;
  if (minimum !== undefined && maximum !== undefined) return ` (${minimum}..${maximum})`;
  if (exclusiveMinimum !== undefined) return ` (> ${exclusiveMinimum})`;
  if (minimum !== undefined) return ` (>= ${minimum})`;
  return '';
}
