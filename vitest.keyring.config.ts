import { defineConfig } from 'vitest/config';

/**
 * Keyring tests against a real Secret Service (`npm run test:keyring`): run
 * inside scripts/keyring/with-secret-service.sh, which starts a private D-Bus
 * session with an unlocked gnome-keyring and sets RECON_SECRET_SERVICE=1.
 * In the plain `vitest run` these files are skipped.
 */
export default defineConfig({
  test: {
    include: ['engine/**/*.keyring.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
