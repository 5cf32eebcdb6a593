import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONFIG_PATH_ENV,
  ConfigError,
  loadConfig,
  type MlflowConfig,
  type MlflowConfigInput,
} from '@graphtrace/config';
import {
  consoleLogger,
  createTracker,
  type Logger,
  registerTrackerFactory,
  resilientStore,
  type Tracker,
  type TrackerOptions,
  type TrackingStore,
} from '@graphtrace/core';
import { spoolUri } from './spool.js';
import { loadOptional, openStore } from './store-registry.js';

/** The file read when neither `configFile` nor $GRAPHTRACE_CONFIG names one, if it exists. */
export const DEFAULT_CONFIG_FILE = 'graphtrace.yaml';

export interface SetupOptions {
  /** The config file; default $GRAPHTRACE_CONFIG, else ./graphtrace.yaml when present. null: none. */
  configFile?: string | null;
  /** Values of the `observability.mlflow` section that win over the file and the environment. */
  config?: MlflowConfigInput;
  /** Tracker options that win over the configuration's (a clock, ids, pipeline sizes, …). */
  tracker?: Partial<Omit<TrackerOptions, 'store'>>;
  /** Relative paths resolve against it. Default `process.cwd()`. */
  cwd?: string;
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where configuration warnings and store problems are reported. Default: the console. */
  logger?: Logger;
}

/** A tracker wired from configuration; `close()` flushes it and closes what setup opened. */
export interface Setup {
  tracker: Tracker;
  store: TrackingStore;
  config: MlflowConfig;
  /** The autolog handle when `autolog_enabled`, else null. */
  autolog: { disable(): void; flush(): Promise<void> } | null;
  close(): Promise<void>;
}

function configFile(options: SetupOptions, cwd: string): string | undefined {
  if (options.configFile === null) return undefined;
  if (options.configFile !== undefined) return options.configFile;
  const env = options.env ?? process.env;
  if (env[CONFIG_PATH_ENV]) return env[CONFIG_PATH_ENV];
  return existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined;
}

/** The effective `observability.mlflow` section, or a ConfigError listing every problem. */
export function resolveConfig(options: SetupOptions = {}): MlflowConfig {
  const cwd = options.cwd ?? process.cwd();
  const result = loadConfig(configFile(options, cwd), {
    cwd,
    ...(options.env ? { env: options.env } : {}),
    ...(options.config ? { overrides: { observability: { mlflow: options.config } } } : {}),
  });
  if (!result.ok) {
    const [first] = result.errors;
    throw new ConfigError(
      first?.code ?? 'CONFIG_INVALID_VALUE',
      result.errors.map((e) => e.message).join('\n'),
      result.errors,
    );
  }
  for (const w of result.warnings) (options.logger ?? consoleLogger).warn(w.message);
  return result.config.observability.mlflow;
}

/**
 * Turns configuration into a running tracker: reads the config file and the environment as
 * `@graphtrace/config` defines (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, … included), opens
 * the store the tracking URI names (a server behind the SQLite fallback and a durable spool),
 * applies every tracker option and turns autolog on when `autolog_enabled`.
 *
 * The work is done before the promise is returned, in the caller's async context: LangChain
 * keeps autolog's hook in AsyncLocalStorage, so a hook set after an `await` inside this
 * function would not reach the caller's graphs.
 */
export function setup(options: SetupOptions = {}): Promise<Setup> {
  try {
    return Promise.resolve(wire(options));
  } catch (err) {
    return Promise.reject(err);
  }
}

function wire(options: SetupOptions): Setup {
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? consoleLogger;
  const mlflow = resolveConfig({ ...options, logger });
  const context = { cwd, config: mlflow, env: options.env };
  const opened: TrackingStore[] = [];
  const open = (uri: string) => {
    const s = openStore(uri, context);
    opened.push(s);
    return s;
  };
  const primary = open(mlflow.tracking_uri);
  let store = primary;
  if (/^https?:/i.test(mlflow.tracking_uri) && mlflow.fallback.enabled) {
    store = resilientStore({
      primary,
      primaryUri: mlflow.tracking_uri,
      fallback: () => open(mlflow.fallback.uri),
      fallbackUri: mlflow.fallback.uri,
      precheckTimeoutMs: mlflow.fallback.precheck_timeout * 1000,
      spool: open(spoolUri(cwd)),
      logger,
    });
  }
  const budget = mlflow.flush_timeout * 1000;
  const tracker = createTracker({
    store,
    logger,
    enabled: mlflow.enabled,
    ...(mlflow.experiment_id
      ? { experimentId: mlflow.experiment_id }
      : { experimentName: mlflow.experiment_name }),
    logPrompts: mlflow.log_prompts,
    redact: mlflow.redact,
    sampling: mlflow.sampling,
    maxPayloadChars: mlflow.max_payload_chars,
    runTags: mlflow.tags,
    flushTimeoutMs: budget,
    ...(mlflow.session ? { session: mlflow.session } : {}),
    ...(mlflow.user ? { user: mlflow.user } : {}),
    pricing: mlflow.pricing.enabled
      ? { builtin: mlflow.pricing.builtin, models: mlflow.pricing.models }
      : false,
    ...options.tracker,
    pipeline: { writeTimeoutMs: budget, ...options.tracker?.pipeline },
  });
  const autolog = mlflow.autolog_enabled
    ? loadOptional<typeof import('@graphtrace/autolog-langgraph')>(
        '@graphtrace/autolog-langgraph',
        'autolog_enabled',
      ).autolog({
        tracker,
        scope: 'process',
        recordInternalChains: mlflow.record_internal_chains,
        ...(mlflow.user ? { user: mlflow.user } : {}),
      })
    : null;
  return {
    tracker,
    store,
    config: mlflow,
    autolog,
    async close() {
      await autolog?.flush(); // LangChain may still be delivering a run's last callbacks
      autolog?.disable();
      await tracker.shutdown();
      // A resilient store closes what it composes, and says what is left in its spool.
      if (store !== primary) await store.close();
      else for (const s of opened.reverse()) await s.close();
    },
  };
}

// `init({ trackingUri, experimentId })` of @graphtrace/core's module API (MLflow's SDK form)
// opens its store here once this package is loaded.
registerTrackerFactory(
  ({ store: _store, trackingUri, experimentId, experimentName, ...tracker }) => {
    const config: MlflowConfigInput = {};
    if (trackingUri !== undefined) config.tracking_uri = trackingUri;
    if (experimentId !== undefined) config.experiment_id = experimentId;
    if (experimentName !== undefined) config.experiment_name = experimentName;
    return wire({ config, tracker, ...(tracker.logger ? { logger: tracker.logger } : {}) }).tracker;
  },
);
