import { describe, expect, it } from 'vitest';
import { conditionWords, scopeWords } from './rule-words.ts';

describe('a reason rule in words', () => {
  it('reads each condition as a phrase, in the order a person reads a break', () => {
    expect(
      conditionWords({
        field: 'Book',
        diffType: ['MISMATCH'],
        valueA: { equals: 'RATES-LDN' },
        valueB: { in: ['Rates London', 'RATES LDN'] },
        delta: { absMax: 1000 },
        ratio: { equals: 1000, tolerance: 0.001 },
        recordA: { Custodian: { equals: 'DE' } },
        history: { lifecycle: 'CARRIED', minAgeRuns: 3, previousReason: 'SAME' },
      }),
    ).toEqual([
      'field Book',
      'diff type MISMATCH',
      'A is "RATES-LDN"',
      'B is one of "Rates London", "RATES LDN"',
      '|Δ| ≤ 1000',
      'B/A = 1000 (± 0.001)',
      `A's Custodian is "DE"`,
      'lifecycle CARRIED',
      'open for at least 3 runs',
      'the same reason in the previous run',
    ]);
  });

  it('reads ranges and day shifts, and nothing from what is not a rule', () => {
    expect(conditionWords({ delta: { min: -5, max: 5 }, dayShift: { equals: 2 } })).toEqual(['Δ from -5 to 5', 'a day shift of 2']);
    expect(conditionWords(null)).toEqual([]);
    expect(conditionWords('field')).toEqual([]);
    expect(scopeWords(null)).toBe('every definition');
    expect(scopeWords('trades')).toBe('trades');
  });
});
