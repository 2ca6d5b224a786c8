import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';

/**
 * Property test: random small tables with injected differences, reconciled by
 * the engine and by a naive in-memory reference written from the definition's
 * documented semantics (trim of every kind of surrounding whitespace, map, case,
 * the number grammar, decimals rounded half away from zero — counted in the
 * warnings — or rejected ("rounding": "reject"), abs OR rel tolerance, days,
 * duplicate keys kept out of the compare on both sides, NULL = NULL).
 * Arithmetic in the reference is exact (BigInt).
 */

const CASES = 60;

// ---------------------------------------------------------------- random

/** mulberry32: small, seedable, good enough to pick test data. */
class Rng {
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

type FieldType = 'string' | 'integer' | 'decimal' | 'date';

interface Tolerance {
  abs?: string;
  rel?: string;
  days?: number;
}

interface FieldSpec {
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

interface SourceStyle {
  delimiter: string;
  decimalComma: boolean;
  thousands: boolean;
  dmy: boolean;
}

interface Case {
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
type Value = string | bigint | null;

// Text that needs quoting (delimiters, quotes, a newline) and non-ASCII letters.
const WORDS = ['alpha', 'Beta', 'GAMMA', 'zeta eta', 'Zoë', 'x;y', 'a,b', 'say "hi"', 'two\nlines'];
const SIDE_MAP = { B: 'BUY', S: 'SELL' };
const EPOCH_2024 = 19723; // days from 1970-01-01 to 2024-01-01

function makeCase(seed: number): Case {
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

function randomValue(rng: Rng, f: FieldSpec, k: number): Value {
  if (f.isKey) {
    if (f.type === 'integer') return BigInt(k * 7 + 3);
    // "|" and "\\" inside a composite key's parts must not make two keys collide.
    return `${rng.pick(['K', 'k', 'key|', 'key\\', 'k\\|'])}${k}`.replace(/^k(?=\d)/, 'K');
  }
  return rng.chance(0.08) ? null : someValue(rng, f);
}

function someValue(rng: Rng, f: FieldSpec): Value {
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
function maybeDiffer(rng: Rng, f: FieldSpec, v: Value): Value {
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
function formatValue(rng: Rng, f: FieldSpec, v: Value, side: 'a' | 'b', style: SourceStyle): string {
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

function csv(header: string[], rows: string[][], delimiter: string, rng: Rng): string {
  const cell = (s: string): string =>
    s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || (s !== '' && rng.chance(0.1)) ? `"${s.replaceAll('"', '""')}"` : s;
  return [header, ...rows].map((r) => r.map(cell).join(delimiter)).join('\n') + '\n';
}

// ---------------------------------------------------------------- exact numbers

interface Dec {
  units: bigint;
  scale: number;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function parseDecimal(text: string): Dec {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`);
  return { units: m[1] ? -units : units, scale: frac.length };
}

/** Rescales to `scale` places: rounding half away from zero, or flooring the magnitude. */
function toScale(d: Dec, scale: number, mode: 'round' | 'floor' = 'round'): bigint {
  if (d.scale <= scale) return d.units * 10n ** BigInt(scale - d.scale);
  const div = 10n ** BigInt(d.scale - scale);
  const mag = abs(d.units);
  let q = mag / div;
  if (mode === 'round' && (mag % div) * 2n >= div) q += 1n;
  return d.units < 0n ? -q : q;
}

function renderDecimal(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = abs(units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

function renderDate(day: bigint): string {
  return new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
}

function parseDate(text: string, dmy: boolean): bigint | undefined {
  const m = dmy ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text) : /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = dmy ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return undefined;
  return BigInt(ms / 86_400_000);
}

// ---------------------------------------------------------------- the reference

interface RefBreak {
  key: string;
  field: string;
  type: string;
  side: string | null;
  a: string | null;
  b: string | null;
}

interface RefResult {
  breaks: RefBreak[];
  within: Record<string, number>;
  matched: number;
  missingInA: number;
  missingInB: number;
  rejectedInA: number;
  rejectedInB: number;
  dupKeysA: number;
  dupKeysB: number;
  rejectedA: number;
  rejectedB: number;
  /** The run's warnings for values rounded to their field's scale (staged rows only). */
  rounded: { a: string[]; b: string[] };
}

const BAD = Symbol('bad');

/** Trimmed from both ends (README): ASCII and Unicode whitespace, U+200B, U+2060 and U+FEFF. */
const TRIM = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff]+$/g;

/**
 * A number as the documented grammar reads it, exactly: a sign, or "(x)" / "x-";
 * digits, grouped in threes when the source has a thousands separator; an
 * optional decimal part (".5" and "5." too). Anything else is no number.
 */
function readNumber(t: string, style: SourceStyle): Dec | undefined {
  const paren = /^\((.*)\)$/.exec(t);
  const trailing = paren ? null : /^(.+)-$/.exec(t);
  const signed = paren || trailing ? null : /^([+-]?)(.*)$/.exec(t);
  const neg = paren !== null || trailing !== null || signed?.[1] === '-';
  const body = (paren ?? trailing ?? signed)![paren || trailing ? 1 : 2]!;
  const d = style.decimalComma ? ',' : '\\.';
  const int = style.thousands ? '(?:\\d+|\\d{1,3}(?:,\\d{3})+)' : '\\d+';
  const m = new RegExp(`^(?:(${int})(?:${d}(\\d*))?|${d}(\\d+))$`).exec(body);
  if (!m) return undefined;
  const frac = m[2] ?? m[3] ?? '';
  const units = BigInt(`${(m[1] ?? '0').replaceAll(',', '')}${frac}`);
  return { units: neg ? -units : units, scale: frac.length };
}

/** One cell as the definition says to read it: trim, map, case, then the type. `rounded` is called for a decimal rounding changed. */
function normalizeCell(f: FieldSpec, text: string, side: 'a' | 'b', style: SourceStyle, rounding: 'round' | 'reject', rounded: () => void): Value | typeof BAD {
  let t: string | null = text.replace(TRIM, '');
  if (t === '') t = null;
  if (t === null) return null;
  if (side === 'b' && f.mapB && Object.hasOwn(f.mapB, t)) t = f.mapB[t]!;
  if (f.type === 'string') return f.case === 'upper' ? t.toUpperCase() : f.case === 'lower' ? t.toLowerCase() : t;
  if (f.type === 'date') return parseDate(t, side === 'b' && style.dmy) ?? BAD;
  const n = readNumber(t, style);
  if (n === undefined) return BAD;
  const scale = f.type === 'decimal' ? f.scale : 0;
  // Digits other than 0 beyond the scale: rounding would change the value.
  const changed = toScale(n, scale) * 10n ** BigInt(Math.max(0, n.scale - scale)) !== n.units * 10n ** BigInt(Math.max(0, scale - n.scale));
  if (changed) {
    // An integer is whole ("2.00"), never rounded ("1.5"); a decimal per its "rounding".
    if (f.type === 'integer' || rounding === 'reject') return BAD;
    rounded();
  }
  return toScale(n, scale);
}

function display(f: FieldSpec, v: Value): string | null {
  if (v === null) return null;
  if (f.type === 'decimal') return renderDecimal(v as bigint, f.scale);
  if (f.type === 'date') return renderDate(v as bigint);
  return String(v);
}

/** |d| <= abs OR |d| <= rel * max(|a|, |b|), exactly; or |days| <= days. */
function withinTolerance(f: FieldSpec, x: bigint, y: bigint): boolean {
  const d = abs(y - x);
  if (f.type === 'date') return f.tolerance.days !== undefined && d <= BigInt(f.tolerance.days);
  const s = f.type === 'decimal' ? f.scale : 0;
  if (f.tolerance.abs !== undefined) {
    const t = parseDecimal(f.tolerance.abs);
    if (d * 10n ** BigInt(t.scale) <= t.units * 10n ** BigInt(s)) return true;
  }
  if (f.tolerance.rel !== undefined) {
    const r = parseDecimal(f.tolerance.rel);
    const m = abs(x) > abs(y) ? abs(x) : abs(y);
    if (d * 10n ** BigInt(r.scale) <= r.units * m) return true;
  }
  return false;
}

/** Stands for the reject's line and reason, which a REJECTED_IN_A/B break carries in the rejected side's value. */
const LINK = '<line: reason>';

function reference(c: Case): RefResult {
  const keyFields = c.fields.filter((f) => f.isKey);
  const compared = c.fields.filter((f) => !f.isKey && f.compared);
  const keyOf = (row: Map<string, Value>): string =>
    keyFields.length === 1 ? String(row.get(keyFields[0]!.name)) : keyFields.map((f) => String(row.get(f.name)).replaceAll('\\', '\\\\').replaceAll('|', '\\|')).join('|');
  const read = (side: 'a' | 'b'): { rows: Map<string, Value>[]; rejected: number; rejectedKeys: Set<string>; rounded: string[] } => {
    const header = side === 'a' ? c.aHeader : c.bHeader;
    const style = side === 'a' ? c.styleA : c.styleB;
    const rows: Map<string, Value>[] = [];
    let rejected = 0;
    const roundedIn = new Map<string, number>();
    // Keys of rejected rows whose key itself was read: their counterpart is REJECTED_IN_<side>.
    const rejectedKeys = new Set<string>();
    for (const cells of side === 'a' ? c.aRows : c.bRows) {
      const row = new Map<string, Value>();
      let bad = false;
      let keyOk = true;
      const roundedHere: string[] = [];
      for (const f of c.fields) {
        const i = header.indexOf(side === 'a' ? f.name : f.bHeader);
        const v = normalizeCell(f, cells[i]!, side, style, f.rounding ?? c.rounding ?? 'round', () => roundedHere.push(f.name));
        if (v === BAD || (f.isKey && v === null)) {
          bad = true;
          if (f.isKey) keyOk = false;
        } else row.set(f.name, v);
      }
      if (bad) {
        rejected++;
        if (keyOk) rejectedKeys.add(keyOf(row));
      } else {
        rows.push(row);
        for (const name of roundedHere) roundedIn.set(name, (roundedIn.get(name) ?? 0) + 1);
      }
    }
    const rounded = c.fields
      .filter((f) => roundedIn.has(f.name))
      .map((f) => `${f.name}: ${roundedIn.get(f.name)} value(s) ${f.scale === 0 ? 'had decimals and were rounded to whole numbers' : `had more than ${f.scale} decimals and were rounded to ${f.scale}`}`);
    return { rows, rejected, rejectedKeys, rounded };
  };

  const A = read('a');
  const B = read('b');
  const group = (rows: Map<string, Value>[]): Map<string, Map<string, Value>[]> => {
    const g = new Map<string, Map<string, Value>[]>();
    for (const r of rows) g.set(keyOf(r), [...(g.get(keyOf(r)) ?? []), r]);
    return g;
  };
  const ga = group(A.rows);
  const gb = group(B.rows);
  const dupA = [...ga].filter(([, rs]) => rs.length > 1).map(([k]) => k);
  const dupB = [...gb].filter(([, rs]) => rs.length > 1).map(([k]) => k);
  const excluded = new Set([...dupA, ...dupB]);

  const breaks: RefBreak[] = [];
  const within: Record<string, number> = {};
  let matched = 0;
  let missingInA = 0;
  let missingInB = 0;
  let rejectedInA = 0;
  let rejectedInB = 0;
  // Every row of a key duplicated on either side, on both sides.
  for (const k of excluded) {
    for (let i = 0; i < (ga.get(k)?.length ?? 0); i++) breaks.push({ key: k, field: '*', type: 'DUPLICATE_KEY', side: 'a', a: null, b: null });
    for (let i = 0; i < (gb.get(k)?.length ?? 0); i++) breaks.push({ key: k, field: '*', type: 'DUPLICATE_KEY', side: 'b', a: null, b: null });
  }
  for (const k of new Set([...ga.keys(), ...gb.keys()])) {
    if (excluded.has(k)) continue;
    const ra = ga.get(k)?.[0];
    const rb = gb.get(k)?.[0];
    if (!rb) {
      if (B.rejectedKeys.has(k)) {
        rejectedInB++;
        breaks.push({ key: k, field: '*', type: 'REJECTED_IN_B', side: null, a: null, b: LINK });
      } else {
        missingInB++;
        breaks.push({ key: k, field: '*', type: 'MISSING_IN_B', side: null, a: null, b: null });
      }
      continue;
    }
    if (!ra) {
      if (A.rejectedKeys.has(k)) {
        rejectedInA++;
        breaks.push({ key: k, field: '*', type: 'REJECTED_IN_A', side: null, a: LINK, b: null });
      } else {
        missingInA++;
        breaks.push({ key: k, field: '*', type: 'MISSING_IN_A', side: null, a: null, b: null });
      }
      continue;
    }
    matched++;
    for (const f of compared) {
      const x = ra.get(f.name)!;
      const y = rb.get(f.name)!;
      if (x === y) continue; // NULL = NULL is equal
      if (x !== null && y !== null && f.type !== 'string' && withinTolerance(f, x as bigint, y as bigint)) {
        within[f.name] = (within[f.name] ?? 0) + 1;
        continue;
      }
      breaks.push({ key: k, field: f.name, type: 'MISMATCH', side: null, a: display(f, x), b: display(f, y) });
    }
  }
  return {
    breaks, within, matched, missingInA, missingInB, rejectedInA, rejectedInB, dupKeysA: dupA.length, dupKeysB: dupB.length, rejectedA: A.rejected, rejectedB: B.rejected,
    rounded: { a: A.rounded, b: B.rounded },
  };
}

// ---------------------------------------------------------------- the property

const line = (b: RefBreak): string => [b.key, b.field, b.type, b.side ?? '', b.a ?? '∅', b.b ?? '∅'].join(' | ');

describe('keyed diff against a naive reference', () => {
  it.each(Array.from({ length: CASES }, (_, i) => i + 1))('random case %i', async (seed) => {
    const c = makeCase(seed);
    const rng = new Rng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'recon-prop-'));
    try {
      const aPath = join(dir, 'a.csv');
      const bPath = join(dir, 'b.csv');
      writeFileSync(aPath, csv(c.aHeader, c.aRows, c.styleA.delimiter, rng));
      writeFileSync(bPath, csv(c.bHeader, c.bRows, c.styleB.delimiter, rng));
      const summary = await runRecon({ aPath, bPath, definition: validateDefinition(c.def), workspace: join(dir, 'ws') });
      const db = await openDuckDB({ path: summary.database });
      let actual: RefBreak[];
      try {
        const rows = await queryRows<{ key: string; field: string; diff_type: string; side: string | null; value_a: string | null; value_b: string | null }>(
          db.connection,
          'SELECT key, field, diff_type, side, value_a, value_b FROM breaks',
        );
        const link = (v: string | null): string | null => (v !== null && /^line \d+: column ".+": (expected |has \d+ decimals; the field's scale is \d)/.test(v) ? LINK : v);
        actual = rows.map((r) =>
          r.diff_type.startsWith('REJECTED_IN_')
            ? { key: r.key, field: r.field, type: r.diff_type, side: r.side, a: link(r.value_a), b: link(r.value_b) }
            : { key: r.key, field: r.field, type: r.diff_type, side: r.side, a: r.value_a, b: r.value_b },
        );
      } finally {
        db.close();
      }
      const want = reference(c);
      const context = `seed ${seed}\n${JSON.stringify(c.def)}\n--- a.csv\n${csv(c.aHeader, c.aRows, c.styleA.delimiter, new Rng(0))}--- b.csv\n${csv(c.bHeader, c.bRows, c.styleB.delimiter, new Rng(0))}`;
      expect(actual.map(line).sort(), context).toEqual(want.breaks.map(line).sort());
      expect(summary.withinTolerance.byField, context).toEqual(want.within);
      const rounding = (ws: string[]): string[] => ws.filter((w) => / value\(s\) had /.test(w));
      expect({ a: rounding(summary.warnings.a), b: rounding(summary.warnings.b) }, context).toEqual(want.rounded);
      expect(summary.counts, context).toMatchObject({
        a: c.aRows.length,
        b: c.bRows.length,
        matched: want.matched,
        missingInA: want.missingInA,
        missingInB: want.missingInB,
        rejectedInA: want.rejectedInA,
        rejectedInB: want.rejectedInB,
        duplicateKeysA: want.dupKeysA,
        duplicateKeysB: want.dupKeysB,
        rejectedA: want.rejectedA,
        rejectedB: want.rejectedB,
      });
      expect(summary.checks.filter((x) => x.type === 'COUNT' && !x.passed)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps composite keys apart when their parts hold "|" and "\\"', async () => {
    // Escaping "|" alone would turn both ("a\\", "b|c") and ("a|b\\", "c") into a\\|b\\|c.
    const dir = mkdtempSync(join(tmpdir(), 'recon-prop-'));
    try {
      writeFileSync(join(dir, 'a.csv'), 'p,q,v\na\\,b|c,1\n');
      writeFileSync(join(dir, 'b.csv'), 'p,q,v\na|b\\,c,1\n');
      const def = validateDefinition({ name: 'keys', key: ['p', 'q'] });
      const summary = await runRecon({ aPath: join(dir, 'a.csv'), bPath: join(dir, 'b.csv'), definition: def, workspace: join(dir, 'ws') });
      expect(summary.counts).toMatchObject({ matched: 0, missingInA: 1, missingInB: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generates every kind of difference across the cases', () => {
    // Guards the generator: a reference that never sees a kind proves nothing about it.
    const seen = new Set<string>();
    let withinSeen = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = reference(makeCase(seed));
      for (const b of r.breaks) seen.add(b.type === 'MISMATCH' && (b.a === null || b.b === null) ? 'MISMATCH_NULL' : b.type);
      withinSeen += Object.values(r.within).reduce((s, n) => s + n, 0);
      if (r.rejectedA + r.rejectedB > 0) seen.add('REJECTED');
    }
    expect([...seen].sort()).toEqual(['DUPLICATE_KEY', 'MISMATCH', 'MISMATCH_NULL', 'MISSING_IN_A', 'MISSING_IN_B', 'REJECTED', 'REJECTED_IN_A', 'REJECTED_IN_B']);
    expect(withinSeen).toBeGreaterThan(20);
  });
});
