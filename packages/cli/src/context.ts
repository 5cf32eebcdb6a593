import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONFIG_PATH_ENV,
  type ConfigOverrides,
  type ConfigSource,
  type LoadConfigResult,
  loadConfig,
  type MlflowConfig,
  tryParseTrackingUri,
} from '@graphtrace/config';
import type { TrackingStore } from '@graphtrace/core';
import { DEFAULT_CONFIG_FILE } from '@graphtrace/setup';
import { CliError, ExitCode, usageError } from './errors.js';
import type { CliIo } from './io.js';
import { openStore } from './open-store.js';
import { Output } from './output/output.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  trackingUri?: string;
  config?: string;
  debug?: boolean;
  /** commander's `--no-color`: false when given. */
  color?: boolean;
  /** `--timeout`: seconds one server call may wait in all. */
  timeout?: number;
}

/** A command never waits longer than this for one call to a server that stopped answering. */
export const DEFAULT_TIMEOUT_S = 30;

/** The file that is read: `--config`, else `$GRAPHTRACE_CONFIG`, else ./graphtrace.yaml if present. */
export interface ConfigFileChoice {
  path: string | undefined;
  /** How it was chosen, for messages. */
  via: '--config' | `$${string}` | 'default' | 'none';
}

// The file setup() reads too: a command reads what the traced program was configured by.
export { DEFAULT_CONFIG_FILE };

export interface LoadedConfig {
  result: LoadConfigResult & { ok: true };
  mlflow: MlflowConfig;
  file: ConfigFileChoice;
}

/** A tracking URI and a person-readable account of where it came from. */
export interface ResolvedUri {
  uri: string;
  source: string;
}

export function describeSource(source: ConfigSource | undefined, cwd: string): string {
  switch (source?.kind) {
    case undefined:
      return 'unset';
    case 'default':
      return 'default';
    case 'env':
      return `$${source.variable}`;
    case 'override':
      return 'command line';
    case 'object':
      return 'object';
    case 'file': {
      const file = source.file.startsWith(`${cwd}/`)
        ? source.file.slice(cwd.length + 1)
        : source.file;
      const at = source.line === undefined ? file : `${file}:${source.line}:${source.column ?? 1}`;
      return source.legacyPath ? `${at} (legacy ${source.legacyPath})` : at;
    }
  }
}

/** Per-invocation state shared by the commands: I/O, global flags, config and stores. */
export class CliContext {
  readonly out: Output;
  private loaded: LoadedConfig | undefined;
  private warned = false;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {
    this.out = new Output(io, globals.color === false);
  }

  get cwd(): string {
    return this.io.cwd;
  }

  configFile(): ConfigFileChoice {
    if (this.globals.config !== undefined) return { path: this.globals.config, via: '--config' };
    const fromEnv = this.io.env[CONFIG_PATH_ENV];
    if (fromEnv !== undefined && fromEnv !== '')
      return { path: fromEnv, via: `$${CONFIG_PATH_ENV}` };
    if (existsSync(resolve(this.cwd, DEFAULT_CONFIG_FILE)))
      return { path: DEFAULT_CONFIG_FILE, via: 'default' };
    return { path: undefined, via: 'none' };
  }

  /** Overrides from the global flags (`--tracking-uri`). */
  overrides(): ConfigOverrides | undefined {
    const uri = this.globals.trackingUri;
    if (uri === undefined) return undefined;
    const parsed = tryParseTrackingUri(uri);
    // A FileStore URI is migrated by loadConfig with a warning; anything else bad is a usage error.
    if (!parsed.ok && !parsed.legacy)
      throw usageError(`--tracking-uri: ${parsed.message}`, 'INVALID_URI');
    return { observability: { mlflow: { tracking_uri: uri } } };
  }

  /** Runs loadConfig without judging the result (`config check` reports it itself). */
  loadRaw(options: { checkFilesystem?: boolean } = {}): {
    result: LoadConfigResult;
    file: ConfigFileChoice;
  } {
    const file = this.configFile();
    const result = loadConfig(file.path ?? null, {
      env: this.io.env,
      cwd: this.cwd,
      overrides: this.overrides(),
      checkFilesystem: options.checkFilesystem ?? false,
    });
    return { result, file };
  }

  /**
   * The effective configuration: defaults < file < environment < flags, as the config
   * package defines it, so the CLI reads the store the traced program writes to. Invalid
   * configuration is a usage error (exit 2); warnings are printed once on stderr.
   */
  config(options: { quiet?: boolean } = {}): LoadedConfig {
    if (this.loaded) return this.loaded;
    if (options.quiet) this.warned = true;
    const { result, file } = this.loadRaw();
    if (!result.ok) {
      const [first, ...rest] = result.errors;
      const more =
        rest.length > 0 ? ` (and ${rest.length} more; see \`graphtrace config check\`)` : '';
      throw new CliError('CONFIG_INVALID', `${first?.message ?? 'invalid configuration'}${more}`, {
        exitCode: ExitCode.USAGE,
      });
    }
    if (!this.warned) {
      this.warned = true;
      for (const w of result.warnings) this.out.warn(w.message);
    }
    this.loaded = { result, mlflow: result.config.observability.mlflow, file };
    return this.loaded;
  }

  trackingUri(): ResolvedUri {
    const { result, mlflow } = this.config();
    return {
      uri: mlflow.tracking_uri,
      source: describeSource(result.sources['observability.mlflow.tracking_uri'], this.cwd),
    };
  }

  /**
   * Opens a store; `uri` defaults to the effective tracking URI. With `precheck`, a server
   * that does not answer `/health` within fallback.precheck_timeout fails at once, instead of
   * after every request's retries.
   */
  async openStore(
    options: { uri?: string; mustExist?: boolean; flag?: string; precheck?: boolean } = {},
  ): Promise<TrackingStore> {
    const { mlflow } = this.config();
    const uri = options.uri ?? mlflow.tracking_uri;
    const store = await openStore(uri, {
      cwd: this.cwd,
      config: mlflow,
      mustExist: options.mustExist ?? false,
      env: this.io.env,
      maxWaitMs: (this.globals.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
      ...(options.flag === undefined ? {} : { flag: options.flag }),
    });
    // Only a server store can be unreachable; it checks with its own TLS options.
    const r = options.precheck
      ? await store.reachable?.(mlflow.fallback.precheck_timeout * 1000)
      : undefined;
    if (r && !r.ok) {
      await store.close().catch(() => {});
      throw new CliError(
        'STORE_UNAVAILABLE',
        `${options.flag ? `${options.flag}: ` : ''}cannot reach the MLflow server ${uri} (${r.reason}); start it or check the URI, then run again`,
      );
    }
    return store;
  }

  /** Opens a store, runs `fn`, and closes the store whatever happens. */
  async withStore<T>(
    fn: (store: TrackingStore) => Promise<T>,
    options: { uri?: string; mustExist?: boolean; flag?: string; precheck?: boolean } = {},
  ): Promise<T> {
    const store = await this.openStore(options);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }
}
