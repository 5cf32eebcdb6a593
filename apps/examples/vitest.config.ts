import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    // Builds the MLflow 3.9.0 venv for the interop test once per run (cached across runs).
    globalSetup: ['@graphtrace/mlflow-testkit/global-setup'],
    testTimeout: 60_000,
  },
});
