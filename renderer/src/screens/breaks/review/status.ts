/** Break statuses as the review screens show and use them. */
import type { BreakRow } from '../../../../../engine/contract/index.ts';

/** Statuses a new decision may start from. */
export function isOpen(status: string | null): boolean {
  return status === null || status === 'AUTO' || status === 'REVIEW';
}

export function isDecided(status: string | null): boolean {
  return status === 'ACCEPTED' || status === 'OVERRIDDEN' || status === 'REJECTED';
}

/** The CSS class of a status pill. */
export function statusClass(status: string | null): string {
  return `pill st-${(status ?? 'none').toLowerCase()}`;
}

/** What "accept" takes: the model's reason when it was sure (AUTO), its best guess when not (REVIEW). */
export function suggestionOf(row: Pick<BreakRow, 'modelStatus' | 'modelReason' | 'suggestedReason'>): string | null {
  return row.modelStatus === 'AUTO' ? row.modelReason : row.suggestedReason;
}

/** Whether accept has something to take (UNKNOWN is no reason). */
export function canAccept(row: Pick<BreakRow, 'modelStatus' | 'modelReason' | 'suggestedReason' | 'status'>): boolean {
  const s = suggestionOf(row);
  return isOpen(row.status) && s !== null && s !== 'UNKNOWN';
}

/** "Accepted.", "Override proposed: …" for a decision's result. */
export function outcomeText(kind: string, proposal: boolean, count: number): string {
  const many = count === 1 ? '' : ` of ${count.toLocaleString('en-US')} breaks`;
  if (proposal) {
    const noun = ({ ACCEPT: 'Accept', OVERRIDE: 'Override', REJECT: 'Rejection' } as Record<string, string>)[kind] ?? kind;
    return `${noun}${many} proposed: it takes effect when another person with the approver role approves it.`;
  }
  const verb = ({ ACCEPT: 'Accepted', REJECT: 'Rejected', REOPEN: 'Reopened', OVERRIDE: 'Overridden' } as Record<string, string>)[kind] ?? kind;
  return count === 1 ? `${verb}.` : `${verb} ${count.toLocaleString('en-US')} breaks.`;
}

/**
 * The model's best guess for a break and whether it was sure enough to
 * attribute it (AUTO): the reason when AUTO, the suggestion when not, and
 * "no known pattern" when its guess was that no known reason explains it.
 * `confidence` is the model's confidence in that guess, not in the break
 * being fine. Null when the run has no attribution.
 */
export function modelGuess(row: Pick<BreakRow, 'modelStatus' | 'modelReason' | 'suggestedReason' | 'confidence'>): { guess: string; sure: boolean; confidence: number | null } | null {
  if (row.modelStatus === null && row.modelReason === null) return null;
  if (row.modelStatus === 'AUTO') return { guess: row.modelReason ?? '—', sure: true, confidence: row.confidence };
  const guess = row.suggestedReason ?? (row.modelReason === 'UNKNOWN' || row.modelReason === null ? 'no known pattern' : row.modelReason);
  return { guess, sure: false, confidence: row.confidence };
}
