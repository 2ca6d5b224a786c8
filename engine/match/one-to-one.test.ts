import { describe, expect, it } from 'vitest';
import { pairsOf, runCase } from './testing/run-case.ts';

/** 1:1 rules on hand-made ledger (L…) and statement (S…) rows; a fresh DuckDB and real staging per case. */

const exact = { name: 'exact', conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 0 } }] };

describe('1:1 rules', () => {
  it('match equal amounts on the same day, one to one', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,50.00,2024-03-01,EUR,,', 'L3,50.00,2024-03-01,USD,,'],
      ['S1,50.00,2024-03-01,EUR,,', 'S2,100.00,2024-03-01,EUR,,', 'S3,75.00,2024-03-01,EUR,,'],
      [exact],
    );
    expect(pairsOf(out.groups)).toEqual(['L1=S2', 'L2=S1']);
    expect(out.groups.map((g) => [g.match_id, g.match_type, g.score, g.difference])).toEqual([
      ['M000001', '1:1', 1, '0.00'],
      ['M000002', '1:1', 1, '0.00'],
    ]);
    // The USD row has no same-currency candidate; S3's amount has no equal.
    expect(out.breaks.map((b) => [b.key, b.diff_type, b.rid_a, b.rid_b])).toEqual([
      ['L3', 'MISSING_IN_B', '2', null],
      ['S3', 'MISSING_IN_A', null, '2'],
    ]);
  });

  it('prefer the closer date when two rows agree on the amount', async () => {
    const out = await runCase(['L1,100.00,2024-03-01,EUR,,'], ['S1,100.00,2024-03-03,EUR,,', 'S2,100.00,2024-03-02,EUR,,'], [
      { name: 'near', conditions: [{ amount: {} }, { date: { days: 3 } }] },
    ]);
    expect(pairsOf(out.groups)).toEqual(['L1=S2']);
    expect(out.groups[0]!.score).toBe(0.875); // (1 + (1 − 1/4)) / 2
  });

  it('match within an absolute or relative tolerance, with the difference as a MISMATCH on the group', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,1000.00,2024-03-01,EUR,,', 'L3,500.00,2024-03-01,EUR,,'],
      ['S1,100.04,2024-03-01,EUR,,', 'S2,1009.00,2024-03-01,EUR,,', 'S3,506.00,2024-03-01,EUR,,'],
      [
        { name: 'abs', conditions: [{ amount: { abs: '0.05' } }, { date: { days: 0 } }] },
        { name: 'rel', conditions: [{ amount: { rel: '0.01' } }, { date: { days: 0 } }] },
      ],
    );
    expect(pairsOf(out.groups)).toEqual(['L1=S1', 'L2=S2']);
    expect(out.groups.map((g) => [g.rule, g.sum_a, g.sum_b, g.difference])).toEqual([
      ['abs', '100.00', '100.04', '0.04'],
      ['rel', '1000.00', '1009.00', '9.00'],
    ]);
    expect(out.groups[0]!.score).toBe(0.8); // amount 1 − 0.5·0.04/0.05 = 0.6, date 1
    expect(out.breaks.filter((b) => b.diff_type === 'MISMATCH')).toEqual([
      { key: 'M000001', field: 'amount', diff_type: 'MISMATCH', side: null, value_a: '100.00', value_b: '100.04', delta: '0.04', field_type: 'decimal', rid_a: '0', rid_b: '0' },
      { key: 'M000002', field: 'amount', diff_type: 'MISMATCH', side: null, value_a: '1000.00', value_b: '1009.00', delta: '9.00', field_type: 'decimal', rid_a: '1', rid_b: '1' },
    ]);
    expect(out.result.groupDifferences).toBe(2);
    // 506 is 1.2% off 500: beyond the relative tolerance.
    expect(out.breaks.filter((b) => b.diff_type.startsWith('MISSING')).map((b) => b.key)).toEqual(['L3', 'S3']);
  });

  it('count business days across a weekend, calendar days not', async () => {
    const ledger = ['L1,100.00,2024-03-01,EUR,,', 'L2,200.00,2024-03-01,EUR,,']; // Fridays
    const statement = ['S1,100.00,2024-03-04,EUR,,', 'S2,200.00,2024-03-05,EUR,,']; // Monday, Tuesday
    const business = await runCase(ledger, statement, [{ name: 'bd', conditions: [{ amount: {} }, { date: { businessDays: 1 } }] }]);
    expect(pairsOf(business.groups)).toEqual(['L1=S1']);
    const calendar = await runCase(ledger, statement, [{ name: 'cd', conditions: [{ amount: {} }, { date: { days: 1 } }] }]);
    expect(calendar.groups).toEqual([]);
    const threeDays = await runCase(ledger, statement, [{ name: 'cd3', conditions: [{ amount: {} }, { date: { days: 3 } }] }]);
    expect(pairsOf(threeDays.groups)).toEqual(['L1=S1']);
  });

  it('find mangled references in free text: dashes dropped, embedded, cut short; never a too-short one', async () => {
    const out = await runCase(
      ['L1,1.00,2024-03-01,EUR,INV-2024-0001,', 'L2,2.00,2024-03-01,EUR,ORD/7788-991,', 'L3,3.00,2024-03-01,EUR,AB-55-66-77,', 'L4,4.00,2024-03-01,EUR,ZZ12,'],
      ['S1,9.00,2024-05-01,EUR,Payment INV 2024 0001 thanks,', 'S2,8.00,2024-05-01,EUR,ord 7788-9,', 'S3,7.00,2024-05-01,EUR,xfer ref:ab556677/fee,', 'S4,6.00,2024-05-01,EUR,ZZ12,'],
      [{ name: 'ref', conditions: [{ reference: { field: 'reference', minLength: 6 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L1=S1', 'L2=S2', 'L3=S3']);
    expect(out.groups.map((g) => g.score)).toEqual([1, 0.4, 1]); // "ORD77889" is 8 of "ORD7788991"'s 10, cut short: 0.5 × 0.8
    expect(out.breaks.filter((b) => b.diff_type.startsWith('MISSING')).map((b) => b.key)).toEqual(['L4', 'S4']);
  });

  it('count a cut-short reference only where the text does not go on with a digit; a whole one outranks it', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,INV-2026-000864,', 'L2,200.00,2024-03-01,EUR,INV-2026-000123,', 'L3,300.00,2024-03-01,EUR,INV-2026-000555,'],
      [
        'S1,100.00,2024-03-01,EUR,inv2026000833,', // another invoice: INV2026000 is followed by a digit
        'S2,200.00,2024-03-01,EUR,INVOICE INV-2026-000 THANKS,', // cut short (followed by a letter)
        'S3,300.00,2024-03-01,EUR,INV-2026-000,', // cut short at the end of the text: L3 (cut) against L4 (whole)…
        'S4,300.00,2024-03-04,EUR,REF INV-2026-000555,', // …but L3's whole reference three days later wins
      ],
      [{ name: 'ref', conditions: [{ amount: {} }, { date: { days: 5 } }, { reference: { field: 'reference', minLength: 10 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L2=S2', 'L3=S4']);
    // L2–S2: (1 + 1 + 0.5 × 10/13) / 3
    expect(out.groups.map((g) => g.score)).toEqual([0.794872, 0.833333]);
    expect(out.breaks.filter((b) => b.diff_type.startsWith('MISSING')).map((b) => b.key)).toEqual(['L1', 'S1', 'S3']);
  });

  it('use a reference to tell apart rows the amount cannot', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,INV-1001-A,', 'L2,100.00,2024-03-01,EUR,INV-1002-B,'],
      ['S1,100.00,2024-03-01,EUR,paid INV1002B,', 'S2,100.00,2024-03-02,EUR,INV1001A,'],
      [{ name: 'amount-ref', conditions: [{ amount: {} }, { reference: { field: 'reference' } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L1=S2', 'L2=S1']);
  });

  it('match names despite legal forms, case and a typo', async () => {
    const ledger = ['L1,100.00,2024-03-01,EUR,,Umbrella Corp.', 'L2,100.00,2024-03-01,EUR,,"Wayne Enterprises, Inc."'];
    const statement = ['S1,100.00,2024-03-01,EUR,,WAYNE ENTERPRISE LLC', 'S2,100.00,2024-03-01,EUR,,UMBRELA CORP'];
    const out = await runCase(ledger, statement, [
      { name: 'name-amount-date', conditions: [{ amount: {} }, { date: { days: 0 } }, { similar: { field: 'name', min: 0.9 } }] },
    ]);
    expect(pairsOf(out.groups)).toEqual(['L1=S2', 'L2=S1']);
    expect(out.groups.map((g) => g.score)).toEqual([0.991667, 0.996078]); // (1 + 1 + 0.975) / 3, (1 + 1 + 0.988235) / 3
  });

  it('leave a tie AMBIGUOUS with every candidate listed, never matched', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,70.00,2024-03-01,EUR,,'],
      ['S1,100.00,2024-03-01,EUR,,', 'S7,100.00,2024-03-01,EUR,,', 'S9,100.50,2024-03-02,EUR,,', 'S2,70.00,2024-03-01,EUR,,'],
      [{ name: 'name-amount-date', conditions: [{ amount: {} }, { date: { days: 0 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L2=S2']);
    const ambiguous = out.breaks.filter((b) => b.diff_type === 'AMBIGUOUS');
    expect(ambiguous).toEqual([
      { key: 'L1', field: '*', diff_type: 'AMBIGUOUS', side: 'a', value_a: null, value_b: 'candidates S1, S7 (rule "name-amount-date")', delta: null, field_type: null, rid_a: '0', rid_b: null },
      { key: 'S1', field: '*', diff_type: 'AMBIGUOUS', side: 'b', value_a: 'candidates L1 (rule "name-amount-date")', value_b: null, delta: null, field_type: null, rid_a: null, rid_b: '0' },
      { key: 'S7', field: '*', diff_type: 'AMBIGUOUS', side: 'b', value_a: 'candidates L1 (rule "name-amount-date")', value_b: null, delta: null, field_type: null, rid_a: null, rid_b: '1' },
    ]);
    expect(out.candidates).toEqual([
      { side: 'a', id: 'L1', rule: 'name-amount-date', candidate_id: 'S1', score: 1, why: 'amount equal; value_date same day' },
      { side: 'a', id: 'L1', rule: 'name-amount-date', candidate_id: 'S7', score: 1, why: 'amount equal; value_date same day' },
      { side: 'b', id: 'S1', rule: 'name-amount-date', candidate_id: 'L1', score: 1, why: 'amount equal; value_date same day' },
      { side: 'b', id: 'S7', rule: 'name-amount-date', candidate_id: 'L1', score: 1, why: 'amount equal; value_date same day' },
    ]);
    expect(out.breaks.filter((b) => b.diff_type === 'MISSING_IN_A').map((b) => b.key)).toEqual(['S9']);
    expect(out.result.ambiguous).toEqual({ a: 1, b: 2 });
  });

  it('offer an ambiguous row to later rules: the same tie stays AMBIGUOUS, other evidence decides it', async () => {
    const ledger = ['L1,100.00,2024-03-01,EUR,,Acme', 'L2,70.00,2024-03-01,EUR,,Zenith'];
    const statement = ['S1,100.00,2024-03-01,EUR,,ACME', 'S7,100.00,2024-03-01,EUR,,UMBRELLA', 'S9,100.50,2024-03-02,EUR,,ACME', 'S2,70.00,2024-03-01,EUR,,ZENITH'];
    const exactRule = { name: 'exact', conditions: [{ amount: {} }, { date: { days: 0 } }] };
    // "loose" ranks S1 and S7 alike above S9: L1 stays tied (now under "loose"), and S9 is never matched to it.
    const loose = await runCase(ledger, statement, [exactRule, { name: 'loose', conditions: [{ amount: { abs: '1' } }, { date: { days: 5 } }] }]);
    expect(pairsOf(loose.groups)).toEqual(['L2=S2']);
    expect(loose.breaks.filter((b) => b.diff_type === 'AMBIGUOUS').map((b) => [b.key, b.value_a ?? b.value_b])).toEqual([
      ['L1', 'candidates S1, S7, S9 (rule "loose")'],
      ['S1', 'candidates L1 (rule "loose")'],
      ['S7', 'candidates L1 (rule "loose")'],
    ]);
    expect(loose.breaks.filter((b) => b.diff_type === 'MISSING_IN_A').map((b) => b.key)).toEqual(['S9']);
    // A name tells S1 from S7: the row "exact" found ambiguous is matched, and is no longer ambiguous.
    const named = await runCase(ledger, statement, [exactRule, { name: 'named', conditions: [{ amount: {} }, { date: { days: 0 } }, { similar: { field: 'name', min: 0.9 } }] }]);
    expect(named.groups.map((g) => `${g.rule}:${g.a.join('+')}=${g.b.join('+')}`)).toEqual(['exact:L2=S2', 'named:L1=S1']);
    expect(named.result.ambiguous).toEqual({ a: 0, b: 0 });
    expect(named.candidates).toEqual([]);
    expect(named.breaks.filter((b) => b.diff_type === 'MISSING_IN_A').map((b) => b.key)).toEqual(['S7', 'S9']);
  });

  it('resolve a tie when a better pair takes one of the tied rows first', async () => {
    // S1 ties L1 and L2 at 0.875, but L2 has an exact-date S2: once L2–S2 match, L1–S1 is unique.
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,100.00,2024-03-03,EUR,,'],
      ['S1,100.00,2024-03-02,EUR,,', 'S2,100.00,2024-03-03,EUR,,'],
      [{ name: 'near', conditions: [{ amount: {} }, { date: { days: 3 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L1=S1', 'L2=S2']);
    expect(out.result.ambiguous).toEqual({ a: 0, b: 0 });
  });

  it('withdraw only the tied row: a row it tied between goes on to its next best, the other ends AMBIGUOUS', async () => {
    // L1 ties S1 and S7 (a day each way, 0.75 each); S1 also fits L5, three days off (0.25), which fits nothing else.
    // L1 is withdrawn as ambiguous; S1 then matches L5; S7, left without L1, is ambiguous with L1 as its candidate.
    const out = await runCase(
      ['L1,100.00,2024-03-02,EUR,,', 'L5,100.00,2024-02-27,EUR,,'],
      ['S1,100.00,2024-03-01,EUR,,', 'S7,100.00,2024-03-03,EUR,,'],
      [{ name: 'near', conditions: [{ amount: {} }, { date: { days: 3 } }] }],
    );
    expect(pairsOf(out.groups)).toEqual(['L5=S1']);
    expect(out.breaks.filter((b) => b.diff_type === 'AMBIGUOUS').map((b) => [b.key, b.value_a ?? b.value_b])).toEqual([
      ['L1', 'candidates S1, S7 (rule "near")'],
      ['S7', 'candidates L1 (rule "near")'],
    ]);
  });

  it('leave two identical rows competing for one row all AMBIGUOUS, never one of them matched', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,100.00,2024-03-01,EUR,,'],
      ['S1,100.00,2024-03-01,EUR,,', 'S2,100.00,2024-03-09,EUR,,'],
      [{ name: 'same-day', conditions: [{ amount: {} }, { date: { days: 0 } }] }],
    );
    // S1 is withdrawn as tied; L1 and L2 lose their only candidate: ambiguous too.
    expect(out.groups).toEqual([]);
    expect(out.breaks.filter((b) => b.diff_type === 'AMBIGUOUS').map((b) => [b.key, b.value_a ?? b.value_b])).toEqual([
      ['L1', 'candidates S1 (rule "same-day")'],
      ['L2', 'candidates S1 (rule "same-day")'],
      ['S1', 'candidates L1, L2 (rule "same-day")'],
    ]);
    expect(out.breaks.filter((b) => b.diff_type === 'MISSING_IN_A').map((b) => b.key)).toEqual(['S2']);
  });

  it('try rules in order: a row matched by an earlier rule is not offered to a later one', async () => {
    const out = await runCase(
      ['L1,100.00,2024-03-01,EUR,,', 'L2,200.00,2024-03-01,EUR,,'],
      ['S1,100.00,2024-03-01,EUR,,', 'S2,200.40,2024-03-04,EUR,,', 'S3,100.30,2024-03-01,EUR,,'],
      [exact, { name: 'near', conditions: [{ equal: 'currency' }, { amount: { abs: '1.00' } }, { date: { days: 3 } }] }],
    );
    expect(out.groups.map((g) => `${g.rule}:${g.a.join('+')}=${g.b.join('+')}`)).toEqual(['exact:L1=S1', 'near:L2=S2']);
    expect(out.result.byRule).toEqual([
      { rule: 'exact', type: '1:1', groups: 1, rowsA: 1, rowsB: 1 },
      { rule: 'near', type: '1:1', groups: 1, rowsA: 1, rowsB: 1 },
    ]);
    expect(out.breaks.filter((b) => b.diff_type === 'MISSING_IN_A').map((b) => b.key)).toEqual(['S3']);
  });
});
