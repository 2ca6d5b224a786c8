import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './unseen-pairs.ts';

/**
 * File pairs whose only unique column combinations include a compared value
 * (an amount, a quantity, a comment), so a key chosen by fewest duplicates
 * alone would hold a value: every difference in it would become a
 * MISSING_IN_A + MISSING_IN_B pair instead of a MISMATCH. Each pair knows its
 * true key and the value differences planted in B.
 */

export interface KeyPair {
  aPath: string;
  bPath: string;
  /** The key a person who knows the files would choose (A's column names). */
  key: string[];
  /** A's value column whose differences are planted, and the keys (as the run spells them) where B differs in it. */
  field: string;
  changed: string[];
}

/** How a compared amount is written: whole units (many distinct, some negative) or with two decimals. */
export type AmountKind = 'whole' | 'decimal';

const DAY = 86_400_000;
const iso = (d: Date): string => d.toISOString().slice(0, 10);
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const amount = (kind: AmountKind, r: () => number, signed: boolean): string => {
  const v = (signed && r() < 0.3 ? -1 : 1) * (10_000 + r() * 4_990_000);
  return kind === 'whole' ? String(Math.trunc(v)) : v.toFixed(2);
};
/** The same amount moved a little (never to itself). */
const moved = (v: string, r: () => number): string => {
  const step = 1 + Math.floor(r() * 900);
  return v.includes('.') ? (Number(v) + step).toFixed(2) : String(Number(v) + step);
};

function write(dir: string, name: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * Trades whose reference repeats on `dupShare` of the rows: the repeated row
 * has the same date, book and currency, and another notional and comment
 * (free text, different on every row). The right key is the reference, its
 * duplicates reported as DUPLICATE_KEY breaks; reference + notional (or +
 * comment) is unique but holds compared values.
 */
export function duplicatedRefTrades(dir: string, opts: { seed: number; rows?: number; dupShare?: number; notional: AmountKind; comment: boolean }): KeyPair & { duplicated: string[] } {
  const r = rng(opts.seed);
  const rows = opts.rows ?? 2000;
  const every = Math.round(1 / (opts.dupShare ?? 0.03));
  const header = ['Deal', 'Traded', 'Book', 'Ccy', 'Notional', ...(opts.comment ? ['Comment'] : [])];
  const a = [header.join(',')];
  const b = [['deal', 'trade_day', 'portfolio', 'currency', 'nominal', ...(opts.comment ? ['remarks'] : [])].join(',')];
  const duplicated: string[] = [];
  const changed: string[] = [];
  const words = ['booked', 'after', 'call', 'with', 'client', 'amended', 'per', 'desk', 'request', 'confirm', 'pending', 'broker', 'late'];
  const comment = (): string => Array.from({ length: 4 + Math.floor(r() * 5) }, () => pick(words, r)).join(' ') + ` ${Math.floor(r() * 100_000)}`;
  const line = (cells: string[]): string => cells.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',');
  for (let i = 0; i < rows; i++) {
    const ref = `D${String(7_300_000 + i * 17).padStart(9, '0')}`;
    const day = iso(new Date(Date.UTC(2025, 2, 3) + Math.floor(r() * 120) * DAY));
    const book = pick(['FX-SPOT', 'FX-FWD', 'RATES', 'CREDIT'], r);
    const ccy = pick(['USD', 'EUR', 'GBP', 'JPY', 'CHF'], r);
    const copies = i % every === every - 1 ? 2 : 1;
    if (copies === 2) duplicated.push(ref);
    for (let c = 0; c < copies; c++) {
      const notional = amount(opts.notional, r, false);
      const note = opts.comment ? [comment()] : [];
      a.push(line([ref, day, book, ccy, notional, ...note]));
      const plant = copies === 1 && i % 97 === 5;
      if (plant) changed.push(ref);
      b.push(line([ref, day, book, ccy, plant ? moved(notional, r) : notional, ...note]));
    }
  }
  return { aPath: write(dir, 'trades-a.csv', a), bPath: write(dir, 'trades-b.csv', b), key: ['Deal'], field: 'Notional', changed, duplicated };
}

/**
 * Balances per account and currency (1 to 3 currencies an account): the key
 * is (account, currency). The balance, some negative, is nearly unique on its
 * own, so it (or account + balance) is unique too, but it is the compared value.
 */
export function accountBalances(dir: string, opts: { seed: number; accounts?: number; balance: AmountKind }): KeyPair {
  const r = rng(opts.seed);
  const a = ['Account;Currency;Branch;Balance'];
  const b = ['acct;cur;branch;closing'];
  const changed: string[] = [];
  const currencies = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'SEK'];
  let n = 0;
  for (let i = 0; i < (opts.accounts ?? 900); i++) {
    const account = `CH${String(93_000_000 + i * 41).padStart(10, '0')}`;
    const branch = pick(['ZRH', 'GVA', 'BSL', 'LUG'], r);
    const held = currencies.filter(() => r() < 0.4).slice(0, 3);
    for (const ccy of held.length === 0 ? ['CHF'] : held) {
      const balance = amount(opts.balance, r, true);
      a.push(`${account};${ccy};${branch};${balance}`);
      const plant = n++ % 83 === 9;
      if (plant) changed.push(`${account}|${ccy}`);
      b.push(`${account};${ccy};${branch};${plant ? moved(balance, r) : balance}`);
    }
  }
  return { aPath: write(dir, 'balances-a.csv', a), bPath: write(dir, 'balances-b.csv', b), key: ['Account', 'Currency'], field: 'Balance', changed };
}

/**
 * Positions per portfolio, security and business day: the key is the three
 * of them. Units (whole, many distinct) and market value make security +
 * units unique in two parts, fewer than the true key's three.
 */
export function portfolioPositions(dir: string, opts: { seed: number; units?: AmountKind }): KeyPair {
  const r = rng(opts.seed);
  const a = ['Portfolio|Security|AsOf|Units|Price|MarketValue'];
  const b = ['pf|instrument|position_date|holding|px|mv'];
  const changed: string[] = [];
  const securities = Array.from({ length: 80 }, (_, i) => `XS${String(1_000_000_000 + i * 7_919).padStart(10, '0')}`);
  let n = 0;
  for (const pf of ['ALPHA', 'BETA', 'GAMMA', 'DELTA', 'SIGMA', 'OMEGA', 'KAPPA', 'THETA']) {
    for (let d = 0; d < 5; d++) {
      const day = iso(new Date(Date.UTC(2025, 5, 2) + d * DAY));
      for (const sec of securities.filter(() => r() < 0.6)) {
        const units = opts.units === 'decimal' ? (1 + r() * 250_000).toFixed(2) : String(1 + Math.floor(r() * 250_000));
        const price = (80 + r() * 40).toFixed(4);
        const mv = ((Number(units) * Number(price)) / 100).toFixed(2);
        a.push(`${pf}|${sec}|${day}|${units}|${price}|${mv}`);
        const plant = n++ % 71 === 3;
        if (plant) changed.push(`${pf}|${sec}|${day}`);
        b.push(`${pf}|${sec}|${day}|${plant ? moved(units, r) : units}|${price}|${mv}`);
      }
    }
  }
  return { aPath: write(dir, 'positions-a.psv', a), bPath: write(dir, 'positions-b.psv', b), key: ['Portfolio', 'Security', 'AsOf'], field: 'Units', changed };
}
