/**
 * Proves that each folder boundary in eslint.config.js fires: an import that
 * crosses a boundary is reported (no-restricted-imports for static imports,
 * no-restricted-syntax for `import()` expressions), and the legal imports next
 * to it are not.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');
const RULE = 'no-restricted-imports';
/** `import('x')` expressions are invisible to RULE; the config bans them with this rule. */
const DYNAMIC_RULE = 'no-restricted-syntax';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** Lints `code` as if it were the file at `filePath` and returns the rule ids reported. */
async function ruleIdsFor(code: string, filePath: string): Promise<(string | null)[]> {
  // An ignored path or a parse error would make "not reported" trivially true.
  expect(await eslint.isPathIgnored(filePath)).toBe(false);
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error(`ESLint returned no result for ${filePath}`);
  expect(result.messages.filter((m) => m.fatal === true)).toEqual([]);
  return result.messages.map((m) => m.ruleId);
}

describe('engine/ is pure', () => {
  it.each([
    `import { app } from 'electron';`,
    `import { ipcMain } from 'electron/main';`,
    `import React from 'react';`,
    `import { jsx } from 'react/jsx-runtime';`,
    `import { createRoot } from 'react-dom/client';`,
    `import { AgGridReact } from 'ag-grid-react';`,
    `import { themeQuartz } from 'ag-grid-community';`,
    `import { createMainWindow } from '../../electron/main/window.ts';`,
    `import { App } from '../../renderer/src/App.tsx';`,
    `export { App } from '../renderer/src/App.tsx';`,
    `import type { BrowserWindow } from 'electron';`,
  ])('reports %s', async (code) => {
    expect(await ruleIdsFor(code, 'engine/diff/x.ts')).toContain(RULE);
  });

  it.each([
    `import { z } from 'zod';`,
    `import { readFile } from 'node:fs/promises';`,
    `import { DuckDBInstance } from '@duckdb/node-api';`,
    `import { ident } from '../sql/quote.ts';`,
    `import { electronish } from './electron-free.ts';`,
  ])('allows %s', async (code) => {
    expect(await ruleIdsFor(code, 'engine/diff/x.ts')).not.toContain(RULE);
  });

  it.each([`await import('electron');`, `await import('react-dom/client');`, `await import('ag-grid-community');`, `await import('../renderer/src/App.tsx');`])(
    'reports dynamic %s',
    async (code) => {
      expect(await ruleIdsFor(code, 'engine/diff/x.ts')).toContain(DYNAMIC_RULE);
    },
  );

  it.each([`await import('exceljs');`, `await import('node:worker_threads');`, `await import('./electron-free.ts');`])(
    'allows dynamic %s',
    async (code) => {
      expect(await ruleIdsFor(code, 'engine/diff/x.ts')).not.toContain(DYNAMIC_RULE);
    },
  );
});

describe('renderer/ has no Node, Electron or engine internals', () => {
  it.each([
    `import fs from 'node:fs';`,
    `import fs from 'fs';`,
    `import path from 'path';`,
    `import { spawn } from 'child_process';`,
    `import { EventEmitter } from 'node:events';`,
    `import { ipcRenderer } from 'electron';`,
    `import { DuckDBInstance } from '@duckdb/node-api';`,
    `import Database from 'better-sqlite3';`,
    `import { runDiff } from '../../engine/diff/run.ts';`,
    `import { ident } from '../../engine/sql/quote.ts';`,
    `import { x } from '../../engine/contract/../diff/x.ts';`,
    `import * as engine from '../../engine';`,
  ])('reports %s', async (code) => {
    expect(await ruleIdsFor(code, 'renderer/src/x.tsx')).toContain(RULE);
  });

  it.each([
    `import type { RunSummary } from '../../engine/contract/x.ts';`,
    `import { api } from '../../engine/contract/api/runs.ts';`,
    `import { useState } from 'react';`,
    `import { createRoot } from 'react-dom/client';`,
    `import { App } from './App.tsx';`,
  ])('allows %s', async (code) => {
    expect(await ruleIdsFor(code, 'renderer/src/x.tsx')).not.toContain(RULE);
  });

  it.each([
    `await import('node:fs');`,
    `await import('fs/promises');`,
    `await import('electron');`,
    `await import('@duckdb/node-api');`,
    `await import('better-sqlite3');`,
    `await import('../../engine/diff/run.ts');`,
  ])('reports dynamic %s', async (code) => {
    expect(await ruleIdsFor(code, 'renderer/src/x.tsx')).toContain(DYNAMIC_RULE);
  });

  it.each([`await import('./Runs.tsx');`, `await import('../../engine/contract/x.ts');`])('allows dynamic %s', async (code) => {
    expect(await ruleIdsFor(code, 'renderer/src/x.tsx')).not.toContain(DYNAMIC_RULE);
  });
});

describe('electron/preload/ is a sandboxed preload', () => {
  it.each([
    `import { readFileSync } from 'node:fs';`,
    `import path from 'path';`,
    `import { ident } from '../../engine/sql/quote.ts';`,
  ])('reports %s', async (code) => {
    expect(await ruleIdsFor(code, 'electron/preload/index.ts')).toContain(RULE);
  });

  it.each([
    `import { contextBridge, ipcRenderer } from 'electron';`,
    `import type { Contract } from '../../engine/contract/x.ts';`,
    `import { IpcChannel } from '../shared/ipc-channels.ts';`,
  ])('allows %s', async (code) => {
    expect(await ruleIdsFor(code, 'electron/preload/index.ts')).not.toContain(RULE);
  });

  it.each([`await import('node:fs');`, `await import('../../engine/sql/quote.ts');`])('reports dynamic %s', async (code) => {
    expect(await ruleIdsFor(code, 'electron/preload/index.ts')).toContain(DYNAMIC_RULE);
  });

  it('holds electron/shared/ (bundled into the preload) to the same limits', async () => {
    expect(await ruleIdsFor(`import fs from 'node:fs';`, 'electron/shared/x.ts')).toContain(RULE);
  });
});

describe('electron/main/ does not import UI code', () => {
  it.each([`import React from 'react';`, `import { App } from '../../renderer/src/App.tsx';`])(
    'reports %s',
    async (code) => {
      expect(await ruleIdsFor(code, 'electron/main/x.ts')).toContain(RULE);
    },
  );

  it('reports a dynamic import of renderer code', async () => {
    expect(await ruleIdsFor(`await import('../../renderer/src/App.tsx');`, 'electron/main/x.ts')).toContain(DYNAMIC_RULE);
  });

  it.each([`import { app } from 'electron';`, `import path from 'node:path';`, `import { ident } from '../../engine/sql/quote.ts';`])(
    'allows %s',
    async (code) => {
      expect(await ruleIdsFor(code, 'electron/main/x.ts')).not.toContain(RULE);
    },
  );
});

describe('engine/run-file/ serves the hosts and never imports them', () => {
  it.each([
    [`import { createService } from '../host/service.ts';`, 'engine/run-file/x.ts'],
    [`import type { HostContext } from '../../host/handlers/types.ts';`, 'engine/run-file/grid/x.ts'],
    [`import { main } from '../cli/main.ts';`, 'engine/run-file/x.ts'],
    [`import React from 'react';`, 'engine/run-file/grid/x.ts'],
  ])('reports %s', async (code, file) => {
    expect(await ruleIdsFor(code, file)).toContain(RULE);
  });

  it('reports a dynamic import of a host', async () => {
    expect(await ruleIdsFor(`await import('../../host/service.ts');`, 'engine/run-file/grid/x.ts')).toContain(DYNAMIC_RULE);
  });

  it.each([
    [`import { queryRows } from '../duckdb/open.ts';`, 'engine/run-file/x.ts'],
    [`import type { Store } from '../../store/store.ts';`, 'engine/run-file/grid/x.ts'],
    [`import { RunFile } from '../run-file.ts';`, 'engine/run-file/grid/x.ts'],
  ])('allows %s', async (code, file) => {
    expect(await ruleIdsFor(code, file)).not.toContain(RULE);
  });

  it('lets the hosts import it', async () => {
    expect(await ruleIdsFor(`import { readPage } from '../../run-file/grid/pager.ts';`, 'engine/host/handlers/x.ts')).not.toContain(RULE);
  });
});

describe('engine/worker/ and engine/training/ sit above the engine steps', () => {
  it.each([
    [`import { startJob } from '../worker/client.ts';`, 'engine/report/x.ts'],
    [`import { retrainWorkspaceModel } from '../training/retrain.ts';`, 'engine/attribution/x.ts'],
    [`import { generateAndRun } from '../../training/generated-runs.ts';`, 'engine/run/testing/x.ts'],
    // The back-edge this rule closed: attribution's training code ran whole recons from below run/.
    [`import { runRecon } from '../run/run-recon.ts';`, 'engine/attribution/x.ts'],
    [`import { RunManager } from '../host/run-manager.ts';`, 'engine/worker/x.ts'],
    [`import { main } from '../cli/main.ts';`, 'engine/worker/jobs/x.ts'],
    [`import { startJob } from '../worker/client.ts';`, 'engine/training/x.ts'],
    [`import { service } from '../host/service.ts';`, 'engine/training/x.ts'],
  ])('reports %s in %s', async (code, file) => {
    expect(await ruleIdsFor(code, file)).toContain(RULE);
  });

  it.each([
    [`import { startJob } from '../worker/client.ts';`, 'engine/host/x.ts'],
    [`import { startWorker } from '../../worker/client.ts';`, 'engine/cli/commands/x.ts'],
    [`import { retrainWorkspaceModel } from '../../training/retrain.ts';`, 'engine/worker/jobs/x.ts'],
    [`import { runRecon } from '../run/run-recon.ts';`, 'engine/training/x.ts'],
    [`import { attributeBreaks } from '../attribution/attribute.ts';`, 'engine/run/x.ts'],
    [`import { ident } from '../sql/quote.ts';`, 'engine/attribution/x.ts'],
    [`import { runFile } from '../run-file/open.ts';`, 'engine/attribution/x.ts'],
  ])('allows %s in %s', async (code, file) => {
    expect(await ruleIdsFor(code, file)).not.toContain(RULE);
  });

  it.each([
    [`await import('../run/run-recon.ts');`, 'engine/attribution/x.ts'],
    [`await import('../host/service.ts');`, 'engine/worker/x.ts'],
    [`await import('../worker/client.ts');`, 'engine/infer/x.ts'],
  ])('reports dynamic %s in %s', async (code, file) => {
    expect(await ruleIdsFor(code, file)).toContain(DYNAMIC_RULE);
  });

  it('still holds every engine folder to engine/ being pure', async () => {
    for (const file of ['engine/attribution/x.ts', 'engine/worker/x.ts', 'engine/training/x.ts']) {
      expect(await ruleIdsFor(`import { app } from 'electron';`, file)).toContain(RULE);
      expect(await ruleIdsFor(`await import('react');`, file)).toContain(DYNAMIC_RULE);
    }
  });
});
