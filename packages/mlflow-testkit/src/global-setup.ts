import type { TestProject } from 'vitest/node';
import { isCi } from './paths.js';
import { mlflowAvailability } from './venv.js';

/**
 * vitest globalSetup: builds (or finds) the MLflow venv once per test run, before any worker
 * starts, and hands the result to test files through `inject('graphtraceMlflow')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  const availability = await mlflowAvailability();
  if (!availability.ok) {
    const what = isCi() ? 'interop tests will FAIL (CI=true)' : 'interop tests will be skipped';
    process.stderr.write(`[mlflow-testkit] MLflow unavailable, ${what}: ${availability.reason}\n`);
  }
  project.provide('graphtraceMlflow', availability);
}
