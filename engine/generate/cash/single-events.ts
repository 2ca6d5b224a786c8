import { statementName, transactionCurrency } from './counterparties.ts';
import { draftEntry } from './entries.ts';
import { feeCents, invoiceCents, roundCents } from './money.ts';
import { narrativeFor, plainNarrative } from './references.ts';
import { clampIdx, type CashKind, type EventContext } from './rows.ts';

/** Business days between the ledger's value date and the bank's: mostly 0 or 1, at most 3. */
export function valueLag(ctx: EventContext): number {
  const r = ctx.rng.next();
  return r < 0.55 ? 0 : r < 0.85 ? 1 : r < 0.95 ? 2 : 3;
}

/** The day an entry is posted: usually on its value date, sometimes a day or two later (backdated entries). */
function postIdx(ctx: EventContext, valueIdx: number): number {
  const r = ctx.rng.next();
  return clampIdx(ctx, valueIdx + (r < 0.9 ? 0 : r < 0.98 ? 1 : 2));
}

/** The booking date of a statement line: its value date, or the next business day. */
function bookingIdx(ctx: EventContext, valueIdx: number): number {
  return clampIdx(ctx, valueIdx + (ctx.rng.chance(0.15) ? 1 : 0));
}

/**
 * One ledger entry and the one statement line that settles it. With a fee, the
 * bank line is the entry less an intermediary's charge (a receipt arrives short,
 * a payment leaves long): FEE_DIFFERENCE.
 */
export function oneToOne(ctx: EventContext, idx: number, withFee: boolean): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const currency = transactionCurrency(cp, rng);
  const receipt = rng.chance(0.45);
  const entry = draftEntry(cp, receipt, ctx.refs, rng);
  const cents = receipt ? entry.cents : -entry.cents;
  const kind: CashKind = withFee ? 'FEE_DIFFERENCE' : 'MATCHED';
  const tag = { groupId: ctx.newGroupId(), matchType: '1:1' as const, kind };
  ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx: idx, postIdx: postIdx(ctx, idx), currency, cents, counterparty: cp.name, reference: entry.reference, description: entry.description });
  const name = statementName(cp, rng);
  const valueIdx = clampIdx(ctx, idx + valueLag(ctx));
  ctx.bank({
    groupId: tag.groupId,
      matchType: tag.matchType,
      kind: tag.kind,
    valueIdx,
    bookingIdx: bookingIdx(ctx, valueIdx),
    currency,
    cents: withFee ? cents - feeCents(rng) : cents,
    name,
    narrative: narrativeFor(entry.reference, name, receipt, rng),
  });
}

/**
 * Two payments of the same round amount to the same counterparty on the same day,
 * neither with a reference the bank shows: no rule can tell which line is which.
 * Truth pairs them; a correct matcher leaves all four rows ambiguous.
 */
export function indistinguishableTwins(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const receipt = rng.chance(0.4);
  const cents = (receipt ? 1 : -1) * roundCents(rng);
  const name = statementName(cp, rng);
  const narrative = plainNarrative(name, receipt, rng);
  const valueIdx = clampIdx(ctx, idx + valueLag(ctx));
  const booking = bookingIdx(ctx, valueIdx);
  for (let i = 0; i < 2; i++) {
    const tag = { groupId: ctx.newGroupId(), matchType: '1:1' as const, kind: 'INDISTINGUISHABLE' as const };
    const description = receipt ? `Receipt on account ${cp.name}` : `Payment ${cp.name}`;
    ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx: idx, postIdx: idx, currency: cp.currency, cents, counterparty: cp.name, reference: '', description });
    ctx.bank({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx, bookingIdx: booking, currency: cp.currency, cents, name, narrative });
  }
}

/** A payment we issued (a cheque or transfer) that has not cleared the bank by the statement's end. */
export function outstandingPayment(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const cheque = rng.chance(0.5);
  const entry = draftEntry(cp, false, ctx.refs, rng);
  const reference = cheque ? ctx.refs.chequeNumber() : entry.reference;
  const description = cheque ? `Cheque ${reference} ${cp.name}` : entry.description;
  // Cheques and period-end transfers are mostly invoice amounts; round ones are the exception.
  const cents = -(rng.chance(0.1) ? roundCents(rng) : invoiceCents(rng));
  const tag = { groupId: '', matchType: '' as const, kind: 'OUTSTANDING_PAYMENT' as const };
  ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx: idx, postIdx: postIdx(ctx, idx), currency: transactionCurrency(cp, rng), cents, counterparty: cp.name, reference, description });
}

/** A receipt we booked that the bank has not credited by the statement's end. */
export function depositInTransit(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const entry = draftEntry(cp, true, ctx.refs, rng);
  const tag = { groupId: '', matchType: '' as const, kind: 'DEPOSIT_IN_TRANSIT' as const };
  const cents = rng.chance(0.1) ? roundCents(rng) : invoiceCents(rng);
  ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx: idx, postIdx: postIdx(ctx, idx), currency: transactionCurrency(cp, rng), cents, counterparty: cp.name, reference: entry.reference, description: entry.description });
}
