import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    // Packing and `npm install` of real tarballs take minutes on a cold cache.
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
