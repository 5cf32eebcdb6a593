import type { TestProject } from 'vitest/node';
import { isCi, MLFLOW_VERSION, mlflowVersionsUnderTest } from './paths.js';
import { type MlflowAvailability, mlflowAvailability } from './venv.js';

/**
 * vitest globalSetup: builds (or finds) the venv of every MLflow version under test once per
 * run, before any worker starts, and hands the results to test files through
 * `inject('graphtraceMlflowVersions')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  const versions = [...new Set([MLFLOW_VERSION, ...mlflowVersionsUnderTest()])];
  const all: Record<string, MlflowAvailability> = {};
  // One at a time: pip builds in parallel only compete for the same two cores.
  for (const version of versions) {
    const availability = await mlflowAvailability(version);
    if (!availability.ok) {
      const what = isCi() ? 'interop tests will FAIL (CI=true)' : 'interop tests will be skipped';
      process.stderr.write(
        `[mlflow-testkit] MLflow ${version} unavailable, ${what}: ${availability.reason}\n`,
      );
    }
    all[version] = availability;
  }
  project.provide('graphtraceMlflowVersions', all);
}
