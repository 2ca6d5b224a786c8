import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type Definition } from '../definition/schema.ts';
import { INJECTED_REASONS } from './breaks.ts';
import { generateExtracts, type GenerateResult } from './generate-extracts.ts';
import { isinCheckDigit } from './reference-data.ts';
import { splitCsvLine } from './testing/split-csv-line.ts';

interface Table {
  header: string[];
  rows: string[][];
}

function readTable(path: string, delim: string): Table {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const [head = '', ...lines] = text.slice(0, -1).split('\n');
  const header = splitCsvLine(head, delim);
  const rows = lines.map((l) => splitCsvLine(l, delim));
  for (const r of rows) expect(r).toHaveLength(header.length);
  return { header, rows };
}

/** A decimal string (either separator) as an exact integer at 10^12, rounded half-up to `scale` first. */
function fixed12(text: string, sep: string, scale: number): bigint {
  const [int = '0', frac = ''] = text.replace(sep, '.').split('.');
  const neg = int.startsWith('-');
  const digits = BigInt(`${neg ? int.slice(1) : int}${frac.padEnd(13, '0').slice(0, 13)}`); // 10^13
  let rounded = digits / 10n ** BigInt(13 - scale);
  if ((digits / 10n ** BigInt(12 - scale)) % 10n >= 5n) rounded += 1n;
  const v = rounded * 10n ** BigInt(12 - scale);
  return neg ? -v : v;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/**
 * An independent, in-memory reading of the definition's semantics (trim, map, case,
 * dates, decimal separator, rounding to scale, abs AND rel tolerance, duplicate keys
 * excluded). The engine must report exactly these breaks; so must truth.csv.
 */
function reconcile(dir: string, def: Definition): Set<string> {
  const a = readTable(join(dir, 'a.csv'), def.sources.a.delimiter ?? ',');
  const bSrc = def.sources.b;
  const b = readTable(join(dir, 'b.csv'), bSrc.delimiter ?? ',');
  const keyField = def.fields.find((f) => f.name === def.key[0]);
  const byKey = (t: Table, col: string): Map<string, string[][]> => {
    const idx = t.header.indexOf(col);
    const m = new Map<string, string[][]>();
    for (const r of t.rows) {
      const k = (r[idx] ?? '').trim();
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const aRows = byKey(a, def.key[0] ?? '');
  const bRows = byKey(b, keyField?.b ?? '');
  const breaks = new Set<string>();
  const dup = new Set<string>();
  for (const [side, m] of [['a', aRows], ['b', bRows]] as const) {
    for (const [k, rs] of m) {
      if (rs.length < 2) continue;
      dup.add(k);
      breaks.add(`${k},*,DUPLICATE_KEY,${side}`);
    }
  }
  const norm = (v: string, f: Definition['fields'][number], side: 'a' | 'b'): string => {
    let s = (f.trim ?? def.normalize.trim) ? v.trim() : v;
    s = f.map?.[side]?.[s] ?? s;
    const c = f.case ?? def.normalize.case;
    return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
  };
  const dmyToIso = (s: string): string => `${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
  for (const [k, [ar]] of aRows) {
    if (dup.has(k)) continue;
    const br = bRows.get(k)?.[0];
    if (!br || !ar) {
      breaks.add(`${k},*,MISSING_IN_B,`);
      continue;
    }
    for (const f of def.fields) {
      const va = norm(ar[a.header.indexOf(f.name)] ?? '', f, 'a');
      const vb = norm(br[b.header.indexOf(f.b ?? f.name)] ?? '', f, 'b');
      let differs: boolean;
      if (f.type === 'decimal') {
        const scale = f.scale ?? 6;
        const x = fixed12(va, '.', scale);
        const y = fixed12(vb, bSrc.decimalSeparator ?? '.', scale);
        const d = abs(x - y);
        const max = abs(x) > abs(y) ? abs(x) : abs(y);
        const withinAbs = f.tolerance?.abs !== undefined && d <= fixed12(f.tolerance.abs, '.', 12);
        const withinRel = f.tolerance?.rel !== undefined && d * 10n ** 12n <= fixed12(f.tolerance.rel, '.', 12) * max;
        differs = d !== 0n && !withinAbs && !withinRel;
      } else if (f.type === 'integer') {
        differs = BigInt(va) !== BigInt(vb);
      } else if (f.type === 'date') {
        expect(bSrc.dateFormat).toBe('%d/%m/%Y');
        differs = va !== dmyToIso(vb);
      } else {
        differs = va !== vb;
      }
      if (differs) breaks.add(`${k},${f.name},MISMATCH,`);
    }
  }
  for (const k of bRows.keys()) if (!dup.has(k) && !aRows.has(k)) breaks.add(`${k},*,MISSING_IN_A,`);
  return breaks;
}

const files = ['a.csv', 'b.csv', 'truth.csv', 'definition.json', 'fx.json'];

describe('generateExtracts', () => {
  let root: string;
  let dir: string;
  let result: GenerateResult;
  let def: Definition;
  let truth: Table;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'recon-gen-'));
    dir = join(root, 'seed7');
    result = await generateExtracts({ rows: 2000, outDir: dir, seed: 7 });
    def = definitionSchema.parse(JSON.parse(readFileSync(result.definitionPath, 'utf8')));
    truth = readTable(result.truthPath, ',');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is deterministic per seed', async () => {
    const again = await generateExtracts({ rows: 2000, outDir: join(root, 'seed7-again'), seed: 7 });
    const other = await generateExtracts({ rows: 2000, outDir: join(root, 'seed8'), seed: 8 });
    expect(again.injected).toEqual(result.injected);
    for (const f of files) {
      expect(readFileSync(join(root, 'seed7-again', f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    }
    expect(readFileSync(join(root, 'seed8', 'a.csv')).equals(readFileSync(join(dir, 'a.csv')))).toBe(false);
    expect(readFileSync(join(root, 'seed8', 'b.csv')).equals(readFileSync(join(dir, 'b.csv')))).toBe(false);
    expect(other.rowsA).toBeGreaterThanOrEqual(2000);
  });

  it('writes a strict-valid definition and a string FX table', () => {
    expect(def.key).toEqual(['TradeID']);
    const fx = JSON.parse(readFileSync(result.fxPath, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(fx).length).toBeGreaterThan(3);
    for (const v of Object.values(fx)) expect(v).toMatch(/^\d+\.\d+$/);
  });

  it('accounts for every row', () => {
    const a = readTable(result.aPath, ',');
    const b = readTable(result.bPath, ';');
    const count = (diff: string, side = ''): number => truth.rows.filter((r) => r[2] === diff && r[4] === side).length;
    expect(result.rowsA).toBe(a.rows.length);
    expect(result.rowsB).toBe(b.rows.length);
    expect(result.rowsA).toBe(2000 + count('DUPLICATE_KEY', 'a'));
    expect(result.rowsB).toBe(2000 - count('MISSING_IN_B') + count('MISSING_IN_A') + count('DUPLICATE_KEY', 'b'));
  });

  it('injects every reason code, one truth row per break, sorted', () => {
    expect(truth.header).toEqual(['key', 'field', 'diff_type', 'reason', 'side']);
    for (const reason of INJECTED_REASONS) {
      expect(result.injected[reason], reason).toBeGreaterThan(0);
      expect(truth.rows.filter((r) => r[3] === reason)).toHaveLength(result.injected[reason] ?? -1);
    }
    const keys = truth.rows.map((r) => `${r[0]}|${r[1]}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(truth.rows.map((r) => r[0])).size).toBe(truth.rows.length); // one break per record
  });

  it('puts every truth key on the right side', () => {
    const a = readTable(result.aPath, ',');
    const b = readTable(result.bPath, ';');
    const countIn = (t: Table, k: string): number => t.rows.filter((r) => r[0] === k).length;
    for (const [key = '', , diff, , side] of truth.rows) {
      const [inA, inB] = [countIn(a, key), countIn(b, key)];
      if (diff === 'MISSING_IN_B') expect([inA, inB], key).toEqual([1, 0]);
      else if (diff === 'MISSING_IN_A') expect([inA, inB], key).toEqual([0, 1]);
      else if (diff === 'DUPLICATE_KEY') expect([inA, inB], key).toEqual(side === 'a' ? [2, 1] : [1, 2]);
      else expect([inA, inB], key).toEqual([1, 1]);
    }
  });

  it('matches an independent reading of the definition exactly', () => {
    const expected = new Set(truth.rows.map((r) => `${r[0]},${r[1]},${r[2]},${r[4]}`));
    expect([...reconcile(dir, def)].sort()).toEqual([...expected].sort());
  });

  it('stays exact at a high break rate across seeds', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const out = join(root, `dense${seed}`);
      const r = await generateExtracts({ rows: 1500, outDir: out, seed, breakRate: 0.6 });
      const t = readTable(r.truthPath, ',');
      const expected = new Set(t.rows.map((x) => `${x[0]},${x[1]},${x[2]},${x[4]}`));
      expect([...reconcile(out, def)].sort(), `seed ${seed}`).toEqual([...expected].sort());
    }
  });

  it('has quirks in B that are not breaks (breakRate 0)', async () => {
    const clean = join(root, 'clean');
    const r = await generateExtracts({ rows: 2000, outDir: clean, seed: 3, breakRate: 0 });
    expect(Object.values(r.injected).every((n) => n === 0)).toBe(true);
    expect(reconcile(clean, def).size).toBe(0);
    const b = readFileSync(r.bPath, 'utf8');
    expect(b).toMatch(/;\d{2}\/\d{2}\/\d{4};/); // dd/mm/yyyy
    expect(b).toMatch(/;\d+,\d{4};\d+,\d{2};/); // decimal comma, no grouping
    expect(b).toMatch(/;(usd|eur|gbp|jpy|chf|cad|aud);/); // lower-case currency
    expect(b).toMatch(/;"? +[A-Z]|[A-Z.] +"?;/); // padded values
  });

  it('shuffles B relative to A', () => {
    const aKeys = [...new Set(readTable(result.aPath, ',').rows.map((r) => r[0]))];
    const bKeys = [...new Set(readTable(result.bPath, ';').rows.map((r) => r[0]))];
    const [inA, inB] = [new Set(aKeys), new Set(bKeys)];
    expect(bKeys.filter((k) => inA.has(k))).not.toEqual(aKeys.filter((k) => inB.has(k)));
  });

  it('quotes per RFC 4180 and writes plausible values', () => {
    const aText = readFileSync(result.aPath, 'utf8');
    const bText = readFileSync(result.bPath, 'utf8');
    expect(aText).toContain('"WAYNE ENTERPRISES, INCORPORATED"');
    const a = readTable(result.aPath, ',');
    const b = readTable(result.bPath, ';');
    const aCpty = new Set(a.rows.map((r) => r[4]));
    const bCpty = new Set(b.rows.map((r) => r[4]?.trim()));
    expect([...aCpty].some((c) => c?.includes('"'))).toBe(true);
    expect([...bCpty].some((c) => c?.includes(';'))).toBe(true);
    expect(bText).toMatch(/;"[^;]*""[^;]*;/); // doubled quote inside a quoted B field
    for (const r of a.rows.slice(0, 200)) {
      const [, td = '', sd = '', side, , isin = '', qty = '', px = '', notional = ''] = r;
      expect(td <= sd).toBe(true);
      expect(['BUY', 'SELL']).toContain(side);
      expect(isin).toMatch(/^[A-Z]{2}[0-9A-Z]{9}\d$/);
      expect(isinCheckDigit(isin.slice(0, 11))).toBe(isin[11]);
      // Notional = Quantity x Price to the cent, checked in exact integers.
      const exact = BigInt(qty) * BigInt(px.replace('.', ''));
      expect(abs(exact - BigInt(notional.replace('.', '')) * 100n) <= 50n).toBe(true);
    }
  });
});
