import type { Rng } from '../prng.ts';
import type { Counterparty } from './counterparties.ts';
import { invoiceCents, roundCents } from './money.ts';
import type { ReferenceBook } from './references.ts';

/** What the ledger knows of one cash movement before it is dated: size, reference, text. */
export interface EntryDraft {
  /** Positive; the sign comes from receipt or payment. */
  cents: number;
  reference: string;
  description: string;
}

/** An amount: a round one (20%), a recurring one of the counterparty's (rent, retainers), or an invoice-like one. */
export function entryCents(cp: Counterparty, rng: Rng): number {
  const r = rng.next();
  if (r < 0.2) return roundCents(rng);
  if (r < 0.2 + cp.usualShare) return rng.pick(cp.usualCents);
  return invoiceCents(rng);
}

const UNREFERENCED_PAYMENTS = ['Rent', 'Service fee', 'Retainer', 'Subscription', 'Expense reimbursement', 'Maintenance contract'];

/**
 * A receipt settles one of our sales invoices (the reference is the invoice);
 * a payment quotes our purchase order or is a direct debit under a mandate.
 * Some entries carry no reference at all (receipts on account, rent).
 */
export function draftEntry(cp: Counterparty, receipt: boolean, refs: ReferenceBook, rng: Rng): EntryDraft {
  const cents = entryCents(cp, rng);
  if (receipt) {
    if (rng.chance(0.93)) {
      const reference = refs.salesInvoice();
      return { cents, reference, description: rng.chance(0.5) ? `Receipt ${reference}` : `Customer payment ${cp.name}` };
    }
    return { cents, reference: '', description: `Receipt on account ${cp.name}` };
  }
  const r = rng.next();
  if (r < 0.6) {
    const reference = refs.purchaseOrder();
    return { cents, reference, description: `Supplier payment ${reference}` };
  }
  if (r < 0.88) return { cents, reference: refs.directDebit(cp), description: `Direct debit ${cp.name}` };
  return { cents, reference: '', description: `${rng.pick(UNREFERENCED_PAYMENTS)} ${cp.name}` };
}
