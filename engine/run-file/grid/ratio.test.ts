/**
 * The B/A ratio column: exact decimal text from SQL (no float), NULL when A is
 * zero or a value is not a number; and through breaks.page, sorted and
 * filtered as a number column.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breaksPageArgsSchema } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { createReconRun, type ReconRun } from '../testing/recon-run.ts';
import { readPage } from './pager.ts';
import { ratioSql } from './ratio-sql.ts';
import { RunFileCache } from '../cache.ts';

/** B / A truncated to 10 decimals, by BigInt long division: the reference the SQL must equal. */
function exactRatio(a: string, b: string): string | null {
  const toInt = (s: string): bigint => {
    const neg = s.startsWith('-');
    const [w, f = ''] = s.replace(/^[+-]/, '').split('.');
    const v = BigInt(w || '0') * 10n ** 10n + BigInt((f + '0000000000').slice(0, 10));
    return neg ? -v : v;
  };
  const x = toInt(a);
  const y = toInt(b);
  if (x === 0n) return null;
  if (y === 0n) return '0';
  const neg = x < 0n !== y < 0n;
  const ax = x < 0n ? -x : x;
  const ay = y < 0n ? -y : y;
  const q = ay / ax;
  const frac = ((ay % ax) * 10n ** 10n) / ax;
  const text = `${q}.${frac.toString().padStart(10, '0')}`.replace(/0+$/, '').replace(/\.$/, '');
  return `${neg ? '-' : ''}${text}`;
}

describe('ratio SQL', () => {
  it('is exact decimal text, NULL for zero A, text fields and values that are not numbers', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    const cases: [string, string | null, string | null, string | null][] = [
      ['decimal', '1234.56', '123456.00', '100'],
      ['decimal', '100.00', '108.45', '1.0845'],
      ['decimal', '3', '1', '0.3333333333'],
      ['decimal', '-2.00', '1.00', '-0.5'],
      ['integer', '7', '-21', '-3'],
      ['decimal', '0.10', '0.30', '3'],
      ['decimal', '0.00', '5.00', null],
      ['decimal', '5.00', '0.00', '0'],
      ['decimal', null, '5.00', null],
      ['decimal', 'abc', '5.00', null],
      ['string', '2', '4', null],
      ['date', '2024-01-01', '2024-01-02', null],
      ['decimal', '123456789012345678.1234567891', '987654321098765432.9876543219', exactRatio('123456789012345678.1234567891', '987654321098765432.9876543219')],
    ];
    await c.run(`CREATE TABLE breaks (field_type VARCHAR, value_a VARCHAR, value_b VARCHAR, i INTEGER)`);
    for (const [i, [t, a, b]] of cases.entries()) {
      await c.run(`INSERT INTO breaks VALUES ($1, $2, $3, $4)`, [t, a, b, i] as never);
    }
    const rows = await queryRows<{ r: string | null }>(c, `SELECT ${ratioSql()} AS r FROM breaks b ORDER BY i`);
    expect(rows.map((r) => r.r)).toEqual(cases.map((x) => x[3]));
    // A float would say 0.30000000000000004 / 0.1 = 2.9999999999999996: the SQL does not.
    expect(cases[5]![3]).toBe('3');
    c.closeSync();
    instance.closeSync();
  });
});

describe('the ratio column in the grid', () => {
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
  const args = (x: object) => breaksPageArgsSchema.parse({ runId: fx.summary.runId, startRow: 0, endRow: 1000, ...x });

  it('pages B/A of number breaks exactly, sorts and filters on it', async () => {
    const db = await cache.get(fx.summary.runId);
    const all = (await readPage(db, args({}))).rows;
    const numbers = all.filter((r) => (r.fieldType === 'decimal' || r.fieldType === 'integer') && r.valueA !== null && r.valueB !== null);
    expect(numbers.length).toBeGreaterThan(3);
    for (const r of numbers) expect(r.ratio, `break ${r.breakId}`).toBe(exactRatio(r.valueA!, r.valueB!));
    for (const r of all.filter((x) => x.fieldType !== 'decimal' && x.fieldType !== 'integer')) expect(r.ratio).toBeNull();
    const sorted = (await readPage(db, args({ sortModel: [{ colId: 'ratio', sort: 'desc' }], filterModel: { ratio: { filterType: 'number', type: 'greaterThan', filter: 1 } } }))).rows;
    expect(sorted.length).toBeGreaterThan(0);
    expect(sorted.every((r) => Number(r.ratio) > 1)).toBe(true);
    const values = sorted.map((r) => Number(r.ratio));
    expect(values).toEqual([...values].sort((x, y) => y - x));
    expect(sorted.length).toBe(numbers.filter((r) => Number(r.ratio) > 1).length);
  });
});
