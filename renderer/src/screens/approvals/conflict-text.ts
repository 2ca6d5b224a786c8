import type { ConflictItemDto } from '../../../../engine/contract/index.ts';

/**
 * An inbox item in words (pure, so it is unit-tested): a decision or proposal
 * of this workstation that lost some breaks to another device's earlier
 * decision on the team server, who won them and with what, and what still
 * holds for the rest.
 */

type Winner = ConflictItemDto['winners'][number];

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "Your proposal (override → FX_DIFF) lost 1 of 84 breaks to carol" */
export function conflictHeadline(item: ConflictItemDto): string {
  const what = `${item.kind.toLowerCase()}${item.reason ? ` → ${item.reason}` : ''}`;
  const people = [...new Set(item.winners.map((w) => w.actor ?? 'another device'))];
  return `Your ${item.isProposal ? 'proposal' : 'decision'} (${what}) lost ${item.lostBreakIds.length} of ${plural(item.breakCount, 'break')} to ${people.join(', ')}`;
}

/** "carol's decision: ACCEPTED (STATIC_DATA)" */
export function winnerText(w: Winner): string {
  return `${w.actor ? `${w.actor}'s` : 'another device’s'} ${w.isProposal ? 'proposal' : 'decision'}: ${w.status}${w.reason ? ` (${w.reason})` : ''}`;
}

/** What still holds for the breaks the decision kept. */
export function remainderText(item: ConflictItemDto): string {
  if (item.remainder === 'SUPERSEDED') return 'No break left: the team server superseded it.';
  const n = plural(item.remaining, 'other break');
  const one = item.remaining === 1;
  switch (item.remainder) {
    case 'PENDING':
      return `The ${n} still ${one ? 'waits' : 'wait'} for an approver.`;
    case 'APPROVED':
      return `The ${n} were approved.`;
    case 'REJECTED':
      return `The ${n} were rejected by an approver.`;
    case 'WITHDRAWN':
      return `You withdrew it from the ${n}.`;
    default:
      return `The ${n} ${one ? 'keeps' : 'keep'} your decision.`;
  }
}

/** The first `max` break ids, and how many more. */
export function shownBreaks(ids: readonly number[], max = 12): { ids: number[]; more: number } {
  return { ids: ids.slice(0, max), more: Math.max(0, ids.length - max) };
}
