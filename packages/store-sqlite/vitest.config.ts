import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    // Builds the MLflow 3.9.0 venv for the interop tests once per run (cached across runs),
    // and dist when stale (the trace writer thread and the child processes run it).
    globalSetup: ['@graphtrace/mlflow-testkit/global-setup', './test/build-dist.ts'],
    testTimeout: 30_000,
  },
});
