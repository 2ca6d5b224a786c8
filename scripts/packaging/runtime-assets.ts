/**
 * Ships the data files the engine reads at run time next to the main-process
 * bundle. The engine finds them relative to its own module, with
 * `new URL('./baseline-model.json', import.meta.url)` or
 * `new URL('./migrations/', import.meta.url)`. electron-vite emits every
 * main-process chunk flat into out/main (see electron.vite.config.ts), so a
 * copy at out/main/<same relative path> makes that lookup work unchanged in
 * the bundle, and inside app.asar.
 *
 * The list is derived from the modules that are actually bundled, never kept
 * by hand: a new `new URL('./x.json', import.meta.url)` in a bundled engine
 * module ships by itself. A data path that climbs out of its folder ('../x')
 * cannot be reproduced in the flat layout, so it fails the build. Code paths
 * (.ts/.mjs/.js) are left alone: they only serve the tsx (source) branch,
 * e.g. engine/worker/client.ts's entry.mjs.
 */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { assetFiles, findRuntimeAssets, mergeAssetRefs, type RuntimeAssetRef } from './runtime-asset-refs.mjs';

// The finding itself is plain JavaScript, shared with the CLI's bundle (bin/cli-bundle.mjs).
export { assetFiles, findRuntimeAssets, type RuntimeAssetRef };

/**
 * Vite/rolldown plugin for the main-process build: collects the assets of
 * every bundled module under `sourceRoot` and emits them at the same relative
 * path beside the chunks.
 */
export function runtimeAssets(sourceRoot: string): Plugin {
  const root = resolve(sourceRoot) + sep;
  // By module: in watch mode (`electron-vite dev`) only changed modules are transformed again.
  const byModule = new Map<string, RuntimeAssetRef[]>();
  return {
    name: 'recon:runtime-assets',
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (!file.startsWith(root)) return null;
      const refs = code.includes('import.meta.url') ? findRuntimeAssets(code, file) : [];
      if (refs.length > 0) byModule.set(file, refs);
      else byModule.delete(file);
      // `electron-vite dev` rebuilds when a shipped file changes.
      for (const ref of refs) for (const [, source] of assetFiles(ref)) this.addWatchFile(source);
      return null;
    },
    generateBundle(_options, bundle) {
      const bundled = new Set(Object.values(bundle).flatMap((chunk) => (chunk.type === 'chunk' ? Object.keys(chunk.modules) : [])));
      const refs = mergeAssetRefs([...byModule].filter(([file]) => bundled.has(file)));
      for (const ref of refs) {
        for (const [fileName, source] of assetFiles(ref)) {
          this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
        }
      }
    },
  };
}
