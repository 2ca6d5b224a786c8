/**
 * The break status state table. A status changes only through an event, and
 * only along an edge listed here; anything else is ILLEGAL_TRANSITION.
 *
 *   AUTO, REVIEW ──ACCEPT──► ACCEPTED      ──REOPEN──► REVIEW
 *   AUTO, REVIEW ──REJECT──► REJECTED      ──REOPEN──► REVIEW
 *   AUTO, REVIEW ──PROPOSE─► PROPOSED ──APPROVE──► ACCEPTED | OVERRIDDEN | REJECTED
 *                                     ──DECLINE──► AUTO | REVIEW (where it came from)
 *                                     ──WITHDRAW─► AUTO | REVIEW (the maker takes it back)
 *   OVERRIDDEN ──REOPEN──► REVIEW
 */
import { ReconError } from '../errors/recon-error.ts';

export const BREAK_STATUSES = ['AUTO', 'REVIEW', 'PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;
/** A break's status. */
export type BreakStatus = (typeof BREAK_STATUSES)[number];

/** What can happen to a break. */
export type StatusEvent = 'ACCEPT' | 'REJECT' | 'PROPOSE' | 'APPROVE' | 'DECLINE' | 'WITHDRAW' | 'REOPEN';

const OPEN = ['AUTO', 'REVIEW'] as const;
const DECIDED = ['ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;

/** event → from → the statuses it may lead to. */
export const TRANSITIONS: Readonly<Record<StatusEvent, Partial<Record<BreakStatus, readonly BreakStatus[]>>>> = {
  ACCEPT: { AUTO: ['ACCEPTED'], REVIEW: ['ACCEPTED'] },
  REJECT: { AUTO: ['REJECTED'], REVIEW: ['REJECTED'] },
  PROPOSE: { AUTO: ['PROPOSED'], REVIEW: ['PROPOSED'] },
  APPROVE: { PROPOSED: DECIDED },
  DECLINE: { PROPOSED: OPEN },
  WITHDRAW: { PROPOSED: OPEN },
  REOPEN: { ACCEPTED: ['REVIEW'], OVERRIDDEN: ['REVIEW'], REJECTED: ['REVIEW'] },
};

/** Whether `event` may take a break from `from` to `to`. */
export function isAllowed(event: StatusEvent, from: BreakStatus, to: BreakStatus): boolean {
  return TRANSITIONS[event][from]?.includes(to) ?? false;
}

/** Throws ILLEGAL_TRANSITION unless the edge is in the table. */
export function checkTransition(event: StatusEvent, from: BreakStatus, to: BreakStatus, what = 'break'): void {
  if (!isAllowed(event, from, to)) {
    throw new ReconError('ILLEGAL_TRANSITION', `${what} is ${from}: ${event.toLowerCase()} cannot take it to ${to}`, { event, from, to });
  }
}

/** Whether a break is open for a new decision (accept, reject, propose). */
export function isOpen(status: BreakStatus): boolean {
  return status === 'AUTO' || status === 'REVIEW';
}

/** Narrows a string read from a database to a BreakStatus. */
export function asBreakStatus(value: string): BreakStatus {
  if ((BREAK_STATUSES as readonly string[]).includes(value)) return value as BreakStatus;
  throw new ReconError('INTERNAL_ERROR', `unknown break status "${value}"`);
}
