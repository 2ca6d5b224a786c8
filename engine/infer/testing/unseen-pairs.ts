import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionInput } from '../../definition/schema.ts';
import { openDuckDB } from '../../duckdb/open.ts';
import { literal } from '../../sql/quote.ts';

/**
 * File pairs no inference was tuned on (issue 18): each built from a seed, with
 * its own names and formats, the differences planted in it and the
 * definition a person would write for it, so a test knows what is right.
 */

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestPair {
  aPath: string;
  bPath: string;
  /** The definition a person who knows both files would write. */
  handWritten: DefinitionInput;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);
const DAY = 86_400_000;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const isinOf = (i: number): string => `US${String(100_000_000 + i * 7919).padStart(9, '0')}${i % 10}`;

function write(dir: string, name: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function shuffled<T>(xs: T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Trades: A's `TradeID` is B's `trade_ref`, unique on both sides. ISIN repeats
 * (one security traded several times), and the trades only A has share their
 * securities with trades only B has, so ISIN's values overlap between the
 * files more than the trade ids do. B's settlement date lags A's by 0 to
 * 2 days. `duplicatedRefs` B trades are written twice (real duplicates of the key).
 */
export function tradesPair(dir: string, opts: { rows?: number; onlyA?: number; duplicatedRefs?: number; seed?: number } = {}): TestPair & { onlyA: string[]; onlyB: string[]; duplicated: string[]; lagged: number } {
  const r = rng(opts.seed ?? 18);
  const rows = opts.rows ?? 3000;
  const onlyA = opts.onlyA ?? 120;
  const a = ['TradeID,ISIN,TradeDate,SettleDate,Quantity,Price,Ccy'];
  const b: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  const duplicated: string[] = [];
  let lagged = 0;
  for (let i = 0; i < rows; i++) {
    const id = `TRD${String(500_000 + i * 13).padStart(8, '0')}`;
    // ~0.8% of trades share their security with another trade.
    const isin = isinOf(i % 120 === 7 ? i - 1 : i);
    const trade = new Date(Date.UTC(2025, 0, 2) + Math.floor(r() * 200) * DAY);
    const settle = new Date(trade.getTime() + 2 * DAY);
    const qty = 100 * (1 + Math.floor(r() * 500));
    const price = (20 + r() * 300).toFixed(4);
    const ccy = pick(['USD', 'EUR', 'GBP'], r);
    a.push(`${id},${isin},${iso(trade)},${iso(settle)},${qty},${price},${ccy}`);
    if (i % Math.floor(rows / onlyA) === 3 && missing.length < onlyA) {
      // Not in B; a trade only B has, in the same security, takes its place.
      missing.push(id);
      const ref = `TRD${String(900_000 + i).padStart(8, '0')}`;
      extra.push(ref);
      b.push(`${isin};${ref};${iso(trade)};${iso(settle)};${qty};${price};${ccy}`);
      continue;
    }
    const u = r();
    const lag = u < 0.3 ? 0 : u < 0.7 ? 1 : 2;
    if (lag > 0) lagged++;
    const line = `${isin};${id};${iso(trade)};${iso(new Date(settle.getTime() + lag * DAY))};${qty};${price};${ccy}`;
    b.push(line);
    if (duplicated.length < (opts.duplicatedRefs ?? 0) && i % 40 === 39) {
      b.push(line);
      duplicated.push(id);
    }
  }
  const aPath = write(dir, 'trades-a.csv', a);
  const bPath = write(dir, 'trades-b.txt', ['isin;trade_ref;trade_date;value_date;quantity;px;currency', ...shuffled(b, r)]);
  const handWritten: DefinitionInput = {
    name: 'trades (hand-written)',
    key: ['TradeID'],
    sources: { a: {}, b: { delimiter: ';' } },
    fields: [
      { name: 'TradeID', b: 'trade_ref' },
      { name: 'ISIN', b: 'isin' },
      { name: 'TradeDate', b: 'trade_date', type: 'date' },
      { name: 'SettleDate', b: 'value_date', type: 'date', tolerance: { days: 2 } },
      { name: 'Quantity', b: 'quantity', type: 'integer' },
      { name: 'Price', b: 'px', type: 'decimal', scale: 4 },
      { name: 'Ccy', b: 'currency' },
    ],
    compareUnlisted: false,
  };
  return { aPath, bPath, handWritten, onlyA: missing, onlyB: extra, duplicated, lagged };
}

/**
 * Risk: two risk engines never agree exactly. PV differs by up to ±400 on
 * every trade; Delta by up to ±0.5% of its value (values from 10 to 10⁶).
 * Notional agrees except where a break is planted. Headers are spaced on A
 * ("Trade Id") and lower-case on B, which is Parquet. B's `vega` merely
 * correlates with A's PV, and both sides carry an unrelated `Theta`.
 */
export async function riskPair(dir: string, opts: { rows?: number; seed?: number } = {}): Promise<TestPair & { pvBreaks: string[]; notionalBreaks: string[] }> {
  const r = rng(opts.seed ?? 77);
  const rows = opts.rows ?? 2000;
  const a = ['Trade Id,Book,PV,Delta,Notional,Theta'];
  const b = ['trade_id,book,pv,delta,notional,theta,vega'];
  const pvBreaks: string[] = [];
  const notionalBreaks: string[] = [];
  for (let i = 0; i < rows; i++) {
    const id = `RK-${10_000 + i}`;
    const book = pick(['RATES-1', 'RATES-2', 'CREDIT'], r);
    const pv = (r() < 0.5 ? -1 : 1) * (10_000 + r() * 5_000_000);
    const delta = (r() < 0.5 ? -1 : 1) * 10 ** (1 + r() * 5);
    const notional = 1_000_000 * (1 + Math.floor(r() * 50));
    const noise = Math.round((r() * 2 - 1) * 400 * 100) / 100;
    let pvB = pv + noise;
    if (i % 400 === 11) {
      pvB = pv + 50_000 + r() * 10_000;
      pvBreaks.push(id);
    }
    let notionalB = notional;
    if (i % 500 === 23) {
      notionalB = notional + 250_000;
      notionalBreaks.push(id);
    }
    const deltaB = delta * (1 + (r() * 2 - 1) * 0.005);
    const vega = 0.3 * pv + (r() * 2 - 1) * 4_000_000;
    a.push(`${id},${book},${pv.toFixed(2)},${delta.toFixed(4)},${notional},${(r() * 2000 - 1000).toFixed(2)}`);
    b.push(`${id.toLowerCase()},${book},${pvB.toFixed(2)},${deltaB.toFixed(4)},${notionalB},${(r() * 2000 - 1000).toFixed(2)},${vega.toFixed(2)}`);
  }
  const aPath = write(dir, 'risk-a.csv', a);
  const csvB = write(dir, 'risk-b.csv', [b[0]!, ...shuffled(b.slice(1), r)]);
  const bPath = join(dir, 'risk-b.parquet');
  const db = await openDuckDB({ path: ':memory:' });
  try {
    await db.connection.run(`COPY (SELECT * FROM read_csv(${literal(csvB)}, all_varchar = true)) TO ${literal(bPath)} (FORMAT parquet)`);
  } finally {
    db.close();
  }
  const handWritten: DefinitionInput = {
    name: 'risk (hand-written)',
    key: ['Trade Id'],
    fields: [
      { name: 'Trade Id', b: 'trade_id', case: 'upper' },
      { name: 'Book', b: 'book' },
      { name: 'PV', b: 'pv', type: 'decimal', scale: 2, tolerance: { abs: '400' } },
      { name: 'Delta', b: 'delta', type: 'decimal', scale: 4, tolerance: { rel: '0.005' } },
      { name: 'Notional', b: 'notional', type: 'integer' },
    ],
    compareUnlisted: false,
  };
  return { aPath, bPath, handWritten, pvBreaks, notionalBreaks };
}

/**
 * Positions: A prices in per cent of par ("101.25"), B as a fraction of par
 * ("1.0125"); A's market value in units, B's in thousands. Keyed by A's
 * `Position No` and B's `POS_NUMBER`; one quantity break planted.
 */
export function positionsPair(dir: string, opts: { rows?: number; seed?: number } = {}): TestPair & { quantityBreak: string } {
  const r = rng(opts.seed ?? 5);
  const rows = opts.rows ?? 1200;
  const a = ['Position No|Account|Quantity|Clean Price|Market Value'];
  const b: string[] = [];
  let quantityBreak = '';
  for (let i = 0; i < rows; i++) {
    const id = String(70_000 + i * 3);
    const qty = 1000 * (1 + Math.floor(r() * 900));
    const pct = 90 + Math.floor(r() * 2000) / 100;
    const mv = (qty * pct) / 100;
    a.push(`${id}|ACC${i % 17}|${qty}|${pct.toFixed(2)}|${mv.toFixed(2)}`);
    const qtyB = i === 321 ? qty + 1000 : qty;
    if (i === 321) quantityBreak = id;
    b.push(`${(pct / 100).toFixed(4)},${id},ACC${i % 17},${qtyB},${(mv / 1000).toFixed(5)}`);
  }
  const aPath = write(dir, 'positions-a.psv', a);
  const bPath = write(dir, 'positions-b.csv', ['px_fraction,POS_NUMBER,acct,units,mv_thousands', ...shuffled(b, r)]);
  const handWritten: DefinitionInput = {
    name: 'positions (hand-written)',
    key: ['Position No'],
    sources: { a: { delimiter: '|' } },
    fields: [
      { name: 'Position No', b: 'POS_NUMBER', type: 'integer' },
      { name: 'Account', b: 'acct' },
      { name: 'Quantity', b: 'units', type: 'integer' },
      // B's fraction of par is cast at its own 4 decimals before it is scaled back to per cent.
      { name: 'Clean Price', b: 'px_fraction', type: 'decimal', scale: 4, adjust: { b: { multiply: '100' } } },
      { name: 'Market Value', b: 'mv_thousands', type: 'decimal', scale: 5, adjust: { b: { multiply: '1000' } } },
    ],
    compareUnlisted: false,
  };
  return { aPath, bPath, handWritten, quantityBreak };
}
