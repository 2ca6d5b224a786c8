import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionInput, FieldType } from '../../definition/schema.ts';
import { Rng } from '../../generate/prng.ts';

/**
 * A wide A/B pair for tests and `bench/wide-bench.ts`: an `id` key and
 * `columns - 1` value columns cycling through decimal (2 places), text, date
 * and integer, `rows` records, and a few planted differences whose breaks are
 * known exactly: changed cells (MISMATCH), a record only in A (MISSING_IN_B)
 * and one only in B (MISSING_IN_A). Some cells are empty on both sides and
 * some B values are padded with spaces (equal after trimming), so neither is
 * a break. B's records are in reverse order.
 */
export interface WidePair {
  aPath: string;
  bPath: string;
  columns: string[];
  types: FieldType[];
  /** Every field listed with its type. */
  listed: DefinitionInput;
  /** Only the key; every other column compared as text (compareUnlisted). */
  unlisted: DefinitionInput;
  /** The breaks the pair must give, sorted by key then field. Values as the run prints them for typed fields. */
  expected: { key: string; field: string; diff_type: string; value_a: string | null; value_b: string | null }[];
}

const TYPES: FieldType[] = ['decimal', 'string', 'date', 'integer'];

function cell(type: FieldType, rng: Rng): string {
  switch (type) {
    case 'decimal':
      return `${rng.int(-99999, 999999)}.${String(rng.int(0, 99)).padStart(2, '0')}`;
    case 'integer':
      return String(rng.int(-5000, 2_000_000));
    case 'date':
      return `20${String(rng.int(10, 29))}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    default:
      return `${rng.pick(['AB', 'XYZ', 'Q', 'LONDON', 'nyc'])}${rng.int(0, 9999)}`;
  }
}

/** The planted change of a value (a different value of the same type). */
function changed(type: FieldType, v: string): string {
  switch (type) {
    case 'decimal': {
      const [i, f] = v.split('.') as [string, string];
      return `${i}.${f === '99' ? '98' : String(Number(f) + 1).padStart(2, '0')}`;
    }
    case 'integer':
      return String(Number(v) + 7);
    case 'date':
      return `${v.slice(0, 8)}${v.slice(8) === '28' ? '27' : String(Number(v.slice(8)) + 1).padStart(2, '0')}`;
    default:
      return `${v}x`;
  }
}

const csvLine = (cells: readonly string[]): string => `${cells.join(',')}\n`;

export function writeWidePair(dir: string, columns: number, rows: number, seed = 7): WidePair {
  if (columns < 5 || rows < 10) throw new Error('a wide pair needs at least 5 columns and 10 rows');
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const names = ['id', ...Array.from({ length: columns - 1 }, (_, j) => `c${String(j + 1).padStart(4, '0')}_${TYPES[j % TYPES.length]!.slice(0, 3)}`)];
  const types: FieldType[] = ['string', ...Array.from({ length: columns - 1 }, (_, j) => TYPES[j % TYPES.length]!)];
  const key = (r: number): string => `K${String(r).padStart(6, '0')}`;

  // Planted cells: spread over rows and columns, at most one per (row, column).
  const planted = new Map<string, true>();
  const plantCount = Math.min(24, rows - 2);
  for (let p = 0; p < plantCount; p++) {
    const r = 1 + ((p * 7919) % (rows - 2));
    const c = 1 + ((p * 104729 + 13) % (columns - 1));
    planted.set(`${r}:${c}`, true);
  }
  const onlyInA = rows - 1; // the last A record is missing in B
  const onlyInB = key(rows + 5);

  const aLines: string[] = [csvLine(names)];
  const bLines: string[] = [];
  const expected: WidePair['expected'] = [];
  const typedOut = (type: FieldType, v: string): string => (type === 'integer' ? String(Number(v)) : v);
  for (let r = 0; r < rows; r++) {
    const a: string[] = [key(r)];
    const b: string[] = [key(r)];
    for (let c = 1; c < columns; c++) {
      const type = types[c]!;
      // Some cells are empty on both sides: NULL = NULL is equal.
      if ((r + c) % 97 === 0) {
        a.push('');
        b.push('');
        continue;
      }
      const v = cell(type, rng);
      a.push(v);
      if (planted.has(`${r}:${c}`) && r !== onlyInA) {
        const w = changed(type, v);
        b.push(w);
        expected.push({ key: key(r), field: names[c]!, diff_type: 'MISMATCH', value_a: typedOut(type, v), value_b: typedOut(type, w) });
      } else {
        b.push((r * 31 + c) % 211 === 0 ? ` ${v} ` : v);
      }
    }
    aLines.push(csvLine(a));
    if (r !== onlyInA) bLines.push(csvLine(b));
  }
  expected.push({ key: key(onlyInA), field: '*', diff_type: 'MISSING_IN_B', value_a: null, value_b: null });
  bLines.push(csvLine([onlyInB, ...types.slice(1).map((t) => cell(t, rng))]));
  expected.push({ key: onlyInB, field: '*', diff_type: 'MISSING_IN_A', value_a: null, value_b: null });
  expected.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.field < y.field ? -1 : x.field > y.field ? 1 : 0));

  const aPath = join(dir, `wide-${columns}x${rows}-a.csv`);
  const bPath = join(dir, `wide-${columns}x${rows}-b.csv`);
  writeFileSync(aPath, aLines.join(''));
  writeFileSync(bPath, csvLine(names) + bLines.reverse().join(''));
  const listed: DefinitionInput = {
    name: `wide ${columns}`,
    key: ['id'],
    fields: names.map((name, c) => ({ name, type: types[c]!, ...(types[c] === 'decimal' ? { scale: 2 } : {}) })),
    compareUnlisted: false,
  };
  const unlisted: DefinitionInput = { name: `wide ${columns} unlisted`, key: ['id'], compareUnlisted: true };
  return { aPath, bPath, columns: names, types, listed, unlisted, expected };
}
