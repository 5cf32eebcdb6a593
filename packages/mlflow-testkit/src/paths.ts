import { homedir } from 'node:os';
import { join } from 'node:path';

/** The oldest MLflow graphtrace supports; the default version of every helper here. */
export const MLFLOW_OLDEST = '3.9.0';

/** The newest MLflow this machine's PyPI serves whole (3.18.0's wheel needs a missing mlflow-tracing). */
export const MLFLOW_NEWEST = '3.17.2';

/** The version a helper uses when none is asked for. */
export const MLFLOW_VERSION = MLFLOW_OLDEST;

/** What the README's test command checks against: both ends of the supported range. */
export const MLFLOW_CI_VERSIONS: readonly string[] = [MLFLOW_OLDEST, MLFLOW_NEWEST];

/** One release of every minor in the supported range, for `pnpm test:mlflow-matrix`. */
export const MLFLOW_MATRIX_VERSIONS: readonly string[] = [
  '3.9.0',
  '3.10.1',
  '3.11.1',
  '3.12.0',
  '3.13.0',
  '3.14.0',
  '3.15.2',
  '3.16.1',
  '3.17.2',
];

/**
 * The MLflow versions version-parameterised suites run against: `GRAPHTRACE_MLFLOW_VERSIONS`
 * (`matrix`, or a comma-separated list such as `3.9.0,3.12.0`), else both ends of the range.
 */
export function mlflowVersionsUnderTest(): readonly string[] {
  const raw = process.env.GRAPHTRACE_MLFLOW_VERSIONS?.trim();
  if (!raw) return MLFLOW_CI_VERSIONS;
  if (raw === 'matrix') return MLFLOW_MATRIX_VERSIONS;
  const versions = raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const v of versions) {
    if (!/^\d+\.\d+\.\d+$/.test(v))
      throw new Error(
        `GRAPHTRACE_MLFLOW_VERSIONS: "${v}" is not an MLflow release such as 3.12.0 ` +
          '(use `matrix` or a comma-separated list of X.Y.Z)',
      );
  }
  return versions;
}

/** What pip installs into a venv (psycopg2 lets interop tests point mlflow at PostgreSQL). */
export function mlflowPipPackages(version: string = MLFLOW_VERSION): readonly string[] {
  return [`mlflow==${version}`, 'psycopg2-binary'];
}

/** The packages of the default version's venv. */
export const MLFLOW_PIP_PACKAGES: readonly string[] = mlflowPipPackages();

/** Same cache root as scripts/run.mjs, so one variable moves every cached tool. */
export function cacheDir(): string {
  return process.env.GRAPHTRACE_CACHE_DIR ?? join(homedir(), '.cache', 'graphtrace');
}

export function venvDir(version: string = MLFLOW_VERSION): string {
  return join(cacheDir(), `mlflow-${version}-venv`);
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
    // Alembic's batch rebuilds order some constraints by set iteration, so the DDL text MLflow
    // writes depends on the hash seed (`runs` has two spellings); one seed makes runs comparable.
    PYTHONHASHSEED: '0',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
  };
}

/** Treats any CI value but an explicit false as CI, as most CI providers set `CI=true` or `1`. */
export function isCi(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** `version >= min` for X.Y.Z MLflow releases: what a test may expect of that release. */
export function mlflowAtLeast(version: string, min: string): boolean {
  const [x, y] = [version, min].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! > y![i]!;
  return true;
}
