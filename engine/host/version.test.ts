import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASELINE_MODEL_PATH, currentModelPath } from '../attribution/model-store.ts';
import { formatVersionInfo, versionInfo } from './version.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('versionInfo', () => {
  it('reports the libraries actually loaded and the shipped baseline model', async () => {
    const info = await versionInfo({ version: '9.9.9', commit: 'abc' });
    expect(info).toMatchObject({ version: '9.9.9', commit: 'abc', model: { source: 'baseline' } });
    expect(info.duckdb).toMatch(/^v\d+\.\d+/);
    expect(info.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(info.model.version).toMatch(/^baseline-/);
  });

  it('reports a workspace’s promoted model, and says so when it cannot be read', async () => {
    const ws = join(dir, 'ws');
    mkdirSync(join(ws, 'models'), { recursive: true });
    copyFileSync(BASELINE_MODEL_PATH, currentModelPath(ws));
    expect((await versionInfo({ version: '1', commit: 'c', workspace: ws })).model.source).toBe('workspace');
    writeFileSync(currentModelPath(ws), '{ not json');
    expect((await versionInfo({ version: '1', commit: 'c', workspace: ws })).model.version).toMatch(/^unavailable \(model: /);
  });
});

describe('formatVersionInfo', () => {
  it('prints one fact per line, name and version first', () => {
    const text = formatVersionInfo({ version: '1.0.0', commit: 'abc', duckdb: 'v1.5.6', sqlite: '3.53.2', model: { version: 'm-1', source: 'workspace' }, node: '20.20.2' });
    expect(text.split('\n')).toEqual(['recon 1.0.0 (commit abc)', 'DuckDB v1.5.6', 'SQLite 3.53.2', 'Model m-1 (promoted in this workspace)', 'Node 20.20.2']);
  });
});
