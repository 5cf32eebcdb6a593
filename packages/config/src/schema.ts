import { z } from 'zod';
import { tryParseTrackingUri } from './tracking-uri.js';

/** The `config_version` this package writes and reads. */
export const CONFIG_VERSION = 2;

export const DEFAULT_TRACKING_URI = 'sqlite:///mlflow.db';

/** Where the section lives in the file, as path segments. */
export const SECTION_PATH = ['observability', 'mlflow'] as const;

// Editors validating against the JSON Schema flag legacy file:// URIs; the loader migrates them.
const URI_PATTERN = '^(sqlite:///.+|https?://.+|memory:(//)?)$';

const trackingUri = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = tryParseTrackingUri(value);
    if (!parsed.ok) {
      ctx.addIssue({
        code: 'custom',
        message: parsed.message,
        params: { code: 'CONFIG_INVALID_URI' },
      });
    }
  })
  .meta({ pattern: URI_PATTERN });

const seconds = z.number().positive();

const nonEmpty = z.string().min(1);

// `/body/flags` patterns are regular expressions and must compile; anything else is a substring.
const redactPattern = z.string().superRefine((value, ctx) => {
  if (value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'an empty pattern would mask every key' });
    return;
  }
  const m = /^\/(.*)\/([a-z]*)$/s.exec(value);
  if (!m) return;
  try {
    new RegExp(m[1]!, m[2]);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `\`${value}\` is not a valid regular expression (${(err as Error).message})`,
    });
  }
});

export const FallbackConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Fall back to the local SQLite store when the tracking server is unreachable'),
    precheck_timeout: seconds
      .default(3)
      .describe('Seconds the reachability check of the tracking server may take'),
    uri: trackingUri
      .default(DEFAULT_TRACKING_URI)
      .describe('Store used when falling back, normally a sqlite:/// URI'),
  })
  .describe('What to do when the tracking server cannot be reached');

const perMillion = z.number().min(0);

/** A model's prices, with the field names of MLflow's model catalog. */
const ModelPriceSchema = z.strictObject({
  input_per_million_tokens: perMillion.describe('USD per million input tokens'),
  output_per_million_tokens: perMillion.describe('USD per million output tokens'),
  cache_read_per_million_tokens: perMillion
    .optional()
    .describe('USD per million input tokens read from the prompt cache (default: input rate)'),
  cache_write_per_million_tokens: perMillion
    .optional()
    .describe('USD per million input tokens written to the prompt cache (default: input rate)'),
  cache_write_1hr_per_million_tokens: perMillion
    .optional()
    .describe('USD per million tokens written with a 1-hour cache lifetime (default: write rate)'),
});

export const PricingConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Record what model calls cost: mlflow.llm.cost on model spans and mlflow.trace.cost on traces, in USD, as MLflow 3.10+ does',
      ),
    builtin: z
      .boolean()
      .default(true)
      .describe(
        "Price models from MLflow's model catalog shipped with graphtrace; false prices only the models listed here",
      ),
    models: z
      .record(nonEmpty, ModelPriceSchema)
      .default(() => ({}))
      .describe(
        'Your own prices by model name (as mlflow.llm.model says it), winning over the catalog: { input_per_million_tokens, output_per_million_tokens, cache_read_per_million_tokens?, cache_write_per_million_tokens?, cache_write_1hr_per_million_tokens? } in USD',
      ),
  })
  .describe('How model calls are priced');

export const MlflowConfigSchema = z
  .strictObject({
    config_version: z
      .literal(CONFIG_VERSION)
      .default(CONFIG_VERSION)
      .describe('Format marker of this section; files without it are read as MLflow 2.9-era'),
    enabled: z.boolean().default(true).describe('Record runs and traces at all'),
    tracking_uri: trackingUri
      .default(DEFAULT_TRACKING_URI)
      .describe('Where to record: sqlite:///path.db, http(s)://host[:port][/path] or memory:'),
    sqlite_schema_version: z
      .string()
      .regex(/^(\d+\.\d+(\.\d+)?|[0-9a-f]{12})$/, {
        message: 'expected an MLflow release such as 3.17 (or 3.17.2) or a 12-hex alembic revision',
      })
      .meta({ format: 'mlflow-version' })
      .optional()
      .describe(
        'MLflow release whose schema a new sqlite:/// file gets, e.g. 3.17 (default 3.9, which every MLflow from 3.9.0 on opens); existing files keep theirs',
      ),
    experiment_name: nonEmpty
      .default('Default')
      .describe('Experiment that runs and traces are recorded in (created when missing)'),
    experiment_id: nonEmpty
      .optional()
      .describe('Experiment id; when set it takes precedence over experiment_name'),
    run_name: nonEmpty.optional().describe('Name given to runs started by graphtrace'),
    autolog_enabled: z
      .boolean()
      .default(false)
      .describe('Trace every LangGraph/LangChain invocation without code changes'),
    record_internal_chains: z
      .enum(['full', 'reference', 'off'])
      .default('full')
      .describe(
        'Chains inside LangGraph nodes (prompt templates, RunnableSequence, routing lambdas): full records them as spans with inputs and outputs, as MLflow autolog does; reference keeps the spans but not their copy of the node state (graphtrace.payload_ref names the node span that has it); off records no span for them',
      ),
    log_prompts: z
      .boolean()
      .default(true)
      .describe('Record inputs and outputs; false keeps structure, timings and token counts only'),
    sampling: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Fraction of traces recorded, from 0 (none) to 1 (all)'),
    max_payload_chars: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('Longest recorded input/output; longer payloads are truncated with a marker'),
    redact: z
      .array(redactPattern)
      .default(() => [])
      .describe('Extra key patterns whose values are masked (substring, or /regex/flags)'),
    tags: z
      .record(z.string(), z.string())
      .default(() => ({}))
      .describe('Tags set on every run and trace'),
    session: nonEmpty.optional().describe('Default session id recorded on traces'),
    user: nonEmpty.optional().describe('Default user id recorded on traces'),
    token: nonEmpty.optional().describe('Bearer token for the tracking server'),
    username: nonEmpty.optional().describe('Basic-auth user name for the tracking server'),
    password: nonEmpty.optional().describe('Basic-auth password for the tracking server'),
    insecure_tls: z
      .boolean()
      .default(false)
      .describe('Skip TLS certificate verification (testing only)'),
    ca_bundle: nonEmpty
      .optional()
      .describe('Path of a PEM file of CA certificates trusted for the tracking server'),
    request_timeout: seconds
      .default(120)
      .describe('Seconds one HTTP request to the tracking server may take'),
    flush_timeout: seconds
      .default(10)
      .describe(
        'Longest wait, in seconds, of flushTraces() and of each write of traces to the store; what a hung server did not take by then goes to the spool',
      ),
    fallback: FallbackConfigSchema.default(() => ({
      enabled: true,
      precheck_timeout: 3,
      uri: DEFAULT_TRACKING_URI,
    })),
    pricing: PricingConfigSchema.default(() => ({ enabled: true, builtin: true, models: {} })),
  })
  .describe('MLflow tracking and tracing settings of graphtrace');

/** The whole file: other sections (and other tools under `observability`) are left alone. */
export const ConfigFileSchema = z
  .looseObject({
    observability: z
      .looseObject({
        mlflow: MlflowConfigSchema.optional().describe(
          'MLflow tracking and tracing settings of graphtrace',
        ),
      })
      .optional()
      .describe('Observability settings; graphtrace reads the `mlflow` entry'),
  })
  .meta({
    title: 'graphtrace configuration',
    description: 'The observability.mlflow section read by graphtrace (config_version 2)',
  });

/** Fallback settings, effective values. */
export interface FallbackConfig {
  enabled: boolean;
  precheck_timeout: number;
  uri: string;
}

/** A model's prices in USD per million tokens. */
export interface ModelPriceConfig {
  input_per_million_tokens: number;
  output_per_million_tokens: number;
  cache_read_per_million_tokens?: number | undefined;
  cache_write_per_million_tokens?: number | undefined;
  cache_write_1hr_per_million_tokens?: number | undefined;
}

/** Pricing settings, effective values. */
export interface PricingConfig {
  enabled: boolean;
  builtin: boolean;
  models: Record<string, ModelPriceConfig>;
}

/** The effective `observability.mlflow` section: every default filled in. */
export interface MlflowConfig {
  config_version: typeof CONFIG_VERSION;
  enabled: boolean;
  tracking_uri: string;
  sqlite_schema_version?: string | undefined;
  experiment_name: string;
  experiment_id?: string | undefined;
  run_name?: string | undefined;
  autolog_enabled: boolean;
  record_internal_chains: 'full' | 'reference' | 'off';
  log_prompts: boolean;
  sampling: number;
  max_payload_chars: number;
  redact: string[];
  tags: Record<string, string>;
  session?: string | undefined;
  user?: string | undefined;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  insecure_tls: boolean;
  ca_bundle?: string | undefined;
  request_timeout: number;
  flush_timeout: number;
  fallback: FallbackConfig;
  pricing: PricingConfig;
}

/** The effective configuration returned by `loadConfig`. */
export interface GraphtraceConfig {
  observability: { mlflow: MlflowConfig };
}

/** What a file (or `loadConfig(object)`) may hold for the section. */
export type MlflowConfigInput = z.input<typeof MlflowConfigSchema>;

/** The input shape of a whole config file. */
export interface GraphtraceConfigInput {
  observability?: { mlflow?: MlflowConfigInput; [other: string]: unknown };
  [other: string]: unknown;
}

/** Values that win over file and environment, e.g. from CLI flags; `undefined` is ignored. */
export interface ConfigOverrides {
  observability?: {
    mlflow?: Partial<Omit<MlflowConfig, 'fallback' | 'pricing'>> & {
      fallback?: Partial<FallbackConfig>;
      pricing?: Partial<PricingConfig>;
    };
  };
}

// The hand-written interface documents the fields; this keeps it equal to the schema.
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaMatchesInterface: Same<MlflowConfig, z.output<typeof MlflowConfigSchema>> = true;
void schemaMatchesInterface;

/** Options whose values are never echoed in messages and are masked by `redactConfig`. */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set([
  'observability.mlflow.token',
  'observability.mlflow.password',
]);

/** A copy of the config with secrets replaced by `***`, for display. */
export function redactConfig(config: GraphtraceConfig): GraphtraceConfig {
  const mlflow = {
    ...config.observability.mlflow,
    fallback: { ...config.observability.mlflow.fallback },
  };
  if (mlflow.token !== undefined) mlflow.token = '***';
  if (mlflow.password !== undefined) mlflow.password = '***';
  return { observability: { mlflow } };
}
