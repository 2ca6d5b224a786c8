import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { ResolvedField } from '../definition/resolve.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import { literal } from '../sql/quote.ts';
import { fieldSql, TRIMMED_WHITESPACE } from './sql.ts';

/**
 * Integers and decimals are stored in 64 bits where they fit, with the rare
 * wider value kept beside them (normalize/stage.ts): the staged views must
 * still give every value exactly, typed as HUGEINT / DECIMAL(38, s), and the
 * compare, deltas, control totals and rejects must not see the split.
 */

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
