import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { adjustSql, businessDayNumber, businessDayOffset, parseFactor } from './adjust-sql.ts';

/**
 * The adjustment SQL on a real in-memory DuckDB: business-day shifts against
 * a day-by-day reference written from the documented rule, the inverse of
 * inference's business-day count, and decimal scaling with its rounding.
 */

let db: OpenDuckDB;
beforeAll(async () => {
  db = await openDuckDB({ path: ':memory:' });
});
afterAll(() => db.close());

const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
const weekend = (t: number): boolean => [0, 6].includes(new Date(t).getUTCDay());

/** The rule as documented: a Saturday or Sunday counts as the Monday after it, then n weekdays forward or back. */
function shiftReference(date: string, n: number): string {
  let t = Date.parse(`${date}T00:00:00Z`);
  while (weekend(t)) t += DAY;
  for (let left = Math.abs(n); left > 0; ) {
    t += Math.sign(n) * DAY;
    if (!weekend(t)) left--;
  }
  return iso(t);
}

/** Every day of three weeks around 1970-01-05 (the SQL's origin) and of three weeks in 2024. */
const DATES = [Date.parse('1969-12-15T00:00:00Z'), Date.parse('2024-06-17T00:00:00Z')].flatMap((start) =>
  Array.from({ length: 21 }, (_, i) => iso(start + i * DAY)),
);
const SHIFTS = [-11, -6, -5, -4, -2, -1, 1, 2, 3, 4, 5, 6, 12];

describe('business-day shifts', () => {
  it('match the documented rule for every weekday, weekend day and shift, before 1970 too', async () => {
    const values = DATES.map((d) => `(DATE '${d}')`).join(', ');
    const cols = SHIFTS.map((n, i) => `CAST(d + ${businessDayOffset('d', n)} AS VARCHAR) AS s${i}`).join(', ');
    const rows = await queryRows<Record<string, string>>(db.connection, `SELECT CAST(d AS VARCHAR) AS d, ${cols} FROM (VALUES ${values}) t(d) ORDER BY d`);
    for (const r of rows) {
      SHIFTS.forEach((n, i) => expect(`${r['d']} ${n}: ${r[`s${i}`]}`).toBe(`${r['d']} ${n}: ${shiftReference(r['d']!, n)}`));
    }
    // Spelled out: Friday +1 is Monday, Monday −1 is Friday, Saturday ±1 is Tuesday / Friday.
    expect(shiftReference('2024-06-28', 1)).toBe('2024-07-01');
    expect(shiftReference('2024-07-01', -1)).toBe('2024-06-28');
    expect([shiftReference('2024-06-29', 1), shiftReference('2024-06-29', -1)]).toEqual(['2024-07-02', '2024-06-28']);
  });

  it('undo what inference measures: B − n business days is A whenever A is a weekday', async () => {
    // Every (A weekday, B any day within two weeks) pair: n = count(B) − count(A), then B shifted by −n.
    const values = DATES.map((d) => `(DATE '${d}')`).join(', ');
    const rows = await queryRows<{ a: string; b: string; n: string }>(
      db.connection,
      `SELECT CAST(x.d AS VARCHAR) AS a, CAST(y.d AS VARCHAR) AS b, ${businessDayNumber('y.d')} - ${businessDayNumber('x.d')} AS n
         FROM (VALUES ${values}) x(d), (VALUES ${values}) y(d)
        WHERE isodow(x.d) <= 5 AND abs(y.d - x.d) <= 14`,
    );
    expect(rows.length).toBeGreaterThan(500);
    // n = 0 (B the same day, or the weekend before a Monday A) is no shift, so no rule to undo.
    const shifts = [...new Set(rows.map((r) => Number(r.n)))].filter((n) => n !== 0);
    expect(shifts.length).toBeGreaterThan(15);
    for (const n of shifts) {
      const pairs = rows.filter((r) => Number(r.n) === n);
      const back = await queryRows<{ a: string; got: string }>(
        db.connection,
        `SELECT a, CAST(b + ${businessDayOffset('b', -n)} AS VARCHAR) AS got
           FROM (VALUES ${pairs.map((p) => `('${p.a}', DATE '${p.b}')`).join(', ')}) t(a, b)`,
      );
      for (const r of back) expect(`${r.a} +${n}: ${r.got}`).toBe(`${r.a} +${n}: ${r.a}`);
    }
  });

  it('keeps the time of day of a timestamp', async () => {
    const sql = adjustSql('timestamp', 6, { shiftBusinessDays: -1 }, 'adjust.b')!.sql("TIMESTAMP '2024-07-01 09:30:15'");
    const [row] = await queryRows<{ v: string }>(db.connection, `SELECT CAST(${sql} AS VARCHAR) AS v`);
    expect(row?.v).toBe('2024-06-28 09:30:15');
  });
});

describe('multiplying', () => {
  it('reads factors exactly, without trailing zeros', () => {
    expect(parseFactor('0.0100')).toEqual({ text: '0.01', scale: 2, precision: 3, whole: false });
    expect(parseFactor('-1')).toEqual({ text: '-1', scale: 0, precision: 1, whole: true });
    expect(parseFactor('100.000')).toEqual({ text: '100', scale: 0, precision: 3, whole: true });
    expect(parseFactor('007.5')).toEqual({ text: '7.5', scale: 1, precision: 2, whole: false });
  });

  it('rounds a decimal half away from zero to the field scale, exactly', async () => {
    const cents = adjustSql('decimal', 2, { multiply: '0.01' }, 'adjust.b')!;
    const vals = ['12345', '100.5', '-100.5', '99999999999999999999999999999999.99', '0.49'];
    const rows = await queryRows<{ v: string | null }>(
      db.connection,
      `SELECT CAST(${cents.sql('x')} AS VARCHAR) AS v FROM (VALUES ${vals.map((v, i) => `(${i}, CAST('${v}' AS DECIMAL(38, 2)))`).join(', ')}) t(i, x) ORDER BY i`,
    );
    // 34 significant digits stay exact: …99.9999 rounds up to the next power of ten.
    expect(rows.map((r) => r.v)).toEqual(['123.45', '1.01', '-1.01', '1000000000000000000000000000000.00', '0.00']);
  });

  it('takes the narrow and the wide path to the same exact, half-away-from-zero result', async () => {
    // Values inside and beyond 18 digits; scale 16 with ×0.001 is past the narrow path's 18 places.
    // Reference in BigInt: X at scale s times K at scale sk, rounded to scale s.
    // The exact product X × K must fit 38 digits, else NULL (a reject), even where the rounded result would fit.
    const reference = (x: string, factor: string, s: number): string | null => {
      const f = parseFactor(factor);
      const [xi, xf = ''] = x.replace('-', '').split('.');
      const X = BigInt(`${xi}${xf.padEnd(s, '0')}`) * (x.startsWith('-') ? -1n : 1n);
      const [ki, kf = ''] = f.text.replace('-', '').split('.');
      const K = BigInt(`${ki}${kf}`) * (f.text.startsWith('-') ? -1n : 1n);
      const p = X * K;
      if ((p < 0n ? -p : p) >= 10n ** 38n) return null;
      const unit = 10n ** BigInt(f.scale);
      const mag = p < 0n ? -p : p;
      const r = (mag / unit + (2n * (mag % unit) >= unit ? 1n : 0n)) * (p < 0n ? -1n : 1n);
      const digits = (r < 0n ? -r : r).toString().padStart(s + 1, '0');
      const text = s === 0 ? digits : `${digits.slice(0, -s)}.${digits.slice(-s)}`;
      return r < 0n ? `-${text}` : text;
    };
    let overflows = 0;
    const values = ['0', '1.5', '-1.5', '0.05', '-0.05', '123456.789012', '-999999999999.125', '12345678901234567.5', '-98765432109876543210.25', '5.55'];
    for (const s of [0, 2, 6, 16]) {
      for (const factor of ['0.01', '0.001', '0.5', '-0.5', '2.5', '0.333', '1.005']) {
        const sql = adjustSql('decimal', s, { multiply: factor }, 'adjust.b')!.sql('x');
        const rows = await queryRows<{ v: string }>(
          db.connection,
          `SELECT CAST(${sql} AS VARCHAR) AS v FROM (VALUES ${values.map((v, i) => `(${i}, CAST('${v}' AS DECIMAL(38, ${s})))`).join(', ')}) t(i, x) ORDER BY i`,
        );
        const [castBack] = await queryRows<{ v: string }>(db.connection, `SELECT list(CAST(CAST(v AS DECIMAL(38, ${s})) AS VARCHAR) ORDER BY i) AS v FROM (VALUES ${values.map((v, i) => `(${i}, '${v}')`).join(', ')}) t(i, v)`);
        const typed = castBack!.v as unknown as string[];
        const expected = typed.map((x) => reference(x, factor, s));
        overflows += expected.filter((v) => v === null).length;
        expect(rows.map((r) => r.v), `scale ${s}, ×${factor}`).toEqual(expected);
      }
    }
    expect(overflows).toBeGreaterThan(0);
  });

  it('gives NULL (a reject) instead of an error when the product does not fit', async () => {
    const up = adjustSql('decimal', 2, { multiply: '100' }, 'adjust.b')!;
    const rows = await queryRows<{ v: string | null }>(
      db.connection,
      `SELECT CAST(${up.sql('x')} AS VARCHAR) AS v FROM (VALUES (0, CAST('1.25' AS DECIMAL(38, 2))), (1, CAST('999999999999999999999999999999999999.99' AS DECIMAL(38, 2)))) t(i, x) ORDER BY i`,
    );
    expect(rows.map((r) => r.v)).toEqual(['125.00', null]);
    expect(up.failure).toBe('multiplied by 100 (adjust.b.multiply) it needs more than the 38 digits of DECIMAL(38, 2)');
  });

  it('is no SQL at all for a factor of 1 or a shift of 0', () => {
    expect(adjustSql('decimal', 2, { multiply: '1.00' }, 'adjust.b')).toBeUndefined();
    expect(adjustSql('date', 6, { shiftDays: 0 }, 'adjust.b')).toBeUndefined();
    expect(adjustSql('date', 6, { shiftBusinessDays: 0 }, 'adjust.b')).toBeUndefined();
  });
});
