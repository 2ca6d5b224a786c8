import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedField } from '../definition/resolve.ts';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { amountClosenessSql } from './condition-sql.ts';
import type { PlannedRule } from './plan.ts';
import { pairsOf, runCase } from './testing/run-case.ts';

/**
 * Amounts near the ends of DECIMAL(38, 2) in matching: B − A of two such amounts
 * does not fit the type, and an amount in units of the tolerance does not fit
 * DECIMAL(38) either; neither may fail a run or lose a pair within tolerance.
 */

const MAX = '999999999999999999999999999999999999.99'; // the largest DECIMAL(38, 2)
const NEXT = '999999999999999999999999999999999999.98';

let db: OpenDuckDB;
beforeAll(async () => {
  db = await openDuckDB({ path: ':memory:' });
});
afterAll(() => db.close());

describe('matching amounts near the ends of DECIMAL(38)', () => {
  it('scores a pair whose difference B − A overflows the type, instead of failing', async () => {
    const field = { name: 'amount', type: 'decimal', scale: 2 } as ResolvedField;
    const rule = { amount: { field, abs: '0.05', rel: '0.001' } } as PlannedRule;
    const rows = await queryRows<{ c: number }>(
      db.connection,
      `SELECT ${amountClosenessSql(rule, 'x', 'y')} AS c
         FROM (VALUES (CAST('${MAX}' AS DECIMAL(38, 2)), CAST('-${MAX}' AS DECIMAL(38, 2))), (CAST('${MAX}' AS DECIMAL(38, 2)), CAST('${MAX}' AS DECIMAL(38, 2))),
                      (CAST('1.00' AS DECIMAL(38, 2)), CAST('1.02' AS DECIMAL(38, 2)))) t(x, y)`,
    );
    expect(rows.map((r) => r.c)).toEqual([0, 1, 0.8]);
  });

  it('finds pairs within an absolute tolerance at the ends of the type, both signs', async () => {
    const out = await runCase([`L1,${MAX},2024-03-01,EUR,,`, `L2,-${MAX},2024-03-01,EUR,,`], [`S1,-${NEXT},2024-03-01,EUR,,`, `S2,${NEXT},2024-03-01,EUR,,`], [
      { name: 'near', conditions: [{ amount: { abs: '0.05' } }, { date: { days: 0 } }] },
    ]);
    expect(out.rejected).toEqual({ a: 0, b: 0 });
    expect(pairsOf(out.groups)).toEqual(['L1=S2', 'L2=S1']);
    expect(out.groups.map((g) => g.difference)).toEqual(['-0.01', '0.01']);
  });
});
