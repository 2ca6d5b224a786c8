import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedField } from '../definition/resolve.ts';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { fieldSql, trimSql, TRIMMED_WHITESPACE } from './sql.ts';

/**
 * What the cast accepts, value by value, on a real DuckDB: the number grammar
 * (README, "Recon definitions"), rounding to the scale and the whitespace trim
 * removes. DuckDB's own casts accept more (hex, "1_000", "1e3", " 5", and they
 * round "1.5" to the integer 2); every such spelling must come out NULL, which
 * staging turns into a reject with its line, column and reason.
 */

let db: OpenDuckDB;
beforeAll(async () => {
  db = await openDuckDB({ path: ':memory:' });
});
afterAll(() => db.close());

function field(type: ResolvedField['type'], extra: Partial<ResolvedField> = {}): ResolvedField {
  return {
    name: 'v', aColumn: 'v', bColumn: 'v', type, scale: type === 'decimal' ? 2 : 0, mapA: undefined, mapB: undefined, case: 'none', trim: true,
    dateFormatA: undefined, dateFormatB: undefined, tolerance: {}, adjustA: undefined, adjustB: undefined, compare: true, isKey: false, listed: true,
    ...extra,
  };
}

interface Cast {
  /** The typed value as text; null where the value does not cast (a reject). */
  value: string | null;
  /** The 64-bit value staging stores where it fits. */
  narrow: string | null;
  /** Rounding to the scale changed the value (decimals rounded, not rejected). */
  rounded: boolean | null;
}

/** Casts each text as staging does (clean → text → typed), with the narrow cast and the rounding flag. */
async function cast(f: ResolvedField, texts: readonly string[], source: SourceOptions = {}, format?: SourceFormat): Promise<Record<string, Cast>> {
  const sql = fieldSql(f, 'a', source, format);
  const t = sql.text(sql.clean('v'));
  const rows = await queryRows<{ v: string; value: string | null; narrow: string | null; rounded: boolean | null }>(
    db.connection,
    `SELECT v, CAST(${sql.typed('t')} AS VARCHAR) AS value, CAST(${sql.narrow ? sql.narrow.typed('t') : 'NULL'} AS VARCHAR) AS narrow,
            ${sql.rounded ? sql.rounded('t') : 'NULL'} AS rounded
       FROM (SELECT v, ${t} AS t FROM (VALUES ${texts.map((x) => `(${literal(x)})`).join(', ')}) s(v))`,
  );
  return Object.fromEntries(rows.map((r) => [r.v, { value: r.value, narrow: r.narrow, rounded: r.rounded }]));
}

async function values(f: ResolvedField, texts: readonly string[], source: SourceOptions = {}, format?: SourceFormat): Promise<Record<string, string | null>> {
  const got = await cast(f, texts, source, format);
  return Object.fromEntries(Object.entries(got).map(([k, c]) => [k, c.value]));
}

const nulls = (texts: readonly string[]): Record<string, null> => Object.fromEntries(texts.map((t) => [t, null]));

/** Spellings DuckDB's casts take (or round) that no number field may accept. */
const NOT_NUMBERS = [
  '0x10', '0X1F', '0b101', '0o17', '1_000', '1__0', '_1', '1_', '1e3', '1E3', '1e-2', '1.5e2', '1e', 'e3',
  'inf', '-inf', 'Infinity', 'nan', 'NaN', '-', '+', '.', '()', '--5', '+-5', '-+5', '1-2', '5--', '-5-', '+5-', '(-5)', '(+5)', '(5', '5)', '(5)-', '-(5)',
  '- 5', '5 5', '1 000', '1,000', '1.2.3', '1..2', '$5', '5%', '١٢', '５', '1\u00a0000', 'five',
];

describe('integer fields', () => {
  it('accept whole numbers: optional sign, digits, a fraction of zeros, accounting negatives', async () => {
    expect(
      await values(field('integer'), ['0', '5', '-5', '+5', '007', '-0', '2.00', '2.', '-2.0', '(5)', '5-', '(2.00)', '2.0-', '170141183460469231731687303715884105727']),
    ).toEqual({
      '0': '0', '5': '5', '-5': '-5', '+5': '5', '007': '7', '-0': '0', '2.00': '2', '2.': '2', '-2.0': '-2', '(5)': '-5', '5-': '-5', '(2.00)': '-2', '2.0-': '-2',
      '170141183460469231731687303715884105727': '170141183460469231731687303715884105727',
    });
  });

  it('reject fractions instead of rounding them (1.5 is not 2)', async () => {
    const fractions = ['1.5', '2.5', '-1.5', '-2.5', '0.1', '1.01', '(1.5)', '1.5-', '.5', '.0', '+.5', '-.5', '2.000001'];
    expect(await values(field('integer'), fractions)).toEqual(nulls(fractions));
    const got = await cast(field('integer'), fractions);
    for (const c of Object.values(got)) expect(c.narrow).toBeNull();
  });

  it('reject hex, binary, underscores, exponents, inf/nan, inner spaces and stray signs', async () => {
    expect(await values(field('integer'), NOT_NUMBERS)).toEqual(nulls(NOT_NUMBERS));
    const got = await cast(field('integer'), NOT_NUMBERS);
    for (const c of Object.values(got)) expect(c.narrow).toBeNull();
  });

  it('accept the declared grouping in groups of three, and reject any other grouping', async () => {
    const src: SourceOptions = { thousandsSeparator: ',' };
    expect(await values(field('integer'), ['1,000', '1,234,567', '-1,000', '+1,000', '(1,000)', '1,000-', '1,000.00', '1000', '999', '12,345,678,901,234,567,890'], src)).toEqual({
      '1,000': '1000', '1,234,567': '1234567', '-1,000': '-1000', '+1,000': '1000', '(1,000)': '-1000', '1,000-': '-1000', '1,000.00': '1000', '1000': '1000', '999': '999',
      '12,345,678,901,234,567,890': '12345678901234567890',
    });
    const bad = ['1,00', '1,0000', '12,5', '1,23,4', ',123', '123,', '1,,000', '1234,567', '1,000.5', '1 000', '0x1,000', '1,000e3'];
    expect(await values(field('integer'), bad, src)).toEqual(nulls(bad));
    // The decimal point is still the decimal point: "1.000" is one, with three zero decimals.
    expect(await values(field('integer'), ['1.000'], src)).toEqual({ '1.000': '1' });
  });

  it('read decimal-comma sources with "." or space or apostrophe grouping', async () => {
    expect(await values(field('integer'), ['1.000', '1.000,00', '2,0', '(1.000)'], { decimalSeparator: ',', thousandsSeparator: '.' })).toEqual({
      '1.000': '1000', '1.000,00': '1000', '2,0': '2', '(1.000)': '-1000',
    });
    expect(await values(field('integer'), ['2,5', '1.00', '1,000', '1,5'], { decimalSeparator: ',', thousandsSeparator: '.' })).toEqual({
      '2,5': null, '1.00': null, '1,000': '1', '1,5': null,
    });
    expect(await values(field('integer'), ['1 000', '1  000', '1 00'], { thousandsSeparator: ' ' })).toEqual({ '1 000': '1000', '1  000': null, '1 00': null });
    expect(await values(field('integer'), ["1'000", "1'00"], { thousandsSeparator: "'" })).toEqual({ "1'000": '1000', "1'00": null });
  });

  it('take surrounding whitespace only when the field is trimmed', async () => {
    expect(await values(field('integer'), [' 5', '5 ', '\t5\r\n', '\u00a05\u3000'])).toEqual({ ' 5': '5', '5 ': '5', '\t5\r\n': '5', '\u00a05\u3000': '5' });
    expect(await values(field('integer', { trim: false }), [' 5', '5 ', '\t5', '5\n', '5'])).toEqual({ ' 5': null, '5 ': null, '\t5': null, '5\n': null, '5': '5' });
  });
});

describe('decimal fields', () => {
  it('accept plain decimals, a leading point, a trailing point, signs and accounting negatives', async () => {
    expect(await values(field('decimal'), ['1.5', '.5', '-.5', '+.5', '5.', '+1.25', '-1.25', '(1.25)', '1.25-', '(.5)', '001.10', '-0.00', '0', '123456789012345678901234.25'])).toEqual({
      '1.5': '1.50', '.5': '0.50', '-.5': '-0.50', '+.5': '0.50', '5.': '5.00', '+1.25': '1.25', '-1.25': '-1.25', '(1.25)': '-1.25', '1.25-': '-1.25', '(.5)': '-0.50',
      '001.10': '1.10', '-0.00': '0.00', '0': '0.00', '123456789012345678901234.25': '123456789012345678901234.25',
    });
  });

  it('reject hex, underscores, exponents, inf and nan, inner spaces and stray signs', async () => {
    expect(await values(field('decimal'), NOT_NUMBERS)).toEqual(nulls(NOT_NUMBERS));
    const got = await cast(field('decimal', { scale: 6 }), NOT_NUMBERS);
    for (const c of Object.values(got)) expect(c.narrow).toBeNull();
  });

  it('take the grouping only in the integer part, in groups of three', async () => {
    const src: SourceOptions = { thousandsSeparator: ',' };
    expect(await values(field('decimal'), ['1,234.56', '1,234,567.891', '(1,000.00)', '1,000.00-', '1234.5', '.5'], src)).toEqual({
      '1,234.56': '1234.56', '1,234,567.891': '1234567.89', '(1,000.00)': '-1000.00', '1,000.00-': '-1000.00', '1234.5': '1234.50', '.5': '0.50',
    });
    const bad = ['12,5', '1,23,4', '1,234.5,6', '1.234,56', '1,2345.6', ',5', '1,.5'];
    expect(await values(field('decimal'), bad, src)).toEqual(nulls(bad));
  });

  it('read decimal commas, and reject a point where the comma is the decimal separator', async () => {
    expect(await values(field('decimal'), ['1,5', '-1,5', '(1,5)', ',5', '1,5-'], { decimalSeparator: ',' })).toEqual({
      '1,5': '1.50', '-1,5': '-1.50', '(1,5)': '-1.50', ',5': '0.50', '1,5-': '-1.50',
    });
    expect(await values(field('decimal'), ['1.5', '1.000,5', '1,5,5'], { decimalSeparator: ',' })).toEqual(nulls(['1.5', '1.000,5', '1,5,5']));
    expect(await values(field('decimal'), ['1.234,5', '1.234.567,89', '1.23,4', '1,234.5'], { decimalSeparator: ',', thousandsSeparator: '.' })).toEqual({
      '1.234,5': '1234.50', '1.234.567,89': '1234567.89', '1.23,4': null, '1,234.5': null,
    });
  });

  it('takes the exponent form DuckDB writes for binary floating point in Parquet and JSON, nowhere else', async () => {
    const texts = ['1e-05', '1e+21', '-2.5e-3', '1.0000000116860974e-07', '1E3', '100.0', 'nan', 'inf', '1e', '1e+1000'];
    expect(await values(field('decimal', { scale: 6 }), texts, {}, 'parquet')).toEqual({
      '1e-05': '0.000010', '1e+21': '1000000000000000000000.000000', '-2.5e-3': '-0.002500', '1.0000000116860974e-07': '0.000000', '1E3': '1000.000000', '100.0': '100.000000',
      nan: null, inf: null, '1e': null, '1e+1000': null,
    });
    expect(await values(field('decimal', { scale: 6 }), texts, {}, 'csv')).toEqual({ ...nulls(texts), '100.0': '100.000000' });
    expect(await values(field('integer'), ['1e+16', '1.5e1', '1.25e1', '100.0', '1e-1'], {}, 'json')).toEqual({
      '1e+16': '10000000000000000', '1.5e1': '15', '1.25e1': null, '100.0': '100', '1e-1': null,
    });
  });
});

describe('rounding to the scale', () => {
  it('rounds half away from zero and flags only the values it changed', async () => {
    const got = await cast(field('decimal', { scale: 6 }), ['1.000000004', '1.000000003', '1.0000005', '-1.0000005', '1.000000000', '1.1234560000', '1.5', '(1.0000001)', '1.0000001-', '7']);
    expect(Object.fromEntries(Object.entries(got).map(([k, c]) => [k, [c.value, c.rounded]]))).toEqual({
      '1.000000004': ['1.000000', true],
      '1.000000003': ['1.000000', true],
      '1.0000005': ['1.000001', true],
      '-1.0000005': ['-1.000001', true],
      '1.000000000': ['1.000000', false],
      '1.1234560000': ['1.123456', false],
      '1.5': ['1.500000', false],
      '(1.0000001)': ['-1.000000', true],
      '1.0000001-': ['-1.000000', true],
      '7': ['7.000000', false],
    });
    const zero = await cast(field('decimal', { scale: 0 }), ['1.5', '1.0', '2', '1,5'], { decimalSeparator: ',' });
    expect(Object.fromEntries(Object.entries(zero).map(([k, c]) => [k, [c.value, c.rounded]]))).toEqual({ '1.5': [null, false], '1.0': [null, false], '2': ['2', false], '1,5': ['2', true] });
  });

  it('counts rounding in the exponent form too', async () => {
    const got = await cast(field('decimal', { scale: 6 }), ['1e-05', '1.0000000116860974e-07', '1.5e-6', '1.5e-7', '12e-7', '10e-7', '1e+21'], {}, 'parquet');
    expect(Object.fromEntries(Object.entries(got).map(([k, c]) => [k, c.rounded]))).toEqual({
      '1e-05': false, '1.0000000116860974e-07': true, '1.5e-6': true, '1.5e-7': true, '12e-7': true, '10e-7': false, '1e+21': false,
    });
  });

  it('"rounding": "reject" refuses a value with more decimals than the scale, and only that', async () => {
    const f = field('decimal', { scale: 6, rounding: 'reject' });
    const got = await cast(f, ['1.000000004', '1.0000005', '1.000000000', '1.1234560000', '1.5', '(1.0000001)', '7']);
    expect(Object.fromEntries(Object.entries(got).map(([k, c]) => [k, c.value]))).toEqual({
      '1.000000004': null, '1.0000005': null, '1.000000000': '1.000000', '1.1234560000': '1.123456', '1.5': '1.500000', '(1.0000001)': null, '7': '7.000000',
    });
    for (const c of Object.values(got)) expect(c.narrow).toBe(c.value);
    expect(fieldSql(f, 'a', {}).rounded).toBeUndefined();
  });

  it('names the reason for a value rejected for its decimals', async () => {
    const sql = fieldSql(field('decimal', { scale: 6, rounding: 'reject' }), 'a', { thousandsSeparator: ',' });
    expect(sql.reasons).toBeDefined();
    const rows = await queryRows<{ v: string; reason: string | null }>(
      db.connection,
      `SELECT v, CASE ${sql.reasons!('v')} END AS reason FROM (VALUES ('1.000000004'), ('1,234.12345670'), ('(1.0000001)'), ('1.5'), ('x')) s(v) ORDER BY v`,
    );
    expect(rows).toEqual([
      { v: '(1.0000001)', reason: "has 7 decimals; the field's scale is 6" },
      { v: '1,234.12345670', reason: "has 7 decimals; the field's scale is 6" },
      { v: '1.000000004', reason: "has 9 decimals; the field's scale is 6" },
      { v: '1.5', reason: null },
      { v: 'x', reason: null },
    ]);
  });
});

describe('date fields', () => {
  it('take a timestamp at midnight as its date, and reject one with a time of day (09:00 is not 17:00)', async () => {
    expect(await values(field('date'), ['2026-01-05', '2026-01-05 00:00:00', '2026-01-05T00:00:00', '2026-01-05 00:00:00.000'])).toEqual({
      '2026-01-05': '2026-01-05',
      '2026-01-05 00:00:00': '2026-01-05',
      '2026-01-05T00:00:00': '2026-01-05',
      '2026-01-05 00:00:00.000': '2026-01-05',
    });
    expect(await values(field('date'), ['2026-01-05 09:00', '2026-01-05 17:00:00', '2026-01-05T00:00:01', '2026-01-05 00:00:00.5'])).toEqual(
      nulls(['2026-01-05 09:00', '2026-01-05 17:00:00', '2026-01-05T00:00:01', '2026-01-05 00:00:00.5']),
    );
  });

  it('do the same with declared formats', async () => {
    const f = field('date', { dateFormatA: ['%d/%m/%Y %H:%M', '%d/%m/%Y'] });
    expect(await values(f, ['05/01/2026', '05/01/2026 00:00', '05/01/2026 13:45'])).toEqual({ '05/01/2026': '2026-01-05', '05/01/2026 00:00': '2026-01-05', '05/01/2026 13:45': null });
  });

  it('name the reason for a time of day', async () => {
    const sql = fieldSql(field('date'), 'a', {});
    expect(sql.reasons).toBeDefined();
    const rows = await queryRows<{ v: string; reason: string | null }>(
      db.connection,
      `SELECT v, CASE ${sql.reasons!('v')} END AS reason FROM (VALUES ('2026-01-05 13:45:00'), ('2026-01-05'), ('x')) s(v) ORDER BY v`,
    );
    expect(rows).toEqual([
      { v: '2026-01-05', reason: null },
      { v: '2026-01-05 13:45:00', reason: 'has a time of day (13:45:00); the field is a date: declare it a timestamp to compare times' },
      { v: 'x', reason: null },
    ]);
  });
});

describe('dates and timestamps without a declared format', () => {
  it('take only the year-first form the reject message names, never a two-digit year as year 1', async () => {
    expect(await values(field('date'), ['2024-01-31', '2024-1-5', '01/02/24', '1/2/3', '24-01-31', '0024-01-31x', '31.01.2024'])).toEqual({
      '2024-01-31': '2024-01-31',
      '2024-1-5': '2024-01-05',
      ...nulls(['01/02/24', '1/2/3', '24-01-31', '0024-01-31x', '31.01.2024']),
    });
    expect(await values(field('timestamp'), ['2024-01-31 10:00:00', '24-01-31 10:00:00', '01/02/24 10:00'])).toEqual({
      '2024-01-31 10:00:00': '2024-01-31 10:00:00',
      ...nulls(['24-01-31 10:00:00', '01/02/24 10:00']),
    });
  });

  it('convert a UTC offset to UTC instead of dropping it', async () => {
    const texts = ['2024-01-31 10:00:00+02:00', '2024-01-31 10:00:00-05:00', '2024-03-31T01:30:00+14:00', '2024-01-31 10:00:00+0530', '2024-01-31 10:00:00+02', '2024-01-31T10:00:00Z', '2024-01-31 10:00:00'];
    expect(await values(field('timestamp'), texts)).toEqual({
      '2024-01-31 10:00:00+02:00': '2024-01-31 08:00:00',
      '2024-01-31 10:00:00-05:00': '2024-01-31 15:00:00',
      '2024-03-31T01:30:00+14:00': '2024-03-30 11:30:00',
      '2024-01-31 10:00:00+0530': '2024-01-31 04:30:00',
      '2024-01-31 10:00:00+02': '2024-01-31 08:00:00',
      '2024-01-31T10:00:00Z': '2024-01-31 10:00:00',
      '2024-01-31 10:00:00': '2024-01-31 10:00:00',
    });
  });

  it('round fractions of a second beyond microseconds, and flag the values rounding changed', async () => {
    const got = await cast(field('timestamp'), ['2024-01-31 10:00:00.9999999', '2024-01-31 10:00:00.1234564', '2024-01-31 10:00:00.1234565', '2024-01-31 10:00:00.123456', '2024-01-31 10:00:00.1234560']);
    expect(Object.fromEntries(Object.entries(got).map(([k, c]) => [k, [c.value, c.rounded]]))).toEqual({
      '2024-01-31 10:00:00.9999999': ['2024-01-31 10:00:01', true],
      '2024-01-31 10:00:00.1234564': ['2024-01-31 10:00:00.123456', true],
      '2024-01-31 10:00:00.1234565': ['2024-01-31 10:00:00.123457', true],
      '2024-01-31 10:00:00.123456': ['2024-01-31 10:00:00.123456', false],
      '2024-01-31 10:00:00.1234560': ['2024-01-31 10:00:00.123456', false],
    });
  });
});

describe('trimming', () => {
  /** The set README documents: ASCII whitespace, Unicode White_Space, and the zero-width U+200B, U+2060, U+FEFF. */
  const SET = [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
    0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0x200b, 0x2060, 0xfeff, 0x200e, 0x200f,
  ];
  const reference = (s: string): string => {
    const cps = [...s];
    const ws = (c: string): boolean => SET.includes(c.codePointAt(0)!);
    let i = 0;
    let j = cps.length;
    while (i < j && ws(cps[i]!)) i++;
    while (j > i && ws(cps[j - 1]!)) j--;
    return cps.slice(i, j).join('');
  };

  it('removes exactly the documented set', () => {
    expect([...TRIMMED_WHITESPACE].sort((x, y) => x - y)).toEqual([...SET].sort((x, y) => x - y));
  });

  it('removes every kind of surrounding whitespace, CR and LF included, and keeps inner whitespace and other characters', async () => {
    const chars = SET.map((c) => String.fromCodePoint(c));
    const values = [
      'A', ' A', 'A ', 'A\r', 'A\n', '\r\nA', 'A\r\n', '\tA\t', '\vA\f', '\u00a0A', 'A\u00a0', '\u3000A\u3000', '\ufeffA', 'A\u200b', '\u2060A', '\u2028A\u2029', 'A\u0085',
      ...chars.map((c) => `${c}A`), ...chars.map((c) => `A${c}`), ...chars.map((c) => `${c} ${c}A B${c}\r\n`),
      'A B', 'A\r\nB', 'A\u00a0B', ' \u00a0\t\r\n', '', 'é', ' é ', '\u200cA\u200c', '\u200dA', '\u001cA', '\u180eA', '  Zoë €\r\n',
    ];
    const rows = await queryRows<{ v: string | null; got: string | null }>(
      db.connection,
      `SELECT v, ${trimSql('v')} AS got FROM (VALUES ${[...values.map((v) => `(${literal(v)})`), '(NULL)'].join(', ')}) t(v)`,
    );
    expect(rows).toHaveLength(values.length + 1);
    for (const r of rows) expect(r.got, JSON.stringify(r.v)).toBe(r.v === null ? null : reference(r.v));
    expect(rows.filter((r) => r.got === 'A')).toHaveLength(17 + 2 * SET.length);
  });

  it('is the clean layer of a trimmed field (empty after trimming is NULL) and is skipped for trim: false', async () => {
    const trimmed = fieldSql(field('string'), 'a', {}).clean('v');
    const kept = fieldSql(field('string', { trim: false }), 'a', {}).clean('v');
    const rows = await queryRows<{ v: string; t: string | null; k: string | null }>(
      db.connection,
      `SELECT v, ${trimmed} AS t, ${kept} AS k FROM (VALUES ('A\r'), ('\r\n'), ('\u00a0B\ufeff')) s(v) ORDER BY v`,
    );
    expect(rows).toEqual([
      { v: '\r\n', t: null, k: '\r\n' },
      { v: 'A\r', t: 'A', k: 'A\r' },
      { v: '\u00a0B\ufeff', t: 'B', k: '\u00a0B\ufeff' },
    ]);
  });
});

describe('numbers too large for their type', () => {
  /** The reject reason staging writes (stage.ts writeCastRejects): the field's own reasons, else what was expected; NULL where the value types. */
  async function reasons(f: ResolvedField, texts: readonly string[], source: SourceOptions = {}): Promise<Record<string, string | null>> {
    const sql = fieldSql(f, 'a', source);
    const rows = await queryRows<{ v: string; reason: string | null }>(
      db.connection,
      `SELECT v, CASE WHEN ${sql.typed('t')} IS NULL THEN (CASE ${sql.reasons?.('t') ?? ''} ELSE ${literal(`expected ${sql.expected}`)} END) END AS reason
         FROM (SELECT v, ${sql.text(sql.clean('v'))} AS t FROM (VALUES ${texts.map((x) => `(${literal(x)})`).join(', ')}) s(v))`,
    );
    return Object.fromEntries(rows.map((r) => [r.v, r.reason]));
  }

  it('are rejected as out of range for DECIMAL(38, s), not as no decimal number', async () => {
    const range2 = 'out of range for DECIMAL(38, 2): more than 36 digits before the decimal point once rounded to 2 decimals';
    expect(
      await reasons(field('decimal'), [
        '123456789012345678901234567890123456.99', // 36 digits: the largest that fits
        '1234567890123456789012345678901234567', // 37
        '-1234567890123456789012345678901234567.5',
        '(12345678901234567890123456789012345678)',
        '999999999999999999999999999999999999.995', // 36 digits, rounding up makes 37
        '1.5x',
      ]),
    ).toEqual({
      '123456789012345678901234567890123456.99': null,
      '1234567890123456789012345678901234567': range2,
      '-1234567890123456789012345678901234567.5': range2,
      '(12345678901234567890123456789012345678)': range2,
      '999999999999999999999999999999999999.995': range2,
      '1.5x': 'expected a decimal number with "." as decimal separator',
    });
    // The scale sets the room left; grouping and a decimal comma are read first; rounding "reject" says "decimals" first.
    expect(await reasons(field('decimal', { scale: 6 }), ['12345678901234567890123456789012.1', '123456789012345678901234567890123.1'])).toEqual({
      '12345678901234567890123456789012.1': null,
      '123456789012345678901234567890123.1': 'out of range for DECIMAL(38, 6): more than 32 digits before the decimal point once rounded to 6 decimals',
    });
    expect(await reasons(field('decimal', { scale: 0 }), ['123456789012345678901234567890123456789'])).toEqual({
      '123456789012345678901234567890123456789': 'out of range for DECIMAL(38, 0): more than 38 digits before the decimal point once rounded',
    });
    expect(await reasons(field('decimal'), ['1.234.567.890.123.456.789.012.345.678.901.234.567,5'], { decimalSeparator: ',', thousandsSeparator: '.' })).toEqual({
      '1.234.567.890.123.456.789.012.345.678.901.234.567,5': range2,
    });
    expect(await reasons(field('decimal', { rounding: 'reject' }), ['1234567890123456789012345678901234567.125', '1234567890123456789012345678901234567.1'])).toEqual({
      '1234567890123456789012345678901234567.125': "has 3 decimals; the field's scale is 2",
      '1234567890123456789012345678901234567.1': range2,
    });
  });

  it('are rejected as out of range for a whole number', async () => {
    expect(await reasons(field('integer'), ['170141183460469231731687303715884105727', '170141183460469231731687303715884105728', '-1234567890123456789012345678901234567890', '1.5'])).toEqual({
      '170141183460469231731687303715884105727': null,
      '170141183460469231731687303715884105728': 'out of range: too many digits for a whole number',
      '-1234567890123456789012345678901234567890': 'out of range: too many digits for a whole number',
      '1.5': 'expected a whole number with "." as decimal separator',
    });
  });
});
