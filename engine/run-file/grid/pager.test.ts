import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breaksPageArgsSchema, type SortModel } from '../../contract/index.ts';
import { createReconRun, type ReconRun } from '../testing/recon-run.ts';
import { readPage } from './pager.ts';
import { RunFileCache } from '../cache.ts';

let fx: ReconRun;
let cache: RunFileCache;

beforeAll(async () => {
  fx = await createReconRun(1500, 3);
  cache = new RunFileCache((id) => join(fx.workspace, 'runs', `${id}.duckdb`), fx.workspace);
});

afterAll(async () => {
  await cache.closeAll();
  await fx.dispose();
});

const args = (startRow: number, endRow: number, sortModel: SortModel) => breaksPageArgsSchema.parse({ runId: fx.summary.runId, startRow, endRow, sortModel });

describe('view windows', () => {
  it('gives the same rows from small windows, across window edges and past the end, as one direct read', async () => {
    const db = await cache.get(fx.summary.runId);
    const sort: SortModel = [{ colId: 'key', sort: 'desc' }];
    const total = fx.summary.breaks.total;
    const whole = await readPage(db, args(0, total, sort), 1_000_000);
    // Windows of 7 rows: blocks of 5 start inside one window and end in the next.
    const pieces = [];
    for (let s = 0; s < total; s += 5) pieces.push(...(await readPage(db, args(s, s + 5, sort), 7)).rows);
    expect(pieces.map((r) => r.breakId)).toEqual(whole.rows.map((r) => r.breakId));
    expect(pieces).toEqual(whole.rows);
    expect((await readPage(db, args(total + 10, total + 20, sort), 7)).rows).toEqual([]);
  });
});
