import { FX_RATES } from './reference-data.ts';

/**
 * Money is exact: prices are integers in 1/10,000 units, notionals integers in cents.
 * Every product stays below 2^53 (quantity <= 500,000 and price <= ~10,000), so plain
 * numbers are exact in the hot loop; the rare FX/tolerance maths uses BigInt.
 */

const POW10 = [1, 10, 100, 1000, 10000] as const;

/** Quantity x price (1/10,000 units) in cents, rounded half-even like most booking systems. */
export function notionalCents(quantity: number, priceUnits: number): number {
  const x = quantity * priceUnits; // in 1/10,000 of a currency unit
  const r = x % 100;
  const q = (x - r) / 100;
  return r > 50 || (r === 50 && q % 2 === 1) ? q + 1 : q;
}

/** Writes an integer amount of 10^-scale units as a decimal string ("-1234.50"). */
export function formatScaled(units: number, scale: 2 | 3 | 4): string {
  const div = POW10[scale];
  const abs = Math.abs(units);
  const frac = abs % div; // exact: abs is an integer below 2^53
  const whole = (abs - frac) / div;
  return `${units < 0 ? '-' : ''}${whole}.${String(frac).padStart(scale, '0')}`;
}

/**
 * Converts an amount in `currency` cents to the custodian's reporting currency at the
 * fixed FX table (USD for non-USD trades, EUR for USD trades), rounded half-up to cents.
 */
export function fxConvertCents(cents: number, currency: string): number {
  const [pair, multiply] = fxRoute(currency);
  const rate = FX_RATES[pair];
  if (rate === undefined) throw new Error(`no FX rate for ${pair}`);
  const [intPart, fracPart = ''] = rate.split('.');
  const rateUnits = BigInt(`${intPart}${fracPart}`);
  const rateScale = 10n ** BigInt(fracPart.length);
  const c = BigInt(cents);
  // Half-up on the positive amount: (2n*num + den) / (2n*den).
  const [num, den] = multiply ? [c * rateUnits, rateScale] : [c * rateScale, rateUnits];
  return Number((2n * num + den) / (2n * den));
}

/** Which quoted pair converts a currency, and whether to multiply (XXXUSD) or divide (USDXXX). */
function fxRoute(currency: string): [string, boolean] {
  switch (currency) {
    case 'USD':
      return ['EURUSD', false]; // USD -> EUR
    case 'EUR':
    case 'GBP':
    case 'AUD':
      return [`${currency}USD`, true];
    default:
      return [`USD${currency}`, false];
  }
}

/**
 * True when the engine's Notional tolerance (abs 0.005, rel 0.0001) does NOT cover
 * the difference: a break needs |d| > 0.005 AND |d| > 0.0001 * max(|a|, |b|).
 * BigInt because |d| * 10,000 can pass 2^53 for large notionals.
 */
export function notionalBreaks(aCents: number, bCents: number): boolean {
  const a = BigInt(aCents);
  const b = BigInt(bCents);
  const d = a > b ? a - b : b - a;
  const absA = a < 0n ? -a : a;
  const absB = b < 0n ? -b : b;
  const max = absA > absB ? absA : absB;
  return d >= 1n && d * 10000n > max; // d >= 1 cent > 0.5 cent
}
