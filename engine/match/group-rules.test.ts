import { describe, expect, it } from 'vitest';
import { pairsOf, runCase } from './testing/run-case.ts';

/** 1:N, N:1 and N:M rules on hand-made ledger (L…) and statement (S…) rows. */

describe('group rules', () => {
  it('1:N: one ledger row against the statement rows whose sum agrees, within its date window and group', async () => {
    const out = await runCase(
      ['L1,300.00,2024-03-01,EUR,,ACME'],
      [
        'S1,100.00,2024-03-01,EUR,,ACME',
        'S2,150.00,2024-03-02,EUR,,ACME',
        'S3,50.00,2024-03-02,EUR,,ACME',
        'S4,150.00,2024-03-01,EUR,,OTHER', // another counterparty: S1 + S4 + S3 would sum to 300 too
        'S5,300.00,2024-03-10,EUR,,ACME', // outside the window
      ],
      [{ name: 'split', type: '1:N', conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 2 } }], groupBy: ['name'] }],
    );
    expect(out.groups.map((g) => [g.match_type, `${g.a.join('+')}=${g.b.join('+')}`, g.sum_a, g.sum_b, g.difference])).toEqual([
      ['1:N', 'L1=S1+S2+S3', '300.00', '300.00', '0.00'],
    ]);
    expect(out.result.byType).toEqual({ '1:1': 0, '1:N': 1, 'N:1': 0, 'N:M': 0 });
    expect(out.breaks.map((b) => `${b.diff_type}:${b.key}`)).toEqual(['MISSING_IN_A:S4', 'MISSING_IN_A:S5']);
  });

  it('N:1 with a fee: the group matches within tolerance and its difference is a MISMATCH on the group', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,200.00,2024-03-01,EUR,,', 'L3,999.00,2024-03-01,EUR,,'],
      ['S1,299.50,2024-03-02,EUR,,'],
      [{ name: 'batch', type: 'N:1', conditions: [{ equal: 'currency' }, { amount: { abs: '1.00' } }, { date: { days: 2 } }] }],
    );
    expect(out.groups.map((g) => [g.match_type, `${g.a.join('+')}=${g.b.join('+')}`])).toEqual([['N:1', 'L1+L2=S1']]);
    expect(out.breaks.filter((b) => b.diff_type === 'MISMATCH')).toEqual([
      { key: 'M000001', field: 'amount', diff_type: 'MISMATCH', side: null, value_a: '300.00', value_b: '299.50', delta: '-0.50', field_type: 'decimal', rid_a: '0', rid_b: '0' },
    ]);
    expect(out.result.groupDifferences).toBe(1);
    expect(out.result.matchedRows).toEqual({ a: 2, b: 1 });
  });

  it('1:N: two equally good groups leave the row and their members AMBIGUOUS', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,'],
      ['S1,60.00,2024-03-01,EUR,,', 'S2,40.00,2024-03-01,EUR,,', 'S3,40.00,2024-03-01,EUR,,'],
      [{ name: 'split', type: '1:N', conditions: [{ amount: {} }, { date: { days: 0 } }] }],
    );
    expect(out.groups).toEqual([]);
    expect(out.breaks.map((b) => [b.key, b.diff_type, b.value_a ?? b.value_b])).toEqual([
      ['L1', 'AMBIGUOUS', 'candidates S1, S2, S3 (rule "split")'],
      ['S1', 'AMBIGUOUS', 'candidates L1 (rule "split")'],
      ['S2', 'AMBIGUOUS', 'candidates L1 (rule "split")'],
      ['S3', 'AMBIGUOUS', 'candidates L1 (rule "split")'],
    ]);
    expect(out.candidates[0]).toMatchObject({ id: 'L1', candidate_id: 'S1', why: 'one of 2 rows summing to 100.00 against amount 100.00' });
  });

  it('1:N: two single rows wanting the same member are both held back, the others match', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,90.00,2024-03-01,EUR,,', 'L3,30.00,2024-03-05,EUR,,'],
      ['S1,50.00,2024-03-01,EUR,,', 'S2,50.00,2024-03-01,EUR,,', 'S3,40.00,2024-03-01,EUR,,', 'S4,10.00,2024-03-05,EUR,,', 'S5,20.00,2024-03-05,EUR,,'],
      [{ name: 'split', type: '1:N', conditions: [{ amount: {} }, { date: { days: 0 } }] }],
    );
    // L1 = S1+S2, L2 = S1+S3 or S2+S3 (tied): L2 is ambiguous; L1's best shares S1 and S2 with L2's best subsets: held, then ambiguous.
    expect(pairsOf(out.groups)).toEqual(['L3=S4+S5']);
    expect(out.result.ambiguous).toEqual({ a: 2, b: 3 });
  });

  it('N:M: connected rows on both sides whose sums agree', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,200.00,2024-03-02,EUR,,', 'L3,80.00,2024-03-20,EUR,,', 'L4,20.00,2024-03-20,EUR,,', 'L5,5.00,2024-03-01,USD,,'],
      ['S1,150.00,2024-03-01,EUR,,', 'S2,150.00,2024-03-03,EUR,,', 'S3,60.00,2024-03-20,EUR,,', 'S4,45.00,2024-03-21,EUR,,', 'S5,5.00,2024-03-01,USD,,'],
      [{ name: 'netting', type: 'N:M', conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 2 } }] }],
    );
    // Score (1 + 1 + 2/3) / 3: the edges are 0, 2, 1 and 1 days apart, date closeness (1 + 1/3 + 2/3 + 2/3) / 4.
    // The 20th's component sums 100 against 105: no match. The USD pair is 1:1, not N:M.
    expect(out.groups.map((g) => [g.match_type, `${g.a.join('+')}=${g.b.join('+')}`, g.score])).toEqual([['N:M', 'L1+L2=S1+S2', 0.888889]]);
    expect(out.breaks.filter((b) => b.diff_type.startsWith('MISSING')).map((b) => b.key)).toEqual(['L3', 'L4', 'L5', 'S3', 'S4', 'S5']);
  });

  it('N:M: names spelt differently on the two sides, a stray row left out; one-sided or too large groups not matched', async () => {
    const rule = {
      name: 'partial',
      type: 'N:M' as const,
      groupBy: ['name'],
      conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 2 } }, { similar: { field: 'name', min: 0.85 } }],
    };
    const out = await runCase(
      [
        'L1,100.00,2024-03-01,EUR,,Acme Trading Ltd',
        'L2,200.00,2024-03-02,EUR,,Acme Trading Ltd',
        'L3,50.00,2024-03-01,EUR,,Zenith Foods',
        'L4,-75.00,2024-03-02,EUR,,Acme Trading Ltd', // a cheque still outstanding: in the component, not in the group
      ],
      ['S1,150.00,2024-03-01,EUR,,ACME TRADNG', 'S2,150.00,2024-03-02,EUR,,ACME TRADNG', 'S3,20.00,2024-03-01,EUR,,ZENITH FOODS', 'S4,30.00,2024-03-02,EUR,,ZENITH FOODS'],
      [rule],
    );
    // Zenith: one ledger row against two statement lines is 1:N, not this rule's.
    expect(pairsOf(out.groups)).toEqual(['L1+L2=S1+S2']);
    expect(out.breaks.filter((b) => b.diff_type.startsWith('MISSING')).map((b) => b.key)).toEqual(['L3', 'L4', 'S3', 'S4']);
    const large = await runCase(
      ['L1,100.00,2024-03-01,EUR,,Acme', 'L2,100.00,2024-03-01,EUR,,Acme', 'L3,100.00,2024-03-02,EUR,,Acme'],
      ['S1,150.00,2024-03-01,EUR,,ACME', 'S2,150.00,2024-03-02,EUR,,ACME'],
      [{ ...rule, maxGroupSize: 2 }],
    );
    // Only all three ledger rows sum to 300: a group of 3 beyond maxGroupSize 2.
    expect(large.groups).toEqual([]);
  });

  it('N:1 with a reference: the subset whose references the narrative lists beats one that only sums alike', async () => {
    const ledger = ['L1,100.00,2024-03-01,EUR,INV-2024-0001,', 'L2,200.00,2024-03-01,EUR,INV-2024-0002,', 'L3,150.00,2024-03-01,EUR,INV-2024-0003,', 'L4,150.00,2024-03-01,EUR,INV-2024-0004,'];
    const statement = ['S1,300.00,2024-03-01,EUR,PMT INV20240001 / INV-2024-0002,'];
    const conditions = [{ equal: 'currency' }, { amount: {} }, { date: { days: 2 } }];
    const reference = { reference: { field: 'reference', textOn: 'b' as const, minLength: 8 } };
    // Without the reference, L1+L2 and L3+L4 both sum to 300 on the same day: a tie, never guessed.
    const tied = await runCase(ledger, statement, [{ name: 'settlement', type: 'N:1', conditions }]);
    expect(tied.groups).toEqual([]);
    expect(tied.result.ambiguous).toEqual({ a: 4, b: 1 });
    const out = await runCase(ledger, statement, [{ name: 'settlement', type: 'N:1', conditions: [...conditions, reference] }]);
    // Score (1 equal + 1 amount + 1 date + 1 both references found whole) / 4.
    expect(out.groups.map((g) => [`${g.a.join('+')}=${g.b.join('+')}`, g.score])).toEqual([['L1+L2=S1', 1]]);
    expect(out.breaks.map((b) => `${b.diff_type}:${b.key}`)).toEqual(['MISSING_IN_B:L3', 'MISSING_IN_B:L4']);
  });

  it('1:N with a reference: a member whose narrative holds the invoice counts, one without it is not required', async () => {
    const out = await runCase(
      ['L1,300.00,2024-03-01,EUR,INV-2024-0009,'],
      ['S1,100.00,2024-03-01,EUR,INV-2024-0009 INSTALMENT 1/2,', 'S2,200.00,2024-03-02,EUR,INSTALMENT 2/2,', 'S3,200.00,2024-03-02,EUR,OTHER,'],
      [{ name: 'instalments', type: '1:N', conditions: [{ amount: {} }, { date: { days: 2 } }, { reference: { field: 'reference', minLength: 8 } }] }],
    );
    // S1+S2 and S1+S3 tie on amount, date and reference share (1 of 2): ambiguous, not guessed.
    expect(out.groups).toEqual([]);
    expect(out.result.ambiguous).toEqual({ a: 1, b: 3 });
    const one = await runCase(
      ['L1,300.00,2024-03-01,EUR,INV-2024-0009,'],
      ['S1,100.00,2024-03-01,EUR,INV-2024-0009 INSTALMENT 1/2,', 'S2,200.00,2024-03-02,EUR,INSTALMENT 2/2,'],
      [{ name: 'instalments', type: '1:N', conditions: [{ amount: {} }, { date: { days: 2 } }, { reference: { field: 'reference', minLength: 8 } }] }],
    );
    // (1 amount + date (1 + 2/3) / 2 + reference (1 + 0) / 2) / 3.
    expect(one.groups.map((g) => [`${g.a.join('+')}=${g.b.join('+')}`, g.score])).toEqual([['L1=S1+S2', 0.777778]]);
  });

  it('run 1:1 first, then groups on what is left', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,300.00,2024-03-01,EUR,,'],
      ['S1,100.00,2024-03-01,EUR,,', 'S2,200.00,2024-03-01,EUR,,', 'S3,100.00,2024-03-02,EUR,,'],
      [
        { name: 'exact', conditions: [{ amount: {} }, { date: { days: 0 } }] },
        { name: 'split', type: '1:N', conditions: [{ amount: {} }, { date: { days: 1 } }] },
      ],
    );
    expect(out.groups.map((g) => `${g.rule}:${g.a.join('+')}=${g.b.join('+')}`)).toEqual(['exact:L1=S1', 'split:L2=S2+S3']);
  });
});
