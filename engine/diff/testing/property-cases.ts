/**
 * The property test's random cases (diff/property.test.ts): small tables with
 * injected differences in the quirks real extracts have, and exact arithmetic to
 * check them with. Shared with the test that runs the same cases on the
 * ClickHouse engine (engine/clickhouse/same-cases.test.ts).
 */
import type { DefinitionInput } from '../../definition/schema.ts';
export const CASES = 60;

// ---------------------------------------------------------------- random

/** mulberry32: small, seedable, good enough to pick test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

// ---------------------------------------------------------------- the case

export type FieldType = 'string' | 'integer' | 'decimal' | 'date';

export interface Tolerance {
  abs?: string;
  rel?: string;
  days?: number;
}

export interface FieldSpec {
  /** Column in A, and the field's name in results. */
  name: string;
  /** Column header in B. */
  bHeader: string;
  type: FieldType;
  scale: number;
  tolerance: Tolerance;
  case: 'upper' | 'lower' | 'none';
  mapB: Record<string, string> | undefined;
  isKey: boolean;
  /** Compared only because compareUnlisted is on (or not compared at all). */
  listed: boolean;
  compared: boolean;
  /** Decimals: the field's own "rounding" (undefined: the definition's normalize.rounding, else "round"). */
  rounding: 'round' | 'reject' | undefined;
}

export interface SourceStyle {
  delimiter: string;
  decimalComma: boolean;
  thousands: boolean;
  dmy: boolean;
}

export interface Case {
  def: DefinitionInput;
  /** normalize.rounding, when the definition sets it. */
  rounding: 'round' | 'reject' | undefined;
  fields: FieldSpec[];
  styleA: SourceStyle;
  styleB: SourceStyle;
  aHeader: string[];
  bHeader: string[];
  /** Cell text as written (before CSV quoting), in header order. */
  aRows: string[][];
  bRows: string[][];
}

/** Logical values: string text, integers, scaled decimals and day numbers are all bigint. */
export type Value = string | bigint | null;

// Text that needs quoting (delimiters, quotes, a newline) and non-ASCII letters.
export const WORDS = ['alpha', 'Beta', 'GAMMA', 'zeta eta', 'Zoë', 'x;y', 'a,b', 'say "hi"', 'two\nlines'];
export const SIDE_MAP = { B: 'BUY', S: 'SELL' };
export const EPOCH_2024 = 19723; // days from 1970-01-01 to 2024-01-01

export function makeCase(seed: number): Case {
  const rng = new Rng(seed * 7919 + 17);
  const composite = rng.chance(0.4);
  const fields: FieldSpec[] = [];
  const base = (name: string, type: FieldType, isKey: boolean): FieldSpec => ({
    name,
    bHeader: rng.chance(0.5) ? `${name}_b` : rng.chance(0.5) ? name.toUpperCase() : name,
    type,
    scale: 0,
    tolerance: {},
    case: 'none',
    mapB: undefined,
    isKey,
    listed: true,
    compared: true,
    rounding: undefined,
  });

  // Keys: a string part (case-folded sometimes) and, for composite keys, an integer part.
  const k1 = base('k1', composite && rng.chance(0.3) ? 'integer' : 'string', true);
  if (k1.type === 'string' && rng.chance(0.4)) k1.case = rng.pick(['upper', 'lower'] as const);
  fields.push(k1);
  if (composite) fields.push(base('k2', rng.pick(['integer', 'string'] as const), true));

  const nFields = rng.int(1, 4);
  for (let i = 0; i < nFields; i++) {
    const type = rng.pick(['string', 'integer', 'decimal', 'decimal', 'date'] as const);
    const f = base(`f${i}`, type, false);
    switch (type) {
      case 'string':
        if (rng.chance(0.4)) f.case = rng.pick(['upper', 'lower'] as const);
        if (rng.chance(0.4)) f.mapB = SIDE_MAP;
        break;
      case 'integer':
        if (rng.chance(0.3)) f.tolerance.abs = rng.pick(['1', '2', '0.5']);
        if (rng.chance(0.3)) f.tolerance.rel = rng.pick(['0.1', '0.05', '0.25']);
        break;
      case 'decimal': {
        f.scale = rng.int(0, 4);
        if (rng.chance(0.3)) f.rounding = rng.pick(['round', 'reject'] as const);
        const unit = `0.${'0'.repeat(Math.max(0, f.scale - 1))}`;
        if (rng.chance(0.5)) f.tolerance.abs = rng.pick([`${unit}1`, `${unit}5`, `${unit}05`, '0.01', '1']);
        if (rng.chance(0.4)) f.tolerance.rel = rng.pick(['0.001', '0.01', '0.0125', '0.29', '0.07']);
        break;
      }
      case 'date':
        if (rng.chance(0.6)) f.tolerance.days = rng.int(0, 3);
        break;
    }
    fields.push(f);
  }

  // An unlisted column on both sides (compared only with compareUnlisted), and one on A only.
  const compareUnlisted = rng.chance(0.6);
  const note: FieldSpec = { ...base('note', 'string', false), bHeader: rng.pick(['note', 'NOTE', 'Note']), listed: false, compared: compareUnlisted };
  const withNote = rng.chance(0.6);
  if (withNote) fields.push(note);
  const aOnly = rng.chance(0.3);

  const styleA: SourceStyle = { delimiter: ',', decimalComma: false, thousands: rng.chance(0.2), dmy: false };
  const semicolon = rng.chance(0.4);
  const styleB: SourceStyle = { delimiter: semicolon ? ';' : ',', decimalComma: rng.chance(0.4), thousands: false, dmy: rng.chance(0.4) };

  const rounding = rng.chance(0.15) ? ('reject' as const) : undefined;
  const def: DefinitionInput = {
    name: `property ${seed}`,
    key: fields.filter((f) => f.isKey).map((f) => f.name),
    ...(rounding ? { normalize: { rounding } } : {}),
    sources: {
      a: { format: 'csv', ...(styleA.thousands ? { thousandsSeparator: ',' } : {}) },
      b: {
        format: 'csv',
        ...(semicolon ? { delimiter: ';' } : {}),
        ...(styleB.decimalComma ? { decimalSeparator: ',' } : {}),
        ...(styleB.dmy ? { dateFormat: '%d/%m/%Y' } : {}),
      },
    },
    fields: fields
      .filter((f) => f.listed)
      .map((f) => ({
        name: f.name,
        ...(f.bHeader !== f.name && f.bHeader.toLowerCase() !== f.name.toLowerCase() ? { b: f.bHeader } : {}),
        type: f.type,
        ...(f.type === 'decimal' ? { scale: f.scale } : {}),
        ...(f.rounding ? { rounding: f.rounding } : {}),
        ...(f.case !== 'none' ? { case: f.case } : {}),
        ...(f.mapB ? { map: { b: f.mapB } } : {}),
        ...(Object.keys(f.tolerance).length > 0 ? { tolerance: f.tolerance } : {}),
      })),
    compareUnlisted,
  };

  // Logical records, then per-side text with quirks and injected differences.
  const nKeys = rng.int(4, 24);
  const aRows: Value[][] = [];
  const bRows: Value[][] = [];
  const bad: { side: 'a' | 'b'; row: Value[] }[] = [];
  for (let k = 0; k < nKeys; k++) {
    const rec = fields.map((f) => randomValue(rng, f, k));
    const roll = rng.next();
    const inA = roll >= 0.1;
    const inB = roll < 0.1 || roll >= 0.2;
    if (inA) aRows.push(rec);
    if (inB) bRows.push(fields.map((f, i) => (f.isKey ? rec[i]! : maybeDiffer(rng, f, rec[i]!))));
    if (inA && rng.chance(0.07)) aRows.push(fields.map((f, i) => (f.isKey || rng.chance(0.5) ? rec[i]! : maybeDiffer(rng, f, rec[i]!))));
    if (inB && rng.chance(0.07)) bRows.push(fields.map((f, i) => (f.isKey || rng.chance(0.5) ? rec[i]! : maybeDiffer(rng, f, rec[i]!))));
    if (rng.chance(0.05)) bad.push({ side: rng.chance(0.5) ? 'a' : 'b', row: rec });
  }

  const header = (side: 'a' | 'b'): string[] => [
    ...fields.map((f) => (side === 'a' ? f.name : f.bHeader)),
    ...(side === 'a' && aOnly ? ['only_a'] : []),
  ];
  const render = (side: 'a' | 'b', row: Value[]): string[] => {
    const style = side === 'a' ? styleA : styleB;
    const cells = fields.map((f, i) => formatValue(rng, f, row[i]!, side, style));
    if (side === 'a' && aOnly) cells.push(rng.pick(WORDS));
    return cells;
  };
  const aText = aRows.map((r) => render('a', r));
  const bText = bRows.map((r) => render('b', r));
  // Rows that must be rejected: a value that does not cast, or an empty key.
  for (const { side, row } of bad) {
    const cells = render(side, row);
    const typed = fields.map((_, i) => i).filter((i) => fields[i]!.type !== 'string');
    if (typed.length > 0 && rng.chance(0.6)) {
      const i = rng.pick(typed);
      // Numbers DuckDB's casts would take (hex, "_", exponents, inf/nan) or round (a fraction in an integer field).
      const numbers = ['n/a', '12abc', '1.2.3', '0x10', '1_000', '1e3', 'nan', 'inf', '- 5', '1,23,4', '5 5', '--5', '(-5)'];
      cells[i] = fields[i]!.type === 'date' ? rng.pick(['2024-02-30', '30/02/2024', 'soon']) : rng.pick(fields[i]!.type === 'integer' ? [...numbers, '1.5', '-2.5', '0b101'] : numbers);
    } else {
      cells[fields.findIndex((f) => f.isKey)] = rng.pick(['', '   ']);
    }
    (side === 'a' ? aText : bText).push(cells);
  }
  return { def, rounding, fields, styleA, styleB, aHeader: header('a'), bHeader: header('b'), aRows: rng.shuffle(aText), bRows: rng.shuffle(bText) };
}

export function randomValue(rng: Rng, f: FieldSpec, k: number): Value {
  if (f.isKey) {
    if (f.type === 'integer') return BigInt(k * 7 + 3);
    // "|" and "\\" inside a composite key's parts must not make two keys collide.
    return `${rng.pick(['K', 'k', 'key|', 'key\\', 'k\\|'])}${k}`.replace(/^k(?=\d)/, 'K');
  }
  return rng.chance(0.08) ? null : someValue(rng, f);
}

export function someValue(rng: Rng, f: FieldSpec): Value {
  switch (f.type) {
    case 'string':
      return f.mapB ? rng.pick(['BUY', 'SELL']) : rng.pick(WORDS);
    case 'integer':
      // Now and then beyond 2^53, where a float compare would be inexact.
      return rng.chance(0.1) ? BigInt(rng.int(1, 9)) * 10n ** 17n + BigInt(rng.int(0, 999)) : BigInt(rng.int(-50, 500));
    case 'decimal':
      // Now and then beyond 18 digits (the wide DECIMAL(38) path).
      return rng.chance(0.1) ? -(10n ** 19n) * BigInt(rng.int(1, 9)) - BigInt(rng.int(0, 999)) : BigInt(rng.int(-2_000_000, 20_000_000));
    case 'date':
      return BigInt(EPOCH_2024 + rng.int(0, 700));
  }
}

/** The B value: usually the same, else a difference around the tolerance, a NULL or a new value. */
export function maybeDiffer(rng: Rng, f: FieldSpec, v: Value): Value {
  if (!rng.chance(0.35)) return v;
  if (rng.chance(0.15)) return v === null ? someValue(rng, f) : null;
  if (v === null) return null;
  switch (f.type) {
    case 'string':
      return rng.pick(WORDS.filter((w) => w !== v).concat(f.mapB ? ['BUY', 'SELL'] : []));
    case 'date':
      return (v as bigint) + BigInt(rng.pick([-4, -3, -2, -1, 1, 2, 3, 4]));
    case 'integer':
    case 'decimal': {
      const x = v as bigint;
      const candidates: bigint[] = [1n, -1n, 2n, 7n, -100n, 12345n];
      const scale = f.type === 'decimal' ? f.scale : 0;
      if (f.tolerance.abs !== undefined) {
        const t = toScale(parseDecimal(f.tolerance.abs), scale, 'floor');
        candidates.push(t, -t, t + 1n, -(t + 1n));
      }
      if (f.tolerance.rel !== undefined) {
        // |d| near rel * |x|: just inside, on and just outside the boundary.
        const r = parseDecimal(f.tolerance.rel);
        const edge = (abs(x) * r.units) / 10n ** BigInt(r.scale);
        candidates.push(edge, edge + 1n, -edge, -(edge + 1n), edge - 1n);
      }
      const d = rng.pick(candidates);
      return x + (d === 0n ? 1n : d);
    }
  }
}

/** Cell text for a value, with the quirks the definition promises to undo. */
export function formatValue(rng: Rng, f: FieldSpec, v: Value, side: 'a' | 'b', style: SourceStyle): string {
  // Windows line ends, no-break and ideographic spaces, a BOM, zero-width spaces: all trimmed.
  const blanks = (): string => rng.pick(['', ' ', '  ', '\t', ' \t', '\r', '\r\n', '\n', '\u00a0', '\u3000 ', '\ufeff', '\u200b', '\u2028', '\v', ' \r\n\u00a0']);
  const pad = (s: string): string => (rng.chance(0.2) ? `${blanks()}${s}${blanks()}` : s);
  if (v === null) return rng.pick(['', '', ' ', '\t', '\r\n', '\u00a0']);
  switch (f.type) {
    case 'string': {
      let s = v as string;
      if (side === 'b' && f.mapB && rng.chance(0.7)) s = Object.entries(f.mapB).find(([, to]) => to === s)?.[0] ?? s;
      if (f.case !== 'none' && rng.chance(0.5)) s = rng.chance(0.5) ? s.toLowerCase() : s.toUpperCase();
      return pad(s);
    }
    case 'integer': {
      const n = v as bigint;
      let body = String(n < 0n ? -n : n);
      if (rng.chance(0.2)) body = `00${body}`;
      else if (style.thousands && rng.chance(0.5)) body = body.replace(/\B(?=(\d{3})+$)/g, ',');
      // A whole number from a spreadsheet: "12.00" (or "12,00" with a decimal comma).
      if (rng.chance(0.15)) body += `${style.decimalComma ? ',' : '.'}${rng.pick(['', '0', '00'])}`;
      if (n < 0n) {
        const form = rng.int(0, 2);
        return pad(form === 0 ? `-${body}` : form === 1 ? `(${body})` : `${body}-`);
      }
      return pad(rng.chance(0.1) ? `+${body}` : body);
    }
    case 'decimal': {
      let text = renderDecimal(v as bigint, f.scale);
      // More places than the scale: rounds half away from zero (digits < 5 keep the value).
      if (rng.chance(0.3)) text += `${f.scale === 0 ? '.' : ''}${rng.pick(['0', '1', '4', '49', '5', '9'])}`;
      else if (f.scale > 0 && rng.chance(0.2)) text = text.replace(/\.?0+$/, '') || '0';
      const neg = text.startsWith('-');
      let body = neg ? text.slice(1) : text;
      if (style.thousands) body = body.replace(/^\d+/, (int) => int.replace(/\B(?=(\d{3})+$)/g, ','));
      if (body.startsWith('0.') && rng.chance(0.3)) body = body.slice(1); // ".25"
      if (style.decimalComma) body = body.replace('.', ',');
      if (neg) {
        const form = rng.int(0, 2);
        return pad(form === 0 ? `-${body}` : form === 1 ? `(${body})` : `${body}-`);
      }
      return pad(rng.chance(0.1) ? `+${body}` : body);
    }
    case 'date': {
      const iso = renderDate(v as bigint);
      if (!style.dmy) return pad(iso);
      const [y, m, d] = iso.split('-');
      return pad(`${d}/${m}/${y}`);
    }
  }
}

export function csv(header: string[], rows: string[][], delimiter: string, rng: Rng): string {
  const cell = (s: string): string =>
    s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || (s !== '' && rng.chance(0.1)) ? `"${s.replaceAll('"', '""')}"` : s;
  return [header, ...rows].map((r) => r.map(cell).join(delimiter)).join('\n') + '\n';
}

// ---------------------------------------------------------------- exact numbers

export interface Dec {
  units: bigint;
  scale: number;
}

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);

export function parseDecimal(text: string): Dec {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`);
  return { units: m[1] ? -units : units, scale: frac.length };
}

/** Rescales to `scale` places: rounding half away from zero, or flooring the magnitude. */
export function toScale(d: Dec, scale: number, mode: 'round' | 'floor' = 'round'): bigint {
  if (d.scale <= scale) return d.units * 10n ** BigInt(scale - d.scale);
  const div = 10n ** BigInt(d.scale - scale);
  const mag = abs(d.units);
  let q = mag / div;
  if (mode === 'round' && (mag % div) * 2n >= div) q += 1n;
  return d.units < 0n ? -q : q;
}

export function renderDecimal(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = abs(units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

export function renderDate(day: bigint): string {
  return new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
}

export function parseDate(text: string, dmy: boolean): bigint | undefined {
  const m = dmy ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text) : /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = dmy ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return undefined;
  return BigInt(ms / 86_400_000);
}

