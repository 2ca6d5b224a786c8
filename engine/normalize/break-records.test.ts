import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { readDetail } from '../run-file/grid/detail.ts';
import { RunFile } from '../run-file/run-file.ts';
import { runRecon } from '../run/run-recon.ts';
import { stageFitsInMemory } from './break-records.ts';

/**
 * A keyed run that fits in memory stages there and keeps in its file only the records
 * its breaks name, and every rejected one (normalize/break-records.ts): what the record
 * view, the grid's record columns, reports and reason rules read, at the same __rid and line.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-break-records-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const definition = validateDefinition({
  name: 'kept records',
  key: ['id'],
  sources: { a: { format: 'csv' }, b: { format: 'csv' } },
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amt', type: 'decimal', scale: 2 },
    { name: 'ccy', type: 'string' },
  ],
});

describe('a keyed run staged in memory', () => {
  it('keeps the records its breaks name and the rejected ones, each at its rid and line', async () => {
    const same = Array.from({ length: 50 }, (_, i) => `S${i},${i}.00,EUR`);
    // A: 50 matched, a mismatch (M1), a duplicated key (D1 twice), one only in A (OA), a bad amount (X1).
    const a = ['id,amt,ccy', ...same.slice(0, 25), 'M1,10.00,EUR', 'D1,1.00,USD', ...same.slice(25), 'D1,2.00,USD', 'OA,5.00,GBP', 'X1,abc,EUR'];
    // B: the same 50, M1 differing, D1 once, one only in B (OB), X1 fine.
    const b = ['id,amt,ccy', ...same, 'M1,10.50,EUR', 'D1,1.00,USD', 'OB,7.00,GBP', 'X1,3.00,EUR'];
    writeFileSync(join(dir, 'a.csv'), `${a.join('\n')}\n`);
    writeFileSync(join(dir, 'b.csv'), `${b.join('\n')}\n`);
    const summary = await runRecon({ aPath: join(dir, 'a.csv'), bPath: join(dir, 'b.csv'), workspace: join(dir, 'ws'), definition });
    expect(summary.counts).toMatchObject({ matched: 51, matchedWithBreaks: 1, missingInA: 1, missingInB: 1, rejectedA: 1, rejectedB: 0 });
    expect(summary.timings['keepRecords']).toBeGreaterThanOrEqual(0);

    const db = await openDuckDB({ path: summary.database, readOnly: true });
    try {
      const kept = async (side: 'a' | 'b'): Promise<string[]> =>
        (await queryRows<{ k: string }>(db.connection, `SELECT __key_text || '@' || __rid AS k FROM ${side} ORDER BY __rid`)).map((r) => r.k);
      // A's rows: D1 at 26 and 52, M1 at 25, OA at 53, X1 (rejected) at 54; none of the 50 matched ones.
      expect(await kept('a')).toEqual(['M1@25', 'D1@26', 'D1@52', 'OA@53', 'X1@54']);
      // B's: M1, D1 (the other side of a duplicated key), OB, and X1 (the counterpart of A's reject).
      expect(await kept('b')).toEqual(['M1@50', 'D1@51', 'OB@52', 'X1@53']);
      // Every break's records are there.
      const orphans = await queryRows(
        db.connection,
        `SELECT break_id FROM breaks WHERE (rid_a IS NOT NULL AND rid_a NOT IN (SELECT __rid FROM a)) OR (rid_b IS NOT NULL AND rid_b NOT IN (SELECT __rid FROM b))`,
      );
      expect(orphans).toEqual([]);
      // Nothing of the in-memory stage is left behind in the file.
      expect(await queryRows(db.connection, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%_rows' ORDER BY 1`)).toEqual([
        { table_name: 'a_rows' },
        { table_name: 'b_rows' },
      ]);
    } finally {
      db.close();
    }

    // The record view reads them at their file lines.
    const file = await RunFile.open(summary.database, { runId: summary.runId, memoryLimit: '256MB' });
    try {
      const [mismatch] = await file.run((c) => queryRows<{ id: string }>(c, `SELECT CAST(break_id AS INTEGER) AS id FROM breaks WHERE key = 'M1' AND field = 'amt'`));
      const detail = await readDetail(file, Number(mismatch!.id));
      expect(detail.fields.find((f) => f.name === 'amt')).toMatchObject({ a: '10.00', b: '10.50', differs: true });
      expect(detail.records.map((r) => [r.side, r.line])).toEqual([
        ['a', 27],
        ['b', 52],
      ]);
      const [rejected] = await file.run((c) => queryRows<{ id: string }>(c, `SELECT CAST(break_id AS INTEGER) AS id FROM breaks WHERE key = 'X1'`));
      const rejectDetail = await readDetail(file, Number(rejected!.id));
      expect(rejectDetail.records.find((r) => r.side === 'a')).toMatchObject({ line: 56, rejected: true });
    } finally {
      await file.close();
    }
  });
});

describe('stageFitsInMemory', () => {
  it('takes a run whose staged values fit a quarter of the memory limit and 1 GiB', () => {
    const gib = 2 ** 30;
    expect(stageFitsInMemory(2_000_000, 12, 19 * gib)).toBe(true); // 1M narrow rows a side: ~0.8 GB
    expect(stageFitsInMemory(2_000_000, 60, 19 * gib)).toBe(false); // 60 columns: ~3 GB
    expect(stageFitsInMemory(20_000_000, 12, 19 * gib)).toBe(false); // 10M a side
    expect(stageFitsInMemory(2_000_000, 12, 2 * gib)).toBe(false); // under a 2 GB limit: at most 0.5 GB
    expect(stageFitsInMemory(200_000, 12, 2 * gib)).toBe(true);
  });
});
