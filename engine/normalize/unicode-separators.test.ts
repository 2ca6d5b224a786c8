import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedField } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { onDuckDB } from '../clickhouse/testing/normalize-cases.ts';
import { inferDefinition } from '../infer/infer.ts';
import { tempDirsPerTest } from '../ingest/testing/temp-dirs.ts';
import { runRecon } from '../run/run-recon.ts';
import { literal } from '../sql/quote.ts';
import { visibleText, visibleTextSql } from './visible-text.ts';

/**
 * The characters real exports write that look like a space or nothing: French
 * grouping with a no-break space (U+00A0) or a narrow one (U+202F), Swiss grouping
 * with a typographic apostrophe (U+2019), and the invisible marks left around
 * values (bidi marks U+200E/U+200F, zero-width space U+200B, a BOM U+FEFF). They
 * read as the characters users think they are; a value that still cannot be read
 * says which invisible character it holds. (ClickHouse gives the same outcomes:
 * engine/clickhouse/normalize-dialect.test.ts runs these spellings on both engines.)
 */

const tempDir = tempDirsPerTest('recon-unicode-sep-');
let duck: OpenDuckDB;
beforeAll(async () => {
  duck = await openDuckDB({ path: ':memory:' });
});
afterAll(() => duck?.close());

const field = (over: Partial<ResolvedField>): ResolvedField =>
  ({
    name: 'f', aColumn: 'f', bColumn: 'f', type: 'string', scale: 0, mapA: undefined, mapB: undefined, case: 'none', trim: true,
    dateFormatA: undefined, dateFormatB: undefined, tolerance: {}, adjustA: undefined, adjustB: undefined, compare: true, isKey: false, listed: true, ...over,
  }) as ResolvedField;

async function values(f: ResolvedField, source: SourceOptions, texts: string[]): Promise<(string | null)[]> {
  const out = await onDuckDB(duck.connection, { name: 'x', field: f, source }, texts);
  return out.map((o) => (o.bad ? `reject: ${o.reason}` : o.value));
}

const NBSP = '\u00a0';
const NNBSP = '\u202f';

describe('grouping written with the characters French and Swiss exports use', () => {
  it('a space separator also takes the no-break spaces U+00A0 and U+202F, one per group', async () => {
    const f = field({ type: 'decimal', scale: 2 });
    const src: SourceOptions = { decimalSeparator: ',', thousandsSeparator: ' ' };
    const plain = await values(f, src, ['1234567,5', '1234,56', '-1234,56']);
    const spelled = await values(f, src, [`1 234${NBSP}567,5`, `1${NBSP}234,56`, `-1${NNBSP}234,56`]);
    expect(spelled).toEqual(plain);
    expect(plain.every((v) => v !== null && !v.startsWith('reject'))).toBe(true);
    const ints = await values(field({ type: 'integer' }), { thousandsSeparator: ' ' }, [`1${NNBSP}000${NBSP}000`, '1000000']);
    expect(ints[0]).toBe(ints[1]);
  });

  it('still rejects other spaces and two separators in one gap', async () => {
    const out = await values(field({ type: 'decimal', scale: 2 }), { decimalSeparator: ',', thousandsSeparator: ' ' }, ['1\u2009234,56', `1${NBSP}${NBSP}234,56`, `1${NBSP}23,4`]);
    expect(out.every((v) => v?.startsWith('reject'))).toBe(true);
  });

  it('an apostrophe separator also takes the typographic apostrophe U+2019', async () => {
    const f = field({ type: 'decimal', scale: 2 });
    const out = await values(f, { thousandsSeparator: "'" }, ["1'234.50", '1\u2019234.50', "1\u2019234'567.5"]);
    expect(out).toEqual(await values(f, {}, ['1234.50', '1234.50', '1234567.5']));
  });
});

describe('invisible characters around values', () => {
  it('trim removes bidi marks, zero-width spaces and a BOM at both ends, and keeps them inside', async () => {
    const out = await values(field({}), {}, ['\u200f\u05de\u05e9\u05d4\u200e', '\u200bx\ufeff', '\u200e y \u200f', 'a\u200eb']);
    expect(out).toEqual(['\u05de\u05e9\u05d4', 'x', 'y', 'a\u200eb']);
    const n = await values(field({ type: 'decimal', scale: 2 }), {}, ['\u200e-5.5\u200f', '-5.5']);
    expect(n[0]).toBe(n[1]);
  });
});

describe('what a user sees', () => {
  it('a reject reason names the invisible characters of the value it quotes', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, `id;amt\n1;1\u2009234,56\n2;1${NBSP}234,56\n`);
    writeFileSync(b, 'id;amt\n1;1234,56\n2;1234,56\n');
    const src = { delimiter: ';', decimalSeparator: ',', thousandsSeparator: ' ' } as const;
    const def = validateDefinition({ name: 'fr', key: ['id'], fields: [{ name: 'id', type: 'string' }, { name: 'amt', type: 'decimal', scale: 2 }], sources: { a: src, b: src } });
    const summary = await runRecon({ aPath: a, bPath: b, definition: def, workspace: join(dir, 'ws') });
    const db = await openDuckDB({ path: summary.database });
    try {
      const rejects = await queryRows<{ reason: string }>(db.connection, 'SELECT reason FROM rejects');
      expect(rejects).toHaveLength(1);
      expect(rejects[0]!.reason).toContain('U+2009');
    } finally {
      db.close();
    }
    expect(summary.counts).toMatchObject({ matched: 1, matchedExact: 1, rejectedA: 1 });
  }, 60_000);

  it('names invisible characters the same in a local run (JavaScript) and a cluster run (SQL)', async () => {
    const texts = ['1\u00a0234,56', '\u200fx\u200e', 'a\tb\u0001c', 'plain', '\u2019\u202f\ufeff\u3000'];
    const rows = await queryRows<{ v: string }>(duck.connection, `SELECT ${visibleTextSql('t')} AS v FROM (VALUES ${texts.map((t, i) => `(${i}, ${literal(t)})`).join(', ')}) s(i, t) ORDER BY i`);
    expect(rows.map((r) => r.v)).toEqual(texts.map(visibleText));
    expect(visibleText(texts[0]!)).toBe('1<U+00A0>234,56');
    expect(visibleText(texts[4]!)).toBe('\u2019<U+202F><U+FEFF><U+3000>');
  });

  it('infer proposes a decimal comma and space grouping for no-break-space grouped numbers', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, whole: 1000 + i * 7919, cents: String((i * 37) % 100).padStart(2, '0') }));
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const grouped = (n: number, sep: string): string => String(n).replace(/\B(?=(\d{3})+$)/g, sep);
    writeFileSync(a, `Id;Montant\n${rows.map((r, i) => `${r.id};${grouped(r.whole, i % 2 ? NBSP : NNBSP)},${r.cents}`).join('\n')}\n`);
    writeFileSync(b, `id,amount\n${rows.map((r) => `${r.id},${r.whole}.${r.cents}`).join('\n')}\n`);
    const { definition } = await inferDefinition({ aPath: a, bPath: b });
    expect(definition.sources?.a).toMatchObject({ decimalSeparator: ',', thousandsSeparator: ' ' });
    expect(definition.fields?.find((f) => f.name === 'Montant')).toMatchObject({ type: 'decimal', scale: 2 });
  }, 60_000);
});
