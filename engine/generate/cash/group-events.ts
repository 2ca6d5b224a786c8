import type { Rng } from '../prng.ts';
import { statementName, transactionCurrency } from './counterparties.ts';
import { draftEntry } from './entries.ts';
import { feeCents, invoiceCents, splitCents } from './money.ts';
import { instalmentNarrative, settlementNarrative } from './references.ts';
import { clampIdx, matchTypeOf, type CashKind, type EventContext } from './rows.ts';

/** Group sizes 2..6, small ones far more common. */
function groupSize(rng: Rng): number {
  const r = rng.next();
  return r < 0.45 ? 2 : r < 0.75 ? 3 : r < 0.88 ? 4 : r < 0.95 ? 5 : 6;
}

/** The largest fee the definition's fee rules allow, in cents: no other sub-group may come this close. */
const FEE_TOLERANCE_CENTS = 500;

/**
 * True when the group can only be read one way: no proper part of the ledger rows
 * sums to within the fee tolerance of any part of the bank lines (a part pair that
 * did would be a smaller, equally valid match, and truth would be ambiguous).
 */
export function groupIsUnique(a: readonly number[], b: readonly number[]): boolean {
  const sums = (xs: readonly number[]): number[] => {
    const out: number[] = [];
    for (let mask = 1; mask < 1 << xs.length; mask++) {
      let s = 0;
      for (let i = 0; i < xs.length; i++) if (mask & (1 << i)) s += xs[i] as number;
      out.push(s);
    }
    return out; // the last entry is the whole side
  };
  const sa = sums(a);
  const sb = sums(b);
  for (const [i, x] of sa.entries()) {
    for (const [j, y] of sb.entries()) {
      const whole = i === sa.length - 1 && j === sb.length - 1;
      if (!whole && Math.abs(x - y) <= FEE_TOLERANCE_CENTS) return false;
    }
  }
  return true;
}

/** Sorted offsets in [0, span]: the days of a group's rows after its first. */
function offsets(rng: Rng, count: number, span: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, span)).sort((x, y) => x - y);
}

/**
 * One ledger entry settled by several statement lines (1:N): an invoice the
 * customer pays in instalments over the following days, each line from the same
 * payer account.
 */
export function instalments(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const currency = transactionCurrency(cp, rng);
  const receipt = rng.chance(0.85);
  const count = groupSize(rng);
  const entry = draftEntry(cp, receipt, ctx.refs, rng);
  const total = Math.max(entry.cents, invoiceCents(rng), count * 20_000);
  const parts = splitCents(total, count, rng, rng.chance(0.6));
  const sign = receipt ? 1 : -1;
  const tag = { groupId: ctx.newGroupId(), matchType: matchTypeOf(1, count), kind: 'MATCHED' as CashKind };
  ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx: idx, postIdx: idx, currency, cents: sign * total, counterparty: cp.name, reference: entry.reference, description: entry.description });
  const name = statementName(cp, rng);
  const days = offsets(rng, count, 8);
  for (const [i, cents] of parts.entries()) {
    const valueIdx = clampIdx(ctx, idx + (days[i] as number));
    ctx.bank({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx, bookingIdx: valueIdx, currency, cents: sign * cents, name, narrative: instalmentNarrative(entry.reference, i + 1, count, name, rng) });
  }
}

/**
 * Several ledger entries settled by one statement line (N:1): a customer paying
 * a few of our invoices in one transfer (sometimes net of a credit note), or our
 * payment run paying a supplier's invoices together. Some arrive short of an
 * intermediary bank's fee: FEE_DIFFERENCE.
 */
export function settlement(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const currency = transactionCurrency(cp, rng);
  const receipt = rng.chance(0.8);
  const sign = receipt ? 1 : -1;
  const count = groupSize(rng);
  const drafts = Array.from({ length: count }, () => draftEntry(cp, receipt, ctx.refs, rng));
  // Invoices settled together are odd amounts (round sums are paid one by one, as retainers and rent).
  const cents = drafts.map(() => invoiceCents(rng));
  // A credit note nets off one invoice's worth partly; kept only if the group stays readable one way.
  if (count >= 3 && rng.chance(0.15)) {
    const note = -Math.round((cents[0] as number) * (0.1 + 0.4 * rng.next()));
    const withNote = [...cents.slice(0, -1), note];
    const sum = withNote.reduce((s, c) => s + c, 0);
    if (sum > FEE_TOLERANCE_CENTS * 4 && groupIsUnique(withNote, [sum])) cents.splice(0, cents.length, ...withNote);
  }
  const total = cents.reduce((s, c) => s + c, 0);
  const fee = rng.chance(0.12) ? feeCents(rng) : 0;
  const tag = { groupId: ctx.newGroupId(), matchType: matchTypeOf(count, 1), kind: (fee > 0 ? 'FEE_DIFFERENCE' : 'MATCHED') as CashKind };
  const days = offsets(rng, count, 3);
  for (const [i, c] of cents.entries()) {
    const d = drafts[i]!;
    const valueIdx = clampIdx(ctx, idx + (days[i] as number));
    const credit = c < 0;
    ctx.ledger({
      groupId: tag.groupId,
      matchType: tag.matchType,
      kind: tag.kind,
      valueIdx,
      postIdx: valueIdx,
      currency,
      cents: sign * c,
      counterparty: cp.name,
      reference: d.reference,
      description: credit ? `Credit note ${d.reference || cp.name}` : d.description,
    });
  }
  const name = statementName(cp, rng);
  const valueIdx = clampIdx(ctx, idx + (days[count - 1] as number) + rng.int(0, 1));
  ctx.bank({
    groupId: tag.groupId,
      matchType: tag.matchType,
      kind: tag.kind,
    valueIdx,
    bookingIdx: valueIdx,
    currency,
    cents: sign * total - fee,
    name,
    narrative: settlementNarrative(
      drafts.map((d) => d.reference),
      name,
      rng,
    ),
  });
}

/** Invoice amounts and partial payments agreeing in total only, redrawn until no smaller part agrees. */
function drawManyToMany(rng: Rng, nA: number, nB: number): { a: number[]; b: number[] } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = Array.from({ length: nA }, () => invoiceCents(rng) + 10_000);
    const b = splitCents(
      a.reduce((s, c) => s + c, 0),
      nB,
      rng,
      false,
    );
    if (groupIsUnique(a, b)) return { a, b };
  }
  throw new Error('could not draw an N:M group that reads one way only');
}

/**
 * A few ledger entries against a few statement lines of one counterparty (N:M):
 * two or three invoices settled by two or three partial payments that do not line
 * up with them one by one, only in total.
 */
export function manyToMany(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const cp = ctx.pool.pick(rng);
  const currency = transactionCurrency(cp, rng);
  const receipt = rng.chance(0.75);
  const sign = receipt ? 1 : -1;
  const nA = rng.int(2, 3);
  const nB = rng.int(2, 3);
  const { a, b } = drawManyToMany(rng, nA, nB);
  const drafts = a.map(() => draftEntry(cp, receipt, ctx.refs, rng));
  const tag = { groupId: ctx.newGroupId(), matchType: matchTypeOf(nA, nB), kind: 'MATCHED' as CashKind };
  const aDays = offsets(rng, nA, 2);
  for (const [i, c] of a.entries()) {
    const valueIdx = clampIdx(ctx, idx + (aDays[i] as number));
    const d = drafts[i]!;
    ctx.ledger({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx, postIdx: valueIdx, currency, cents: sign * c, counterparty: cp.name, reference: d.reference, description: d.description });
  }
  const name = statementName(cp, rng);
  const bDays = offsets(rng, nB, 3);
  const refs = drafts.map((d) => d.reference);
  for (const [i, c] of b.entries()) {
    const valueIdx = clampIdx(ctx, idx + (bDays[i] as number));
    ctx.bank({ groupId: tag.groupId, matchType: tag.matchType, kind: tag.kind, valueIdx, bookingIdx: valueIdx, currency, cents: sign * c, name, narrative: i === 0 ? settlementNarrative(refs, name, rng) : `PARTIAL PAYMENT ${name}`.trim() });
  }
}
