import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { MlflowConfig } from '../src/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The defaults, written out by hand so that a changed default is a visible test change. */
export const DEFAULTS: MlflowConfig = {
  config_version: 2,
  enabled: true,
  tracking_uri: 'sqlite:///mlflow.db',
  experiment_name: 'Default',
  autolog_enabled: false,
  record_internal_chains: 'full',
  log_prompts: true,
  sampling: 1,
  max_payload_chars: 100_000,
  redact: [],
  tags: {},
  insecure_tls: false,
  request_timeout: 120,
  flush_timeout: 10,
  fallback: { enabled: true, precheck_timeout: 3, uri: 'sqlite:///mlflow.db' },
  pricing: { enabled: true, builtin: true, models: {} },
};

export function expected(
  changes: Partial<Omit<MlflowConfig, 'fallback' | 'pricing'>> & {
    fallback?: Partial<MlflowConfig['fallback']>;
    pricing?: Partial<MlflowConfig['pricing']>;
  },
): MlflowConfig {
  return {
    ...DEFAULTS,
    ...changes,
    fallback: { ...DEFAULTS.fallback, ...changes.fallback },
    pricing: { ...DEFAULTS.pricing, ...changes.pricing },
  };
}

/** A temporary directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
