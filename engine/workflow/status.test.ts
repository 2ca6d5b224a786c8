import { describe, expect, it } from 'vitest';
import { BREAK_STATUSES, checkTransition, isAllowed, TRANSITIONS, type StatusEvent } from './status.ts';

describe('break status state table', () => {
  it('allows exactly the listed edges', () => {
    const allowed: string[] = [];
    for (const event of Object.keys(TRANSITIONS) as StatusEvent[]) {
      for (const from of BREAK_STATUSES) for (const to of BREAK_STATUSES) if (isAllowed(event, from, to)) allowed.push(`${from} -${event}-> ${to}`);
    }
    expect(allowed.sort()).toEqual(
      [
        'AUTO -ACCEPT-> ACCEPTED',
        'REVIEW -ACCEPT-> ACCEPTED',
        'AUTO -REJECT-> REJECTED',
        'REVIEW -REJECT-> REJECTED',
        'AUTO -PROPOSE-> PROPOSED',
        'REVIEW -PROPOSE-> PROPOSED',
        'PROPOSED -APPROVE-> ACCEPTED',
        'PROPOSED -APPROVE-> OVERRIDDEN',
        'PROPOSED -APPROVE-> REJECTED',
        'PROPOSED -DECLINE-> AUTO',
        'PROPOSED -DECLINE-> REVIEW',
        'PROPOSED -WITHDRAW-> AUTO',
        'PROPOSED -WITHDRAW-> REVIEW',
        'ACCEPTED -REOPEN-> REVIEW',
        'OVERRIDDEN -REOPEN-> REVIEW',
        'REJECTED -REOPEN-> REVIEW',
      ].sort(),
    );
  });

  it('throws ILLEGAL_TRANSITION with the edge in its details', () => {
    expect(() => checkTransition('ACCEPT', 'PROPOSED', 'ACCEPTED')).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION', details: { event: 'ACCEPT', from: 'PROPOSED', to: 'ACCEPTED' } }));
    expect(() => checkTransition('REOPEN', 'AUTO', 'REVIEW')).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    expect(() => checkTransition('APPROVE', 'PROPOSED', 'ACCEPTED')).not.toThrow();
  });
});
