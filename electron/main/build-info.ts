/** Facts stamped into the main-process bundle at build time (electron.vite.config.ts `define`). */

declare const __RECON_COMMIT__: string | undefined;

/**
 * The commit the app was built from. Outside the bundle (type checks, unit
 * tests) nothing is stamped, and callers fall back to the checkout's commit.
 */
export const BUILD_COMMIT: string | undefined = typeof __RECON_COMMIT__ === 'string' ? __RECON_COMMIT__ : undefined;
