import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests in a real Chromium against the browser host (`npm run
 * test:e2e`): they build the renderer and start `recon serve` themselves.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
