import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import { abs, type Case, CASES, csv, type Dec, type FieldSpec, makeCase, parseDate, parseDecimal, renderDate, renderDecimal, Rng, type SourceStyle, toScale, type Value } from './testing/property-cases.ts';

/**
 * Property test: random small tables with injected differences, reconciled by
 * the engine and by a naive in-memory reference written from the definition's
 * documented semantics (trim of every kind of surrounding whitespace, map, case,
 * the number grammar, decimals rounded half away from zero — counted in the
 * warnings — or rejected ("rounding": "reject"), abs OR rel tolerance, days,
 * duplicate keys kept out of the compare on both sides, NULL = NULL).
 * Arithmetic in the reference is exact (BigInt).
 */


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
  const read = (side: 'a' | 'b'): { rows: Map<string, Value>[]; rejected: number; rejectedKeys: string[]; rounded: string[] } => {
    const header = side === 'a' ? c.aHeader : c.bHeader;
    const style = side === 'a' ? c.styleA : c.styleB;
    const rows: Map<string, Value>[] = [];
    let rejected = 0;
    const roundedIn = new Map<string, number>();
    // Keys of rejected rows whose key itself was read, once per row: their counterpart is
    // REJECTED_IN_<side>, and they count towards the side's duplicates.
    const rejectedKeys: string[] = [];
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
        if (keyOk) rejectedKeys.push(keyOf(row));
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
  // A key is duplicated over every row whose key is known, rejected ones included.
  const duplicated = (g: Map<string, Map<string, Value>[]>, rejectedKeys: string[]): string[] => {
    const n = new Map<string, number>([...g].map(([k, rs]) => [k, rs.length]));
    for (const k of rejectedKeys) n.set(k, (n.get(k) ?? 0) + 1);
    return [...n].filter(([, count]) => count > 1).map(([k]) => k);
  };
  const dupA = duplicated(ga, A.rejectedKeys);
  const dupB = duplicated(gb, B.rejectedKeys);
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
      if (B.rejectedKeys.includes(k)) {
        rejectedInB++;
        breaks.push({ key: k, field: '*', type: 'REJECTED_IN_B', side: null, a: null, b: LINK });
      } else {
        missingInB++;
        breaks.push({ key: k, field: '*', type: 'MISSING_IN_B', side: null, a: null, b: null });
      }
      continue;
    }
    if (!ra) {
      if (A.rejectedKeys.includes(k)) {
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
  // A rejected record with no compared record of its key on the other side is a break alone.
  for (const k of new Set(A.rejectedKeys)) {
    if (excluded.has(k) || !gb.has(k)) breaks.push({ key: k, field: '*', type: 'REJECTED_IN_A', side: null, a: LINK, b: null });
  }
  for (const k of new Set(B.rejectedKeys)) {
    if (excluded.has(k) || !ga.has(k)) breaks.push({ key: k, field: '*', type: 'REJECTED_IN_B', side: null, a: null, b: LINK });
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
