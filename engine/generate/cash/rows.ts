import type { MatchType } from '../../match/definition.ts';
import type { Rng } from '../prng.ts';
import type { CounterpartyPool } from './counterparties.ts';
import type { ReferenceBook } from './references.ts';

/** What a row is, as truth.csv's `kind` says. */
export const CASH_KINDS = [
  'MATCHED',
  'FEE_DIFFERENCE',
  'INDISTINGUISHABLE',
  'OUTSTANDING_PAYMENT',
  'DEPOSIT_IN_TRANSIT',
  'UNRECORDED_BANK_CHARGE',
  'INTEREST',
  'UNRECORDED_DEPOSIT',
  'UNRECORDED_DIRECT_DEBIT',
] as const;
export type CashKind = (typeof CASH_KINDS)[number];

/** A row's place in the truth: its match group (empty without a counterpart), the group's type and what it is. */
export interface TruthTag {
  groupId: string;
  matchType: MatchType | '';
  kind: CashKind;
}

/**
 * Rows are built with their fields spelt out, never `{ ...tag, … }`: V8 builds a
 * spread object with many more properties several times slower, which at a
 * million rows a side was most of the generation time.
 *
 * Dates are indices into the statement's business days (0 = first), so lags are plain additions. */
export interface LedgerRow extends TruthTag {
  valueIdx: number;
  /** The day the entry was posted: entry ids follow posting order, value dates may be a day or two earlier. */
  postIdx: number;
  currency: string;
  cents: number;
  counterparty: string;
  reference: string;
  description: string;
}

export interface BankRow extends TruthTag {
  valueIdx: number;
  bookingIdx: number;
  currency: string;
  cents: number;
  name: string;
  narrative: string;
}

export const LEDGER_HEADER = 'entry_id,value_date,currency,amount,counterparty,reference,description\n';
export const BANK_HEADER = 'line_id,booking_date,value_date,currency,amount,counterparty_name,narrative\n';
export const TRUTH_HEADER = 'side,id,group_id,match_type,kind\n';

/** What every event builder draws from and writes to. */
export interface EventContext {
  rng: Rng;
  pool: CounterpartyPool;
  refs: ReferenceBook;
  /** Index of the statement's last business day: nothing is dated after it. */
  last: number;
  newGroupId(): string;
  ledger(row: LedgerRow): void;
  bank(row: BankRow): void;
}

/** A day index moved forward, kept within the statement. */
export function clampIdx(ctx: EventContext, idx: number): number {
  return Math.min(ctx.last, Math.max(0, idx));
}

/** The match type of a group with `a` ledger rows and `b` bank lines. */
export function matchTypeOf(a: number, b: number): MatchType {
  if (a === 1) return b === 1 ? '1:1' : '1:N';
  return b === 1 ? 'N:1' : 'N:M';
}
