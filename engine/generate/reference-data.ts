import type { Rng } from './prng.ts';

/**
 * Fixed reference data for synthetic trades. Some names carry a comma, a double
 * quote, a semicolon or non-ASCII letters on purpose, so readers must honour
 * RFC 4180 quoting and UTF-8 on both sides.
 */
export const COUNTERPARTIES: readonly string[] = [
  'ACME CORPORATION',
  'GLOBEX LIMITED',
  'INITECH INTERNATIONAL',
  'UMBRELLA CORPORATION',
  'STARK INDUSTRIES INCORPORATED',
  'WAYNE ENTERPRISES, INCORPORATED',
  'WONKA INDUSTRIES COMPANY',
  'CYBERDYNE SYSTEMS CORPORATION',
  'SOYLENT GROUP',
  'TYRELL CORPORATION',
  'HOOLI HOLDINGS',
  'VANDELAY INDUSTRIES LIMITED',
  'MASSIVE DYNAMIC INCORPORATED',
  'OSCORP INTERNATIONAL',
  'WEYLAND-YUTANI CORPORATION',
  'APERTURE SCIENCE LIMITED',
  'BLUTH COMPANY',
  'DUNDER MIFFLIN PAPER COMPANY',
  'PIED PIPER HOLDINGS',
  'GRINGOTTS INTERNATIONAL GROUP',
  'NAKATOMI TRADING CORPORATION',
  'ROSSUM UNIVERSAL LIMITED',
  'SIRIUS CYBERNETICS CORPORATION',
  'MONARCH SOLUTIONS GROUP',
  'GOLIATH NATIONAL HOLDINGS',
  'OCEANIC AIRLINES COMPANY',
  'STERLING COOPER, DRAPER PRYCE LIMITED',
  '"BIG KAHUNA" BURGER COMPANY',
  'THE "ORIGINAL" PIZZA GROUP LIMITED',
  'SMITH, JONES & PARTNERS HOLDINGS',
  'KRUSTY BRAND; CLOWN PRODUCTS INCORPORATED',
  'MÜLLER & SÖHNE HOLDINGS',
  'SOCIÉTÉ NOUVELLE INTERNATIONAL',
  'PRESTIGE WORLDWIDE GROUP',
  'GEKKO & CO. HOLDINGS',
  'BLUE SUN CORPORATION',
  'VEIDT ENTERPRISES INCORPORATED',
  'ZORG INDUSTRIES INTERNATIONAL',
  'INGEN BIOENGINEERING LIMITED',
  'CHOAM COMPANY',
  'NORTH CENTRAL POSITRONICS GROUP',
  'ELLINGSON MINERAL COMPANY',
];

/** Legal-form abbreviations a custodian's static data typically uses instead. */
export const ABBREVIATIONS: ReadonlyArray<readonly [string, string]> = [
  ['CORPORATION', 'CORP'],
  ['LIMITED', 'LTD'],
  ['INCORPORATED', 'INC'],
  ['INTERNATIONAL', 'INTL'],
  ['COMPANY', 'CO'],
  ['HOLDINGS', 'HLDGS'],
  ['GROUP', 'GRP'],
];

export const BOOKS: readonly string[] = [
  'EQ01', 'EQ02', 'EQ03', 'EQLDN', 'EQNYC', 'EQTKY', 'FI01', 'FI02', 'FIHY', 'CVB1', 'ETF1', 'PB01', 'MM01', 'ARB2',
];

export interface CurrencyInfo {
  code: string;
  weight: number;
  /** ISIN country prefixes of securities traded in this currency. */
  countries: readonly string[];
  /** Price range in major units, so JPY prices look like yen and not dollars. */
  minPrice: number;
  maxPrice: number;
}

export const CURRENCIES: readonly CurrencyInfo[] = [
  { code: 'USD', weight: 40, countries: ['US'], minPrice: 2, maxPrice: 900 },
  { code: 'EUR', weight: 22, countries: ['DE', 'FR', 'NL', 'IT', 'ES'], minPrice: 2, maxPrice: 600 },
  { code: 'GBP', weight: 12, countries: ['GB'], minPrice: 1, maxPrice: 80 },
  { code: 'JPY', weight: 10, countries: ['JP'], minPrice: 300, maxPrice: 9000 },
  { code: 'CHF', weight: 6, countries: ['CH'], minPrice: 10, maxPrice: 700 },
  { code: 'CAD', weight: 5, countries: ['CA'], minPrice: 2, maxPrice: 200 },
  { code: 'AUD', weight: 5, countries: ['AU'], minPrice: 1, maxPrice: 150 },
];

/**
 * Fixed FX table (strings, so they stay exact). FX_DIFF breaks report an amount in
 * another currency at exactly these rates; it is written to fx.json for attribution.
 */
export const FX_RATES: Readonly<Record<string, string>> = {
  EURUSD: '1.0850',
  GBPUSD: '1.2700',
  USDJPY: '149.50',
  USDCHF: '0.8800',
  USDCAD: '1.3650',
  AUDUSD: '0.6550',
};

export interface Security {
  isin: string;
  currency: string;
  /** Typical price in 1/10,000 units; trades scatter around it. */
  basePriceUnits: number;
}

/** ISIN check digit: letters become 10..35, then the Luhn sum over the digit string. */
export function isinCheckDigit(body11: string): string {
  let digits = '';
  for (const ch of body11) {
    const code = ch.charCodeAt(0);
    digits += code >= 65 && code <= 90 ? String(code - 55) : ch;
  }
  let sum = 0;
  // The check digit will be appended, so the rightmost digit here is doubled.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]) * (double ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Builds a universe of plausible securities (valid ISIN check digits, currency-consistent prefixes). */
export function buildSecurities(rng: Rng, count: number): Security[] {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const seen = new Set<string>();
  const securities: Security[] = [];
  while (securities.length < count) {
    const ccy = pickCurrency(rng);
    let body = rng.pick(ccy.countries);
    // Real NSINs are mostly digits (CUSIP, SEDOL, WKN); a few letters keep it plausible.
    for (let i = 0; i < 9; i++) body += rng.chance(0.85) ? String(rng.int(0, 9)) : rng.pick([...alphabet]);
    const isin = body + isinCheckDigit(body);
    if (seen.has(isin)) continue;
    seen.add(isin);
    // Log-uniform base price: many cheap names, a few expensive ones.
    const price = ccy.minPrice * Math.pow(ccy.maxPrice / ccy.minPrice, rng.next());
    securities.push({ isin, currency: ccy.code, basePriceUnits: Math.round(price * 10000) });
  }
  return securities;
}

const CURRENCY_TOTAL = CURRENCIES.reduce((s, c) => s + c.weight, 0);

function pickCurrency(rng: Rng): CurrencyInfo {
  let r = rng.next() * CURRENCY_TOTAL;
  for (const c of CURRENCIES) {
    r -= c.weight;
    if (r < 0) return c;
  }
  return CURRENCIES[0] as CurrencyInfo;
}

/**
 * A lookup table for skewed (Zipf-like) picks: a few counterparties and securities
 * dominate, like real flow. Indexing a prebuilt table keeps the hot loop O(1).
 */
export function skewedTable(size: number, exponent: number, slots = 4096): Uint32Array {
  const weights = Array.from({ length: size }, (_, k) => 1 / Math.pow(k + 1, exponent));
  const total = weights.reduce((s, w) => s + w, 0);
  const table = new Uint32Array(slots);
  let k = 0;
  let cumulative = weights[0] ?? 0;
  for (let slot = 0; slot < slots; slot++) {
    while ((slot + 0.5) / slots > cumulative / total && k < size - 1) cumulative += weights[++k] ?? 0;
    table[slot] = k;
  }
  return table;
}
