import { fxConvertCents, notionalBreaks } from './amounts.ts';
import { addBusinessDays } from './calendar.ts';
import type { Rng } from './prng.ts';
import { ABBREVIATIONS, BOOKS } from './reference-data.ts';
import type { BRecord, Trade } from './trades.ts';

/** Reason codes the generator injects; names match the default reason catalogue. */
export const INJECTED_REASONS = [
  'ROUNDING_DIFF',
  'TIMING_DIFF',
  'FX_DIFF',
  'SCALE_DIFF',
  'SIGN_FLIP',
  'STATIC_DATA',
  'MISSING_IN_B',
  'MISSING_IN_A',
  'DUPLICATE_KEY',
] as const;
export type InjectedReason = (typeof INJECTED_REASONS)[number];
export type FieldReason = Exclude<InjectedReason, 'MISSING_IN_A' | 'MISSING_IN_B' | 'DUPLICATE_KEY'>;

/** One expected break, as the engine should report it. */
export interface TruthRow {
  key: string;
  field: string;
  diffType: 'MISMATCH' | 'MISSING_IN_A' | 'MISSING_IN_B' | 'DUPLICATE_KEY';
  reason: InjectedReason;
  side: '' | 'a' | 'b';
}

/** Relative frequencies: FX, scale, sign and duplicates are rarer in real breaks. */
const WEIGHTS: Record<InjectedReason, number> = {
  ROUNDING_DIFF: 3,
  TIMING_DIFF: 3,
  FX_DIFF: 2,
  SCALE_DIFF: 2,
  SIGN_FLIP: 2,
  STATIC_DATA: 3,
  MISSING_IN_B: 3,
  MISSING_IN_A: 3,
  DUPLICATE_KEY: 2,
};

/**
 * Deals reasons from a shuffled, weighted bag (refilled when empty) rather than by
 * independent draws, so even a small file (one bag = 23 breaks) holds every reason.
 */
export class ReasonBag {
  private bag: InjectedReason[] = [];

  constructor(private readonly rng: Rng) {}

  /** The next reason to inject. */
  next(): InjectedReason {
    if (this.bag.length === 0) {
      for (const reason of INJECTED_REASONS) for (let i = 0; i < WEIGHTS[reason]; i++) this.bag.push(reason);
      this.rng.shuffle(this.bag);
    }
    return this.bag.pop() as InjectedReason;
  }
}

/** Securities to swap an ISIN with on a STATIC_DATA break. */
export interface BreakContext {
  isins: readonly string[];
}

/**
 * Builds the B side of a trade with exactly one field broken for `reason`, and names
 * that field (A-side name). Each branch is checked to really exceed the definition's
 * tolerance, so truth.csv never lists a difference the engine must call a match.
 */
export function applyFieldBreak(reason: FieldReason, t: Trade, rng: Rng, ctx: BreakContext): { b: BRecord; field: string } {
  const b: BRecord = { ...t };
  switch (reason) {
    case 'ROUNDING_DIFF':
      return { b, field: roundingBreak(b, rng) };
    case 'TIMING_DIFF':
      return { b, field: timingBreak(b, rng) };
    case 'FX_DIFF':
      // The custodian reports the amount in its own reporting currency.
      b.notionalCents = fxConvertCents(t.notionalCents, t.currency);
      return { b, field: checkedNotional(t, b) };
    case 'SCALE_DIFF':
      return { b, field: scaleBreak(b, rng) };
    case 'SIGN_FLIP':
      if (rng.chance(0.7)) {
        b.side = t.side === 'BUY' ? 'SELL' : 'BUY';
        return { b, field: 'Side' };
      }
      b.notionalCents = -t.notionalCents;
      return { b, field: checkedNotional(t, b) };
    case 'STATIC_DATA':
      return { b, field: staticBreak(b, rng, ctx) };
  }
}

function roundingBreak(b: BRecord, rng: Rng): string {
  const a = b.notionalCents;
  if (rng.chance(0.5)) {
    // Price off by 1-3 in the 4th decimal: beyond the abs 0.00001 tolerance.
    const d = rng.int(1, 3);
    b.priceUnits += b.priceUnits > d && rng.chance(0.5) ? -d : d;
    return 'Price';
  }
  // A few cents off; on larger notionals the rel tolerance (0.01%) swallows cents, so
  // the difference becomes the smallest one beyond it plus a few cents.
  const cents = rng.int(1, 9) * (rng.chance(0.5) ? -1 : 1);
  b.notionalCents = notionalBreaks(a, a + cents) ? a + cents : a + Math.floor(a / 9999) + rng.int(1, 9);
  return checkedNotional({ ...b, notionalCents: a }, b);
}

function timingBreak(b: BRecord, rng: Rng): string {
  const r = rng.next();
  if (r < 0.8) {
    // Settlement late by 1-2 business days, or occasionally early by one (never before trade date).
    let n = r < 0.45 ? 1 : r < 0.7 ? 2 : -1;
    if (n === -1 && addBusinessDays(b.settleDay, -1) <= b.tradeDay) n = 1;
    b.settleDay = addBusinessDays(b.settleDay, n);
    return 'SettleDate';
  }
  b.tradeDay += rng.chance(0.5) ? 1 : -1;
  return 'TradeDate';
}

function scaleBreak(b: BRecord, rng: Rng): string {
  const a = b.notionalCents;
  const r = rng.next();
  if (r < 0.6) {
    // Units against thousands (or hundreds) of units.
    b.notionalCents = a * (r < 0.4 ? 1000 : 100);
    return checkedNotional({ ...b, notionalCents: a }, b);
  }
  if (r < 0.8) {
    // Reported in thousands at 3 dp: thousandths of the value in thousands = cents / 100.
    const milli = Math.round(a / 100);
    b.notionalText = `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`;
    // The engine rounds to scale 2 (either direction); both must still be a break.
    if (!notionalBreaks(a, Math.floor(milli / 10)) || !notionalBreaks(a, Math.ceil(milli / 10))) {
      throw new Error(`generator invariant: scale break within tolerance for ${b.id}`);
    }
    return 'Notional';
  }
  b.quantity *= rng.chance(0.5) ? 1000 : 100;
  return 'Quantity';
}

function staticBreak(b: BRecord, rng: Rng, ctx: BreakContext): string {
  const r = rng.next();
  if (r < 0.6) {
    b.counterparty = respell(b.counterparty, rng);
    return 'Counterparty';
  }
  if (r < 0.8) {
    const original = b.book;
    while (b.book === original) b.book = rng.pick(BOOKS);
    return 'Book';
  }
  const original = b.isin;
  while (b.isin === original) b.isin = rng.pick(ctx.isins);
  return 'ISIN';
}

/** A different spelling of a name: abbreviation (most often), punctuation or a typo. */
export function respell(name: string, rng: Rng): string {
  const words = ABBREVIATIONS.filter(([long]) => new RegExp(`\\b${long}\\b`).test(name));
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = rng.next();
    let variant: string;
    if (words.length > 0 && r < 0.6) {
      const [long, short] = rng.pick(words);
      variant = name.replace(new RegExp(`\\b${long}\\b`), rng.chance(0.25) ? `${short}.` : short);
    } else if (r < 0.8) {
      variant = rng.pick([
        name.replaceAll(',', ''),
        name.replaceAll('.', ''),
        name.replaceAll('&', 'AND'),
        name.replaceAll('-', ' '),
        name.replaceAll('"', ''),
      ]);
    } else {
      variant = typo(name, rng);
    }
    // Must differ after the engine's trim, and must not create surrounding spaces.
    if (variant !== name && variant === variant.trim() && variant.length > 0) return variant;
  }
  return `${name}X`;
}

/** Swaps two adjacent distinct letters, or drops a letter. */
function typo(name: string, rng: Rng): string {
  const i = rng.int(1, name.length - 2);
  const [x, y] = [name[i] ?? '', name[i + 1] ?? ''];
  const letters = /^\p{L}$/u;
  if (rng.chance(0.5) && x !== y && letters.test(x) && letters.test(y)) return name.slice(0, i) + y + x + name.slice(i + 2);
  return letters.test(x) ? name.slice(0, i) + name.slice(i + 1) : name;
}

/** Asserts a Notional change is a break under abs 0.005 / rel 0.0001 and names the field. */
function checkedNotional(a: Trade, b: BRecord): string {
  if (!notionalBreaks(a.notionalCents, b.notionalCents)) {
    throw new Error(`generator invariant: notional change within tolerance for ${a.id}`);
  }
  return 'Notional';
}
