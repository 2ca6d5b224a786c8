import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import path from 'node:path';
import { buildCommit } from './scripts/packaging/build-info.ts';
import { runtimeAssets } from './scripts/packaging/runtime-assets.ts';

const root = import.meta.dirname;

/**
 * `electron-vite build --mode bundle-probe` adds a test-only entry
 * (scripts/packaging/bundle-probe.ts) that drives the bundled engine under
 * plain Node: the packaging tests run it, since Electron itself cannot run on
 * CI machines. Release builds never use this mode.
 */
const BUNDLE_PROBE_MODE = 'bundle-probe';

export default defineConfig(({ mode }) => ({
  main: {
    // The About box shows the commit the app was built from (electron/main/build-info.ts).
    define: { __RECON_COMMIT__: JSON.stringify(buildCommit(root)) },
    // The baseline model and the store's migrations, read at run time beside
    // the modules that need them (scripts/packaging/runtime-assets.ts).
    plugins: [runtimeAssets(path.resolve(root, 'engine'))],
    build: {
      // electron-vite already externalizes everything in package.json
      // "dependencies"; better-sqlite3 is named too so the native module stays
      // external even before (or if never) it is listed there.
      externalizeDeps: { include: ['@duckdb/node-api', 'better-sqlite3'] },
      rolldownOptions: {
        input: {
          index: path.resolve(root, 'electron/main/index.ts'),
          // The engine worker thread is its own entry: from the bundle,
          // workerEntryUrl() (engine/worker/client.ts) starts
          // out/main/engine-worker.js, the `bundled` name of ENGINE_WORKER.
          'engine-worker': path.resolve(root, 'engine/worker/worker.ts'),
          ...(mode === BUNDLE_PROBE_MODE ? { 'bundle-probe': path.resolve(root, 'scripts/packaging/bundle-probe.ts') } : {}),
        },
        // Flat: every chunk sits in out/main, so `new URL('./x', import.meta.url)`
        // means out/main/x from any chunk (the worker, the model, the migrations).
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot load ESM or require files or packages, so it
      // is one self-contained CommonJS file (out/preload/index.cjs).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: path.resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: {
        input: { index: path.resolve(root, 'renderer/index.html') },
      },
    },
  },
}));
