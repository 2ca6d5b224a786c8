import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { ResolvedField } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { loadSource, prepareSource } from '../ingest/load-source.ts';
import { REJECTS_DDL } from '../ingest/rejects.ts';
import { runRecon } from '../run/run-recon.ts';
import { literal } from '../sql/quote.ts';
import { fieldSql, TRIMMED_WHITESPACE } from './sql.ts';
import { mostlyDistinctFields } from './stage.ts';
import { stageRunsInFile } from '../run/testing/stage-in-file.ts';

/**
 * Integers and decimals are stored in 64 bits where they fit, with the rare
 * wider value kept beside them (normalize/stage.ts): the staged views must
 * still give every value exactly, typed as HUGEINT / DECIMAL(38, s), and the
 * compare, deltas, control totals and rejects must not see the split.
 */

// These read every staged row back from the run's file.
stageRunsInFile();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-stage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numbers wider than 64 bits', () => {
  it('are staged, compared and totalled exactly', async () => {
    const big = '170141183460469231731687303715884105727'; // 2^127 − 1, the largest HUGEINT
    const aPath = join(dir, 'a.csv');
    const bPath = join(dir, 'b.csv');
    writeFileSync(aPath, ['id,n,amt', `${big},1,1.50`, '9223372036854775808,99999999999999999999,123456789012345678901234.25', '3,5,2.00', '4,x,1.00', ''].join('\n'));
    writeFileSync(bPath, ['id,n,amt', `${big},1,1.50`, '9223372036854775808,99999999999999999998,123456789012345678901234.20', '3,5,2.00', ''].join('\n'));
    const summary = await runRecon({
      aPath,
      bPath,
      workspace: join(dir, 'ws'),
      definition: validateDefinition({
        name: 'wide numbers',
        key: ['id'],
        sources: { a: { format: 'csv' }, b: { format: 'csv' } },
        fields: [
          { name: 'id', type: 'integer' },
          { name: 'n', type: 'integer' },
          { name: 'amt', type: 'decimal', scale: 2 },
        ],
      }),
    });
    expect(summary.counts).toMatchObject({ matched: 3, matchedWithBreaks: 1, missingInA: 0, missingInB: 0, rejectedA: 1, rejectedB: 0 });
    expect(summary.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['control_total_a_amt_ALL']);
    expect(summary.controlTotals).toEqual([
      { field: 'amt', currency: 'ALL', a: '123456789012345678901237.75', b: '123456789012345678901237.70', difference: '-0.05' },
    ]);
    expect(summary.rejects.sample).toEqual([expect.objectContaining({ side: 'a', line: 5, column: 'n', rawValue: 'x' })]);

    const db = await openDuckDB({ path: summary.database, readOnly: true });
    try {
      const breaks = await queryRows(db.connection, 'SELECT key, field, value_a, value_b, delta FROM breaks ORDER BY field');
      expect(breaks).toEqual([
        // A's rejected record 4, which B does not have, is a break alone.
        { key: '4', field: '*', value_a: 'line 5: column "n": expected a whole number with "." as decimal separator, got "x"', value_b: null, delta: null },
        { key: '9223372036854775808', field: 'amt', value_a: '123456789012345678901234.25', value_b: '123456789012345678901234.20', delta: '-0.05' },
        { key: '9223372036854775808', field: 'n', value_a: '99999999999999999999', value_b: '99999999999999999998', delta: '-1' },
      ]);
      const staged = await queryRows(db.connection, 'SELECT __key AS k, CAST(n AS VARCHAR) AS n, CAST(amt AS VARCHAR) AS amt, typeof(n) AS tn, typeof(amt) AS ta FROM a ORDER BY __rid');
      expect(staged).toEqual([
        { k: big, n: '1', amt: '1.50', tn: 'HUGEINT', ta: 'DECIMAL(38,2)' },
        { k: '9223372036854775808', n: '99999999999999999999', amt: '123456789012345678901234.25', tn: 'HUGEINT', ta: 'DECIMAL(38,2)' },
        { k: '3', n: '5', amt: '2.00', tn: 'HUGEINT', ta: 'DECIMAL(38,2)' },
        { k: '4', n: null, amt: '1.00', tn: 'HUGEINT', ta: 'DECIMAL(38,2)' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('trimming', () => {
  it('skips values that need no trim without changing any result', async () => {
    const field: ResolvedField = {
      name: 'x', aColumn: 'x', bColumn: 'x', type: 'string', scale: 0, mapA: undefined, mapB: undefined, case: 'none', trim: true,
      dateFormatA: undefined, dateFormatB: undefined, tolerance: {}, adjustA: undefined, adjustB: undefined, compare: true, isKey: false, listed: true,
    };
    const clean = fieldSql(field, 'a', {}).clean('v');
    // The rule without the shortcuts: trim the whole set (normalize/sql.ts, TRIMMED_WHITESPACE) from both ends.
    const reference = `nullif(trim(v, ${literal(String.fromCodePoint(...TRIMMED_WHITESPACE))}), '')`;
    const values = [
      'abc', ' abc', 'abc ', '  ', '', 'a b', '\tabc', 'a\tb', 'abc\t ', '\u00a0abc', 'abc\u3000', 'é', ' é ', 'a\u00a0\t', '\r\nabc\n', 'x\u2003',
      'abc\r', '\u000babc\u000c', '\ufeffabc\u200b', 'a\r\nb', '\u2028 \u00a0abc', '!abc', ' !', '\u001fabc',
    ];
    const db = await openDuckDB({ path: ':memory:' });
    try {
      const rows = await queryRows<{ got: string | null; want: string | null }>(
        db.connection,
        `SELECT ${clean} AS got, ${reference} AS want FROM (VALUES ${[...values.map((v) => `(${literal(v)})`), '(NULL)'].join(', ')}) t(v)`,
      );
      expect(rows).toHaveLength(values.length + 1);
      for (const r of rows) expect(r.got).toBe(r.want);
      expect(rows.filter((r) => r.got === 'abc')).toHaveLength(12);
    } finally {
      db.close();
    }
  });
});

describe('how text columns are stored', () => {
  // Columns of mostly distinct text (references, ids) are stored uncompressed, which DuckDB
  // would pick anyway after trying a dictionary on every block of them; repeated text keeps its
  // dictionary. The choice comes from a sample of the file's first records and never changes a value.
  it('stores mostly distinct text uncompressed and repeated text with a dictionary, from a side-effect-free sample', async () => {
    const rows = 20_000;
    const lines = [
      'id,ref,ccy,note',
      ...Array.from({ length: rows }, (_, i) => `T${i},REF-${(i * 7919) % 1_000_003}-X,${['USD', 'EUR', 'GBP'][i % 3]},${i % 2 === 0 ? 'alpha' : 'beta'}`),
    ];
    const aPath = join(dir, 'store-a.csv');
    const bPath = join(dir, 'store-b.csv');
    // A record with too many fields, inside the sample: the sample skips it, the staging rejects it once.
    writeFileSync(aPath, `${[...lines.slice(0, 5), 'T-bad,R,USD,x,extra', ...lines.slice(5)].join('\n')}\n`);
    writeFileSync(bPath, `${lines.join('\n')}\n`);
    const summary = await runRecon({
      aPath,
      bPath,
      workspace: join(dir, 'ws-store'),
      definition: validateDefinition({
        name: 'storage',
        key: ['id'],
        sources: { a: { format: 'csv' }, b: { format: 'csv' } },
        fields: [
          { name: 'id', type: 'string' },
          { name: 'ref', type: 'string' },
          { name: 'ccy', type: 'string' },
          { name: 'note', type: 'string' },
        ],
      }),
    });
    expect(summary.counts).toMatchObject({ matched: rows, matchedWithBreaks: 0, rejectedA: 1, rejectedB: 0 });
    expect(summary.rejects.sample).toEqual([expect.objectContaining({ side: 'a', line: 6 })]);
    const db = await openDuckDB({ path: summary.database, readOnly: true });
    try {
      const storage = await queryRows<{ column_name: string; compression: string }>(
        db.connection,
        `SELECT DISTINCT column_name, compression FROM pragma_storage_info('a_rows')
          WHERE segment_type = 'VARCHAR' AND column_name IN ('id', 'ref', 'ccy', 'note') ORDER BY column_name`,
      );
      expect(storage).toEqual([
        { column_name: 'ccy', compression: 'Dictionary' },
        { column_name: 'id', compression: 'Uncompressed' },
        { column_name: 'note', compression: 'Dictionary' },
        { column_name: 'ref', compression: 'Uncompressed' },
      ]);
      const values = await queryRows(db.connection, `SELECT id, ref, ccy, note FROM a WHERE id IN ('T0', 'T19999') ORDER BY id`);
      expect(values).toEqual([
        { id: 'T0', ref: 'REF-0-X', ccy: 'USD', note: 'alpha' },
        { id: 'T19999', ref: `REF-${(19999 * 7919) % 1_000_003}-X`, ccy: 'EUR', note: 'beta' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('mostlyDistinctFields', () => {
  const fieldsOf = (names: string[]): ResolvedField[] => names.map((name) => ({ name, aColumn: name, bColumn: name, type: 'string', isKey: false }) as unknown as ResolvedField);
  const decide = async (file: string, content: string, options: SourceOptions): Promise<string[]> => {
    const path = join(dir, file);
    writeFileSync(path, content);
    const db = await openDuckDB({ path: ':memory:' });
    try {
      await db.connection.run(REJECTS_DDL);
      const ctx = { conn: db.connection, scratchDir: dir };
      const loaded = await loadSource(ctx, await prepareSource(ctx, 'a', path, options));
      const chosen = await mostlyDistinctFields(db.connection, loaded, fieldsOf(['ref', 'ccy', 'sparse']), (f) => f.aColumn);
      // The sample records nothing: the staging read alone reports a bad record.
      expect(await queryRows(db.connection, 'SELECT count(*) AS n FROM rejects')).toEqual([{ n: '0' }]);
      return chosen;
    } finally {
      db.close();
    }
  };
  // 3,000 records: distinct refs, three currencies, and a column empty but for 500 distinct values (too few to judge).
  const records = Array.from({ length: 3000 }, (_, i) => ({ ref: `R${i}`, ccy: ['USD', 'EUR', 'GBP'][i % 3]!, sparse: i < 500 ? `S${i}` : '' }));

  it('picks the columns whose sampled values are mostly distinct, in a CSV with a bad record among them', async () => {
    const csv = ['ref,ccy,sparse', ...records.map((r) => `${r.ref},${r.ccy},${r.sparse}`)];
    csv.splice(10, 0, 'R-bad,USD,x,too,many');
    expect(await decide('sample.csv', `${csv.join('\n')}\n`, { format: 'csv' })).toEqual(['ref']);
  });

  it('does the same for a source read into a table first (NDJSON)', async () => {
    const ndjson = records.map((r) => JSON.stringify(r.sparse === '' ? { ref: r.ref, ccy: r.ccy } : r)).join('\n');
    expect(await decide('sample.ndjson', `${ndjson}\n`, { format: 'ndjson' })).toEqual(['ref']);
  });
});
