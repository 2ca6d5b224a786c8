import { describe, expect, it } from 'vitest';
import type { ConflictItemDto } from '../../../../engine/contract/index.ts';
import { conflictHeadline, remainderText, shownBreaks, winnerText } from './conflict-text.ts';

const item = (over: Partial<ConflictItemDto> = {}): ConflictItemDto => ({
  decisionId: 'd-1',
  runId: 'run-1',
  definition: 'trades',
  isProposal: true,
  kind: 'OVERRIDE',
  reason: 'FX_DIFF',
  maker: 'alice',
  decidedAt: '2026-12-07T08:00:00.000Z',
  breakCount: 84,
  lostBreakIds: [120],
  remaining: 83,
  remainder: 'PENDING',
  winners: [{ decisionId: 'd-2', actor: 'carol', kind: 'REJECT', isProposal: false, status: 'REJECTED', reason: null, breakIds: [120] }],
  line: 'proposal d-1 lost 1 of 84 breaks to decision d-2 by carol (REJECTED): 83 still pending',
  acknowledgedAt: null,
  acknowledgedBy: null,
  ...over,
});

describe('an inbox item of lost breaks in words', () => {
  it('names the decision, how many breaks it lost and to whom', () => {
    expect(conflictHeadline(item())).toBe('Your proposal (override → FX_DIFF) lost 1 of 84 breaks to carol');
    expect(conflictHeadline(item({ isProposal: false, kind: 'REJECT', reason: null, winners: [] }))).toBe('Your decision (reject) lost 1 of 84 breaks to ');
  });

  it('says what the winner made of the breaks', () => {
    expect(winnerText(item().winners[0]!)).toBe("carol's decision: REJECTED");
    expect(winnerText({ ...item().winners[0]!, actor: null, isProposal: true, status: 'PROPOSED', reason: 'FX_DIFF' })).toBe('another device’s proposal: PROPOSED (FX_DIFF)');
  });

  it('says what holds for the breaks it kept', () => {
    expect(remainderText(item())).toBe('The 83 other breaks still wait for an approver.');
    expect(remainderText(item({ remainder: 'APPROVED' }))).toBe('The 83 other breaks were approved.');
    expect(remainderText(item({ isProposal: false, remainder: 'APPLIED', remaining: 1 }))).toBe('The 1 other break keeps your decision.');
    expect(remainderText(item({ remainder: 'SUPERSEDED', remaining: 0 }))).toBe('No break left: the team server superseded it.');
  });

  it('lists the first breaks and counts the rest', () => {
    expect(shownBreaks([1, 2, 3], 2)).toEqual({ ids: [1, 2], more: 1 });
    expect(shownBreaks([7])).toEqual({ ids: [7], more: 0 });
  });
});
