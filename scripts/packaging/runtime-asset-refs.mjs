// @ts-check
/**
 * The data files an engine module reads beside itself at run time, found in
 * its source: `new URL('./baseline-model.json', import.meta.url)`,
 * `new URL('./migrations/', import.meta.url)`. Both bundles of the engine
 * copy them to the same relative path beside their chunks: the desktop build
 * (runtime-assets.ts, a Vite plugin) and the CLI's esbuild bundle
 * (bin/cli-bundle.mjs). Plain JavaScript because the CLI loads this before
 * any TypeScript loader exists; the types are in runtime-asset-refs.d.mts.
 *
 * A data path that climbs out of its folder ('../x') cannot be reproduced in
 * a flat bundle, so it is an error. Code paths (.ts/.mjs/.js) are left alone:
 * they only serve the tsx (source) branch, e.g. engine/worker/client.ts's
 * entry.mjs.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

/** @typedef {import('./runtime-asset-refs.d.mts').RuntimeAssetRef} RuntimeAssetRef */

/** `new URL('<literal>', import.meta.url)`, with either quote. */
const NEW_URL_META = /new\s+URL\(\s*(['"])([^'"\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;

const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/**
 * The data files and folders `code` (the module at `file`) reads through import.meta.url.
 * @param {string} code
 * @param {string} file
 * @returns {RuntimeAssetRef[]}
 */
export function findRuntimeAssets(code, file) {
  /** @type {RuntimeAssetRef[]} */
  const refs = [];
  for (const m of code.matchAll(NEW_URL_META)) {
    const literal = /** @type {string} */ (m[2]);
    // Code only serves the tsx branch; the module's own folder is no asset.
    if (CODE_EXTENSIONS.has(extname(literal)) || literal === '.' || literal === './') continue;
    if (!literal.startsWith('./')) {
      throw new Error(
        `${file}: new URL('${literal}', import.meta.url) reads a file outside its own folder; ` +
          `a bundle is flat (out/main, the CLI's cache folder) and cannot reproduce that path. Keep run-time data beside the module that reads it.`,
      );
    }
    const source = resolve(dirname(file), literal);
    const target = literal.slice(2).replace(/\/+$/, '');
    if (target === '' || target.split('/').includes('..')) throw new Error(`${file}: unsupported run-time asset path '${literal}'`);
    refs.push({ literal, source, target });
  }
  return refs;
}

/**
 * Every file of an asset (a file, or a folder's files except tests and code), as [target path, absolute source].
 * @param {RuntimeAssetRef} ref
 * @returns {Array<[string, string]>}
 */
export function assetFiles(ref) {
  const st = statSync(ref.source, { throwIfNoEntry: false });
  if (!st) throw new Error(`run-time asset ${ref.source} (new URL('${ref.literal}', import.meta.url)) does not exist`);
  if (st.isFile()) return [[ref.target, ref.source]];
  /** @type {Array<[string, string]>} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (!CODE_EXTENSIONS.has(extname(entry.name))) {
        files.push([`${ref.target}/${relative(ref.source, abs).split(sep).join('/')}`, abs]);
      }
    }
  };
  walk(ref.source);
  return files.sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The assets of a set of bundled modules, one per target path. Two modules
 * shipping different sources under the same name would overwrite each
 * other in the flat layout, so that is an error.
 * @param {Iterable<[string, RuntimeAssetRef[]]>} byModule module file → its refs
 * @returns {RuntimeAssetRef[]}
 */
export function mergeAssetRefs(byModule) {
  /** @type {Map<string, RuntimeAssetRef>} */
  const targets = new Map();
  for (const [, refs] of byModule) {
    for (const ref of refs) {
      const seen = targets.get(ref.target);
      if (seen && seen.source !== ref.source) {
        throw new Error(`two bundled modules ship different files as ${ref.target}: ${seen.source} and ${ref.source}`);
      }
      targets.set(ref.target, ref);
    }
  }
  return [...targets.values()];
}
