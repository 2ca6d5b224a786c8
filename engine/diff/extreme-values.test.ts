/**
 * Values at the edge of what a field's type holds still compare: two accepted
 * values whose difference does not fit the type (B − A beyond DECIMAL(38) or
 * a 128-bit integer) are a MISMATCH, beyond any tolerance, with no delta
 * (it cannot be written exactly), not a crash of the run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { smallRecons } from '../run/testing/small-recon.ts';

const runs = smallRecons('recon-extreme-');
afterAll(() => runs.dispose());

const MAX_INT128 = '170141183460469231731687303715884105727';

describe('differences beyond the type', () => {
  it('are mismatches without a delta, for decimals and integers, with and without a tolerance', async () => {
    const a = `id,amount,qty\nX1,900000000000000000000000000000000000.00,${MAX_INT128}\nX2,1.00,5\nX3,99999999999999999999999999999999999.99,-${MAX_INT128}\n`;
    const b = `id,amount,qty\nX1,-900000000000000000000000000000000000.00,-${MAX_INT128}\nX2,1.01,5\nX3,-99999999999999999999999999999999999.99,-${MAX_INT128}\n`;
    for (const tolerance of [{}, { abs: '0.05', rel: '0.001' }]) {
      const o = await runs.recon(a, b, {
        name: 'extreme',
        key: ['id'],
        fields: [
          { name: 'amount', type: 'decimal', scale: 2, tolerance },
          { name: 'qty', type: 'integer', tolerance: 'abs' in tolerance ? { abs: '1' } : {} },
        ],
      });
      const rows = o.breaks.map((x) => [x.key, x.field, x.diff_type, x.delta]);
      expect(rows).toEqual([
        ['X1', 'amount', 'MISMATCH', null],
        ['X1', 'qty', 'MISMATCH', null],
        ...('abs' in tolerance ? [] : [['X2', 'amount', 'MISMATCH', '0.01']]),
        // 38 digits: at the edge, and still exact.
        ['X3', 'amount', 'MISMATCH', '-199999999999999999999999999999999999.98'],
      ]);
      expect(o.summary.rejects.a + o.summary.rejects.b).toBe(0);
    }
  });
});
