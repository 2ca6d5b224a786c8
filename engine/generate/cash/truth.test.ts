import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTruth, readTruth, scoreMatches, type PredictedMatch } from './truth.ts';

/**
 * A1-B1 1:1, A2-(B2,B3) 1:N, (A3,A4)-B4 N:1, (A5,A6)-(B5,B6) N:M;
 * A7 and B7 without a counterpart; A8-B8 and A9-B9 indistinguishable twins.
 */
const TRUTH = parseTruth(
  [
    'side,id,group_id,match_type,kind',
    'A,A1,G1,1:1,MATCHED',
    'A,A2,G2,1:N,MATCHED',
    'A,A3,G3,N:1,FEE_DIFFERENCE',
    'A,A4,G3,N:1,FEE_DIFFERENCE',
    'A,A5,G4,N:M,MATCHED',
    'A,A6,G4,N:M,MATCHED',
    'A,A7,,,OUTSTANDING_PAYMENT',
    'A,A8,G5,1:1,INDISTINGUISHABLE',
    'A,A9,G6,1:1,INDISTINGUISHABLE',
    'B,B1,G1,1:1,MATCHED',
    'B,B2,G2,1:N,MATCHED',
    'B,B3,G2,1:N,MATCHED',
    'B,B4,G3,N:1,FEE_DIFFERENCE',
    'B,B5,G4,N:M,MATCHED',
    'B,B6,G4,N:M,MATCHED',
    'B,B7,,,UNRECORDED_BANK_CHARGE',
    'B,B8,G5,1:1,INDISTINGUISHABLE',
    'B,B9,G6,1:1,INDISTINGUISHABLE',
    '',
  ].join('\n'),
);

/** Matches written as [match id, ...ids], ids starting with their side. */
function matches(...groups: string[][]): PredictedMatch[] {
  return groups.flatMap(([matchId, ...ids]) => ids.map((id) => ({ side: id[0] as 'A' | 'B', id, match_id: matchId as string })));
}

const PERFECT = matches(['m1', 'A1', 'B1'], ['m2', 'A2', 'B2', 'B3'], ['m3', 'A3', 'A4', 'B4'], ['m4', 'A5', 'A6', 'B5', 'B6'], ['m5', 'A8', 'B8'], ['m6', 'A9', 'B9']);

describe('scoreMatches', () => {
  it('scores the truth itself as perfect', () => {
    const s = scoreMatches(TRUTH, PERFECT);
    // Pairs: 1 + 2 + 2 + 4 + 1 + 1.
    expect(s.pairs).toEqual({ truth: 11, predicted: 11, correct: 11, precision: 1, recall: 1 });
    expect(s.unmatched.A).toEqual({ truth: 1, predicted: 1, correct: 1, precision: 1, recall: 1 });
    expect(s.unmatched.all).toEqual({ truth: 2, predicted: 2, correct: 2, precision: 1, recall: 1 });
    expect(s.byMatchType['N:M']).toEqual({ truthGroups: 1, truthPairs: 4, foundPairs: 4, recall: 1, predictedMatches: 1, predictedPairs: 4, exactGroups: 1 });
    expect(s.byMatchType['1:1'].truthGroups).toBe(3);
    expect(s.byMatchType['1:1'].exactGroups).toBe(3);
    expect(s.kinds).toMatchObject({ MATCHED: 9, INDISTINGUISHABLE: 4, FEE_DIFFERENCE: 3 });
  });

  it('counts nothing found as zero recall, and every row as unmatched', () => {
    const s = scoreMatches(TRUTH, []);
    expect(s.pairs).toEqual({ truth: 11, predicted: 0, correct: 0, precision: 1, recall: 0 });
    expect(s.unmatched.B).toEqual({ truth: 1, predicted: 9, correct: 1, precision: 1 / 9, recall: 1 });
  });

  it('credits the right pairs of a group found in part, and charges the wrong ones', () => {
    // The 1:N found as a 1:1 (A2-B2); the N:M split into two 1:1 of which one is right by group.
    const s = scoreMatches(TRUTH, matches(['m1', 'A1', 'B1'], ['m2', 'A2', 'B2'], ['x', 'A5', 'B6'], ['y', 'A6', 'B5']));
    expect(s.pairs.predicted).toBe(4);
    expect(s.pairs.correct).toBe(4); // every predicted pair lies inside one truth group
    expect(s.pairs.recall).toBeCloseTo(4 / 11);
    expect(s.byMatchType['1:N']).toMatchObject({ truthPairs: 2, foundPairs: 1, recall: 0.5, exactGroups: 0 });
    expect(s.byMatchType['N:M']).toMatchObject({ foundPairs: 2, exactGroups: 0 });
    expect(s.byMatchType['1:1']).toMatchObject({ predictedMatches: 4, predictedPairs: 4 });
    // B3 left over: a truth-matched row predicted unmatched.
    expect(s.unmatched.B.predicted).toBe(5); // B3, B4, B7, B8, B9
  });

  it('charges a wrong pair and a row without counterpart that got matched', () => {
    const s = scoreMatches(TRUTH, matches(['m1', 'A1', 'B7'], ['m2', 'A7', 'B1']));
    expect(s.pairs).toMatchObject({ predicted: 2, correct: 0, precision: 0 });
    expect(s.unmatched.A).toMatchObject({ truth: 1, correct: 0, recall: 0 });
    expect(s.unmatched.B).toMatchObject({ truth: 1, correct: 0, recall: 0 });
  });

  it('leaves rows flagged ambiguous out of the unmatched rows', () => {
    const matched = PERFECT.filter((p) => !['A8', 'A9', 'B8', 'B9'].includes(p.id));
    const ambiguous = ['A8', 'A9', 'B8', 'B9'].map((id) => ({ side: id[0] as 'A' | 'B', id }));
    const s = scoreMatches(TRUTH, matched, ambiguous);
    expect(s.pairs).toMatchObject({ truth: 11, predicted: 9, correct: 9, precision: 1 });
    expect(s.pairs.recall).toBeCloseTo(9 / 11);
    expect(s.unmatched.all).toEqual({ truth: 2, predicted: 2, correct: 2, precision: 1, recall: 1 });
    expect(s.ambiguous).toEqual({ rows: 4, indistinguishable: 4 });
  });

  it('refuses ids truth does not know, and a row in two matches', () => {
    expect(() => scoreMatches(TRUTH, matches(['m', 'A1', 'B99']))).toThrow(/B B99 is not in truth/);
    expect(() => scoreMatches(TRUTH, matches(['m', 'A1', 'B1'], ['n', 'A1', 'B2']))).toThrow(/A A1 is in two matches/);
    expect(() => scoreMatches(TRUTH, matches(['m', 'A1', 'B1']), [{ side: 'A', id: 'A1' }])).toThrow(/both matched and ambiguous/);
  });
});

describe('truth.csv', () => {
  it('reads the file as parseTruth reads its text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recon-truth-'));
    try {
      const path = join(dir, 'truth.csv');
      writeFileSync(path, 'side,id,group_id,match_type,kind\nA,LE1,G1,1:1,MATCHED\nB,ST1,G1,1:1,MATCHED\nB,ST2,,,INTEREST\n');
      expect(await readTruth(path)).toEqual([
        { side: 'A', id: 'LE1', groupId: 'G1', matchType: '1:1', kind: 'MATCHED' },
        { side: 'B', id: 'ST1', groupId: 'G1', matchType: '1:1', kind: 'MATCHED' },
        { side: 'B', id: 'ST2', groupId: '', matchType: '', kind: 'INTEREST' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the line of a malformed row', () => {
    expect(() => parseTruth('side,id,group_id,match_type,kind\nC,X,,,MATCHED\n')).toThrow(/line 2/);
    expect(() => parseTruth('side,id,group_id,match_type,kind\nA,X,G1,,MATCHED\n')).toThrow(/group id goes with a match type/);
    expect(() => parseTruth('side,id,group_id,match_type,kind\nA,X,G1,2:2,MATCHED\n')).toThrow(/unknown match type/);
    expect(() => parseTruth('id,side\n')).toThrow(/header/);
  });
});
