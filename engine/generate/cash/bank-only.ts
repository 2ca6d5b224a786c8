import { statementName, transactionCurrency } from './counterparties.ts';
import { chargeCents, invoiceCents, roundCents } from './money.ts';
import { narrativeFor } from './references.ts';
import type { BankRow, CashKind, EventContext } from './rows.ts';

/** The currencies the company holds accounts in, for the bank's own monthly postings. */
export const ACCOUNT_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;

const CHARGE_TEXTS = ['INTL PAYMENT CHARGES', 'SEPA TRANSACTION FEES', 'CARD TERMINAL FEES', 'CHARGES FOR PAYMENT', 'CASH HANDLING FEE', 'FX CONVERSION FEE', 'SWIFT CHARGES OUR'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function bankOnly(ctx: EventContext, idx: number, kind: CashKind, row: Pick<BankRow, 'currency' | 'cents' | 'name' | 'narrative'>): void {
  // Fields spelt out: an object spread here costs several times the rest of the row (V8's clone path).
  ctx.bank({ groupId: '', matchType: '', kind, valueIdx: idx, bookingIdx: idx, currency: row.currency, cents: row.cents, name: row.name, narrative: row.narrative });
}

/**
 * One statement line the ledger has not recorded: a charge the bank took, interest
 * on an overnight deposit, a customer's payment nobody has booked yet, or a
 * direct debit collected before its invoice was entered.
 */
export function unrecordedLine(ctx: EventContext, idx: number): void {
  const { rng } = ctx;
  const r = rng.next();
  if (r < 0.45) {
    const currency = transactionCurrency(ctx.pool.pick(rng), rng);
    bankOnly(ctx, idx, 'UNRECORDED_BANK_CHARGE', { currency, cents: -chargeCents(rng), name: '', narrative: rng.pick(CHARGE_TEXTS) });
    return;
  }
  if (r < 0.5) {
    bankOnly(ctx, idx, 'INTEREST', { currency: rng.pick(ACCOUNT_CURRENCIES), cents: rng.int(100, 20_000), name: '', narrative: 'INTEREST ON OVERNIGHT DEPOSIT' });
    return;
  }
  const cp = ctx.pool.pick(rng);
  const name = statementName(cp, rng);
  const currency = transactionCurrency(cp, rng);
  if (r < 0.82) {
    // Paying an invoice whose receipt is not booked yet: its number is not in the ledger.
    const cents = rng.chance(0.1) ? roundCents(rng) : invoiceCents(rng);
    bankOnly(ctx, idx, 'UNRECORDED_DEPOSIT', { currency, cents, name, narrative: narrativeFor(ctx.refs.salesInvoice(), name, true, rng) });
    return;
  }
  const cents = -(cp.usualCents.length > 0 && rng.chance(0.5) ? rng.pick(cp.usualCents) : invoiceCents(rng));
  bankOnly(ctx, idx, 'UNRECORDED_DIRECT_DEBIT', { currency, cents, name, narrative: narrativeFor(ctx.refs.directDebit(cp), name, false, rng) });
}

/** The bank's month-end postings on each account: the account fee and the month's interest. */
export function monthEndPostings(ctx: EventContext, idx: number, month: number): void {
  const { rng } = ctx;
  for (const currency of ACCOUNT_CURRENCIES) {
    bankOnly(ctx, idx, 'UNRECORDED_BANK_CHARGE', { currency, cents: -rng.pick([2_500, 3_500, 5_000, 7_500]), name: '', narrative: `ACCOUNT FEE ${MONTHS[month] ?? ''}` });
    const debit = rng.chance(0.2);
    bankOnly(ctx, idx, 'INTEREST', { currency, cents: (debit ? -1 : 1) * rng.int(500, 250_000), name: '', narrative: debit ? 'DEBIT INTEREST' : 'CREDIT INTEREST' });
  }
}
