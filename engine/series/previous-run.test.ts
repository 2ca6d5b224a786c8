import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPreviousRun, namedPreviousRun } from './previous-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const runs = join(dir, 'runs');
mkdirSync(runs, { recursive: true });
const run = (id: string, definition: string, { withDb = true, status = 'COMPLETED', finishedAt = `${id.slice(0, 8)}T12:00:00.000Z` } = {}): void => {
  const database = join(runs, `${id}.duckdb`);
  if (withDb) writeFileSync(database, '');
  writeFileSync(join(runs, `${id}.json`), JSON.stringify({ runId: id, definition, status, database, startedAt: '2024-01-01T00:00:00.000Z', finishedAt }));
};
run('20240101-000000-aaaaaa', 'trades');
run('20240102-000000-bbbbbb', 'other');
run('20240103-000000-cccccc', 'trades', { withDb: false });
run('20240104-000000-dddddd', 'trades', { status: 'FAILED' });
run('20240106-000000-ffffff', 'trades');
// Two runs started in the same second: the one that finished last is the previous run.
run('20240108-000000-bbbbbb', 'same second', { finishedAt: '20240108T00:00:02.000Z' });
run('20240108-000000-aaaaaa', 'same second', { finishedAt: '20240108T00:00:03.000Z' });

describe('the previous run of a series', () => {
  it('is the completed run of the same definition that finished last and whose file exists', async () => {
    expect((await findPreviousRun(dir, 'trades', '20240107-000000-gggggg'))?.database).toBe(join(runs, '20240106-000000-ffffff.duckdb'));
    expect((await findPreviousRun(dir, 'same second', '20240108-000000-cccccc'))?.runId).toBe('20240108-000000-aaaaaa');
    expect((await findPreviousRun(dir, 'same second', '20240108-000000-aaaaaa'))?.runId).toBe('20240108-000000-bbbbbb');
    expect(await findPreviousRun(dir, 'nothing', '20240101-000000-aaaaaa')).toBeUndefined();
    expect(await findPreviousRun(join(dir, 'nowhere'), 'trades', 'z')).toBeUndefined();
  });

  it('can be named, but only as a completed run whose file exists', async () => {
    expect((await namedPreviousRun(dir, '20240102-000000-bbbbbb')).runId).toBe('20240102-000000-bbbbbb');
    await expect(namedPreviousRun(dir, '20240104-000000-dddddd')).rejects.toThrow(/did not complete/);
    await expect(namedPreviousRun(dir, '20240103-000000-cccccc')).rejects.toThrow(/did not complete, or its file/);
    await expect(namedPreviousRun(dir, '20990101-000000-zzzzzz')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(namedPreviousRun(dir, '../../etc/passwd')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});
