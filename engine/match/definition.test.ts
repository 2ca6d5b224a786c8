import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { checkMatching, matchingSchema, type MatchingInput } from './definition.ts';

/** The issues checkMatching raises for a matching block over a ledger's fields. */
function issuesOf(matching: MatchingInput): string[] {
  const messages: string[] = [];
  const ctx = { addIssue: (i: { message?: string }) => messages.push(i.message ?? '') } as unknown as z.RefinementCtx;
  const fields = [
    { name: 'amount', type: 'decimal' },
    { name: 'value_date', type: 'date' },
    { name: 'reference', type: 'string' },
  ];
  checkMatching({ key: ['id'], fields, matching: matchingSchema.parse(matching) }, ctx);
  return messages;
}

describe('matching definition checks', () => {
  const conditions = [{ amount: {} }, { date: { days: 2 } }, { reference: { field: 'reference' } }];

  it('a reference condition is allowed in 1:N and N:1 rules (it ranks subsets), refused in N:M', () => {
    expect(issuesOf({ rules: [{ name: 'split', type: '1:N', conditions }] })).toEqual([]);
    expect(issuesOf({ rules: [{ name: 'batch', type: 'N:1', conditions }] })).toEqual([]);
    expect(issuesOf({ rules: [{ name: 'net', type: 'N:M', conditions }] })).toEqual(['N:M rule "net": reference conditions apply to 1:1, 1:N and N:1 rules only']);
  });
});
