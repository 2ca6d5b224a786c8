// @ts-check
/**
 * The `recon` command's esbuild bundle. Loading the engine's TypeScript through
 * tsx's loader hooks costs 0.5–2 s per process and again per worker thread
 * (more while tsx's own cache is cold); the bundle skips all of it. It is built on
 * first use and whenever the sources change, so a checkout still works right
 * after `npm ci` with no build step.
 *
 * The bundle lives in node_modules/.cache/recon-cli/<key>/, where the key
 * hashes the path, size and mtime of every file under engine/ (a stat, not a
 * read: a few ms), package.json, the esbuild version and this builder. Inside
 * node_modules, so its imports of npm packages resolve from the project. It
 * is flat: main.js, the engine worker under the name its
 * WorkerEntry.bundled gives (engine/worker/client.ts starts
 * `./<bundled>` beside the chunk), shared chunks, and the data files the
 * bundled modules read beside themselves (runtime-asset-refs.mjs).
 *
 * Built in a private folder and renamed into place, so processes that build
 * at once (vitest runs CLI tests in parallel) never see half a bundle; the
 * loser of the rename uses the winner's. `node --enable-source-maps` maps
 * stack traces back to the TypeScript.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package this file belongs to (bin/..). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Output name → source, relative to the package root; the worker's name is its WorkerEntry.bundled without `.js`. */
export const BUNDLE_ENTRIES = Object.freeze({
  main: 'engine/cli/main.ts',
  'engine-worker': 'engine/worker/worker.ts',
});

/** Files besides engine/ whose change makes a different bundle, hashed by content. */
const BUILDER_FILES = ['package.json', 'package-lock.json', 'bin/cli-bundle.mjs', 'scripts/packaging/runtime-asset-refs.mjs'];

/**
 * npm packages that are bundled, not loaded from node_modules at run time: pure
 * JavaScript that every run loads, spread over many small files (zod's ~95,
 * DuckDB's JavaScript API's ~90). Loading them one file at a time, and lexing
 * each CommonJS file for its exports, cost ~0.3 s of every `recon run` and of its
 * worker thread. Packages they import are bundled with them, except NATIVE ones.
 */
const INLINE_PACKAGES = ['zod', '@duckdb/node-api', 'ml-random-forest'];
/** Native addons (and what loads them by a computed name): always loaded from node_modules. */
const NATIVE_PACKAGES = ['@duckdb/node-bindings', 'better-sqlite3', '@napi-rs/keyring', 'bindings'];

/** The package a bare import names (`@scope/name` or `name`), or null for a relative or node: one. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * esbuild plugin: the project's imports of npm packages stay imports (resolved
 * from node_modules when the bundle runs), but for INLINE_PACKAGES and what
 * they import, which are bundled; NATIVE_PACKAGES are never bundled.
 * @type {import('esbuild').Plugin}
 */
const packagesPlugin = {
  name: 'recon-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = packageOf(args.path);
      if (pkg === null) return undefined;
      if (NATIVE_PACKAGES.some((n) => pkg === n || pkg.startsWith(`${n}-`))) return { path: args.path, external: true };
      const fromPackage = args.importer.includes(`${sep}node_modules${sep}`);
      if (fromPackage || INLINE_PACKAGES.includes(pkg)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** A key folder unused for this long is removed when another key is built. */
const STALE_MS = 60 * 60 * 1000;

/**
 * Where the bundles of the package at `root` are cached.
 * @param {string} [root]
 */
export function defaultCacheDir(root = ROOT) {
  return join(root, 'node_modules', '.cache', 'recon-cli');
}

/**
 * The version of the esbuild that `import('esbuild')` from `root` finds, or
 * 'none'. Looked up by hand, as Node's resolution would (esbuild has no
 * "exports"): createRequire().resolve() alone costs a few ms.
 * @param {string} root
 */
function esbuildVersion(root) {
  for (let dir = root; ; ) {
    try {
      return /** @type {{ version: string }} */ (JSON.parse(readFileSync(join(dir, 'node_modules', 'esbuild', 'package.json'), 'utf8'))).version;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return 'none';
      dir = parent;
    }
  }
}

/**
 * The cache key of the bundle of the package at `root`: 16 hex digits.
 * @param {string} [root]
 */
export function bundleKey(root = ROOT) {
  const hash = createHash('sha256');
  hash.update(`esbuild ${esbuildVersion(root)}\n`);
  for (const file of BUILDER_FILES) {
    hash.update(`${file}\n`);
    hash.update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : 'missing');
  }
  const engine = join(root, 'engine');
  const lines = [];
  // Plain string work, not path.join/relative: this loop is most of the key's cost.
  for (const entry of readdirSync(engine, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = `${entry.parentPath}${sep}${entry.name}`;
    const st = statSync(abs);
    lines.push(`${abs.slice(engine.length)}\0${st.size}\0${st.mtimeMs}`);
  }
  hash.update(lines.sort().join('\n'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles the CLI and its worker into `outDir`, with the data files the bundled modules read.
 * @param {string} root
 * @param {string} outDir
 */
async function buildInto(root, outDir) {
  const [{ build }, { assetFiles, findRuntimeAssets, mergeAssetRefs }] = await Promise.all([
    import('esbuild'),
    import('../scripts/packaging/runtime-asset-refs.mjs'),
  ]);
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(BUNDLE_ENTRIES).map(([out, input]) => ({ in: input, out })),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [packagesPlugin],
    // Bundled CommonJS packages require() their native addons: ESM has no require of its own.
    banner: { js: "import { createRequire as __reconCreateRequire } from 'node:module'; const require = __reconCreateRequire(import.meta.url);" },
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  /** @type {Array<[string, import('../scripts/packaging/runtime-asset-refs.d.mts').RuntimeAssetRef[]]>} */
  const byModule = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = join(root, input);
    const code = readFileSync(file, 'utf8');
    if (code.includes('import.meta.url')) byModule.push([file, findRuntimeAssets(code, file)]);
  }
  for (const ref of mergeAssetRefs(byModule)) {
    for (const [target, source] of assetFiles(ref)) {
      const dest = join(outDir, target);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(source, dest);
    }
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
}

/**
 * Removes key folders (and abandoned build folders) unused for an hour, except `keep`.
 * @param {string} cacheDir
 * @param {string} keep
 */
function removeStale(cacheDir, keep) {
  const cutoff = Date.now() - STALE_MS;
  for (const name of readdirSync(cacheDir)) {
    if (name === keep) continue;
    const path = join(cacheDir, name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

/**
 * Renames the finished build `tmp` to `dir`, unless another process's build is already there.
 * @param {string} tmp
 * @param {string} dir
 */
function moveIntoPlace(tmp, dir) {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(tmp, dir);
      return;
    } catch (err) {
      if (existsSync(join(dir, 'main.js'))) return; // the other process won; its bundle is the same
      if (attempt > 0) throw err;
      // Only a complete build is ever renamed into place, so whatever is there is damaged.
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The folder of an up-to-date bundle, built if needed. Throws when esbuild is
 * missing or the build fails.
 * @param {{ root?: string, cacheDir?: string }} [options]
 * @returns {Promise<string>}
 */
export async function ensureCliBundle({ root = ROOT, cacheDir = defaultCacheDir(root) } = {}) {
  const key = bundleKey(root);
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, 'main.js'))) {
    try {
      const now = new Date();
      utimesSync(dir, now, now); // in use: not stale
    } catch {
      // A read-only cache is still usable.
    }
    return dir;
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await buildInto(root, tmp);
    moveIntoPlace(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  removeStale(cacheDir, key);
  return dir;
}

/**
 * What bin/recon.mjs runs: the CLI's `main` from the bundle, or undefined for
 * the tsx path (RECON_NO_BUNDLE=1, no esbuild, a failed build). Never throws;
 * RECON_DEBUG_BUNDLE=1 says on stderr which path runs and why.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {{ root?: string, cacheDir?: string }} [options] as for ensureCliBundle
 * @returns {Promise<((argv: string[]) => Promise<number>) | undefined>}
 */
export async function bundledMain(env = process.env, options = {}) {
  /** @param {string} message */
  const debug = (message) => {
    if (env.RECON_DEBUG_BUNDLE === '1') process.stderr.write(`recon: ${message}\n`);
  };
  if (env.RECON_NO_BUNDLE === '1') {
    debug('RECON_NO_BUNDLE=1, running the TypeScript through tsx');
    return undefined;
  }
  try {
    const dir = await ensureCliBundle(options);
    const { main } = await import(pathToFileURL(join(dir, 'main.js')).href);
    debug(`running the bundle in ${dir}`);
    return main;
  } catch (err) {
    debug(`no bundle (${err instanceof Error ? err.message.split('\n')[0] : String(err)}), running the TypeScript through tsx`);
    return undefined;
  }
}
