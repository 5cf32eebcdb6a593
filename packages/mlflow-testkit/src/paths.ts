import { homedir } from 'node:os';
import { join } from 'node:path';

/** The MLflow release graphtrace is compatible with; the venv and every interop test pin it. */
export const MLFLOW_VERSION = '3.9.0';

/** What pip installs into the venv (psycopg2 lets interop tests point mlflow at PostgreSQL). */
export const MLFLOW_PIP_PACKAGES: readonly string[] = [
  `mlflow==${MLFLOW_VERSION}`,
  'psycopg2-binary',
];

/** Same cache root as scripts/run.mjs, so one variable moves every cached tool. */
export function cacheDir(): string {
  return process.env.GRAPHTRACE_CACHE_DIR ?? join(homedir(), '.cache', 'graphtrace');
}

export function venvDir(): string {
  return join(cacheDir(), `mlflow-${MLFLOW_VERSION}-venv`);
}

/** The interpreter used to create the venv; overridable for machines where it is not `python3`. */
export function basePython(): string {
  return process.env.GRAPHTRACE_PYTHON ?? 'python3';
}

/**
 * Environment for every MLflow process we start: no telemetry, no job runner, no prompts,
 * so tests neither reach the network nor spawn helpers we would have to reap.
 */
export function quietMlflowEnv(): Record<string, string> {
  return {
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    // The server's default job runner (huey) forks extra consumers; interop tests never use it.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
  };
}

/** Treats any CI value but an explicit false as CI, as most CI providers set `CI=true` or `1`. */
export function isCi(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
