import { inject } from 'vitest';
import { describeRequiring } from './describe-requiring.js';
import { MlflowTestkitError, type TestkitErrorCode } from './errors.js';
import { MLFLOW_VERSION, mlflowVersionsUnderTest } from './paths.js';
import {
  type MlflowAvailability,
  type MlflowVenv,
  mlflowAvailability,
  readyMlflowVenvSync,
  settledMlflowAvailability,
} from './venv.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by `@graphtrace/mlflow-testkit/global-setup`: every version under test. */
    graphtraceMlflowVersions: Record<string, MlflowAvailability>;
  }
}

/** Timeout for a beforeAll that builds the venv or starts a server for the first time. */
export const INTEROP_SETUP_TIMEOUT_MS = 5 * 60_000;
/** Timeout for one interop test (Python imports mlflow in a few seconds; a server start more). */
export const INTEROP_TEST_TIMEOUT_MS = 2 * 60_000;

export interface InteropContext {
  /**
   * The venv. When MLflow is unavailable this is a stand-in that throws the reason on any
   * property read, so destructuring `({ venv })` is fine but read its fields only in hooks/tests.
   */
  readonly venv: MlflowVenv;
  /** The MLflow release the suite runs against, e.g. `3.17.2`. */
  readonly version: string;
}

function safeInject(version: string): MlflowAvailability | undefined {
  try {
    return inject('graphtraceMlflowVersions')?.[version];
  } catch {
    return undefined;
  }
}

/**
 * Whether an MLflow version can be used in this test file, decided synchronously at collection
 * time: from the global setup, else from what this process already found, else from the venv
 * on disk.
 */
export function interopAvailability(version: string = MLFLOW_VERSION): MlflowAvailability {
  const known = safeInject(version) ?? settledMlflowAvailability(version);
  if (known) return known;
  const venv = readyMlflowVenvSync(version);
  if (venv) return { ok: true, ...venv };
  return {
    ok: false,
    code: 'MLFLOW_UNAVAILABLE',
    reason:
      `the MLflow ${version} venv has not been built: add globalSetup: ` +
      "['@graphtrace/mlflow-testkit/global-setup'] to vitest.config.ts, or " +
      '`await mlflowAvailability(version)` at the top of the test file',
  };
}

/** Resolves to the venv or rejects with the reason (for beforeAll hooks outside describeInterop). */
export async function requireMlflow(version: string = MLFLOW_VERSION): Promise<MlflowVenv> {
  const a = await mlflowAvailability(version);
  if (!a.ok) throw new MlflowTestkitError(a.code as TestkitErrorCode, a.reason);
  return a;
}

/**
 * `describe` for tests against the real MLflow (by default the oldest supported release).
 * Outside CI a missing Python or mlflow skips the suite and says why (in its name and on
 * stderr); with CI=true the suite fails with that reason instead, so a broken CI machine can
 * never pass by skipping.
 */
export function describeInterop(
  name: string,
  fn: (ctx: InteropContext) => void,
  options: { mlflowVersion?: string } = {},
): void {
  const version = options.mlflowVersion ?? MLFLOW_VERSION;
  const availability = interopAvailability(version);
  const ctx: InteropContext = {
    version,
    venv: availability.ok
      ? availability
      : (new Proxy({} as MlflowVenv, {
          get() {
            throw new MlflowTestkitError(
              availability.code as TestkitErrorCode,
              availability.reason,
            );
          },
        }) as MlflowVenv),
  };
  describeRequiring(
    name,
    {
      what: `the real MLflow ${version}`,
      availability,
      error: (reason) =>
        new MlflowTestkitError(
          availability.ok ? 'MLFLOW_UNAVAILABLE' : (availability.code as TestkitErrorCode),
          `MLflow ${version} is required when CI=true (interop tests are never skipped there): ${reason}`,
        ),
    },
    () => fn(ctx),
  );
}

/**
 * One `describeInterop` per MLflow version under test (both ends of the supported range, or
 * what `GRAPHTRACE_MLFLOW_VERSIONS` names), each suite named `<name> (MLflow <version>)`.
 */
export function describeInteropVersions(name: string, fn: (ctx: InteropContext) => void): void {
  for (const version of mlflowVersionsUnderTest()) {
    describeInterop(`${name} (MLflow ${version})`, fn, { mlflowVersion: version });
  }
}
