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
 * e.g. run-in-worker.ts's worker-entry.mjs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

/** `new URL('<literal>', import.meta.url)`, with either quote. */
const NEW_URL_META = /new\s+URL\(\s*(['"])([^'"\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;

const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** A data file or folder a module reads relative to itself. */
export interface RuntimeAssetRef {
  /** As written in the module, e.g. './migrations/'. */
  literal: string;
  /** Where it is in the source tree. */
  source: string;
  /** Where it goes under the bundle's folder, posix separators, e.g. 'migrations'. */
  target: string;
}

/** The data files and folders `code` (the module at `file`) reads through import.meta.url. */
export function findRuntimeAssets(code: string, file: string): RuntimeAssetRef[] {
  const refs: RuntimeAssetRef[] = [];
  for (const m of code.matchAll(NEW_URL_META)) {
    const literal = m[2]!;
    // Code only serves the tsx branch; the module's own folder is no asset.
    if (CODE_EXTENSIONS.has(extname(literal)) || literal === '.' || literal === './') continue;
    if (!literal.startsWith('./')) {
      throw new Error(
        `${file}: new URL('${literal}', import.meta.url) reads a file outside its own folder; ` +
          `the main-process bundle is flat (out/main) and cannot reproduce that path. Keep run-time data beside the module that reads it.`,
      );
    }
    const source = resolve(dirname(file), literal);
    const target = literal.slice(2).replace(/\/+$/, '');
    if (target === '' || target.split('/').includes('..')) throw new Error(`${file}: unsupported run-time asset path '${literal}'`);
    refs.push({ literal, source, target });
  }
  return refs;
}

/** Every file of an asset (a file, or a folder's files except tests and TypeScript), as [target path, absolute source]. */
export function assetFiles(ref: RuntimeAssetRef): Array<[string, string]> {
  const st = statSync(ref.source, { throwIfNoEntry: false });
  if (!st) throw new Error(`run-time asset ${ref.source} (new URL('${ref.literal}', import.meta.url)) does not exist`);
  if (st.isFile()) return [[ref.target, ref.source]];
  const files: Array<[string, string]> = [];
  const walk = (dir: string): void => {
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
      const targets = new Map<string, RuntimeAssetRef>();
      for (const [file, refs] of byModule) {
        if (!bundled.has(file)) continue;
        for (const ref of refs) {
          const seen = targets.get(ref.target);
          if (seen && seen.source !== ref.source) {
            throw new Error(`two bundled modules ship different files as out/main/${ref.target}: ${seen.source} and ${ref.source}`);
          }
          targets.set(ref.target, ref);
        }
      }
      for (const ref of targets.values()) {
        for (const [fileName, source] of assetFiles(ref)) {
          this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
        }
      }
    },
  };
}
