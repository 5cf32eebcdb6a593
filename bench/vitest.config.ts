import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    // Each mode is a child process loading LangGraph (the built bench: turbo builds it first).
    testTimeout: 60_000,
  },
});
