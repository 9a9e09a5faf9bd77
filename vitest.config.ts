import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI: keep parallel workers bounded so subprocess-heavy tests do not starve.
    maxWorkers: 2,
  },
});
