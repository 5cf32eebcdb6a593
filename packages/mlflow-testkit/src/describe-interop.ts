import { inject } from 'vitest';
import { describeRequiring } from './describe-requiring.js';
import { MlflowTestkitError, type TestkitErrorCode } from './errors.js';
import {
  type MlflowAvailability,
  type MlflowVenv,
  mlflowAvailability,
  readyMlflowVenvSync,
  settledMlflowAvailability,
} from './venv.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by `@graphtrace/mlflow-testkit/global-setup`. */
    graphtraceMlflow: MlflowAvailability;
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
}

function safeInject(): MlflowAvailability | undefined {
  try {
    return inject('graphtraceMlflow');
  } catch {
    return undefined;
  }
}

/**
 * Whether MLflow can be used in this test file, decided synchronously at collection time:
 * from the global setup, else from what this process already found, else from the venv on disk.
 */
export function interopAvailability(): MlflowAvailability {
  const known = safeInject() ?? settledMlflowAvailability();
  if (known) return known;
  const venv = readyMlflowVenvSync();
  if (venv) return { ok: true, ...venv };
  return {
    ok: false,
    code: 'MLFLOW_UNAVAILABLE',
    reason:
      "the MLflow venv has not been built: add globalSetup: ['@graphtrace/mlflow-testkit/global-setup'] " +
      'to vitest.config.ts, or `await mlflowAvailability()` at the top of the test file',
  };
}

/** Resolves to the venv or rejects with the reason (for beforeAll hooks outside describeInterop). */
export async function requireMlflow(): Promise<MlflowVenv> {
  const a = await mlflowAvailability();
  if (!a.ok) throw new MlflowTestkitError(a.code as TestkitErrorCode, a.reason);
  return a;
}

/**
 * `describe` for tests against the real MLflow 3.9.0. Outside CI a missing Python or mlflow
 * skips the suite and says why (in its name and on stderr); with CI=true the suite fails with
 * that reason instead, so a broken CI machine can never pass by skipping.
 */
export function describeInterop(name: string, fn: (ctx: InteropContext) => void): void {
  const availability = interopAvailability();
  const ctx: InteropContext = {
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
      what: 'the real MLflow 3.9.0',
      availability,
      error: (reason) =>
        new MlflowTestkitError(
          availability.ok ? 'MLFLOW_UNAVAILABLE' : (availability.code as TestkitErrorCode),
          `MLflow 3.9.0 is required when CI=true (interop tests are never skipped there): ${reason}`,
        ),
    },
    () => fn(ctx),
  );
}
