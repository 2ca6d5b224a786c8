import type { Rng } from '../prng.ts';
import { bankName, bankStyleFor, typo } from './name-variants.ts';

/**
 * The customers and suppliers of the company whose cash is reconciled: canonical
 * names as the ledger writes them, each with a home currency (from its legal
 * form's country), the spelling its bank shows, and the habits that make amounts
 * repeat (usual amounts of rent, retainers, subscriptions).
 */
export interface Counterparty {
  /** Canonical name, as the ledger's master data holds it. */
  name: string;
  /** The legal form ending the name ("GmbH"), which banks often drop. */
  legalForm: string;
  currency: string;
  /** The account name as this counterparty's payments usually show it on the statement. */
  bankName: string;
  /** Amounts in cents (positive) this counterparty pays or is paid again and again. */
  usualCents: number[];
  /** The share of its entries at a usual amount: recurring, so a few a week at most however busy the counterparty. */
  usualShare: number;
  /** SEPA mandate number of its direct debits, and collections so far. */
  mandate: number;
  collections: number;
}

const FIRST = [
  'Alpine', 'Atlas', 'Aurora', 'Baltic', 'Beacon', 'Blue', 'Bright', 'Cedar', 'Coastal', 'Crown', 'Delta', 'Eagle', 'Evergreen', 'Falcon',
  'Golden', 'Granite', 'Green', 'Harbor', 'Helix', 'Horizon', 'Iron', 'Keystone', 'Lake', 'Liberty', 'Maple', 'Meridian', 'Metro', 'Nordic',
  'North', 'Oak', 'Orion', 'Pacific', 'Park', 'Pinnacle', 'Prime', 'Quantum', 'Red', 'River', 'Royal', 'Sierra', 'Silver', 'Star', 'Stone',
  'Summit', 'Sun', 'Swift', 'Titan', 'Union', 'Vertex', 'West', 'Zenith', 'Arden', 'Brook', 'Castle', 'Dover', 'Elm', 'Fjord', 'Glen',
];
const SECOND = ['', '', '', '', '', 'Bridge', 'Field', 'Gate', 'Ridge', 'Point', 'Rock', 'Wood', 'Line', 'Way', 'Hill', 'Stone', 'Park'];
const TRADE = [
  'Trading', 'Logistics', 'Software', 'Consulting', 'Foods', 'Engineering', 'Pharma', 'Textiles', 'Packaging', 'Electronics', 'Construction',
  'Media', 'Energy', 'Chemicals', 'Furniture', 'Motors', 'Design', 'Security', 'Catering', 'Print', 'Telecom', 'Healthcare', 'Metals',
  'Plastics', 'Marine', 'Office Supplies', 'Facilities', 'Analytics', 'Freight', 'Cleaning', 'Technologies', 'Properties',
];
const SUFFIX = ['', '', '', '', '', '', 'International', 'Services', 'Group', 'Holdings', 'Manufacturing', 'Solutions', 'Partners', 'Company'];
const SURNAMES = [
  'Smith', 'Jones', 'Miller', 'Schmidt', 'Fischer', 'Weber', 'Dubois', 'Laurent', 'Rossi', 'Jansen', 'Novak', 'Berg', 'Hansen', 'Keller',
  'Moreau', 'Bauer', 'Walsh', 'Murphy', 'Taylor', 'Brown', 'Fontaine', 'Lindqvist', 'Kowalski', 'Romano', 'De Vries', 'Hughes', 'Wagner',
];

/** Legal forms with the currency of their country and how common they are among the company's counterparties. */
const LEGAL_FORMS: readonly { form: string; currency: string; weight: number }[] = [
  { form: 'GmbH', currency: 'EUR', weight: 20 },
  { form: 'AG', currency: 'EUR', weight: 3 },
  { form: 'AG', currency: 'CHF', weight: 5 },
  { form: 'SA', currency: 'EUR', weight: 8 },
  { form: 'SAS', currency: 'EUR', weight: 5 },
  { form: 'BV', currency: 'EUR', weight: 7 },
  { form: 'NV', currency: 'EUR', weight: 3 },
  { form: 'S.p.A.', currency: 'EUR', weight: 3 },
  { form: 'Oy', currency: 'EUR', weight: 1 },
  { form: 'Ltd', currency: 'GBP', weight: 9 },
  { form: 'Limited', currency: 'GBP', weight: 3 },
  { form: 'PLC', currency: 'GBP', weight: 2 },
  { form: 'Inc', currency: 'USD', weight: 7 },
  { form: 'Inc.', currency: 'USD', weight: 2 },
  { form: 'LLC', currency: 'USD', weight: 5 },
  { form: 'Corp', currency: 'USD', weight: 2 },
  { form: 'AB', currency: 'SEK', weight: 2 },
  { form: 'A/S', currency: 'DKK', weight: 2 },
  { form: 'AS', currency: 'NOK', weight: 1 },
  { form: 'Sp. z o.o.', currency: 'PLN', weight: 2 },
];
const LEGAL_TOTAL = LEGAL_FORMS.reduce((s, f) => s + f.weight, 0);

/** The name as a similarity check sees it: upper case, letters and digits, legal forms dropped. */
export function comparableName(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w !== '' && !LEGAL_WORDS.has(w))
    .join(' ');
}
const LEGAL_WORDS = new Set(['LTD', 'LIMITED', 'INC', 'PLC', 'GMBH', 'AG', 'SA', 'SAS', 'BV', 'NV', 'LLC', 'CORP', 'CO']);

function legalForm(rng: Rng): { form: string; currency: string } {
  let r = rng.next() * LEGAL_TOTAL;
  for (const f of LEGAL_FORMS) {
    r -= f.weight;
    if (r < 0) return f;
  }
  return LEGAL_FORMS[0] as { form: string; currency: string };
}

function drawName(rng: Rng, form: string): string {
  if (rng.chance(0.2)) {
    const a = rng.pick(SURNAMES);
    const b = rng.pick(SURNAMES);
    const base = a === b || rng.chance(0.3) ? `${a} & Sons` : rng.chance(0.2) ? `${a}, ${b} & Partners` : `${a} & ${b}`;
    return `${base} ${rng.pick(TRADE)} ${form}`;
  }
  const second = rng.pick(SECOND);
  // "Northgate" or "North Gate": the second word joined on as often as not.
  const stem = second === '' ? rng.pick(FIRST) : rng.chance(0.5) ? `${rng.pick(FIRST)}${second.toLowerCase()}` : `${rng.pick(FIRST)} ${second}`;
  const suffix = rng.pick(SUFFIX);
  return `${stem} ${rng.pick(TRADE)}${suffix ? ` ${suffix}` : ''} ${form}`;
}

/** How steeply activity falls from the busiest counterparty to the quietest. */
const ZIPF_EXPONENT = 0.6;

/**
 * A fixed set of counterparties, drawn from a weighted (Zipf-like) distribution:
 * a few large customers and suppliers account for much of the traffic, as in
 * real books, which is where equal amounts on the same day pile up.
 */
export class CounterpartyPool {
  readonly all: Counterparty[] = [];
  private readonly cumulative: number[] = [];

  /** `dailyRows`: ledger rows a day, which sets how often a busy counterparty's usual amounts may recur. */
  constructor(rng: Rng, size: number, dailyRows: number) {
    let total = 0;
    for (let i = 0; i < size; i++) {
      total += 1 / Math.pow(i + 1, ZIPF_EXPONENT);
      this.cumulative.push(total);
    }
    const seen = new Set<string>();
    while (this.all.length < size) {
      const { form, currency } = legalForm(rng);
      const name = drawName(rng, form);
      // Two names equal once legal forms are dropped are one name to any matcher: keep them distinct.
      const key = comparableName(name);
      if (seen.has(key)) continue;
      seen.add(key);
      const usualCents = Array.from({ length: rng.int(0, 3) }, () => (rng.chance(0.6) ? rng.int(20, 900) * 500 : rng.int(2_000, 300_000)));
      const perDay = (dailyRows * (1 / Math.pow(this.all.length + 1, ZIPF_EXPONENT))) / total;
      const usualShare = usualCents.length === 0 ? 0 : Math.min(0.1, 0.3 / (perDay * usualCents.length));
      this.all.push({ name, legalForm: form, currency, bankName: bankName(name, form, bankStyleFor(rng), rng), usualCents, usualShare, mandate: rng.int(1000, 9999), collections: rng.int(0, 40) });
    }
  }

  /** A counterparty, weighted by activity. */
  pick(rng: Rng): Counterparty {
    const total = this.cumulative[this.cumulative.length - 1] as number;
    const r = rng.next() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > r) hi = mid;
      else lo = mid + 1;
    }
    return this.all[lo] as Counterparty;
  }
}

/** The currency of one transaction: mostly the counterparty's home currency, else EUR or USD. */
export function transactionCurrency(cp: Counterparty, rng: Rng): string {
  if (rng.chance(0.9)) return cp.currency;
  return rng.chance(0.65) ? (cp.currency === 'EUR' ? 'USD' : 'EUR') : cp.currency === 'USD' ? 'GBP' : 'USD';
}

/**
 * The name one statement line shows: usually the counterparty's account name as
 * always, sometimes another rendering (a payment through another channel or bank),
 * now and then a fresh typo.
 */
export function statementName(cp: Counterparty, rng: Rng): string {
  const r = rng.next();
  if (r < 0.9) return cp.bankName;
  if (r < 0.98) return bankName(cp.name, cp.legalForm, bankStyleFor(rng), rng);
  return typo(cp.bankName, rng);
}
