import { describe, expect, it } from 'vitest';
import { openDuckDB } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { typeColumn } from './column-types.ts';
import { identifierColumns } from './identifier-like.ts';
import { profileSide } from './profile.ts';
import type { Sampled } from './source.ts';
import { rng } from './testing/unseen-pairs.ts';

/**
 * Which columns may be key parts, from their values alone (the names here say
 * nothing): profiled and typed as inference does, then judged. Identifiers
 * stay; amounts, quantities and free text are left out, each with its reason.
 */

const ROWS = 2000;

/** The columns judged to hold compared values, with why, for columns of sampled values (a sample of `fraction` of the file). */
async function valuesOf(columns: Record<string, (i: number) => string>, fraction = 1): Promise<Record<string, string>> {
  const names = Object.keys(columns);
  const db = await openDuckDB({ path: ':memory:' });
  try {
    const conn = db.connection;
    const rows = Array.from({ length: ROWS }, (_, i) => `(${names.map((n) => literal(columns[n]!(i))).join(', ')})`);
    await conn.run(`CREATE TABLE infer_raw_a AS SELECT * FROM (VALUES ${rows.join(', ')}) AS t(${names.map((_, i) => `a${i}`).join(', ')})`);
    await conn.run('CREATE TABLE infer_s_a AS SELECT * FROM infer_raw_a');
    const stats = await profileSide(conn, 'a', names, 'infer_s_a', 'infer_raw_a');
    const typed = stats.map((s) => typeColumn(s, { decimal: '.', thousands: '' }));
    const sampled: Sampled = { table: 'infer_s_a', rawTable: 'infer_raw_a', sampled: ROWS, rows: ROWS / fraction, rowsExact: fraction === 1, fraction };
    const { values } = await identifierColumns(conn, 'a', typed, sampled);
    return Object.fromEntries(values.map((v) => [v.column.name, v.why]));
  } finally {
    db.close();
  }
}

describe('identifier-like columns', () => {
  it('keeps codes, references, consecutive and fixed-width numbers, dates and short categories', async () => {
    const r = rng(21);
    const words = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Oscorp'];
    const values = await valuesOf({
      // References and consecutive numbers, each repeated on 3% of rows.
      c1: (i) => `D${7_300_000 + (i - (i % 33 === 32 ? 1 : 0)) * 17}`,
      c2: (i) => String(1 + i - (i % 33 === 32 ? 1 : 0)),
      // A ten-digit account number, a line number (1 to 40 within an order), a currency, a day, a two-word name.
      c3: () => String(4_100_000_000 + Math.floor(r() * 800_000_000)),
      c4: (i) => String(1 + (i % 40)),
      c5: () => ['USD', 'EUR', 'GBP'][Math.floor(r() * 3)]!,
      c6: (i) => new Date(Date.UTC(2025, 0, 1) + (i % 200) * 86_400_000).toISOString().slice(0, 10),
      c7: (i) => `${words[i % words.length]} ${words[(i * 7) % words.length]}`,
    });
    expect(values).toEqual({});
  });

  it('leaves out decimals, negative, round or gappy whole numbers of varying width, and free text', async () => {
    const r = rng(22);
    const words = ['booked', 'after', 'call', 'with', 'client', 'amended', 'per', 'desk', 'request'];
    const values = await valuesOf({
      c1: () => (r() * 1e6).toFixed(2),
      c2: () => String(Math.round((r() - 0.4) * 1e6)),
      c3: () => String(100 * (1 + Math.floor(r() * 500))),
      c4: () => String(1 + Math.floor(r() * 250_000)),
      c5: () => String(Math.floor(r() * 3600)),
      // Amounts written as text (a few "n.a." keep the column from being a number).
      c6: (i) => (i % 50 === 0 ? 'n.a.' : (r() * 1e5).toFixed(2)),
      c7: () => Array.from({ length: 3 + Math.floor(r() * 5) }, () => words[Math.floor(r() * words.length)]).join(' '),
      c8: () => 'x'.repeat(30) + String(Math.floor(r() * 1e6)).padStart(12, '0'),
    });
    expect(values).toEqual({
      c1: 'numbers with decimals',
      c2: 'whole numbers, some negative',
      c3: 'mostly round whole numbers',
      c4: 'whole numbers of varying width with gaps between them',
      c5: 'whole numbers of varying width with gaps between them',
      c6: 'numbers with decimals',
      c7: 'free text',
      c8: 'free text',
    });
  });

  it('keeps consecutive numbers sampled from a larger file', async () => {
    // A tenth of a file numbered 1 to 20,000: the sample's numbers are a tenth of their range.
    const r = rng(23);
    const picked = Array.from({ length: 20_000 }, (_, i) => i + 1).filter(() => r() < 0.1).slice(0, ROWS);
    expect(await valuesOf({ c1: (i) => String(picked[i % picked.length]) }, picked.length / 20_000)).toEqual({});
  });
});
