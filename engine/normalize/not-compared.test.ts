import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import { stageRunsInFile } from '../run/testing/stage-in-file.ts';

/**
 * A field the definition says not to compare (`compare: false`) only travels with
 * its record: a value of it that does not type must not cost the record. It is
 * left empty and counted in the run's warnings per field and side; a compared
 * field's bad value still rejects its record, as before.
 */

// These read every staged row back from the run's file.
stageRunsInFile();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-not-compared-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(a: string[], b: string[], fields: unknown[], name: string): ReturnType<typeof runRecon> {
  const aPath = join(dir, `${name}-a.csv`);
  const bPath = join(dir, `${name}-b.csv`);
  writeFileSync(aPath, [...a, ''].join('\n'));
  writeFileSync(bPath, [...b, ''].join('\n'));
  return runRecon({
    aPath,
    bPath,
    workspace: join(dir, 'ws'),
    definition: validateDefinition({ name, key: ['id'], sources: { a: { format: 'csv' }, b: { format: 'csv' } }, fields, compareUnlisted: false }),
  });
}

describe.each([
  ['one column per field', undefined],
  ['a wide definition (normalize/wide.ts)', '2'],
])('a field that is not compared, staged in %s', (_, wideFrom) => {
  beforeAll(() => {
    if (wideFrom) process.env['RECON_WIDE_MIN_FIELDS'] = wideFrom;
  });
  afterAll(() => {
    delete process.env['RECON_WIDE_MIN_FIELDS'];
  });

  it('keeps the record when its value does not type, left empty and counted in the warnings', async () => {
    const summary = await run(
      ['id,amt,price,day', '1,10.00,abc,2024-01-02', '2,20.00,1.50,not a date', '3,x,2.00,2024-01-03', '4,40.00,,'],
      ['id,amt,price,day', '1,10.00,9.99,2024-01-02', '2,20.50,1.50,2024-01-02', '3,30.00,2.00,2024-01-03', '4,40.00,1e3,2024-13-01'],
      [
        { name: 'id', type: 'integer' },
        { name: 'amt', type: 'decimal', scale: 2 },
        { name: 'price', type: 'decimal', scale: 2, compare: false },
        { name: 'day', type: 'date', compare: false },
      ],
      `kept${wideFrom ?? ''}`,
    );
    // Only record 3 of A is rejected: its compared amount "x" is no number.
    expect(summary.counts).toMatchObject({ rejectedA: 1, rejectedB: 0, missingInA: 0, missingInB: 0 });
    expect(summary.rejects.sample.map((r) => [r.side, r.line, r.column, r.rawValue])).toEqual([['a', 4, 'amt', 'x']]);
    expect(summary.warnings.a).toEqual(
      expect.arrayContaining([
        'price: 1 value(s) were not a decimal number with "." as decimal separator and were left empty (the field is not compared, so the records were kept)',
        'day: 1 value(s) were not a date as yyyy-mm-dd and were left empty (the field is not compared, so the records were kept)',
      ]),
    );
    expect(summary.warnings.b).toEqual(
      expect.arrayContaining([
        'price: 1 value(s) were not a decimal number with "." as decimal separator and were left empty (the field is not compared, so the records were kept)',
        'day: 1 value(s) were not a date as yyyy-mm-dd and were left empty (the field is not compared, so the records were kept)',
      ]),
    );
    const db = await openDuckDB({ path: summary.database, readOnly: true });
    try {
      const staged = await queryRows(db.connection, `SELECT __key AS k, __bad AS bad, CAST(price AS VARCHAR) AS price, CAST("day" AS VARCHAR) AS "day" FROM a ORDER BY __rid`);
      expect(staged).toEqual([
        { k: '1', bad: false, price: null, day: '2024-01-02' },
        { k: '2', bad: false, price: '1.50', day: null },
        { k: '3', bad: true, price: '2.00', day: '2024-01-03' },
        { k: '4', bad: false, price: null, day: null },
      ]);
      const breaks = await queryRows(db.connection, `SELECT key, field, diff_type FROM breaks ORDER BY key, field`);
      expect(breaks).toEqual([
        { key: '2', field: 'amt', diff_type: 'MISMATCH' },
        { key: '3', field: '*', diff_type: 'REJECTED_IN_A' },
      ]);
    } finally {
      db.close();
    }
  });

  it('still rejects the record when the field is the key', async () => {
    const summary = await run(['id,amt', 'x,1.00', '2,2.00'], ['id,amt', '2,2.00'], [{ name: 'id', type: 'integer', compare: false }, { name: 'amt', type: 'decimal', scale: 2 }], `key${wideFrom ?? ''}`);
    expect(summary.counts).toMatchObject({ rejectedA: 1 });
  });
});
