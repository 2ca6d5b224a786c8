import { describe, expect, it } from 'vitest';
import { canAccept, isDecided, isOpen, outcomeText, suggestionOf } from './status.ts';

describe('review statuses', () => {
  it('accepts the model reason when it was sure, its best guess when not, never UNKNOWN', () => {
    expect(suggestionOf({ modelStatus: 'AUTO', modelReason: 'FX_DIFF', suggestedReason: null })).toBe('FX_DIFF');
    expect(suggestionOf({ modelStatus: 'REVIEW', modelReason: 'UNKNOWN', suggestedReason: 'TIMING_DIFF' })).toBe('TIMING_DIFF');
    expect(canAccept({ status: 'REVIEW', modelStatus: 'REVIEW', modelReason: 'UNKNOWN', suggestedReason: 'UNKNOWN' })).toBe(false);
    expect(canAccept({ status: 'PROPOSED', modelStatus: 'AUTO', modelReason: 'FX_DIFF', suggestedReason: null })).toBe(false);
    expect(canAccept({ status: 'AUTO', modelStatus: 'AUTO', modelReason: 'FX_DIFF', suggestedReason: null })).toBe(true);
  });

  it('tells open from decided breaks', () => {
    expect(['AUTO', 'REVIEW', null].every(isOpen)).toBe(true);
    expect(['ACCEPTED', 'OVERRIDDEN', 'REJECTED'].every(isDecided)).toBe(true);
    expect(isOpen('PROPOSED') || isDecided('PROPOSED')).toBe(false);
  });

  it('says when a decision waits for an approver', () => {
    expect(outcomeText('ACCEPT', false, 1)).toBe('Accepted.');
    expect(outcomeText('REJECT', false, 1200)).toBe('Rejected 1,200 breaks.');
    expect(outcomeText('OVERRIDE', true, 1)).toBe('Override proposed: it takes effect when another person with the approver role approves it.');
    expect(outcomeText('ACCEPT', true, 60)).toMatch(/^Accept of 60 breaks proposed/);
  });
});
