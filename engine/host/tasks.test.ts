import './testing/fail-on-unhandled.ts';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, definitionSchema, type ContractEvent } from '../contract/index.ts';
import type { Service } from './service.ts';
import { createRunFixture, serviceOn, type RunFixture } from './testing/run-fixture.ts';

/** definitions.infer, runs.export and tasks.cancel through the service, on the task worker thread. */
let fx: RunFixture;
let service: Service;
let runId: string;
const events: ContractEvent[] = [];
const progressOf = (taskId: string) => events.filter((e): e is Extract<ContractEvent, { type: 'task.progress' }> => e.type === 'task.progress' && e.taskId === taskId);

beforeAll(async () => {
  fx = await createRunFixture();
  runId = fx.summary.runId;
  service = serviceOn(fx, (e) => events.push(e));
});

afterAll(async () => {
  await service.close();
  await fx.dispose();
});

describe('definitions.infer', () => {
  it('proposes a valid definition with reasons, and reports progress under the task id', async () => {
    const got = await service.invoke('definitions.infer', { aPath: fx.gen.aPath, bPath: fx.gen.bPath, taskId: 'inf-1' });
    expect(contract['definitions.infer'].result.safeParse(got).success).toBe(true);
    const def = definitionSchema.parse(got.definition);
    const written = definitionSchema.parse(JSON.parse(await readFile(fx.gen.definitionPath, 'utf8')));
    expect(def.key).toEqual(written.key);
    expect(got.report.key.reason).not.toBe('');
    expect(got.report.fields.length).toBeGreaterThan(3);
    const progress = progressOf('inf-1');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.kind === 'infer')).toBe(true);
    const overall = progress.map((p) => p.overall);
    expect(overall).toEqual([...overall].sort((x, y) => x - y));
  });

  it('answers a missing file as data naming it', async () => {
    const r = await service.call('definitions.infer', { aPath: join(fx.dir, 'nope.csv'), bPath: fx.gen.bPath });
    expect(r).toMatchObject({ ok: false, error: { code: 'INPUT_NOT_FOUND' } });
    expect(JSON.stringify(r)).toContain('nope.csv');
  });
});

describe('runs.export', () => {
  it('writes every format to the workspace exports folder by default, audited', async () => {
    // The grid has the run file open (read-only) while the worker exports it.
    await service.invoke('breaks.page', { runId, startRow: 0, endRow: 5 });
    for (const format of ['summary', 'xlsx', 'csv', 'csv-excel', 'narrative-md', 'narrative-html', 'evidence'] as const) {
      const r = await service.invoke('runs.export', { runId, format, taskId: `exp-${format}` });
      expect(contract['runs.export'].result.safeParse(r).success).toBe(true);
      expect(r.path.startsWith(join(fx.workspace, 'exports'))).toBe(true);
      expect(existsSync(r.path)).toBe(true);
      expect(r.audited).toBe(true);
      expect(progressOf(`exp-${format}`).at(-1)?.overall).toBe(1);
    }
    const csv = await readFile(join(fx.workspace, 'exports', `${runId}.csv`), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(fx.summary.breaks.total + 1);
    const audit = await service.invoke('audit.list', { action: 'export.written', limit: 50 });
    expect(audit.events.filter((e) => e.action === 'export.written').length).toBeGreaterThanOrEqual(7);
    // Each export grew the sync queue, and the status bar heard of it.
    const statuses = events.filter((e): e is Extract<ContractEvent, { type: 'sync.status' }> => e.type === 'sync.status');
    expect(statuses.length).toBeGreaterThanOrEqual(7);
    expect(statuses.at(-1)?.status.queueLength).toBeGreaterThanOrEqual(7);
  });

  it('refuses to overwrite unless asked, and writes to a chosen path', async () => {
    const out = join(fx.dir, 'mine.md');
    await writeFile(out, 'keep me');
    expect(await service.call('runs.export', { runId, format: 'narrative-md', path: out })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_EXISTS', details: { path: out } } });
    expect(await readFile(out, 'utf8')).toBe('keep me');
    const r = await service.invoke('runs.export', { runId, format: 'narrative-md', path: out, overwrite: true });
    expect(r.path).toBe(out);
    expect(await readFile(out, 'utf8')).toContain('records');
  });

  it('answers a path that cannot be written as data naming its folder, before any worker starts', async () => {
    await writeFile(join(fx.dir, 'a-file'), 'x');
    const under = join(fx.dir, 'a-file', 'x.csv');
    expect(await service.call('runs.export', { runId, format: 'csv', path: under })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_INVALID', details: { folder: join(fx.dir, 'a-file') } } });
    expect(await service.call('runs.export', { runId, format: 'csv', path: fx.dir, overwrite: true })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_INVALID', details: { path: fx.dir } } });
  });

  it('answers an unknown run and a bad format as data', async () => {
    expect(await service.call('runs.export', { runId: 'nope', format: 'csv' })).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
    expect(await service.call('runs.export', { runId, format: 'pdf' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('cancels a running export, leaving no file', async () => {
    const out = join(fx.dir, 'cancelled.xlsx');
    const started = service.call('runs.export', { runId, format: 'xlsx', path: out, taskId: 'exp-cancel' });
    // Cancel once the worker reports it is under way.
    for (let i = 0; i < 200 && progressOf('exp-cancel').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await service.invoke('tasks.cancel', { taskId: 'exp-cancel' })).cancelled).toBe(true);
    expect(await started).toMatchObject({ ok: false, error: { code: 'RUN_CANCELLED' } });
    expect(existsSync(out)).toBe(false);
    expect((await service.invoke('tasks.cancel', { taskId: 'exp-cancel' })).cancelled).toBe(false);
  });
});
