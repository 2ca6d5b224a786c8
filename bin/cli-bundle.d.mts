// Types of cli-bundle.mjs (plain JavaScript: it runs before any TypeScript loader).

/** Output name → source, relative to the package root. */
export const BUNDLE_ENTRIES: Readonly<Record<'main' | 'engine-worker', string>>;

/** Where the bundles of the package at `root` are cached: node_modules/.cache/recon-cli. */
export function defaultCacheDir(root?: string): string;

/** The cache key of the bundle of the package at `root`: 16 hex digits. */
export function bundleKey(root?: string): string;

/** The folder of an up-to-date bundle, built if needed. Throws when esbuild is missing or the build fails. */
export function ensureCliBundle(options?: { root?: string; cacheDir?: string }): Promise<string>;

/** The CLI's `main` from the bundle, or undefined for the tsx path (RECON_NO_BUNDLE=1, no esbuild, a failed build). Never throws. */
export function bundledMain(
  env?: NodeJS.ProcessEnv,
  options?: { root?: string; cacheDir?: string },
): Promise<((argv: string[]) => Promise<number>) | undefined>;
