import { describe, expect, it } from 'vitest';
import { pairsOf, runCase } from './testing/run-case.ts';

/**
 * 1:N groups of a busy counterparty, whose true members a search bounded by
 * maxGroupCandidates used to cut off (issue 16): rows of the other sign nearer
 * in date took the places, or an instalment quoting no reference was dated
 * after the counterparty's other lines.
 */
describe('group search among many candidates', () => {
  const instalments = { name: 'instalments', type: '1:N' as const, groupBy: ['name'] };

  it('rows of the opposite sign do not crowd out the rows of the single amount’s sign', async () => {
    const out = await runCase(
      ['L1,300.00,2024-03-01,EUR,,ACME'],
      [
        // Refunds to the same counterparty on the day: a group may net off one of them, not three.
        'S1,-10.00,2024-03-01,EUR,,ACME',
        'S2,-10.00,2024-03-01,EUR,,ACME',
        'S3,-10.00,2024-03-01,EUR,,ACME',
        'S4,100.00,2024-03-02,EUR,,ACME',
        'S5,200.00,2024-03-04,EUR,,ACME',
        'S6,250.00,2024-03-05,EUR,,ACME',
      ],
      [{ ...instalments, conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 5 } }] }],
      { maxGroupCandidates: 3 },
    );
    // Before: the three refunds, nearest in date, were the three rows searched, and no group summed to 300.
    expect(pairsOf(out.groups)).toEqual(['L1=S4+S5']);
    expect(out.breaks.map((b) => `${b.diff_type}:${b.key}`)).toEqual(['MISSING_IN_A:S1', 'MISSING_IN_A:S2', 'MISSING_IN_A:S3', 'MISSING_IN_A:S6']);
  });

  it('a row beyond maxGroupCandidates completes a group holding a member whose reference is found', async () => {
    const statement = [
      'S1,400.00,2024-03-01,EUR,INV-2024-0100 INSTALMENT 1/2,ACME',
      'S2,50.00,2024-03-01,EUR,SUBSCRIPTION,ACME',
      'S3,70.00,2024-03-02,EUR,SUBSCRIPTION,ACME',
      'S4,20.00,2024-03-03,EUR,SUBSCRIPTION,ACME',
      'S5,600.00,2024-03-08,EUR,INSTALMENT 2/2,ACME',
    ];
    const conditions = [{ equal: 'currency' }, { amount: {} }, { date: { days: 10 } }, { reference: { field: 'reference', minLength: 8 } }];
    const out = await runCase(['L1,1000.00,2024-03-01,EUR,INV-2024-0100,ACME'], statement, [{ ...instalments, conditions }], { maxGroupCandidates: 3 });
    // Before: S1, S2 and S3 were searched (the reference first, then the nearest), S5 cut off: L1 unmatched.
    expect(pairsOf(out.groups)).toEqual(['L1=S1+S5']);
    expect(out.breaks.map((b) => `${b.diff_type}:${b.key}`)).toEqual(['MISSING_IN_A:S2', 'MISSING_IN_A:S3', 'MISSING_IN_A:S4']);

    // Without a member whose reference is found, nothing says the group is L1's: no row from beyond is taken.
    const none = await runCase(['L1,1000.00,2024-03-01,EUR,INV-2024-0200,ACME'], statement, [{ ...instalments, conditions }], { maxGroupCandidates: 3 });
    expect(none.groups).toEqual([]);
    // Within the bound the search is as before: S5 among the rows searched, the group is found without a reference.
    const wide = await runCase(['L1,1000.00,2024-03-01,EUR,INV-2024-0200,ACME'], statement, [{ ...instalments, conditions }], { maxGroupCandidates: 5 });
    expect(pairsOf(wide.groups)).toEqual(['L1=S1+S5']);
  });
});
