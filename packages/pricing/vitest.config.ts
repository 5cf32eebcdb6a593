import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    globalSetup: ['@graphtrace/mlflow-testkit/global-setup'],
    testTimeout: 30_000,
  },
});
