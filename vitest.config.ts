import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'scripts/**/*.test.ts'],
    // DuckDB and native modules are safest in child processes, not worker threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // No call may take a host down: an unhandled rejection or uncaught exception fails the test it happened in.
    setupFiles: ['engine/host/testing/fail-on-unhandled.ts'],
  },
});
