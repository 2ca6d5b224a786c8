import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import path from 'node:path';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      // electron-vite already externalizes everything in package.json
      // "dependencies"; better-sqlite3 is named too so the native module stays
      // external even before (or if never) it is listed there.
      externalizeDeps: { include: ['@duckdb/node-api', 'better-sqlite3'] },
      rolldownOptions: {
        input: { index: path.resolve(root, 'electron/main/index.ts') },
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
});
