import { addBusinessDays } from '../generate/calendar.ts';
import { Rng } from '../generate/prng.ts';
import type { BreakRow } from './break-rows.ts';
import { fxRatios, type FxTable } from './fx-rates.ts';
import {
  DIRECTION_PAIRS, isoDate, isoTimestamp, logUniform, randomCode, randomName, respellName, toUnits, unitsText,
} from './synthetic-values.ts';

/**
 * Synthetic MISMATCH breaks of generic shapes, so the shipped model is not
 * tuned to `recon generate` alone: random field types and counts, magnitudes
 * from cents to billions at 0–6 decimals, dates and timestamps, names, codes
 * and direction flags, FX tables present or absent. Also UNKNOWN examples
 * (changes that fit no pattern, or a value on one side only), so the model
 * can say "none of the known reasons" instead of forcing one.
 */
export interface SyntheticRun {
  breaks: BreakRow[];
  labels: string[];
  fx?: FxTable;
}

type Kind = 'decimal' | 'integer' | 'date' | 'timestamp' | 'names' | 'codes' | 'directions' | 'boolean';
interface FieldPlan {
  name: string;
  kind: Kind;
  scale: number;
  pool: string[];
  pair: readonly [string, string];
}
type Made = { a: string | null; b: string | null; delta: string | null; reason: string };

const CCYS = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'SGD', 'HKD', 'ZAR', 'MXN', 'INR'];
const KIND_WEIGHTS: [Kind, number][] = [['decimal', 7], ['integer', 2], ['date', 3], ['timestamp', 1], ['names', 3], ['codes', 2], ['directions', 1], ['boolean', 1]];
const SHAPES = ['LL99', 'LL9999999999', '999999', 'LLLL', 'LLL-999', '9999LL'];

function weighted<T>(rng: Rng, items: readonly [T, number][]): T {
  let r = rng.next() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) if ((r -= w) < 0) return v;
  return items[0]![0];
}

/** A random FX table of 3–8 pairs against USD with plausible rates. */
function randomFx(rng: Rng): FxTable {
  const table: Record<string, string> = {};
  for (let i = rng.int(3, 8); i > 0; i--) {
    const ccy = rng.pick(CCYS.slice(1));
    let rate = logUniform(rng, -1.3, 2.3);
    // Rates near 1 or a power of ten would collide with rounding and scale breaks.
    if (Math.abs(Math.log(rate)) < 0.05 || Math.abs(Math.log10(rate) - Math.round(Math.log10(rate))) < 0.03) rate *= 1.37;
    table[rng.chance(0.5) ? `${ccy}USD` : `USD${ccy}`] = rate.toPrecision(5);
  }
  return table;
}

/** Synthetic run number `index` of a training set with `seed`: about `size` breaks over 2–8 fields. */
export function syntheticRun(seed: number, index: number, size: number): SyntheticRun {
  const rng = new Rng((seed * 7919 + index * 104729) >>> 0);
  const fx = rng.chance(0.7) ? randomFx(rng) : undefined;
  const ratios = fxRatios(fx ?? {});
  const fields: FieldPlan[] = Array.from({ length: rng.int(2, 8) }, (_, i) => {
    const kind = weighted(rng, KIND_WEIGHTS);
    const shape = rng.pick(SHAPES);
    return {
      name: `field_${index}_${i}`,
      kind,
      scale: kind === 'decimal' ? rng.pick([0, 2, 2, 2, 2, 3, 4, 4, 6]) : 0,
      pool: Array.from({ length: rng.int(3, 40) }, () => (kind === 'names' ? randomName(rng) : randomCode(rng, shape))),
      pair: rng.pick(DIRECTION_PAIRS),
    };
  });
  const breaks: BreakRow[] = [];
  const labels: string[] = [];
  for (let i = 0; i < size; i++) {
    const f = rng.pick(fields);
    const m = makeBreak(rng, f, ratios);
    if (m.a === m.b) continue;
    breaks.push({ breakId: breaks.length + 1, key: `K${i}`, field: f.name, diffType: 'MISMATCH', valueA: m.a, valueB: m.b, delta: m.delta, fieldType: fieldType(f.kind) });
    labels.push(m.reason);
  }
  return fx ? { breaks, labels, fx } : { breaks, labels };
}

function fieldType(kind: Kind): string {
  return kind === 'names' || kind === 'codes' || kind === 'directions' ? 'string' : kind;
}

function makeBreak(rng: Rng, f: FieldPlan, ratios: number[]): Made {
  // A value on one side only: nothing explains it.
  if (rng.chance(0.04)) {
    const v = f.kind === 'decimal' || f.kind === 'integer' ? '100' : f.kind === 'date' ? '2024-01-02' : f.kind === 'timestamp' ? '2024-01-02 10:00:00' : f.pool[0] ?? 'X';
    return rng.chance(0.5) ? { a: v, b: null, delta: null, reason: 'UNKNOWN' } : { a: null, b: v, delta: null, reason: 'UNKNOWN' };
  }
  switch (f.kind) {
    case 'decimal':
    case 'integer':
      return numberBreak(rng, f.kind === 'integer' ? 0 : f.scale, f.kind === 'integer', ratios);
    case 'date':
    case 'timestamp':
      return timeBreak(rng, f.kind === 'timestamp');
    case 'names':
      return nameBreak(rng, f);
    case 'codes': {
      const a = rng.pick(f.pool);
      const b = rng.chance(0.8) ? rng.pick(f.pool) : randomCode(rng, rng.pick(SHAPES));
      return { a, b, delta: null, reason: 'STATIC_DATA' };
    }
    case 'directions': {
      const [x, y] = rng.chance(0.5) ? f.pair : ([f.pair[1], f.pair[0]] as const);
      return { a: x, b: y, delta: null, reason: 'SIGN_FLIP' };
    }
    case 'boolean':
      return rng.chance(0.5) ? { a: 'true', b: 'false', delta: null, reason: 'STATIC_DATA' } : { a: 'false', b: 'true', delta: null, reason: 'STATIC_DATA' };
  }
}

function nameBreak(rng: Rng, f: FieldPlan): Made {
  const a = rng.pick(f.pool);
  const b = rng.chance(0.8) ? respellName(a, rng) : rng.pick(f.pool);
  return rng.chance(0.5) ? { a, b, delta: null, reason: 'STATIC_DATA' } : { a: b, b: a, delta: null, reason: 'STATIC_DATA' };
}

/** A numeric break; `ratios` are the run's FX ratios (empty without a table). */
function numberBreak(rng: Rng, scale: number, integer: boolean, ratios: number[]): Made {
  const ulp = 10 ** -scale;
  const hi = Math.min(integer ? 8 : 10, 14 - scale);
  const a = (rng.chance(0.1) ? -1 : 1) * Math.max(logUniform(rng, integer ? 0 : -1, hi), 2 * ulp);
  const reason = weighted<string>(rng, [
    ['ROUNDING_DIFF', 3], ['SCALE_DIFF', 2], ['SIGN_FLIP', 2], ['FX_DIFF', integer ? 0 : ratios.length > 0 ? 2.5 : 1], ['UNKNOWN', 2.5],
  ]);
  let b: number;
  switch (reason) {
    case 'ROUNDING_DIFF':
      b = rng.chance(0.5) ? a + rng.int(1, 9) * ulp * (rng.chance(0.5) ? 1 : -1) : a * (1 + (rng.chance(0.5) ? 1 : -1) * logUniform(rng, -6.5, -3.5));
      break;
    case 'SCALE_DIFF': {
      const e = weighted<number>(rng, [[3, 4], [2, 2], [-3, 2], [-2, 1], [1, 1], [-1, 1], [6, 1]]);
      b = a * 10 ** (Math.abs(a) * 10 ** e < 100 * ulp ? Math.abs(e) : e);
      break;
    }
    case 'SIGN_FLIP':
      b = -a;
      break;
    case 'FX_DIFF': {
      const r = ratios.length > 0 ? rng.pick(ratios) : logUniform(rng, -1.3, 2.3);
      b = a * r * (rng.chance(0.15) ? 1 + (rng.next() - 0.5) * 0.004 : 1);
      break;
    }
    default:
      b = unexplained(rng, a, ratios, ulp);
  }
  const ua = toUnits(a, scale);
  let ub = toUnits(Math.abs(b) > 9e15 / 10 ** scale ? a : b, scale);
  if (ub === ua) ub += 1n;
  return { a: unitsText(ua, scale), b: unitsText(ub, scale), delta: unitsText(ub - ua, scale), reason };
}

/**
 * A change no reason explains: off by 0.3%–80% (and by more than 20 units of
 * the last decimal), or an unrelated value; never near an FX rate, −1 or a
 * power of ten. Rounding is about units in the last place, so a few cents on
 * a small amount stay ROUNDING_DIFF however large in relative terms.
 */
function unexplained(rng: Rng, a: number, ratios: number[], ulp: number): number {
  for (;;) {
    const ratio = rng.chance(0.7) ? 1 + (rng.chance(0.5) ? 1 : -1) * logUniform(rng, -2.5, -0.1) : logUniform(rng, -4, 4) * (rng.chance(0.1) ? -1 : 1);
    const l = Math.log10(Math.abs(ratio));
    const nearFx = ratios.some((r) => Math.abs(Math.log(Math.abs(ratio)) - Math.log(r)) < 0.01);
    const ulps = Math.abs(a * ratio - a) / ulp;
    if (!nearFx && ulps > 20 && Math.abs(l - Math.round(l)) > 0.01 && Math.abs(ratio + 1) > 0.01 && Math.abs(ratio - 1) > 0.002) return a * ratio;
  }
}

function timeBreak(rng: Rng, withTime: boolean): Made {
  const day = rng.int(18_000, 20_600); // 2019–2026
  const sec = day * 86_400 + (withTime ? rng.int(0, 86_399) : 0);
  let shiftDays = 0;
  let shiftSec = 0;
  let reason = 'TIMING_DIFF';
  const r = rng.next();
  if (r < 0.5) shiftDays = addBusinessDays(day, rng.pick([1, 1, 1, 2, 2, 3, 5, -1, -1, -2])) - day;
  else if (r < 0.65) shiftDays = rng.pick([1, -1, 2, -2, 3, 7]);
  else if (r < 0.75 && withTime) shiftSec = rng.int(1, 12) * 3600 * (rng.chance(0.5) ? 1 : -1);
  else if (r < 0.8 && withTime) shiftSec = rng.int(1, 600) * (rng.chance(0.5) ? 1 : -1);
  else if (r < 0.8) shiftDays = addBusinessDays(day, rng.pick([1, 2, -1])) - day;
  else {
    shiftDays = rng.int(40, 800) * (rng.chance(0.5) ? 1 : -1);
    reason = 'UNKNOWN';
  }
  const delta = shiftDays * 86_400 + shiftSec;
  if (!withTime) return { a: isoDate(day), b: isoDate(day + shiftDays), delta: String(shiftDays), reason };
  return { a: isoTimestamp(sec), b: isoTimestamp(sec + delta), delta: String(delta), reason };
}
