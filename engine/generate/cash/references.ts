import type { Rng } from '../prng.ts';
import type { Counterparty } from './counterparties.ts';

/**
 * Payment references as the ledger records them, and the state they reach the bank
 * statement in: the bank's narrative is free text typed or forwarded by the other
 * party, so the reference arrives with dashes dropped, spaced, cut short, in lower
 * case, wrapped in remittance boilerplate — or not at all.
 */
export class ReferenceBook {
  private invoice: number;
  private order: number;
  private cheque: number;

  constructor(rng: Rng) {
    this.invoice = rng.int(1, 2_000);
    this.order = rng.int(100_000, 300_000);
    this.cheque = rng.int(100_000, 200_000);
  }

  /** Our sales invoice, which a customer's receipt settles: INV-2026-004512. */
  salesInvoice(): string {
    return `INV-2026-${String(this.invoice++).padStart(6, '0')}`;
  }

  /** Our purchase order, quoted on a supplier payment: PO/188123. */
  purchaseOrder(): string {
    return `PO/${this.order++}`;
  }

  /** A SEPA direct debit collection under the counterparty's mandate: SEPA-7781-22. */
  directDebit(cp: Counterparty): string {
    cp.collections++;
    return `SEPA-${cp.mandate}-${String(cp.collections % 100).padStart(2, '0')}`;
  }

  /** A cheque number. */
  chequeNumber(): string {
    return `CHQ ${this.cheque++}`;
  }
}

/** How a reference reaches the narrative. */
export const REFERENCE_FORMS = ['asIs', 'noDashes', 'spaces', 'lower', 'lowerNoDashes', 'cut', 'typo', 'missing'] as const;
export type ReferenceForm = (typeof REFERENCE_FORMS)[number];

const FORM_WEIGHTS: Record<ReferenceForm, number> = {
  asIs: 22,
  noDashes: 28,
  spaces: 12,
  lower: 7,
  lowerNoDashes: 7,
  cut: 8,
  typo: 2,
  missing: 14,
};
const FORM_TOTAL = Object.values(FORM_WEIGHTS).reduce((s, w) => s + w, 0);

export function drawReferenceForm(rng: Rng): ReferenceForm {
  let r = rng.next() * FORM_TOTAL;
  for (const form of REFERENCE_FORMS) {
    r -= FORM_WEIGHTS[form];
    if (r < 0) return form;
  }
  return 'asIs';
}

/** Two neighbouring digits swapped (a transposition, the commonest keying error); unchanged when none differ. */
function transposeDigits(ref: string, rng: Rng): string {
  const spots: number[] = [];
  for (let i = 0; i < ref.length - 1; i++) if (/\d/.test(ref[i] as string) && /\d/.test(ref[i + 1] as string) && ref[i] !== ref[i + 1]) spots.push(i);
  if (spots.length === 0) return ref;
  const i = rng.pick(spots);
  return ref.slice(0, i) + (ref[i + 1] as string) + (ref[i] as string) + ref.slice(i + 2);
}

/** The reference in one form ('' for missing). */
export function mangleReference(ref: string, form: ReferenceForm, rng: Rng): string {
  switch (form) {
    case 'asIs':
      return ref;
    case 'noDashes':
      return ref.replace(/[-/ ]/g, '');
    case 'spaces':
      return ref.replace(/[-/]/g, ' ');
    case 'lower':
      return ref.toLowerCase();
    case 'lowerNoDashes':
      return ref.replace(/[-/ ]/g, '').toLowerCase();
    case 'cut':
      // Remittance fields cut short by a payer's system: the last two or three characters lost.
      return ref.slice(0, Math.max(3, ref.length - rng.int(2, 3)));
    case 'typo':
      return transposeDigits(ref, rng);
    case 'missing':
      return '';
  }
}

/** Remittance text around a reference ({ref}) and the other party's name ({name}). */
const WITH_REFERENCE = [
  '{ref}',
  '{ref}',
  'PMT REF {ref} THANK YOU',
  'SEPA CT {name} REF {ref}',
  '/ROC/{ref}//',
  'EREF+{ref} SVWZ+PAYMENT',
  'TRF {name} {ref}',
  'INVOICE {ref}',
  '{name} / {ref}',
  'PAYMENT FOR {ref} VIA ONLINE BANKING',
  'REMITTANCE {ref}',
  'REF: {ref}',
];
const WITHOUT_REFERENCE_IN = ['', 'PAYMENT', 'SEPA CT {name}', 'TRANSFER FROM {name}', 'INCOMING PAYMENT', 'PAYMENT THANK YOU', '{name}'];
const WITHOUT_REFERENCE_OUT = ['', 'PAYMENT', 'SEPA CT {name}', 'TRANSFER TO {name}', 'STANDING ORDER {name}', 'ONLINE BANKING TRANSFER', '{name}'];

function fill(template: string, ref: string, name: string): string {
  return template.replace('{ref}', ref).replace('{name}', name).trim();
}

/** Remittance text without any usable reference. */
export function plainNarrative(name: string, receipt: boolean, rng: Rng): string {
  return fill(rng.pick(receipt ? WITHOUT_REFERENCE_IN : WITHOUT_REFERENCE_OUT), '', name);
}

/**
 * The narrative of a bank line paying one ledger entry with reference `ref`
 * (may be empty). A direct debit always shows its mandate reference, as SEPA
 * requires, but in the bank's own layout.
 */
export function narrativeFor(ref: string, name: string, receipt: boolean, rng: Rng): string {
  if (ref.startsWith('SEPA-')) {
    const shown = rng.chance(0.5) ? ref : mangleReference(ref, rng.chance(0.7) ? 'noDashes' : 'spaces', rng);
    return `SDD ${name} MANDATE ${shown}`.replace(/ +/g, ' ');
  }
  if (ref === '') {
    // Some payers quote their own order number, which the ledger never saw.
    return rng.chance(0.25) ? `${receipt ? 'ORDER' : 'CUST NO'} ${rng.int(10_000, 99_999)} ${name}`.trim() : plainNarrative(name, receipt, rng);
  }
  const form = drawReferenceForm(rng);
  const shown = mangleReference(ref, form, rng);
  if (shown === '') return plainNarrative(name, receipt, rng);
  const text = fill(rng.pick(WITH_REFERENCE), shown, name);
  return form === 'lower' || form === 'lowerNoDashes' ? text.toLowerCase() : text;
}

/**
 * One transfer paying several ledger entries: the payer lists (some of) the
 * references, or only says it is a batch.
 */
export function settlementNarrative(refs: readonly string[], name: string, rng: Rng): string {
  const listed = refs.filter((r) => r !== '');
  const r = rng.next();
  if (listed.length === 0 || r < 0.3) return rng.pick([`REMITTANCE ADVICE TO FOLLOW ${name}`, `SEVERAL INVOICES ${name}`, `PAYMENT RUN ${name}`, 'BATCH PAYMENT']).trim();
  const form = rng.chance(0.5) ? 'noDashes' : 'asIs';
  const shown = listed.slice(0, 3).map((ref) => mangleReference(ref, form, rng));
  return `${rng.pick(['INVOICES', 'PMT', 'REF', '/RFB/'])} ${shown.join(' ')}${listed.length > 3 ? ' ETC' : ''}`;
}

/** One of several instalments paying a ledger entry. */
export function instalmentNarrative(ref: string, index: number, count: number, name: string, rng: Rng): string {
  if (ref === '' || rng.chance(0.2)) return `INSTALMENT ${index}/${count} ${name}`.trim();
  const shown = mangleReference(ref, rng.chance(0.5) ? 'noDashes' : 'asIs', rng);
  return rng.chance(0.5) ? `${shown} INSTALMENT ${index}/${count}` : `PARTIAL PAYMENT ${shown}`;
}
