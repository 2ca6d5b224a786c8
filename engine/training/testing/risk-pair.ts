import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionSchema, type Definition } from '../../definition/schema.ts';
import { Rng } from '../../generate/prng.ts';

/**
 * A risk-measures file pair with the truth of every planted difference, for
 * the learning loop (issue 18, item 10): not `recon generate`'s trades, and
 * never read by the baseline recipe. Two risk systems report PV, notional and
 * delta per trade: PV differs by up to ±400 everywhere (within the abs
 * tolerance of 1,000), flips sign on 8% of trades, is reported clean (without
 * accrued interest, the team's own reason code) for a third of one book's
 * trades and really differs (2%–10%) on 1%;
 * B reports notional in USD for every non-USD trade (no FX table in the
 * definition: FX must be inferred or learnt); B rounds delta to 2 or 4 places
 * on a third of the trades; B spells 3% of books its own way. Files: comma
 * CSV on A, semicolon CSV with other headers on B, and truth.csv in
 * `recon generate`'s columns, so labelBreaksFromTruth reads it.
 */
export interface RiskPair {
  aPath: string;
  bPath: string;
  truthPath: string;
  definition: Definition;
  /** Planted differences by reason (some fall within a tolerance and never break). */
  planted: Record<string, number>;
}

/** The team's reason code for clean against dirty PV (an admin adds it to the workspace's catalogue). */
export const ACCRUED_INTEREST = 'ACCRUED_INTEREST';

/** B's USD value of one unit of the currency. */
const RATES: Record<string, number> = { USD: 1, EUR: 1.0843, GBP: 1.2711, JPY: 0.00668, CHF: 1.1327 };
const BOOKS = ['RATES-LDN', 'RATES-NYC', 'CREDIT-EU', 'FXOPT-TKY'];

export function riskPair(dir: string, opts: { seed: number; trades: number }): RiskPair {
  const rng = new Rng(opts.seed);
  const logUniform = (lo: number, hi: number): number => 10 ** (Math.log10(lo) + rng.next() * (Math.log10(hi) - Math.log10(lo)));
  const sign = (): number => (rng.chance(0.5) ? 1 : -1);
  const a = ['trade_id,currency,book,pv,notional,delta'];
  const b: string[] = [];
  const truth = ['key,field,diff_type,reason,side'];
  const planted: Record<string, number> = {};
  const plant = (key: string, field: string, reason: string): void => {
    truth.push(`${key},${field},MISMATCH,${reason},`);
    planted[reason] = (planted[reason] ?? 0) + 1;
  };
  for (let i = 0; i < opts.trades; i++) {
    const key = `RSK-${String(100_000 + i * 7)}`;
    const ccy = rng.pick(Object.keys(RATES));
    const book = rng.pick(BOOKS);
    const pv = sign() * logUniform(5e4, 5e7);
    const noise = (rng.next() * 2 - 1) * 400;
    let pvB = pv + noise;
    if (rng.chance(0.08)) {
      pvB = -pv + noise;
      plant(key, 'pv', 'SIGN_FLIP');
    } else if (book === 'CREDIT-EU' && rng.chance(0.3)) {
      // The credit system reports clean PV: accrued interest (0.1%–0.4%) taken off. No generic reason
      // says so: the team's own code, which only its labels can teach.
      pvB = pv - Math.sign(pv) * Math.abs(pv) * (0.001 + rng.next() * 0.003);
      plant(key, 'pv', ACCRUED_INTEREST);
    } else if (rng.chance(0.01)) {
      pvB = pv * (1 + sign() * (0.02 + rng.next() * 0.08));
      plant(key, 'pv', 'UNKNOWN');
    }
    const notional = Math.round(logUniform(1e5, 1e8));
    let notionalB = Math.round(notional * RATES[ccy]! * 100) / 100;
    if (rng.chance(0.005)) {
      notionalB = Math.round(notional * RATES[ccy]! * (1.1 + rng.next()) * 100) / 100;
      plant(key, 'notional', 'UNKNOWN');
    } else if (ccy !== 'USD') plant(key, 'notional', 'FX_DIFF');
    const delta = sign() * logUniform(0.01, 5000);
    let deltaB = delta.toFixed(6);
    if (rng.chance(0.33)) {
      deltaB = delta.toFixed(rng.pick([2, 4]));
      plant(key, 'delta', 'ROUNDING_DIFF');
    }
    let bookB = book;
    if (rng.chance(0.03)) {
      bookB = book.toLowerCase().replace('-', '_');
      plant(key, 'book', 'STATIC_DATA');
    }
    a.push(`${key},${ccy},${book},${pv.toFixed(2)},${notional.toFixed(2)},${delta.toFixed(6)}`);
    b.push(`${key};${ccy};${bookB};${pvB.toFixed(2)};${notionalB.toFixed(2)};${deltaB}`);
  }
  rng.shuffle(b);
  mkdirSync(dir, { recursive: true });
  const aPath = join(dir, 'risk_a.csv');
  const bPath = join(dir, 'risk_b.csv');
  const truthPath = join(dir, 'truth.csv');
  writeFileSync(aPath, `${a.join('\n')}\n`);
  writeFileSync(bPath, `${['TradeRef;Ccy;Book;PresentValue;NotionalUSD;Delta', ...b].join('\n')}\n`);
  writeFileSync(truthPath, `${truth.join('\n')}\n`);
  const definition = definitionSchema.parse({
    name: 'risk measures (learning loop)',
    key: ['trade_id'],
    sources: { a: {}, b: { delimiter: ';' } },
    fields: [
      { name: 'trade_id', b: 'TradeRef' },
      { name: 'currency', b: 'Ccy' },
      { name: 'book', b: 'Book' },
      { name: 'pv', b: 'PresentValue', type: 'decimal', scale: 2, tolerance: { abs: '1000' } },
      { name: 'notional', b: 'NotionalUSD', type: 'decimal', scale: 2 },
      { name: 'delta', b: 'Delta', type: 'decimal', scale: 6 },
    ],
    compareUnlisted: false,
  });
  return { aPath, bPath, truthPath, definition, planted };
}
