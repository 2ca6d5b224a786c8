import { describe, expect, it } from 'vitest';
import { pairsOf, runCase } from './testing/run-case.ts';

/** Duplicated ids, rejected rows, and every row in exactly one bucket. */

describe('row accounting', () => {
  it('keeps duplicated ids and rejected rows out of matching; every row lands in one bucket', async () => {
    const out = await runCase(
      [
        'L1,100.00,2024-03-01,EUR,,',
        'L1,100.00,2024-03-01,EUR,,', // L1 twice: DUPLICATE_KEY, though S1 agrees
        'L2,abc,2024-03-01,EUR,,', // rejected
        'L3,70.00,2024-03-01,EUR,,',
        'L4,55.00,2024-03-01,EUR,,',
        'L5,40.00,2024-03-01,EUR,,',
      ],
      [
        'S1,100.00,2024-03-01,EUR,,',
        'S2,70.00,2024-03-01,EUR,,',
        'S3,80.00,2024-03-01,EUR,,',
        'S3,80.00,2024-03-01,EUR,,', // S3 twice
        'S4,55.00,2024-03-01,EUR,,',
        'S5,55.00,2024-03-01,EUR,,',
        'S6,40.00,2024-31-01,EUR,,', // rejected: no such date
      ],
      [{ name: 'exact', conditions: [{ amount: {} }, { date: { days: 0 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L3=S2']);
    expect(out.breaks.filter((b) => b.diff_type === 'DUPLICATE_KEY').map((b) => [b.key, b.side, b.rid_a, b.rid_b])).toEqual([
      ['L1', 'a', '0', null],
      ['L1', 'a', '1', null],
      ['S3', 'b', null, '2'],
      ['S3', 'b', null, '3'],
    ]);
    const r = out.result;
    expect(r).toMatchObject({
      matchedRows: { a: 1, b: 1 },
      ambiguous: { a: 1, b: 2 }, // L4 against S4 and S5
      unmatched: { a: 1, b: 1 }, // L5 (its S6 is rejected), S1 (its L1 is duplicated)
      duplicate: { a: 2, b: 2 },
    });
    expect(out.rejected).toEqual({ a: 1, b: 1 });
    for (const side of ['a', 'b'] as const) {
      expect(r.matchedRows[side] + r.unmatched[side] + r.ambiguous[side] + r.duplicate[side] + out.rejected[side]).toBe(out.rows[side]);
    }
    // One break per unmatched, ambiguous and duplicated row, none for matched or rejected ones.
    const perRow = out.breaks.filter((b) => b.field === '*').length;
    expect(perRow).toBe(r.unmatched.a + r.unmatched.b + r.ambiguous.a + r.ambiguous.b + r.duplicate.a + r.duplicate.b);
    // Break ids are 1..n.
    expect(out.breaks).toHaveLength(perRow);
  });
});
