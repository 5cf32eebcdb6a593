import { Document } from 'yaml';
import { crossChecks, filesystemChecks } from './config-checks.js';
import {
  type ConfigSource,
  collectSources,
  type LayerValues,
  type LoadIssues,
  mergeLayers,
} from './config-layers.js';
import { CONFIG_PATH_ENV } from './env.js';
import { envValues } from './env-layer.js';
import { type ConfigIssue, makeIssue } from './errors.js';
import { overrideValues } from './override-layer.js';
import { readConfigFile } from './read-config-file.js';
import { type FileLayer, fileValues, type Parsed, readDocument } from './read-document.js';
import {
  type ConfigOverrides,
  type GraphtraceConfig,
  type GraphtraceConfigInput,
  type MlflowConfig,
  MlflowConfigSchema,
} from './schema.js';
import { describeValue, mapZodIssues } from './validate.js';
import { parseYaml, type SourceDocument } from './yaml-document.js';

export type { ConfigSource } from './config-layers.js';
export type { Parsed } from './read-document.js';

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

interface LoadReport extends LoadIssues {
  /** Effective dot-path -> origin, for every leaf that has a value. */
  sources: Record<string, ConfigSource>;
  /** Absolute path of the file read, if any. */
  file?: string;
}

export type LoadConfigResult =
  | (LoadReport & { ok: true; config: GraphtraceConfig })
  | (LoadReport & { ok: false; config: undefined });

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
    const read = readConfigFile(input, cwd);
    if (!read.ok) return failed(read.issue, read.absolute);
    const result = load(parseText(read.text, input), options);
    result.file = read.absolute;
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

/** Loads an already parsed document; the migrator uses it to validate what it would write. */
export function load(parsed: Parsed | undefined, options: LoadConfigOptions): LoadConfigResult {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const issues: LoadIssues = { errors: [], warnings: [], notes: [] };
  const { errors, warnings, notes } = issues;

  let fileLayer: FileLayer | undefined;
  if (parsed !== undefined) {
    errors.push(...parsed.errors);
    // A document with syntax errors is not interpreted further: its values are guesses.
    if (parsed.errors.length === 0) fileLayer = readDocument(parsed, issues);
  }

  const layers: LayerValues[] = [];
  if (fileLayer?.section !== undefined) layers.push(fileValues(fileLayer));
  layers.push(envValues(env, issues));
  layers.push(overrideValues(options.overrides, issues));

  const sources = collectSources(layers);
  const report: LoadReport = { errors, warnings, sources, notes: [...new Set(notes)] };
  if (errors.length > 0) return { ...report, ok: false, config: undefined };

  const merged = mergeLayers(layers);
  const parsedConfig = MlflowConfigSchema.safeParse(merged);
  if (!parsedConfig.success) {
    // Every layer was checked on its own, so this only happens for an internal inconsistency.
    errors.push(...mapZodIssues(parsedConfig.error.issues, merged, { kind: 'override' }));
    return { ...report, ok: false, config: undefined };
  }
  const mlflow = parsedConfig.data as MlflowConfig;
  const checked = { mlflow, sources, document: fileLayer?.source };
  crossChecks(checked, issues);
  if (options.checkFilesystem !== false) filesystemChecks(checked, cwd, issues);
  if (errors.length > 0) return { ...report, ok: false, config: undefined };
  return { ...report, ok: true, config: { observability: { mlflow } } };
}
