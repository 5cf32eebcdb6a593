import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    // Builds (or finds) the MLflow 3.9.0 venv once for the SQLite interop test.
    globalSetup: ['@graphtrace/mlflow-testkit/global-setup'],
    testTimeout: 30_000,
  },
});
