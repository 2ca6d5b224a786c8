import type { Rng } from '../generate/prng.ts';

/**
 * Value makers for synthetic breaks, written exactly as the diff writes values
 * (DECIMAL with a fixed scale, ISO dates, "YYYY-MM-DD HH:MM:SS"). Generic on
 * purpose: random names, codes and magnitudes, no domain field names.
 */

const SYLLABLES = ['AR', 'BEL', 'COR', 'DAN', 'EX', 'FAL', 'GOR', 'HEL', 'IN', 'JAX', 'KOR', 'LUM', 'MER', 'NOR', 'OST', 'PAR', 'QUI', 'ROS', 'SAN', 'TOR', 'UL', 'VEX', 'WEN', 'ZAR'];

/** Legal-form words and the short forms back offices use for them. */
export const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['CORPORATION', 'CORP'], ['LIMITED', 'LTD'], ['INCORPORATED', 'INC'], ['INTERNATIONAL', 'INTL'], ['COMPANY', 'CO'],
  ['HOLDINGS', 'HLDGS'], ['GROUP', 'GRP'], ['PARTNERS', 'PTNRS'], ['MANAGEMENT', 'MGMT'], ['ASSOCIATES', 'ASSOC'],
  ['SERVICES', 'SVCS'], ['TECHNOLOGIES', 'TECH'], ['INDUSTRIES', 'INDS'], ['BROTHERS', 'BROS'], ['NATIONAL', 'NATL'],
];

export const DIRECTION_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['BUY', 'SELL'], ['B', 'S'], ['LONG', 'SHORT'], ['PAY', 'RECEIVE'], ['PAY', 'REC'], ['DEBIT', 'CREDIT'], ['DR', 'CR'],
  ['D', 'C'], ['BORROW', 'LEND'], ['Buy', 'Sell'], ['IN', 'OUT'], ['PURCHASE', 'SALE'],
];

/** A random company-like name: 1–3 made-up words and usually a legal form. */
export function randomName(rng: Rng): string {
  const words = Array.from({ length: rng.int(1, 3) }, () => Array.from({ length: rng.int(1, 3) }, () => rng.pick(SYLLABLES)).join(''));
  if (rng.chance(0.85)) words.push(rng.pick(SUFFIXES)[0]);
  if (rng.chance(0.1)) words.splice(1, 0, '&');
  const name = words.join(' ');
  return rng.chance(0.15) ? name.toLowerCase().replace(/\b\p{L}/gu, (c) => c.toUpperCase()) : name;
}

/** A random code of a given letter/digit shape, e.g. "LL9999999999" (ISIN-like) or "LL99" (book-like). */
export function randomCode(rng: Rng, shape: string): string {
  return [...shape].map((ch) => (ch === 'L' ? String.fromCharCode(65 + rng.int(0, 25)) : ch === '9' ? String(rng.int(0, 9)) : ch)).join('');
}

/** Another spelling of a name: abbreviated or expanded legal form, punctuation, case or a typo. */
export function respellName(name: string, rng: Rng): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = rng.next();
    let v: string;
    const upper = name.toUpperCase();
    const hit = SUFFIXES.find(([long, short]) => new RegExp(`\\b(${long}|${short})\\b`).test(upper));
    if (hit && r < 0.5) {
      const [long, short] = hit;
      v = upper.includes(long) ? upper.replace(long, rng.chance(0.3) ? `${short}.` : short) : upper.replace(new RegExp(`\\b${short}\\b`), long);
    } else if (r < 0.65) v = name.includes('&') ? name.replace('&', 'AND') : name.replace(' ', ', ');
    else if (r < 0.75) v = name === name.toUpperCase() ? name.toLowerCase() : name.toUpperCase();
    else if (r < 0.9) {
      const i = rng.int(1, Math.max(1, name.length - 2));
      v = rng.chance(0.5) ? name.slice(0, i) + name.slice(i + 1) : name.slice(0, i) + (name[i + 1] ?? '') + (name[i] ?? '') + name.slice(i + 2);
    } else v = `${name}${rng.pick([' PLC', ' SA', ' AG', ' NV', ' LLC'])}`;
    if (v !== name && v.trim() === v && v.length > 0) return v;
  }
  return `${name} X`;
}

/** Exact decimal text of an integer count of 10^-scale units. */
export function unitsText(units: bigint, scale: number): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  return neg ? `-${out}` : out;
}

/** A number as an integer count of 10^-scale units (rounded half away from zero). */
export function toUnits(v: number, scale: number): bigint {
  const x = v * 10 ** scale;
  if (!Number.isFinite(x) || Math.abs(x) > 9e15) throw new RangeError(`value ${v} out of range at scale ${scale}`);
  return BigInt(Math.sign(x) * Math.round(Math.abs(x)));
}

/** Log-uniform magnitude in [10^lo, 10^hi]. */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  return 10 ** (lo + (hi - lo) * rng.next());
}

const DAY_MS = 86_400_000;

/** ISO date of a day number (days since 1970-01-01). */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:MM:SS" of seconds since the epoch. */
export function isoTimestamp(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
