import { formatScaled } from '../amounts.ts';
import type { Rng } from '../prng.ts';

/**
 * Cash amounts as whole cents (plain integers stay exact far beyond any amount drawn
 * here). Sign convention, both files: receipts positive, payments negative.
 */

/** Round amounts treasury desks pay and receive again and again: the reason amount alone cannot match. */
const ROUND_CENTS: readonly (readonly [cents: number, weight: number])[] = [
  [10_000, 4],
  [20_000, 3],
  [25_000, 4],
  [50_000, 9],
  [100_000, 14],
  [150_000, 4],
  [200_000, 6],
  [250_000, 6],
  [500_000, 10],
  [750_000, 2],
  [1_000_000, 6],
  [2_000_000, 3],
  [2_500_000, 2],
  [5_000_000, 2],
];
const ROUND_TOTAL = ROUND_CENTS.reduce((s, [, w]) => s + w, 0);

/** One of the common round amounts, in cents (positive). */
export function roundCents(rng: Rng): number {
  let r = rng.next() * ROUND_TOTAL;
  for (const [cents, weight] of ROUND_CENTS) {
    r -= weight;
    if (r < 0) return cents;
  }
  return 100_000;
}

/** A standard normal draw (Box-Muller); only the cosine branch, so one draw costs two uniforms. */
function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * An invoice-like amount in cents (positive): log-normal around ~900 with a long
 * tail, as invoice and payment sizes are; at least 20.00 so a bank fee never
 * equals a whole invoice, at most 4,000,000.00.
 */
export function invoiceCents(rng: Rng): number {
  const units = Math.exp(Math.log(900) + 1.35 * normal(rng));
  const cents = Math.round(units * 100);
  return Math.min(400_000_000, Math.max(2_000, cents));
}

/** A small bank charge in cents (positive): mostly tariff amounts (5.00, 12.50…), sometimes odd cents. */
export function chargeCents(rng: Rng): number {
  if (rng.chance(0.7)) return rng.pick([250, 500, 750, 1_000, 1_250, 1_500, 2_000, 2_500, 3_500, 4_500]);
  return rng.int(120, 6_000);
}

/** A fee deducted by an intermediary bank from a transfer: 0.50 to 5.00, often a tariff amount. */
export function feeCents(rng: Rng): number {
  if (rng.chance(0.6)) return rng.pick([50, 100, 150, 200, 250, 300, 350, 500]);
  return rng.int(35, 500);
}

/**
 * Splits a positive total into `parts` positive amounts that sum to it exactly.
 * `equal`: instalments of the same size with the rounding remainder on the last one;
 * otherwise random shares of at least 10% each.
 */
export function splitCents(total: number, parts: number, rng: Rng, equal: boolean): number[] {
  if (parts < 1 || total < parts) throw new RangeError(`cannot split ${total} cents into ${parts} parts`);
  if (equal) {
    const each = Math.floor(total / parts);
    return Array.from({ length: parts }, (_, i) => (i === parts - 1 ? total - each * (parts - 1) : each));
  }
  const weights = Array.from({ length: parts }, () => 0.1 + rng.next());
  const sum = weights.reduce((s, w) => s + w, 0);
  const out = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  const rest = total - out.reduce((s, c) => s + c, 0);
  out[parts - 1] = (out[parts - 1] as number) + rest;
  if (out.some((c) => c <= 0)) return splitCents(total, parts, rng, true);
  return out;
}

/** Cents as the files write them: "-1234.50". */
export function formatCents(cents: number): string {
  return formatScaled(cents, 2);
}
