import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { attributeBreaks, type AttributeOptions } from './attribute.ts';
import { writeBreakRows, type BreakRow } from './break-rows.ts';
import { BASELINE_MODEL_PATH } from './model-store.ts';
import { ReasonModel } from './model.ts';

/**
 * A run's integrity checks run while attribution's forest predicts in
 * JavaScript (`alongside`): the predictions move to a second connection, the
 * work keeps the caller's. Same attributions either way, and neither side's
 * failure returns before the other has settled (the run closes the database next).
 */

/** Enough breaks for several prediction batches, of the reasons the rules and the forest decide. */
function manyBreaks(n: number): BreakRow[] {
  const out: BreakRow[] = [];
  for (let i = 1; i <= n; i++) {
    const a = (1000 + (i % 97) * 13.25).toFixed(2);
    const kind = i % 5;
    const b = kind === 0 ? (-Number(a)).toFixed(2) : kind === 1 ? (Number(a) * 1000).toFixed(2) : kind === 2 ? (Number(a) + 0.01).toFixed(2) : (Number(a) * 1.0851).toFixed(2);
    out.push({ breakId: i, key: `K${i}`, field: kind === 4 ? 'party' : 'amount', diffType: 'MISMATCH', valueA: kind === 4 ? `NAME ${i}` : a, valueB: kind === 4 ? `NAME ${i + 1}` : b, delta: null, fieldType: kind === 4 ? 'string' : 'decimal' });
  }
  out.push({ breakId: n + 1, key: 'KM', field: '*', diffType: 'MISSING_IN_A', valueA: null, valueB: null, fieldType: null });
  return out;
}
const BREAKS = manyBreaks(3000);

let model: ReasonModel;
let db: OpenDuckDB;
let side: DuckDBConnection;
beforeAll(async () => {
  model = await ReasonModel.load(BASELINE_MODEL_PATH);
});
beforeEach(async () => {
  db = await openDuckDB({ path: ':memory:' });
  side = await db.instance.connect();
  await writeBreakRows(db.connection, 'breaks', BREAKS);
});
afterEach(() => {
  side.closeSync();
  db.close();
});

const options = (extra: Partial<AttributeOptions> = {}): AttributeOptions => ({ model, threshold: 0.9, batchRows: 500, ...extra });
const attributions = (conn: DuckDBConnection): Promise<Record<string, unknown>[]> => queryRows(conn, 'SELECT * FROM attributions ORDER BY break_id');

describe('attribution with work alongside', () => {
  it('runs the work on the caller connection while the predictions run, and attributes exactly as without it', async () => {
    const alone = await attributeBreaks(db.connection, options());
    const expected = await attributions(db.connection);
    await db.connection.run('DROP TABLE attributions');

    let workStarted = -1;
    let workFinished = -1;
    let lastBatch = -1;
    const withWork = await attributeBreaks(
      db.connection,
      options({
        onProgress: () => void (lastBatch = performance.now()),
        alongside: {
          connection: side,
          work: async () => {
            workStarted = performance.now();
            // A TEMP table of the caller's connection: the work has that connection, the predictions do not use it.
            await db.connection.run('CREATE OR REPLACE TEMP TABLE work_done AS SELECT count(*) AS n FROM range(3000000)');
            workFinished = performance.now();
          },
        },
      }),
    );
    expect(workStarted).toBeGreaterThan(0);
    expect(workFinished).toBeGreaterThan(0);
    // Started before the last prediction batch was written: the two overlapped.
    expect(workStarted).toBeLessThan(lastBatch);
    expect(await attributions(db.connection)).toEqual(expected);
    expect({ ...withWork, timings: undefined }).toEqual({ ...alone, timings: undefined });
    expect(expected.length).toBe(BREAKS.length);
  });

  it('passes on the work failure only once the predictions are written', async () => {
    await expect(
      attributeBreaks(
        db.connection,
        options({
          alongside: {
            connection: side,
            work: async () => {
              throw new Error('checks failed');
            },
          },
        }),
      ),
    ).rejects.toThrow('checks failed');
    // Every break went through the predictions, appended before the failure came back.
    const [row] = await queryRows<{ n: string }>(db.connection, 'SELECT count(*) AS n FROM attributions');
    expect(Number(row!.n)).toBe(BREAKS.length);
  });

  it('passes on a prediction failure only once the work has finished', async () => {
    // The predictions' connection is to another database, without the run's tables: they fail at once.
    const other = await openDuckDB({ path: ':memory:' });
    let workFinished = false;
    try {
      await expect(
        attributeBreaks(
          db.connection,
          options({
            alongside: {
              connection: other.connection,
              work: async () => {
                await db.connection.run('CREATE OR REPLACE TEMP TABLE work_done AS SELECT count(*) AS n FROM range(3000000)');
                workFinished = true;
              },
            },
          }),
        ),
      ).rejects.toThrow(/break_features|breaks/);
      expect(workFinished).toBe(true);
    } finally {
      other.close();
    }
  });
});
